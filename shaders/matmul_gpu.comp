#version 450
// Batched C[b] = alpha op(A[b]) op(B[b]) (+ C[b]) (+ bias), GPU variant:
// shared-memory tiles (see gemm_gpu.glsl). Workgroup (gx, gy, gz) computes
// block column tileX + gx, block row tileY + gy of batch batch0 + gz.

layout(constant_id = 4) const bool TRANS_A = false; // A stored K x M
layout(constant_id = 5) const bool TRANS_B = false; // B stored N x K

layout(std430, binding = 0) readonly buffer A1 { float a1[]; };
layout(std430, binding = 1) readonly buffer B1 { float b1[]; };
layout(std430, binding = 2) buffer C1 { float c1[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias[]; };

#include "gemm_matmul_push.glsl"

const bool A_ALONG_K = !TRANS_A;
const bool B_ALONG_K = TRANS_B;
int m0, n0, gK;
int aBase, bBase;

float gemmLoadA(int m, int k) {
  if (m >= pc.M || k >= gK) return 0.0;
  return TRANS_A ? a1[aBase + k * pc.lda + m] : a1[aBase + m * pc.lda + k];
}

float gemmLoadB(int k, int n) {
  if (n >= pc.N || k >= gK) return 0.0;
  return TRANS_B ? b1[bBase + n * pc.ldb + k] : b1[bBase + k * pc.ldb + n];
}

#include "gemm_gpu.glsl"

void main() {
  gK = pc.K;
  gK0 = pc.kBegin;
  gK1 = min(pc.kEnd, gK);
  int batch = pc.batch0 + int(gl_WorkGroupID.z);
  m0 = (pc.tileY + int(gl_WorkGroupID.y)) * BM;
  n0 = (pc.tileX + int(gl_WorkGroupID.x)) * BN;
  aBase = batch * pc.strideA;
  bBase = batch * pc.strideB;
  gemmBlock();

  int cBase = batch * pc.strideC;
  int tx = int(gl_LocalInvocationID.x);
  int ty = int(gl_LocalInvocationID.y);
  for (int r = 0; r < RM; r++) {
    int m = m0 + ty + r * LY;
    if (m >= pc.M) continue;
    for (int c = 0; c < RN; c++) {
      int n = n0 + tx + c * LX;
      if (n >= pc.N) continue;
      float v = pc.alpha * acc[r][c];
      if ((pc.flags & FLAG_BIAS_COL) != 0) v += bias[n];
      if ((pc.flags & FLAG_BIAS_ROW) != 0) v += bias[m];
      int ci = cBase + m * pc.ldc + n;
      if ((pc.flags & FLAG_ACCUMULATE) != 0) v += c1[ci];
      c1[ci] = v;
    }
  }
}
