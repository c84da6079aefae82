#version 450
#include "common.glsl"
// ema = decay * ema + (1 - decay) * p over n parameters, written as
// ema += rate * (p - ema) with rate = 1 - decay computed in float64 by the
// host: with decays like 0.99993 that keeps float32 rounding small.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) buffer E { float ema[]; };
layout(std430, binding = 1) readonly buffer P { float p[]; };
layout(push_constant) uniform Push { uint n; float rate; } pc;

void main() {
  uint i = elementIndex();
  if (i < pc.n) ema[i] += pc.rate * (p[i] - ema[i]);
}
