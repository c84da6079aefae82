#version 450
#include "common.glsl"
#include "philox.glsl"
#include "trig.glsl"
// Standard normals z[e] from Philox under (seed, step, layer) in the
// normal stream, by Box-Muller on the word pairs (0,1) and (2,3) of each
// block, as nn/internal/ref documents. z[e] is element offset + e of the
// stream, so a chunk starting at sample s draws what rows s.. of the
// whole batch would. One invocation per Philox block of four.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) writeonly buffer Z { float z[]; };
layout(push_constant) uniform Push { uint n; uint seedLo; uint seedHi; uint step; uint layer; uint offset; } pc;

// boxMuller returns (r cos 2 pi U(u2), r sin 2 pi U(u2)), r = sqrt(-2 ln U(u1)).
// U(u2) = j 2^-25 with j odd and below 2^25, reduced to the nearest
// quarter turn in integers, so the angle is exact before the polynomial.
vec2 boxMuller(uint u1, uint u2) {
  float r = sqrt(2.0 * negLogUniform(u1));
  uint j = 2u * (u2 >> 8) + 1u;
  uint q = (j + (1u << 22)) >> 23;
  float x = float(int(j) - int(q << 23)) * TWO_M25;
  return r * cosSinQuarter(x, q);
}

void main() {
  uint first = pc.offset >> 2;
  uint blk = first + elementIndex();
  if (blk >= (pc.offset + pc.n + 3u) >> 2) return;
  uvec4 w = rngBlock(uvec2(pc.seedLo, pc.seedHi), pc.step, pc.layer, STREAM_NORMAL, blk);
  vec4 v = vec4(boxMuller(w.x, w.y), boxMuller(w.z, w.w));
  for (uint k = 0u; k < 4u; k++) {
    uint g = 4u * blk + k;
    if (g < pc.offset) continue;
    uint e = g - pc.offset;
    if (e >= pc.n) break;
    z[e] = v[k];
  }
}
