#version 450
#include "common.glsl"
// y[i] = a * x[i] + b over n elements: the scale op, and the kernel the
// runtime's own tests chain together.
layout(local_size_x_id = 0) in;
layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint n; float a; float b; } pc;

void main() {
  uint i = elementIndex();
  if (i < pc.n) y[i] = pc.a * x[i] + pc.b;
}
