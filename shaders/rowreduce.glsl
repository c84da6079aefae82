// Workgroup reductions for kernels that give one workgroup to one row or
// one group: every invocation passes its partial value and every
// invocation gets the total. The tree has a fixed shape, so results are
// reproducible bit for bit (no atomics). Include after the
// local_size_x_id declaration; the size need not be a power of two.

#include "common.glsl" // workgroupIndex()

shared vec2 reduceScratch[gl_WorkGroupSize.x];

// reduceTop is the largest power of two not above the workgroup size.
uint reduceTop() {
  uint p = 1u;
  while (2u * p <= gl_WorkGroupSize.x) p *= 2u;
  return p;
}

// workgroupSum2 adds v over the workgroup, both components at once.
vec2 workgroupSum2(vec2 v) {
  uint t = gl_LocalInvocationID.x;
  uint p = reduceTop();
  barrier(); // an earlier reduction may still be reading the scratch
  reduceScratch[t] = v;
  barrier();
  if (t + p < gl_WorkGroupSize.x) reduceScratch[t] += reduceScratch[t + p];
  barrier();
  for (uint s = p / 2u; s > 0u; s /= 2u) {
    if (t < s) reduceScratch[t] += reduceScratch[t + s];
    barrier();
  }
  return reduceScratch[0];
}

float workgroupSum(float v) { return workgroupSum2(vec2(v, 0.0)).x; }

// workgroupMax is the largest v over the workgroup.
float workgroupMax(float v) {
  uint t = gl_LocalInvocationID.x;
  uint p = reduceTop();
  barrier();
  reduceScratch[t].x = v;
  barrier();
  if (t + p < gl_WorkGroupSize.x) reduceScratch[t].x = max(reduceScratch[t].x, reduceScratch[t + p].x);
  barrier();
  for (uint s = p / 2u; s > 0u; s /= 2u) {
    if (t < s) reduceScratch[t].x = max(reduceScratch[t].x, reduceScratch[t + s].x);
    barrier();
  }
  return reduceScratch[0].x;
}
