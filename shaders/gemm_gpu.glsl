// Shared-memory tiled GEMM core for GPUs.
//
// A workgroup of LX x LY threads computes a BM x BN block of C, BM = LY*RM
// and BN = LX*RN: each slice of BK depths of A and B is staged in shared
// memory by all threads together (coalesced along whichever axis the
// operand is contiguous in), then each thread accumulates an RM x RN
// register tile, its rows and columns strided by LY and LX so that
// neighbouring threads read neighbouring shared words.
//
// The including shader defines, before including this file:
//   float gemmLoadA(int m, int k) - A(m, k), or 0 outside the matrix
//   float gemmLoadB(int k, int n) - B(k, n), or 0 outside the matrix
//   const bool A_ALONG_K, B_ALONG_K - whether consecutive k are adjacent
//     in memory (decides which axis consecutive threads load)
// and the globals m0, n0 (the block's corner), gK and the slice of depths
// [gK0, gK1) to sum (gK0 a multiple of BK; the host splits long depths
// into slices, as lavapipe ends a loop silently after 65535 iterations).
//
// Spec constants 0 and 1 are LX and LY (the local size), 2 and 3 RM and
// RN, 9 BK.

layout(local_size_x_id = 0, local_size_y_id = 1) in;
layout(constant_id = 2) const int RM = 4;
layout(constant_id = 3) const int RN = 4;
layout(constant_id = 9) const int BK = 16;
const int LX = int(gl_WorkGroupSize.x);
const int LY = int(gl_WorkGroupSize.y);
const int BM = LY * RM;
const int BN = LX * RN;

float gemmLoadA(int m, int k);
float gemmLoadB(int k, int n);

shared float sA[BK * BM];
shared float sB[BK * BN];

float acc[RM][RN];
int gK0, gK1;

// gemmBlock leaves in acc[r][c] the sum over k of A(m0 + ty + r*LY, k)
// B(k, n0 + tx + c*LX) for this thread (tx, ty).
void gemmBlock() {
  int tx = int(gl_LocalInvocationID.x);
  int ty = int(gl_LocalInvocationID.y);
  int tid = ty * LX + tx;
  for (int r = 0; r < RM; r++) {
    for (int c = 0; c < RN; c++) acc[r][c] = 0.0;
  }
  for (int k0 = gK0; k0 < gK1; k0 += BK) {
    for (int e = tid; e < BM * BK; e += LX * LY) {
      int mm = A_ALONG_K ? e / BK : e % BM;
      int kk = A_ALONG_K ? e % BK : e / BM;
      sA[kk * BM + mm] = gemmLoadA(m0 + mm, k0 + kk);
    }
    for (int e = tid; e < BN * BK; e += LX * LY) {
      int nn = B_ALONG_K ? e / BK : e % BN;
      int kk = B_ALONG_K ? e % BK : e / BN;
      sB[kk * BN + nn] = gemmLoadB(k0 + kk, n0 + nn);
    }
    barrier();
    for (int kk = 0; kk < BK; kk++) {
      float a[RM], b[RN];
      for (int r = 0; r < RM; r++) a[r] = sA[kk * BM + ty + r * LY];
      for (int c = 0; c < RN; c++) b[c] = sB[kk * BN + tx + c * LX];
      for (int r = 0; r < RM; r++) {
        for (int c = 0; c < RN; c++) acc[r][c] += a[r] * b[c];
      }
    }
    barrier();
  }
}
