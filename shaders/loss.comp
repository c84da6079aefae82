#version 450
layout(local_size_x_id = 0) in; // before reduce.glsl, which sizes shared memory by it
#include "common.glsl"
#include "reduce.glsl"
// The weighted batch mean of an iCT loss from per-sample distances d:
//   y = invBatch * sum_b lam_b f(d_b)
// kind 0, Pseudo-Huber: d_b = ||s_b - t_b||^2, f = sqrt(d + c^2) - c,
//   evaluated as d / (sqrt(d + c^2) + c) to avoid cancellation;
// kind 1, squared l2: f = d; kind 2, l1: d_b = ||s_b - t_b||_1, f = d.
// One workgroup; a fixed summation order.
layout(std430, binding = 0) readonly buffer D { float d[]; };
layout(std430, binding = 1) readonly buffer Lam { float lam[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint batch; uint kind; float c; float invBatch; } pc;

float distance(float v) {
  if (pc.kind == 0u) return v / (sqrt(v + pc.c * pc.c) + pc.c);
  return v;
}

void main() {
  float acc = 0.0;
  for (uint b = gl_LocalInvocationID.x; b < pc.batch; b += gl_WorkGroupSize.x) {
    acc += lam[b] * distance(d[b]);
  }
  float total = workgroupSum(acc);
  if (gl_LocalInvocationID.x == 0u) y[0] = pc.invBatch * total;
}
