#version 450
#include "common.glsl"
// Splits one operand's gradient out of the concatenation's: g holds, per
// sample, the part elements that start at offset within each of gy's
// samples of total elements. Adds into g when accumulate is 1.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer GY { float gy[]; };
layout(std430, binding = 1) buffer G { float g[]; };
layout(push_constant) uniform Push { uint n; uint part; uint total; uint offset; uint accumulate; } pc;

void main() {
  uint j = elementIndex();
  if (j >= pc.n) return;
  float v = gy[(j / pc.part) * pc.total + pc.offset + j % pc.part];
  g[j] = pc.accumulate != 0u ? g[j] + v : v;
}
