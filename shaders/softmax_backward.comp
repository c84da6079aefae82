#version 450
// Softmax backward, one workgroup per row of n values:
// gx = y * (gy - sum(gy * y)). Adds to gx when accumulate is 1.
layout(local_size_x_id = 0) in;
#include "rowreduce.glsl"
layout(std430, binding = 0) readonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer GY { float gy[]; };
layout(std430, binding = 2) buffer GX { float gx[]; };
layout(push_constant) uniform Push { uint rows; uint n; uint accumulate; } pc;

void main() {
  uint row = workgroupIndex();
  if (row >= pc.rows) return;
  uint t = gl_LocalInvocationID.x;
  uint local = gl_WorkGroupSize.x;
  uint base = row * pc.n;

  float dot = 0.0;
  for (uint j = t; j < pc.n; j += local) dot += gy[base + j] * y[base + j];
  dot = workgroupSum(dot);

  for (uint j = t; j < pc.n; j += local) {
    float g = y[base + j] * (gy[base + j] - dot);
    gx[base + j] = pc.accumulate != 0u ? gx[base + j] + g : g;
  }
}
