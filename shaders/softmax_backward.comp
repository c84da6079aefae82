#version 450
// Softmax backward, one workgroup per row of n values:
// gx = y * (gy - sum(gy * y)). Adds to gx when accumulate is 1 (inside an
// if: lavapipe skips a load's lanes that no invocation runs, not one a
// select discards).
// With VEC = 4 (spec constant 1; n a multiple of 4) every sweep loads and
// stores vec4s: lavapipe loads and stores per lane and element, and a vec4
// costs about 2.3 floats' worth.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
#include "rowreduce.glsl"
// Inputs are read as texel buffers of vec4s (a gather on lavapipe, where a
// storage-buffer load loops over the lanes); a float is a component of its
// texel.
layout(binding = 0) uniform samplerBuffer Y;
#define y4(i) texelFetch(Y, int(i))
#define y1(i) texelFetch(Y, int(i) >> 2)[int(i) & 3]
layout(binding = 1) uniform samplerBuffer GY;
#define gy4(i) texelFetch(GY, int(i))
#define gy1(i) texelFetch(GY, int(i) >> 2)[int(i) & 3]
layout(std430, binding = 2) buffer GX { float gx[]; };
layout(std430, binding = 2) buffer GX4 { vec4 gx4[]; };
layout(push_constant) uniform Push { uint rows; uint n; uint accumulate; } pc;

void main() {
  uint row = workgroupIndex();
  if (row >= pc.rows) return;
  uint t = gl_LocalInvocationID.x;
  uint local = gl_WorkGroupSize.x;
  uint base = row * pc.n;

  float dot = 0.0;
  if (VEC == 4u) {
    vec4 d4 = vec4(0.0);
    for (uint j = t; j < pc.n / 4u; j += local) d4 += gy4(base / 4u + j) * y4(base / 4u + j);
    dot = (d4.x + d4.y) + (d4.z + d4.w);
  } else {
    for (uint j = t; j < pc.n; j += local) dot += gy1(base + j) * y1(base + j);
  }
  dot = workgroupSum(dot);

  if (VEC == 4u) {
    for (uint j = t; j < pc.n / 4u; j += local) {
      uint i = base / 4u + j;
      vec4 g = y4(i) * (gy4(i) - dot);
      if (pc.accumulate != 0u) g += gx4[i];
      gx4[i] = g;
    }
  } else {
    for (uint j = t; j < pc.n; j += local) {
      float g = y1(base + j) * (gy1(base + j) - dot);
      if (pc.accumulate != 0u) g += gx[base + j];
      gx[base + j] = g;
    }
  }
}
