#version 450
#include "common.glsl"
// out[i] = a x[i] + v[j] (mode 0) or a x[i] v[j] (mode 1), j = (i / inner)
// % period: a per-sample or per-(sample, channel) vector broadcast over the
// trailing elements, or (period smaller than the count of runs) a bias
// repeated over the leading ones. Adds into out when accumulate is 1
// (backward passes).
// VEC = 4 (spec constant 1): vec4s, each within one run; n and inner
// multiples of 4 (see common.glsl).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
// Inputs are read as texel buffers of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer X;
layout(binding = 1) uniform textureBuffer V;
layout(std430, binding = 2) buffer Out { float o[]; };
layout(std430, binding = 2) buffer Out4 { vec4 o4[]; };
layout(push_constant) uniform Push { uint n; uint inner; uint mode; float a; uint accumulate; uint period; } pc;

void main() {
  uint i = elementIndex();
  if (VEC == 4u) {
    if (i >= pc.n / 4u) return;
    float vi = texelFloat(V, (4u * i / pc.inner) % pc.period);
    vec4 r = pc.mode == 0u ? pc.a * texelFetch(X, int(i)) + vi : pc.a * texelFetch(X, int(i)) * vi;
    if (pc.accumulate != 0u) r += o4[i];
    o4[i] = r;
  } else {
    if (i >= pc.n) return;
    float vi = texelFloat(V, (i / pc.inner) % pc.period);
    float r = pc.mode == 0u ? pc.a * texelFloat(X, i) + vi : pc.a * texelFloat(X, i) * vi;
    if (pc.accumulate != 0u) r += o[i];
    o[i] = r;
  }
}
