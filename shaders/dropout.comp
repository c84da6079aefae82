#version 450
#include "common.glsl"
#include "philox.glsl"
// y = x * mask / (1 - p), the mask drawn from Philox under the key
// (seed, step, layer) as nn/internal/ref documents: element e of this
// tensor is element offset + e of the key's stream, kept iff
// (word >> 8) >= threshold, so a micro-batch starting at sample s draws
// the same mask as rows s.. of the whole batch. One invocation per
// Philox block of four stream elements.
// The backward pass runs the same kernel on the gradient (regenerating the
// mask), adding into y when accumulate is 1.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint n; uint seedLo; uint seedHi; uint step; uint layer; uint threshold; float scale; uint accumulate; uint offset;
} pc;

void main() {
  uint first = pc.offset >> 2;
  uint blk = first + elementIndex();
  if (blk >= (pc.offset + pc.n + 3u) >> 2) return;
  uvec4 w = rngBlock(uvec2(pc.seedLo, pc.seedHi), pc.step, pc.layer, STREAM_DROPOUT, blk);
  for (uint k = 0u; k < 4u; k++) {
    uint g = 4u * blk + k;
    if (g < pc.offset) continue;
    uint e = g - pc.offset;
    if (e >= pc.n) break;
    float v = x[e] * ((w[k] >> 8) >= pc.threshold ? pc.scale : 0.0);
    y[e] = pc.accumulate != 0u ? y[e] + v : v;
  }
}
