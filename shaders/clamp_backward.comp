#version 450
#include "common.glsl"
// gx = gy where lo <= x <= hi, 0 where x was clamped (PyTorch's
// convention at the bounds); accumulates into gx when pc.accumulate is 1.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer GY { float gy[]; };
layout(std430, binding = 2) buffer GX { float gx[]; };
layout(push_constant) uniform Push { uint n; float lo; float hi; uint accumulate; } pc;

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  float v = x[i];
  float g = (v >= pc.lo && v <= pc.hi) ? gy[i] : 0.0;
  gx[i] = pc.accumulate != 0u ? gx[i] + g : g;
}
