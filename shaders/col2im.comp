#version 450
#include "common.glsl"
// The adjoint of im2col: gx[b0 + b][ci][iy][ix] (+)= the sum of the column
// entries that im2col read from that pixel, gathered (not scattered) so
// the sum has a fixed order and needs no atomics. One invocation per
// element of the nb samples of gx.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer Cols { float cols[]; };
layout(std430, binding = 1) buffer GX { float gx[]; };
layout(push_constant) uniform Push {
  uint nb, cin, h, w, ho, wo, kh, kw, stride, pad, xOffset, accumulate;
} pc;

void main() {
  uint i = elementIndex();
  if (i >= pc.nb * pc.cin * pc.h * pc.w) return;
  uint ix = i % pc.w;
  uint iy = (i / pc.w) % pc.h;
  uint ci = (i / (pc.w * pc.h)) % pc.cin;
  uint b = i / (pc.w * pc.h * pc.cin);
  uint ncol = pc.nb * pc.ho * pc.wo;
  float sum = 0.0;
  for (uint ky = 0u; ky < pc.kh; ky++) {
    int ty = int(iy + pc.pad) - int(ky);
    if (ty < 0 || ty % int(pc.stride) != 0) continue;
    uint oy = uint(ty) / pc.stride;
    if (oy >= pc.ho) continue;
    for (uint kx = 0u; kx < pc.kw; kx++) {
      int tx = int(ix + pc.pad) - int(kx);
      if (tx < 0 || tx % int(pc.stride) != 0) continue;
      uint ox = uint(tx) / pc.stride;
      if (ox >= pc.wo) continue;
      uint row = (ci * pc.kh + ky) * pc.kw + kx;
      sum += cols[row * ncol + (b * pc.ho + oy) * pc.wo + ox];
    }
  }
  uint o = pc.xOffset + i;
  gx[o] = pc.accumulate != 0u ? gx[o] + sum : sum;
}
