// Include after `layout(local_size_x_id = 0) in;`: the shared array is
// sized by gl_WorkGroupSize, which is the constant 1 before that line.
//
// Deterministic workgroup sum: every invocation passes its partial sum and
// gets back the group's total (in a fixed tree order, so the result does
// not depend on timing). Needs local_size_x_id = 0 and uniform control
// flow. Works for any workgroup size, not only powers of two.
//
// A workgroup that is one subgroup adds by a shuffle butterfly instead,
// without barriers or shared memory (see rowreduce.glsl: the same pairs
// in the same order, so the same bits).

#extension GL_KHR_shader_subgroup_shuffle : enable
#extension GL_EXT_control_flow_attributes : enable

shared float reducePartial[gl_WorkGroupSize.x];

float workgroupSum(float v) {
  if (gl_WorkGroupSize.x == gl_SubgroupSize) {
    [[unroll]] for (uint s = 64u; s > 0u; s >>= 1)
      if (s < gl_WorkGroupSize.x) v += subgroupShuffleXor(v, s);
    return v;
  }
  uint lid = gl_LocalInvocationID.x;
  uint n = gl_WorkGroupSize.x;
  uint p = 1u;
  while (p < n) p <<= 1;
  reducePartial[lid] = v;
  barrier();
  for (uint s = p >> 1; s > 0u; s >>= 1) {
    if (lid < s && lid + s < n) reducePartial[lid] += reducePartial[lid + s];
    barrier();
  }
  float total = reducePartial[0];
  barrier(); // the next call may overwrite reducePartial
  return total;
}
