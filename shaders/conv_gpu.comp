#version 450
// Convolution forward, grad input and grad weight (gemm_conv.glsl) on the
// GPU variant's shared-memory tiles (gemm_gpu.glsl): every element of
// both operands is gathered with its bounds and padding checks while the
// tiles are staged.

#include "gemm_conv.glsl"

layout(std430, binding = 0) readonly buffer A1 { float a1[]; };
layout(std430, binding = 1) readonly buffer B1 { float b1[]; };
layout(std430, binding = 2) buffer C1 { float c1[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias[]; };

// Whether consecutive depths are adjacent in memory (see gemm_gpu.glsl).
const bool A_ALONG_K = true;
const bool B_ALONG_K = MODE == 2;

int m0, n0, gM, gN, gK;

float gemmLoadA(int m, int k) {
  if (m >= gM || k >= gK) return 0.0;
  if (MODE == 0) return a1[m * gK + k];
  if (MODE == 1) {
    int co = k / PKHW1, r = k - co * PKHW1;
    int jy = r / PKW1, jx = r - jy * PKW1;
    return a1[((co * pc.Cin + m) * KH + PHASE_Y + STRIDE * jy) * KW + PHASE_X + STRIDE * jx];
  }
  int HoWo = pc.Ho * pc.Wo;
  int n = k / HoWo, p = k - n * HoWo;
  return a1[(n * pc.Cout + m) * HoWo + p];
}

float gemmLoadB(int k, int q) {
  if (q >= gN || k >= gK) return 0.0;
  int HW = pc.H * pc.W, HoWo = pc.Ho * pc.Wo;
  if (MODE == 0) {
    int ci = k / KHW, r = k - ci * KHW;
    int ky = r / KW, kx = r - ky * KW;
    int n = q / HoWo, p = q - n * HoWo;
    int oy = p / pc.Wo, ox = p - oy * pc.Wo;
    int iy = oy * STRIDE - pc.padY + ky, ix = ox * STRIDE - pc.padX + kx;
    if (iy < 0 || iy >= pc.H || ix < 0 || ix >= pc.W) return 0.0;
    return b1[((n * pc.Cin + ci) * pc.H + iy) * pc.W + ix];
  }
  if (MODE == 1) {
    int co = k / PKHW1, r = k - co * PKHW1;
    int jy = r / PKW1, jx = r - jy * PKW1;
    int side = pc.Hp * pc.Wp;
    int n = q / side, p = q - n * side;
    int ty = p / pc.Wp, tx = p - ty * pc.Wp;
    int iy = firstPhasePixel(PHASE_Y, pc.padY) + STRIDE * ty, ix = firstPhasePixel(PHASE_X, pc.padX) + STRIDE * tx;
    int oy = (iy + pc.padY - PHASE_Y) / STRIDE - jy, ox = (ix + pc.padX - PHASE_X) / STRIDE - jx;
    if (oy < 0 || oy >= pc.Ho || ox < 0 || ox >= pc.Wo) return 0.0;
    return b1[((n * pc.Cout + co) * pc.Ho + oy) * pc.Wo + ox];
  }
  int ci = q / KHW, r = q - ci * KHW;
  int ky = r / KW, kx = r - ky * KW;
  int n = k / HoWo, p = k - n * HoWo;
  int oy = p / pc.Wo, ox = p - oy * pc.Wo;
  int iy = oy * STRIDE - pc.padY + ky, ix = ox * STRIDE - pc.padX + kx;
  if (iy < 0 || iy >= pc.H || ix < 0 || ix >= pc.W) return 0.0;
  return b1[((n * pc.Cin + ci) * pc.H + iy) * pc.W + ix];
}

#include "gemm_gpu.glsl"

// storeIndex is where C(m, q) lives.
int storeIndex(int m, int q) {
  if (MODE == 2) return m * gN + q;
  if (MODE == 0) {
    int side = pc.Ho * pc.Wo;
    int n = q / side, p = q - n * side;
    return (n * gM + m) * side + p;
  }
  int side = pc.Hp * pc.Wp;
  int n = q / side, p = q - n * side;
  int ty = p / pc.Wp, tx = p - ty * pc.Wp;
  int iy = firstPhasePixel(PHASE_Y, pc.padY) + STRIDE * ty, ix = firstPhasePixel(PHASE_X, pc.padX) + STRIDE * tx;
  return ((n * gM + m) * pc.H + iy) * pc.W + ix;
}

void main() {
  gM = convM();
  gN = convN();
  gK = convK();
  gK0 = pc.kBegin;
  gK1 = min(pc.kEnd, gK);
  m0 = (pc.tileY + int(gl_WorkGroupID.y)) * BM;
  n0 = (pc.tileX + int(gl_WorkGroupID.x)) * BN;
  gemmBlock();

  int tx = int(gl_LocalInvocationID.x);
  int ty = int(gl_LocalInvocationID.y);
  for (int r = 0; r < RM; r++) {
    int m = m0 + ty + r * LY;
    if (m >= gM) continue;
    for (int c = 0; c < RN; c++) {
      int q = n0 + tx + c * LX;
      if (q >= gN) continue;
      float v = acc[r][c];
      if ((pc.flags & FLAG_BIAS_ROW) != 0) v += bias[m];
      int e = storeIndex(m, q);
      if ((pc.flags & FLAG_ACCUMULATE) != 0) v += c1[e];
      c1[e] = v;
    }
  }
}
