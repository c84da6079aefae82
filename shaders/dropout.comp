#version 450
#include "common.glsl"
#include "philox.glsl"
// y = x * mask / (1 - p), the mask drawn from Philox under the key
// (seed, step, layer) as nn/internal/ref documents: element e is kept iff
// (word_e >> 8) >= threshold. One invocation per block of four elements.
// The backward pass runs the same kernel on the gradient (regenerating the
// mask), adding into y when accumulate is 1.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint n; uint seedLo; uint seedHi; uint step; uint layer; uint threshold; float scale; uint accumulate;
} pc;

void main() {
  uint blk = elementIndex();
  if (blk >= (pc.n + 3u) / 4u) return;
  uvec4 w = rngBlock(uvec2(pc.seedLo, pc.seedHi), pc.step, pc.layer, STREAM_DROPOUT, blk);
  for (uint k = 0u; k < 4u; k++) {
    uint e = 4u * blk + k;
    if (e >= pc.n) break;
    float v = x[e] * ((w[k] >> 8) >= pc.threshold ? pc.scale : 0.0);
    y[e] = pc.accumulate != 0u ? y[e] + v : v;
  }
}
