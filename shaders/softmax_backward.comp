#version 450
// Softmax backward, one workgroup per row of n values:
// gx = y * (gy - sum(gy * y)). Adds to gx when accumulate is 1 (inside an
// if: lavapipe skips a load's lanes that no invocation runs, not one a
// select discards).
// VEC = 4 (spec constant 1): every sweep in vec4s; n a multiple of 4
// (see common.glsl).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
#include "rowreduce.glsl"
// Inputs are read as texel buffers of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer Y;
layout(binding = 1) uniform textureBuffer GY;
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
    for (uint j = t; j < pc.n / 4u; j += local) d4 += texelFetch(GY, int(base / 4u + j)) * texelFetch(Y, int(base / 4u + j));
    dot = (d4.x + d4.y) + (d4.z + d4.w);
  } else {
    for (uint j = t; j < pc.n; j += local) dot += texelFloat(GY, base + j) * texelFloat(Y, base + j);
  }
  dot = workgroupSum(dot);

  if (VEC == 4u) {
    for (uint j = t; j < pc.n / 4u; j += local) {
      uint i = base / 4u + j;
      vec4 g = texelFetch(Y, int(i)) * (texelFetch(GY, int(i)) - dot);
      if (pc.accumulate != 0u) g += gx4[i];
      gx4[i] = g;
    }
  } else {
    for (uint j = t; j < pc.n; j += local) {
      float g = texelFloat(Y, base + j) * (texelFloat(GY, base + j) - dot);
      if (pc.accumulate != 0u) g += gx[base + j];
      gx[base + j] = g;
    }
  }
}
