#version 450
// Bias gradient: out[q] (+)= sum over p < P, r < R of g[(p*Q + q)*R + r],
// for a gradient g viewed as [P, Q, R]: a convolution's [B, Cout, Ho*Wo]
// or a linear layer's [N, out, 1]. Workgroup q reduces its sum in shared
// memory (the same shader serves CPUs and GPUs: it is a small pass).

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool VEC = false;       // R % 4 == 0: read vec4s
layout(constant_id = 2) const bool ACCUMULATE = false;

// g is read as a texel buffer of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer G;
layout(std430, binding = 1) buffer Out { float outv[]; };

// The terms [e0, e1) of the P x R (or P x R/4) terms of every q: the host
// splits a long sum into slices (lavapipe ends a loop silently after
// 65535 iterations), the first writing out[q], the others adding to it.
layout(push_constant) uniform Push { int P, Q, R; int q0; int e0, e1; } pc;

shared float partial[gl_WorkGroupSize.x];

void main() {
  int q = pc.q0 + int(gl_WorkGroupID.x);
  int t = int(gl_LocalInvocationID.x);
  int nt = int(gl_WorkGroupSize.x);
  float s = 0.0;
  if (VEC) {
    int R4 = pc.R / 4;
    for (int e = pc.e0 + t; e < pc.e1; e += nt) {
      int p = e / R4, r = e - p * R4;
      vec4 v = texelFetch(G, (p * pc.Q + q) * R4 + r);
      s += (v.x + v.y) + (v.z + v.w);
    }
  } else {
    for (int e = pc.e0 + t; e < pc.e1; e += nt) {
      int p = e / pc.R, r = e - p * pc.R;
      s += texelFloat(G, (p * pc.Q + q) * pc.R + r);
    }
  }
  partial[t] = s;
  barrier();
  for (int w = nt / 2; w > 0; w /= 2) {
    if (t < w) partial[t] += partial[t + w];
    barrier();
  }
  if (t == 0) outv[q] = ACCUMULATE ? outv[q] + partial[0] : partial[0];
}
