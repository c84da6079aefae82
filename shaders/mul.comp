#version 450
#include "common.glsl"
// c = a * b, elementwise over n elements.
// With VEC = 4 (spec constant 1; n a multiple of 4) each invocation takes
// 4 elements as vec4s: lavapipe loads and stores per lane and element, and
// a vec4 costs about 2.3 floats' worth.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
// Inputs are read as texel buffers of vec4s (a gather on lavapipe, where a
// storage-buffer load loops over the lanes); a float is a component of its
// texel.
layout(binding = 0) uniform samplerBuffer A;
#define a4(i) texelFetch(A, int(i))
#define a1(i) texelFetch(A, int(i) >> 2)[int(i) & 3]
layout(binding = 1) uniform samplerBuffer B;
#define b4(i) texelFetch(B, int(i))
#define b1(i) texelFetch(B, int(i) >> 2)[int(i) & 3]
layout(std430, binding = 2) writeonly buffer C { float c[]; };
layout(std430, binding = 2) writeonly buffer C4 { vec4 c4[]; };
layout(push_constant) uniform Push { uint n; } pc;

void main() {
  uint i = elementIndex();
  if (VEC == 4u) {
    if (i < pc.n / 4u) c4[i] = a4(i) * b4(i);
  } else if (i < pc.n) {
    c[i] = a1(i) * b1(i);
  }
}
