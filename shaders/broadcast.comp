#version 450
#include "common.glsl"
// out[i] = a x[i] + v[j] (mode 0) or a x[i] v[j] (mode 1), j = (i / inner)
// % period: a per-sample or per-(sample, channel) vector broadcast over the
// trailing elements, or (period smaller than the count of runs) a bias
// repeated over the leading ones. Adds into out when accumulate is 1
// (backward passes).
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer V { float v[]; };
layout(std430, binding = 2) buffer Out { float o[]; };
layout(push_constant) uniform Push { uint n; uint inner; uint mode; float a; uint accumulate; uint period; } pc;

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  float vi = v[(i / pc.inner) % pc.period];
  float r = pc.mode == 0u ? pc.a * x[i] + vi : pc.a * x[i] * vi;
  o[i] = pc.accumulate != 0u ? o[i] + r : r;
}
