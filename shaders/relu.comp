#version 450
#include "common.glsl"
// y = max(x, 0). Inference only (the FID Inception network): no backward.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint n; } pc;

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  y[i] = max(x[i], 0.0);
}
