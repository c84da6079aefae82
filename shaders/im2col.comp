#version 450
#include "common.glsl"
// Unfolds samples [b0, b0+nb) of x [B, Cin, H, W] into the columns of a
// convolution GEMM: cols[(ci kh + ky) kw + kx][(b Ho + oy) Wo + ox] =
// x[b0 + b][ci][oy s - pad + ky][ox s - pad + kx], zero outside the image.
// One invocation per element of cols.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Cols { float cols[]; };
layout(push_constant) uniform Push {
  uint nb, cin, h, w, ho, wo, kh, kw, stride, pad, xOffset;
} pc;

void main() {
  uint i = elementIndex();
  uint ncol = pc.nb * pc.ho * pc.wo;
  if (i >= pc.cin * pc.kh * pc.kw * ncol) return;
  uint col = i % ncol;
  uint row = i / ncol;
  uint ox = col % pc.wo;
  uint oy = (col / pc.wo) % pc.ho;
  uint b = col / (pc.wo * pc.ho);
  uint kx = row % pc.kw;
  uint ky = (row / pc.kw) % pc.kh;
  uint ci = row / (pc.kw * pc.kh);
  int iy = int(oy * pc.stride + ky) - int(pc.pad);
  int ix = int(ox * pc.stride + kx) - int(pc.pad);
  float v = 0.0;
  if (iy >= 0 && iy < int(pc.h) && ix >= 0 && ix < int(pc.w)) {
    v = x[pc.xOffset + ((b * pc.cin + ci) * pc.h + uint(iy)) * pc.w + uint(ix)];
  }
  cols[i] = v;
}
