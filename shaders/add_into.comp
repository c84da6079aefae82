#version 450
#include "common.glsl"
// a += b over n elements: gradient accumulation.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(push_constant) uniform Push { uint n; } pc;

void main() {
  uint i = elementIndex();
  if (i < pc.n) a[i] += b[i];
}
