#version 450
#include "common.glsl"
// gx = gy * s (1 + x (1 - s)) with s = sigmoid(x); accumulates into gx
// when pc.accumulate is 1.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer GY { float gy[]; };
layout(std430, binding = 2) buffer GX { float gx[]; };
layout(push_constant) uniform Push { uint n; uint accumulate; } pc;

void main() {
  uint i = elementIndex();
  if (i < pc.n) {
    float v = x[i];
    float s = 1.0 / (1.0 + exp(-v));
    float g = gy[i] * s * (1.0 + v * (1.0 - s));
    gx[i] = pc.accumulate != 0u ? gx[i] + g : g;
  }
}
