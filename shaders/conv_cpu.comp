#version 450
// Convolution forward, grad input and grad weight (gemm_conv.glsl) on the
// CPU variant's register tiles (gemm_cpu.glsl). The weights (forward) or
// the output gradient (grad weight) load as vec4s along K where aligned;
// the im2col side is gathered one element at a time, each column's image
// offset and corner computed once per tile.

#include "gemm_conv.glsl"

// VEC_A: A's rows load as vec4s (forward: Cin*KH*KW % 4 == 0; grad weight:
// Ho*Wo % 4 == 0). VEC_C: groups of 4 columns are contiguous in C.
layout(constant_id = 8) const bool VEC_A = false;
layout(constant_id = 9) const bool VEC_C = false;
layout(constant_id = 10) const bool ACCUMULATE = false;

// A and B are read as texel buffers of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer A;
layout(binding = 1) uniform textureBuffer B;
layout(std430, binding = 2) buffer C1 { float c1[]; };
layout(std430, binding = 2) buffer C4 { vec4 c4[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias[]; };

#include "gemm_cpu.glsl"

int gM, gN, gK;

// Per tile column (of the clamped column index), computed once:
//   forward:     cOff = image offset of x, cY, cX = top-left input corner
//   grad input:  cOff = image offset of gy, cY, cX = the output pixel that
//                tap (PHASE_Y, PHASE_X) reaches from the column's input pixel
//   grad weight: cOff = offset of (ci, ky, kx) in an image of x, cY = ky, cX = kx
// and cStore, the column's offset in C (row 0).
ivec4 cOff[TN4], cY[TN4], cX[TN4], cStore[TN4];
int rowStride; // between rows of C

// Grad weight walks its depth (output pixels of the batch) with a cursor
// instead of dividing: (dN, dY, dX) is the pixel at depth k of the block.
int dN, dY, dX;

void setupColumns() {
  int HW = pc.H * pc.W, HoWo = pc.Ho * pc.Wo;
  rowStride = MODE == 0 ? HoWo : (MODE == 1 ? HW : gN);
  for (int j = 0; j < TN4; j++) {
    for (int c = 0; c < 4; c++) {
      int q = min(tileCol(j) + c, gN - 1);
      if (MODE == 2) {
        int ci = q / KHW, r = q - ci * KHW;
        int ky = r / KW, kx = r - ky * KW;
        cOff[j][c] = (ci * pc.H + ky) * pc.W + kx;
        cY[j][c] = ky;
        cX[j][c] = kx;
        cStore[j][c] = q;
      } else if (MODE == 0) {
        int n = q / HoWo, p = q - n * HoWo;
        int py = p / pc.Wo, px = p - py * pc.Wo;
        cOff[j][c] = n * pc.Cin * HW;
        cY[j][c] = py * STRIDE - pc.padY;
        cX[j][c] = px * STRIDE - pc.padX;
        cStore[j][c] = n * pc.Cout * HoWo + p;
      } else {
        int side = pc.Hp * pc.Wp;
        int n = q / side, p = q - n * side;
        int ty = p / pc.Wp, tx = p - ty * pc.Wp;
        int iy = firstPhasePixel(PHASE_Y, pc.padY) + STRIDE * ty, ix = firstPhasePixel(PHASE_X, pc.padX) + STRIDE * tx;
        cOff[j][c] = n * pc.Cout * HoWo;
        cY[j][c] = (iy + pc.padY - PHASE_Y) / STRIDE;
        cX[j][c] = (ix + pc.padX - PHASE_X) / STRIDE;
        cStore[j][c] = n * pc.Cin * HW + iy * pc.W + ix;
      }
    }
  }
}

void loadBlockA(int k) {
  if (MODE == 2) {
    // gy[n, m, p] at the depth cursor; a vec4 never crosses an image.
    if (VEC_A) {
      int p = dY * pc.Wo + dX;
      int imageBase = dN * pc.Cout;
      float keep = k < gK ? 1.0 : 0.0;
      for (int i = 0; i < TM; i++) {
        av[i] = keep * texelFetch(A, ((imageBase + min(tileRow(i), gM - 1)) * pc.Ho * pc.Wo + p) >> 2);
      }
    } else {
      int n = dN, y = dY, x = dX;
      for (int kk = 0; kk < 4; kk++) {
        float keep = k + kk < gK ? 1.0 : 0.0;
        int base = (n * pc.Cout * pc.Ho + y) * pc.Wo + x;
        for (int i = 0; i < TM; i++) {
          int e = min(base + min(tileRow(i), gM - 1) * pc.Ho * pc.Wo, pc.B * pc.Cout * pc.Ho * pc.Wo - 1);
          av[i][kk] = keep * texelFloat(A, e);
        }
        x++;
        if (x == pc.Wo) { x = 0; y++; }
        if (y == pc.Ho) { y = 0; n++; }
      }
    }
  } else if (MODE == 0 && VEC_A) {
    // w[m, k]: K is a multiple of 4 here.
    for (int i = 0; i < TM; i++) av[i] = texelFetch(A, (min(tileRow(i), gM - 1) * gK + k) >> 2);
  } else {
    for (int kk = 0; kk < 4; kk++) {
      int kc = min(k + kk, gK - 1);
      float keep = k + kk < gK ? 1.0 : 0.0;
      if (MODE == 0) {
        for (int i = 0; i < TM; i++) av[i][kk] = keep * texelFloat(A, min(tileRow(i), gM - 1) * gK + kc);
      } else {
        // w[co, m, ky, kx] with the phase's tap (jy, jx) of depth k.
        int co = kc / PKHW1, r = kc - co * PKHW1;
        int jy = r / PKW1, jx = r - jy * PKW1;
        int base = co * pc.Cin * KHW + (PHASE_Y + STRIDE * jy) * KW + PHASE_X + STRIDE * jx;
        for (int i = 0; i < TM; i++) av[i][kk] = keep * texelFloat(A, base + min(tileRow(i), gM - 1) * KHW);
      }
    }
  }
}

void loadBlockB(int k) {
  int n = dN, y = dY, x = dX;
  for (int kk = 0; kk < 4; kk++) {
    int kc = min(k + kk, gK - 1);
    if (MODE == 0) {
      int ci = kc / KHW, r = kc - ci * KHW;
      int ky = r / KW, kx = r - ky * KW;
      for (int j = 0; j < TN4; j++) {
        ivec4 iy = cY[j] + ky, ix = cX[j] + kx;
        for (int c = 0; c < 4; c++) {
          bool inside = iy[c] >= 0 && iy[c] < pc.H && ix[c] >= 0 && ix[c] < pc.W;
          int e = inside ? cOff[j][c] + (ci * pc.H + iy[c]) * pc.W + ix[c] : 0;
          float v = texelFloat(B, e);
          bv[kk][j][c] = inside ? v : 0.0;
        }
      }
    } else if (MODE == 1) {
      // gy[n, co, oy - jy, ox - jx] for the phase's tap (jy, jx).
      int co = kc / PKHW1, r = kc - co * PKHW1;
      int jy = r / PKW1, jx = r - jy * PKW1;
      for (int j = 0; j < TN4; j++) {
        ivec4 oy = cY[j] - jy, ox = cX[j] - jx;
        for (int c = 0; c < 4; c++) {
          bool inside = oy[c] >= 0 && oy[c] < pc.Ho && ox[c] >= 0 && ox[c] < pc.Wo;
          int e = inside ? cOff[j][c] + (co * pc.Ho + oy[c]) * pc.Wo + ox[c] : 0;
          float v = texelFloat(B, e);
          bv[kk][j][c] = inside ? v : 0.0;
        }
      }
    } else {
      // x[n, ci, y*S - pad + ky, x*S - pad + kx] for the column (ci, ky, kx).
      int iy0 = y * STRIDE - pc.padY, ix0 = x * STRIDE - pc.padX;
      int base = (n * pc.Cin * pc.H + iy0) * pc.W + ix0;
      for (int j = 0; j < TN4; j++) {
        ivec4 iy = cY[j] + iy0, ix = cX[j] + ix0;
        for (int c = 0; c < 4; c++) {
          bool inside = iy[c] >= 0 && iy[c] < pc.H && ix[c] >= 0 && ix[c] < pc.W && n < pc.B;
          int e = inside ? base + cOff[j][c] : 0;
          float v = texelFloat(B, e);
          bv[kk][j][c] = inside ? v : 0.0;
        }
      }
      x++;
      if (x == pc.Wo) { x = 0; y++; }
      if (y == pc.Ho) { y = 0; n++; }
    }
  }
  if (MODE == 2) {
    dN = n;
    dY = y;
    dX = x;
  }
}

void main() {
  gM = convM();
  gN = convN();
  gK = convK();
  nBase = (pc.tileX + int(gl_WorkGroupID.x)) * LX * TN;
  mBase = (pc.tileY + int(gl_WorkGroupID.y)) * LY * TM;
  if (tileRow(0) >= gM || tileCol(0) >= gN) return;
  setupColumns();
  // The grad weight's depth cursor starts at the slice.
  int HoWo = pc.Ho * pc.Wo;
  dN = pc.kBegin / HoWo;
  dY = (pc.kBegin - dN * HoWo) / pc.Wo;
  dX = pc.kBegin - dN * HoWo - dY * pc.Wo;
  gemmTile(pc.kBegin, min(pc.kEnd, gK));

  for (int i = 0; i < TM; i++) {
    int m = min(tileRow(i), gM - 1);
    float rb = (pc.flags & FLAG_BIAS_ROW) != 0 ? bias[m] : 0.0;
    for (int j = 0; j < TN4; j++) {
      vec4 v = acc[i][j] + rb;
      if (ACCUMULATE) {
        if (VEC_C) {
          v += c4[(cStore[j][0] + m * rowStride) >> 2];
        } else {
          for (int c = 0; c < 4; c++) v[c] += c1[cStore[j][c] + m * rowStride];
        }
      }
      acc[i][j] = v;
    }
  }
  for (int i = 0; i < TM; i++) {
    int m = tileRow(i);
    if (m < gM) {
      for (int j = 0; j < TN4; j++) {
        int q = tileCol(j);
        if (VEC_C) {
          if (q < gN) c4[(cStore[j][0] + m * rowStride) >> 2] = acc[i][j];
        } else {
          for (int c = 0; c < 4; c++) {
            if (q + c < gN) c1[cStore[j][c] + m * rowStride] = acc[i][j][c];
          }
        }
      }
    }
  }
}
