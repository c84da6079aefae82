#version 450
layout(local_size_x_id = 0) in; // before reduce.glsl, which sizes shared memory by it
#include "common.glsl"
#include "trig.glsl"
#include "reduce.glsl"
// gs[b] = sum_m 2 pi phi_m (-sin(a) gy[b,m] + cos(a) gy[b,M+m]) with
// a = 2 pi phi_m s_b, phi_m as in embed.comp. One workgroup per sample;
// adds into gs when accumulate is 1.
layout(std430, binding = 0) readonly buffer S { float s[]; };
layout(std430, binding = 1) readonly buffer F { float freqs[]; };
layout(std430, binding = 2) readonly buffer GY { float gy[]; };
layout(std430, binding = 3) buffer GS { float gs[]; };
layout(push_constant) uniform Push { uint batch; uint m; uint mode; float negLog2Max; uint accumulate; } pc;

float turnsPerUnit(uint j) {
  if (pc.mode == 0u) return freqs[j];
  return exp2(pc.negLog2Max * float(j) / float(pc.m)) * 0.15915494309189535;
}

void main() {
  uint b = workgroupIndex();
  if (b >= pc.batch) return;
  float sb = s[b];
  float acc = 0.0;
  for (uint j = gl_LocalInvocationID.x; j < pc.m; j += gl_WorkGroupSize.x) {
    float phi = turnsPerUnit(j);
    vec2 cs = cosSinTurns(phi * sb);
    uint row = b * 2u * pc.m;
    acc += 6.2831853071795865 * phi * (cs.x * gy[row + pc.m + j] - cs.y * gy[row + j]);
  }
  float total = workgroupSum(acc);
  if (gl_LocalInvocationID.x == 0u) gs[b] = pc.accumulate != 0u ? gs[b] + total : total;
}
