#version 450
#include "common.glsl"
// gx = the sum of each 2x2 block of gy (in a fixed order); adds into gx
// when accumulate is 1 (inside an if: lavapipe skips a load's lanes that
// no invocation runs, not one a select discards).
// With VEC = 4 (spec constant 1; w a multiple of 4) each invocation makes
// a vec4 of gx from 4 vec4s of gy: one integer division per 4 outputs
// instead of three per output, and vec4 loads and stores.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
// gy is read as a texel buffer of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer GY;
layout(std430, binding = 1) buffer GX { float gx[]; };
layout(std430, binding = 1) buffer GX4 { vec4 gx4[]; };
layout(push_constant) uniform Push { uint n; uint h; uint w; uint accumulate; } pc; // n counts gx

void main() {
  uint j = elementIndex();
  if (VEC == 4u) {
    if (j >= pc.n / 4u) return;
    uint q4 = pc.w / 4u;
    uint r = j / q4, q = j - r * q4;
    uint top = 2u * r * 2u * q4 + 2u * q; // vec4 of gy's row 2r, column 8q
    vec4 a = texelFetch(GY, int(top)), b = texelFetch(GY, int(top + 1u));
    vec4 c = texelFetch(GY, int(top + 2u * q4)), d = texelFetch(GY, int(top + 2u * q4 + 1u));
    // Pixel k of the vec4 sums columns 2k, 2k + 1 of both rows, in the
    // scalar path's order.
    vec4 v = (vec4(a.x, a.z, b.x, b.z) + vec4(a.y, a.w, b.y, b.w)) + (vec4(c.x, c.z, d.x, d.z) + vec4(c.y, c.w, d.y, d.w));
    if (pc.accumulate != 0u) v += gx4[j];
    gx4[j] = v;
  } else if (j < pc.n) {
    uint hw = pc.h * pc.w;
    uint plane = j / hw;
    uint iy = (j % hw) / pc.w;
    uint ix = j % pc.w;
    uint w2 = 2u * pc.w;
    uint top = (plane * 2u * pc.h + 2u * iy) * w2 + 2u * ix;
    float v = (texelFloat(GY, top) + texelFloat(GY, top + 1u)) + (texelFloat(GY, top + w2) + texelFloat(GY, top + w2 + 1u));
    if (pc.accumulate != 0u) v += gx[j];
    gx[j] = v;
  }
}
