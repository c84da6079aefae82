// Workgroup reductions for kernels that give one workgroup to one row or
// one group: every invocation passes its partial value and every
// invocation gets the total. The tree has a fixed shape, so results are
// reproducible bit for bit (no atomics). Include after the
// local_size_x_id declaration; the size need not be a power of two.
//
// A workgroup that is one subgroup (the CPU variant's 8 lanes, one SIMD
// vector on lavapipe) reduces by shuffles instead: lavapipe runs a shader
// with barriers as coroutines and pays per lane for shared memory, and
// the shuffles made softmax at the U-Net's attention shape 1.6-1.8 times
// as fast and GroupNorm's forward about 1.5 times. The butterfly adds the
// same pairs in the same order as the tree below (a + b and b + a round
// alike), so either path gives the same bits (a 3-step mnist run's
// checkpoint came out byte for byte as before). The shaders that include
// this now need subgroup shuffles (VK_SUBGROUP_FEATURE_SHUFFLE_BIT), which
// lavapipe and desktop GPUs have; the butterfly covers subgroups of up to
// 128 invocations.

#extension GL_KHR_shader_subgroup_shuffle : enable
#extension GL_EXT_control_flow_attributes : enable
#include "common.glsl" // workgroupIndex()

shared vec2 reduceScratch[gl_WorkGroupSize.x];

// reduceTop is the largest power of two not above the workgroup size.
uint reduceTop() {
  uint p = 1u;
  while (2u * p <= gl_WorkGroupSize.x) p *= 2u;
  return p;
}

// oneSubgroup: the workgroup is one subgroup (so gl_SubgroupSize, a power
// of two, is the workgroup's size). lavapipe folds it to a constant, and
// the barriers of the other path go.
bool oneSubgroup() { return gl_WorkGroupSize.x == gl_SubgroupSize; }

// workgroupSum2 adds v over the workgroup, both components at once.
vec2 workgroupSum2(vec2 v) {
  if (oneSubgroup()) {
    [[unroll]] for (uint s = 64u; s > 0u; s >>= 1)
      if (s < gl_WorkGroupSize.x) v += subgroupShuffleXor(v, s);
    return v;
  }
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
  if (oneSubgroup()) {
    [[unroll]] for (uint s = 64u; s > 0u; s >>= 1)
      if (s < gl_WorkGroupSize.x) v = max(v, subgroupShuffleXor(v, s));
    return v;
  }
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
