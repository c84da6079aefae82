#version 450
#include "common.glsl"
// gx = the sum of each 2x2 block of gy (in a fixed order); adds into gx
// when accumulate is 1.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer GY { float gy[]; };
layout(std430, binding = 1) buffer GX { float gx[]; };
layout(push_constant) uniform Push { uint n; uint h; uint w; uint accumulate; } pc; // n counts gx

void main() {
  uint j = elementIndex();
  if (j >= pc.n) return;
  uint hw = pc.h * pc.w;
  uint plane = j / hw;
  uint iy = (j % hw) / pc.w;
  uint ix = j % pc.w;
  uint w2 = 2u * pc.w;
  uint top = (plane * 2u * pc.h + 2u * iy) * w2 + 2u * ix;
  float v = (gy[top] + gy[top + 1u]) + (gy[top + w2] + gy[top + w2 + 1u]);
  gx[j] = pc.accumulate != 0u ? gx[j] + v : v;
}
