#version 450
#include "common.glsl"
// Bilinear resizing of [B,C,h,w] planes to [B,C,ho,wo] with
// align_corners=False (PyTorch's F.interpolate(mode="bilinear")): output
// pixel o samples the source at (o + 0.5) * in/out - 0.5, clamped at 0.
// Inference only: no backward.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint n; int h, w, ho, wo; } pc; // n counts y

// taps returns the two source pixels along an axis and the second's weight.
void taps(int o, int size, int outSize, out int i0, out int i1, out float frac) {
  float src = max((float(o) + 0.5) * (float(size) / float(outSize)) - 0.5, 0.0);
  i0 = min(int(src), size - 1);
  i1 = min(i0 + 1, size - 1);
  frac = src - float(i0);
}

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  int plane = int(i) / (pc.ho * pc.wo);
  int oy = (int(i) / pc.wo) % pc.ho;
  int ox = int(i) % pc.wo;
  int y0, y1, x0, x1;
  float ly, lx;
  taps(oy, pc.h, pc.ho, y0, y1, ly);
  taps(ox, pc.w, pc.wo, x0, x1, lx);
  int base = plane * pc.h * pc.w;
  float top = (1.0 - lx) * x[base + y0 * pc.w + x0] + lx * x[base + y0 * pc.w + x1];
  float bottom = (1.0 - lx) * x[base + y1 * pc.w + x0] + lx * x[base + y1 * pc.w + x1];
  y[i] = (1.0 - ly) * top + ly * bottom;
}
