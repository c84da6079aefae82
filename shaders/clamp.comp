#version 450
#include "common.glsl"
// y = min(max(x, lo), hi). Written as comparisons, not GLSL's clamp(),
// whose result for NaN is undefined: a NaN input stays NaN, so a sampler
// that diverged shows it instead of hiding it at a bound.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint n; float lo; float hi; } pc;

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  float v = x[i];
  y[i] = v < pc.lo ? pc.lo : (v > pc.hi ? pc.hi : v);
}
