#version 450
#include "common.glsl"
// Splits one operand's gradient out of the concatenation's: g holds, per
// sample, the part elements that start at offset within each of gy's
// samples of total elements. Adds into g when accumulate is 1.
// VEC = 4 (spec constant 1): vec4s; part, total and offset multiples of 4
// (see common.glsl).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
// gy is read as a texel buffer of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer GY;
layout(std430, binding = 1) buffer G { float g[]; };
layout(std430, binding = 1) buffer G4 { vec4 g4[]; };
layout(push_constant) uniform Push { uint n; uint part; uint total; uint offset; uint accumulate; } pc;

void main() {
  uint j = elementIndex();
  if (VEC == 4u) {
    if (j >= pc.n / 4u) return;
    uint e = 4u * j;
    vec4 v = texelFetch(GY, int(((e / pc.part) * pc.total + pc.offset + e % pc.part) / 4u));
    if (pc.accumulate != 0u) v += g4[j];
    g4[j] = v;
  } else {
    if (j >= pc.n) return;
    float v = texelFloat(GY, (j / pc.part) * pc.total + pc.offset + j % pc.part);
    if (pc.accumulate != 0u) v += g[j];
    g[j] = v;
  }
}
