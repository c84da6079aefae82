#version 450
#include "common.glsl"
// y[i] = a * x[i] + b over n elements: the scale op, and the kernel the
// runtime's own tests chain together.
// VEC = 4 (spec constant 1): vec4s; n a multiple of 4 (see common.glsl).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y4 { vec4 y4[]; };
layout(push_constant) uniform Push { uint n; float a; float b; } pc;

void main() {
  uint i = elementIndex();
  if (VEC == 4u) {
    if (i < pc.n / 4u) y4[i] = pc.a * x4[i] + pc.b;
  } else if (i < pc.n) {
    y[i] = pc.a * x[i] + pc.b;
  }
}
