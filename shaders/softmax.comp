#version 450
// Softmax over rows of n values, one workgroup per row:
// y = exp(x - max) / sum(exp(x - max)), the maximum subtracted so that
// large scores cannot overflow.
// VEC = 4 (spec constant 1): every sweep in vec4s; n a multiple of 4
// (see common.glsl).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
#include "rowreduce.glsl"
// Inputs are read as texel buffers of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer X;
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) writeonly buffer Y4 { vec4 y4[]; };
layout(push_constant) uniform Push { uint rows; uint n; } pc;

void main() {
  uint row = workgroupIndex();
  if (row >= pc.rows) return;
  uint t = gl_LocalInvocationID.x;
  uint local = gl_WorkGroupSize.x;
  uint base = row * pc.n;

  float hi = uintBitsToFloat(0xff800000u); // -inf
  if (VEC == 4u) {
    vec4 h4 = vec4(hi);
    for (uint j = t; j < pc.n / 4u; j += local) h4 = max(h4, texelFetch(X, int(base / 4u + j)));
    hi = max(max(h4.x, h4.y), max(h4.z, h4.w));
  } else {
    for (uint j = t; j < pc.n; j += local) hi = max(hi, texelFloat(X, base + j));
  }
  hi = workgroupMax(hi);

  float s = 0.0;
  if (VEC == 4u) {
    vec4 s4 = vec4(0.0);
    for (uint j = t; j < pc.n / 4u; j += local) s4 += exp(texelFetch(X, int(base / 4u + j)) - hi);
    s = (s4.x + s4.y) + (s4.z + s4.w);
  } else {
    for (uint j = t; j < pc.n; j += local) s += exp(texelFloat(X, base + j) - hi);
  }
  s = workgroupSum(s);

  if (VEC == 4u) {
    for (uint j = t; j < pc.n / 4u; j += local) y4[base / 4u + j] = exp(texelFetch(X, int(base / 4u + j)) - hi) / s;
  } else {
    for (uint j = t; j < pc.n; j += local) y[base + j] = exp(texelFloat(X, base + j) - hi) / s;
  }
}
