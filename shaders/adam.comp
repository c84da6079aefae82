#version 450
#include "common.glsl"
// One Adam or RAdam step over n parameters, in place, taking (and zeroing)
// the gradient. The host folds the step-dependent scalars (bias
// corrections, RAdam's rectification, warm-up) into a and b:
//   p -= a * m / (b * sqrt(v) + eps)   (adaptive steps)
//   p -= a * m                         (RAdam's early, unrectified steps)
// gscale[0] multiplies the gradient (global-norm clipping writes it on the
// device, so the step needs no read-back).
// With AVERAGES = 1 or 2 (spec constant 1) the kernel then moves one or two
// exponential moving averages of the parameters toward the new p, as
// ema.comp does (avg += rate * (p - avg)): the EMAs cost no dispatches
// and no second pass over p.
// With VEC = 4 (spec constant 2; n a multiple of 4) each invocation takes
// 4 elements as vec4s (see common.glsl): the optimizer's whole-arena
// steps (nn's arena.go). The arithmetic is the same, per component.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint AVERAGES = 0;
layout(constant_id = 2) const uint VEC = 1;
layout(std430, binding = 0) buffer P { float p[]; };
layout(std430, binding = 0) buffer P4 { vec4 p4[]; };
layout(std430, binding = 1) buffer G { float g[]; };
layout(std430, binding = 1) buffer G4 { vec4 g4[]; };
layout(std430, binding = 2) buffer M { float m[]; };
layout(std430, binding = 2) buffer M4 { vec4 m4[]; };
layout(std430, binding = 3) buffer V { float v[]; };
layout(std430, binding = 3) buffer V4 { vec4 v4[]; };
layout(std430, binding = 4) readonly buffer S { float gscale[]; };
layout(std430, binding = 5) buffer A1 { float avg1[]; }; // bound when AVERAGES >= 1
layout(std430, binding = 5) buffer A14 { vec4 avg14[]; };
layout(std430, binding = 6) buffer A2 { float avg2[]; }; // bound when AVERAGES = 2
layout(std430, binding = 6) buffer A24 { vec4 avg24[]; };
layout(push_constant) uniform Push {
  uint n;
  float beta1, beta2, eps;
  float a, b;
  float l2;     // L2 weight decay added to the gradient
  float shrink; // decoupled weight decay: p *= shrink first
  uint adaptive;
  float rate1, rate2; // 1 - decay of the averages
} pc;

// The step of one element, or of four: pi is p on entry and the new p on
// return; mi and vi are the old moments on entry.
#define ADAM_STEP(T)                                              \
  void adamStep(inout T pi, T gi0, inout T mi, inout T vi) {      \
    pi = pi * pc.shrink;                                          \
    T gi = gi0 * gscale[0] + pc.l2 * pi;                          \
    mi = pc.beta1 * mi + (1.0 - pc.beta1) * gi;                   \
    vi = pc.beta2 * vi + (1.0 - pc.beta2) * gi * gi;              \
    if (pc.adaptive != 0u) {                                      \
      pi -= pc.a * mi / (pc.b * sqrt(vi) + pc.eps);               \
    } else {                                                      \
      pi -= pc.a * mi;                                            \
    }                                                             \
  }
ADAM_STEP(float)
ADAM_STEP(vec4)

void main() {
  uint i = elementIndex();
  if (VEC == 4u) {
    if (i >= pc.n / 4u) return;
    vec4 pi = p4[i], mi = m4[i], vi = v4[i];
    adamStep(pi, g4[i], mi, vi);
    p4[i] = pi;
    m4[i] = mi;
    v4[i] = vi;
    g4[i] = vec4(0.0);
    if (AVERAGES >= 1u) avg14[i] += pc.rate1 * (pi - avg14[i]);
    if (AVERAGES >= 2u) avg24[i] += pc.rate2 * (pi - avg24[i]);
    return;
  }
  if (i >= pc.n) return;
  float pi = p[i], mi = m[i], vi = v[i];
  adamStep(pi, g[i], mi, vi);
  p[i] = pi;
  m[i] = mi;
  v[i] = vi;
  g[i] = 0.0;
  if (AVERAGES >= 1u) avg1[i] += pc.rate1 * (pi - avg1[i]);
  if (AVERAGES >= 2u) avg2[i] += pc.rate2 * (pi - avg2[i]);
}
