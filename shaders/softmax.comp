#version 450
// Softmax over rows of n values, one workgroup per row:
// y = exp(x - max) / sum(exp(x - max)), the maximum subtracted so that
// large scores cannot overflow.
layout(local_size_x_id = 0) in;
#include "rowreduce.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint rows; uint n; } pc;

void main() {
  uint row = workgroupIndex();
  if (row >= pc.rows) return;
  uint t = gl_LocalInvocationID.x;
  uint local = gl_WorkGroupSize.x;
  uint base = row * pc.n;

  float hi = uintBitsToFloat(0xff800000u); // -inf
  for (uint j = t; j < pc.n; j += local) hi = max(hi, x[base + j]);
  hi = workgroupMax(hi);

  float s = 0.0;
  for (uint j = t; j < pc.n; j += local) s += exp(x[base + j] - hi);
  s = workgroupSum(s);

  for (uint j = t; j < pc.n; j += local) y[base + j] = exp(x[base + j] - hi) / s;
}
