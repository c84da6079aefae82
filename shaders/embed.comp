#version 450
#include "common.glsl"
#include "trig.glsl"
// Sinusoidal embeddings of a per-sample scalar s [B] into y [B,2M]:
//   y[b, m] = cos(2 pi phi_m s_b), y[b, M+m] = sin(2 pi phi_m s_b)
// with phi_m in turns per unit of s: freqs[m] (mode 0, Gaussian Fourier
// features), or (1/maxPositions)^(m/M) / (2 pi) (mode 1, positional
// embedding; negLog2Max = -log2(maxPositions); freqs is not read).
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer S { float s[]; };
layout(std430, binding = 1) readonly buffer F { float freqs[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint n; uint m; uint mode; float negLog2Max; } pc;

float turnsPerUnit(uint j) {
  if (pc.mode == 0u) return freqs[j];
  return exp2(pc.negLog2Max * float(j) / float(pc.m)) * 0.15915494309189535; // 1/(2 pi)
}

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  uint b = i / (2u * pc.m);
  uint k = i % (2u * pc.m);
  uint j = k % pc.m;
  vec2 cs = cosSinTurns(turnsPerUnit(j) * s[b]);
  y[i] = k < pc.m ? cs.x : cs.y;
}
