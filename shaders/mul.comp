#version 450
#include "common.glsl"
// c = a * b, elementwise over n elements.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer C { float c[]; };
layout(push_constant) uniform Push { uint n; } pc;

void main() {
  uint i = elementIndex();
  if (i < pc.n) c[i] = a[i] * b[i];
}
