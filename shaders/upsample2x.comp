#version 450
#include "common.glsl"
// Nearest-neighbour 2x upsampling of [B,C,h,w] planes to [B,C,2h,2w].
// With VEC = 4 (spec constant 1; w a multiple of 4) each invocation takes
// 4 pixels of an input row as a vec4 and stores the 2x4 vec4s they become:
// one integer division per 16 outputs instead of three per output (lavapipe
// divides each lane on its own) and vec4 loads and stores.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
// x is read as a texel buffer of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer X;
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) writeonly buffer Y4 { vec4 y4[]; };
layout(push_constant) uniform Push { uint n; uint h; uint w; } pc; // n counts y

void main() {
  uint i = elementIndex();
  if (VEC == 4u) {
    // Input vec4 i: row r of all planes' rows (plane * h + iy), column 4q.
    if (i >= pc.n / 16u) return;
    uint q4 = pc.w / 4u; // vec4s per input row
    uint r = i / q4, q = i - r * q4;
    vec4 v = texelFetch(X, int(i));
    // Output rows 2r and 2r + 1 (2w wide: 2 * q4 vec4s), vec4s 2q, 2q + 1.
    uint o = 2u * r * 2u * q4 + 2u * q;
    vec4 lo = v.xxyy, hi = v.zzww;
    y4[o] = lo;
    y4[o + 1u] = hi;
    y4[o + 2u * q4] = lo;
    y4[o + 2u * q4 + 1u] = hi;
  } else if (i < pc.n) {
    uint w2 = 2u * pc.w;
    uint plane = i / (4u * pc.h * pc.w);
    uint oy = (i / w2) % (2u * pc.h);
    uint ox = i % w2;
    y[i] = texelFloat(X, (plane * pc.h + oy / 2u) * pc.w + ox / 2u);
  }
}
