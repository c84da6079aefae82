#version 450
#include "common.glsl"
// k x k max or average pooling of [B,C,h,w] planes with a stride and zero
// padding, one invocation per output (floor mode). Padded positions are
// skipped: they never win the max, and the average divides by the pixels
// inside the image (avg_pool2d's count_include_pad=False, as the FID
// Inception network pools). Inference only: no backward.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool IS_MAX = true;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint n; int h, w, ho, wo, k, stride, pad; } pc; // n counts y

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  int plane = int(i) / (pc.ho * pc.wo);
  int oy = (int(i) / pc.wo) % pc.ho;
  int ox = int(i) % pc.wo;
  int y0 = oy * pc.stride - pc.pad, x0 = ox * pc.stride - pc.pad;
  int ya = max(y0, 0), yb = min(y0 + pc.k, pc.h);
  int xa = max(x0, 0), xb = min(x0 + pc.k, pc.w);
  float best = -3.402823466e38, sum = 0.0;
  for (int iy = ya; iy < yb; iy++) {
    int row = (plane * pc.h + iy) * pc.w;
    for (int ix = xa; ix < xb; ix++) {
      float v = x[row + ix];
      best = max(best, v);
      sum += v;
    }
  }
  y[i] = IS_MAX ? best : sum / float((yb - ya) * (xb - xa));
}
