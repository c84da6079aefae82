#version 450
#include "common.glsl"
// gx = gy / 4 of the block each pixel fell in (0 for a dropped odd row or
// column), one invocation per element of gx; adds into gx when
// accumulate is 1.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer GY { float gy[]; };
layout(std430, binding = 1) buffer GX { float gx[]; };
layout(push_constant) uniform Push { uint n; uint h; uint w; uint accumulate; } pc; // n counts gx

void main() {
  uint j = elementIndex();
  if (j >= pc.n) return;
  uint ho = pc.h / 2u, wo = pc.w / 2u;
  uint plane = j / (pc.h * pc.w);
  uint oy = ((j / pc.w) % pc.h) / 2u;
  uint ox = (j % pc.w) / 2u;
  float v = 0.0;
  if (oy < ho && ox < wo) v = 0.25 * gy[(plane * ho + oy) * wo + ox];
  gx[j] = pc.accumulate != 0u ? gx[j] + v : v;
}
