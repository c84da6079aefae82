#version 450
#extension GL_KHR_shader_subgroup_shuffle : enable
// Batched C[b] = alpha op(A[b]) op(B[b]) (+ C[b]) (+ bias), CPU variant:
// each invocation computes a TM x TN register tile (see gemm_cpu.glsl).
// Workgroup (gx, gy, gz) computes the block of LY*TM rows and LX*TN
// columns at block row tileY + gy, block column tileX + gx, of batch batch0 + gz.
layout(constant_id = 4) const bool TRANS_A = false; // A stored K x M
layout(constant_id = 5) const bool TRANS_B = false; // B stored N x K
// VEC_X: the rows of X (lda, ldb, ldc) and its batch stride are multiples
// of 4 floats, so it loads (stores) as vec4s.
layout(constant_id = 6) const bool VEC_A = false;
layout(constant_id = 7) const bool VEC_B = false;
layout(constant_id = 8) const bool VEC_C = false;
// ACCUMULATE adds C's old value (a spec constant: the extra loads make the
// shader slower to compile, so only callers that accumulate pay for it).
layout(constant_id = 10) const bool ACCUMULATE = false;

// A and B are read as texel buffers of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer A;
layout(binding = 1) uniform textureBuffer B;
layout(std430, binding = 2) buffer C1 { float c1[]; };
layout(std430, binding = 2) buffer C4 { vec4 c4[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias[]; };

#include "gemm_matmul_push.glsl"

int gM, gN, gK;
int aBase, bBase;

#include "gemm_cpu.glsl"

// With VEC_A the rows of A hold whole vec4s (packed rows of a multiple of
// 4 floats), so a vec4 along the row lies entirely inside or entirely
// outside the matrix: clamping its index keeps loads inside, and the
// values of a clamped vec4 only reach outputs that are never stored. The
// same holds for B. Without VEC_*, elements load one by one.
// With one row of lanes that share the tile's rows (LY == 1, TM a multiple
// of LX), the lanes load A together: each lane loads 1/LX of the block and
// shuffles pass every value to all lanes. Lavapipe pays a load per lane
// and element, a shuffle at vector speed, so this takes LX times fewer
// loads of A.
// (coopA is a plain expression, not a const: glslc's optimizer fails on a
// constant made of these specialization constants. It folds once the
// pipeline is specialized.)
void loadBlockA(int k) {
  int lane = int(gl_LocalInvocationID.x);
  bool coopA = LY == 1 && TM % LX == 0;
  int tma = TM / LX; // vec4s of A each lane loads per block
  if (VEC_A && TRANS_A && coopA) {
    // The block's TM vec4s (4 depths x TM/4 groups of 4 rows): lane l
    // loads vec4s c = l + LX j, c = kk * TM/4 + q.
    vec4 own[TM];
    for (int j = 0; j < tma; j++) {
      int c = lane + LX * j, kk = c / (TM / 4), q = c - kk * (TM / 4);
      int row = aBase + min(k + kk, gK - 1) * pc.lda;
      own[j] = texelFetch(A, (row + min(mBase + 4 * q, gM - 4)) >> 2) * (k + kk < gK ? 1.0 : 0.0);
    }
    for (int kk = 0; kk < 4; kk++) {
      for (int q = 0; q < TM / 4; q++) {
        int c = kk * (TM / 4) + q;
        for (int e = 0; e < 4; e++) av[4 * q + e][kk] = subgroupShuffle(own[c / LX][e], c % LX);
      }
    }
  } else if (VEC_A && !TRANS_A && coopA) {
    // K is a multiple of 4 here (it is the row length); lane l loads rows
    // l + LX j.
    vec4 own[TM];
    for (int j = 0; j < tma; j++) own[j] = texelFetch(A, (aBase + min(mBase + lane + LX * j, gM - 1) * pc.lda + k) >> 2);
    for (int i = 0; i < TM; i++) {
      for (int e = 0; e < 4; e++) av[i][e] = subgroupShuffle(own[i / LX][e], i % LX);
    }
  } else if (VEC_A && TRANS_A) { // vec4s along M: TM is a multiple of 4
    for (int kk = 0; kk < 4; kk++) {
      int row = aBase + min(k + kk, gK - 1) * pc.lda;
      float keep = k + kk < gK ? 1.0 : 0.0;
      for (int q = 0; q < TM / 4; q++) {
        vec4 t = texelFetch(A, (row + min(tileRow(4 * q), gM - 4)) >> 2) * keep;
        for (int c = 0; c < 4; c++) av[4 * q + c][kk] = t[c];
      }
    }
  } else if (VEC_A) {
    // K is a multiple of 4 here (it is the row length).
    for (int i = 0; i < TM; i++) av[i] = texelFetch(A, (aBase + min(tileRow(i), gM - 1) * pc.lda + k) >> 2);
  } else {
    for (int kk = 0; kk < 4; kk++) {
      int kc = min(k + kk, gK - 1);
      float keep = k + kk < gK ? 1.0 : 0.0;
      for (int i = 0; i < TM; i++) {
        int m = min(tileRow(i), gM - 1);
        av[i][kk] = keep * (TRANS_A ? texelFloat(A, aBase + kc * pc.lda + m) : texelFloat(A, aBase + m * pc.lda + kc));
      }
    }
  }
}

// Depths past K are zeroed in A alone; B only clamps.
void loadBlockB(int k) {
  if (VEC_B && TRANS_B) {
    // K is a multiple of 4 here.
    for (int j = 0; j < TN4; j++) {
      for (int c = 0; c < 4; c++) {
        vec4 t = texelFetch(B, (bBase + min(tileCol(j) + c, gN - 1) * pc.ldb + k) >> 2);
        for (int kk = 0; kk < 4; kk++) bv[kk][j][c] = t[kk];
      }
    }
  } else if (VEC_B) {
    for (int kk = 0; kk < 4; kk++) {
      int row = bBase + min(k + kk, gK - 1) * pc.ldb;
      for (int j = 0; j < TN4; j++) bv[kk][j] = texelFetch(B, (row + min(tileCol(j), gN - 4)) >> 2);
    }
  } else {
    for (int kk = 0; kk < 4; kk++) {
      int kc = min(k + kk, gK - 1);
      for (int j = 0; j < TN4; j++) {
        for (int c = 0; c < 4; c++) {
          int n = min(tileCol(j) + c, gN - 1);
          bv[kk][j][c] = TRANS_B ? texelFloat(B, bBase + n * pc.ldb + kc) : texelFloat(B, bBase + kc * pc.ldb + n);
        }
      }
    }
  }
}

void main() {
  gM = pc.M;
  gN = pc.N;
  gK = pc.K;
  int batch = pc.batch0 + int(gl_WorkGroupID.z);
  nBase = (pc.tileX + int(gl_WorkGroupID.x)) * LX * TN;
  mBase = (pc.tileY + int(gl_WorkGroupID.y)) * LY * TM;
  // Only whole workgroups leave early: the lanes of one share A by
  // shuffles (loadBlockA), so lanes past the edge compute too (their loads
  // clamp, their results are never stored).
  if (mBase >= gM || nBase >= gN) return;
  aBase = batch * pc.strideA;
  bBase = batch * pc.strideB;
  gemmTile(pc.kBegin, min(pc.kEnd, gK));

  // acc = alpha acc (+ C) (+ bias). C is read with clamped indices (no
  // branches: the values past the edge are never stored).
  int cBase = batch * pc.strideC;
  vec4 colB[TN4];
  for (int j = 0; j < TN4; j++) {
    for (int c = 0; c < 4; c++) {
      colB[j][c] = (pc.flags & FLAG_BIAS_COL) != 0 ? bias[min(tileCol(j) + c, gN - 1)] : 0.0;
    }
  }
  for (int i = 0; i < TM; i++) {
    int m = min(tileRow(i), gM - 1);
    float rb = (pc.flags & FLAG_BIAS_ROW) != 0 ? bias[m] : 0.0;
    int row = cBase + m * pc.ldc;
    for (int j = 0; j < TN4; j++) {
      vec4 v = pc.alpha * acc[i][j] + rb + colB[j];
      if (ACCUMULATE) {
        if (VEC_C) {
          v += c4[(row + min(tileCol(j), gN - 4)) >> 2];
        } else {
          for (int c = 0; c < 4; c++) v[c] += c1[row + min(tileCol(j) + c, gN - 1)];
        }
      }
      acc[i][j] = v;
    }
  }
  for (int i = 0; i < TM; i++) {
    int m = tileRow(i);
    if (m < gM) {
      int row = cBase + m * pc.ldc;
      for (int j = 0; j < TN4; j++) {
        int n = tileCol(j);
        if (VEC_C) {
          if (n < gN) c4[(row + n) >> 2] = acc[i][j];
        } else {
          for (int c = 0; c < 4; c++) {
            if (n + c < gN) c1[row + n + c] = acc[i][j][c];
          }
        }
      }
    }
  }
}
