// Register-tiled GEMM core for CPU devices (lavapipe).
//
// Lavapipe runs a subgroup (8 invocations with AVX2) as the lanes of one
// SIMD vector, and turns every storage-buffer load into a loop over the
// lanes with a bounds check and a branch per element: a vec4 load costs
// about as much as 70 vector multiply-adds. A texel fetch is a vector
// gather instead, so the including shaders read A and B as uniform texel
// buffers (textureBuffer of vec4s; 1.3-2x faster GEMMs, BenchmarkMatMul),
// but loads still cost far more than arithmetic, and so do register spills
// only a little (plain stack traffic).
// So each invocation computes a large tile (TM rows x TN columns, up to
// 32 x 64) and loads whole vec4s: one 4-deep slice of K costs TM + TN vec4
// loads for 4*TM*TN multiply-adds. Shared memory and barriers would not
// help: a workgroup runs on one thread, and shared loads go through the
// same per-lane loop.
//
// The including shader declares the push constants and buffers, then
// defines, before including this file:
//   void loadBlockA(int k) - fill av[i][kk] with A(tileRow(i), k+kk)
//   void loadBlockB(int k) - fill bv[kk][j][c] with B(k+kk, tileCol(j)+c)
// for every row and column of the tile and every kk < 4: rows and columns
// past the edge may hold anything finite (their results are never
// stored), depths past K must contribute zero. Loads are never allowed to
// leave the matrix: clamp the indices instead. main sets mBase and nBase,
// the corner of the workgroup's block.
//
// The tiles of a workgroup's LX x LY invocations interleave: column j
// (of 4) of invocation x is tileCol(j) = nBase + 4 (x + LX j), so that the
// lanes of a vec4 load read contiguous bytes, and row i of invocation y is
// mBase + y + LY i (or, with ROW_GROUPS, rows come in contiguous groups of
// 4, for vec4 loads along M). Workgroups are one subgroup wide and
// usually LY = 1: all lanes then share the rows of A.
//
// Spec constants 0 and 1 are the local size LX and LY, 2 and 3 TM and TN
// (multiples of 4), 11 ROW_GROUPS.

layout(local_size_x_id = 0, local_size_y_id = 1) in;
layout(constant_id = 2) const int TM = 8;
layout(constant_id = 3) const int TN = 8;
layout(constant_id = 11) const bool ROW_GROUPS = false;
const int TN4 = TN / 4;
const int LX = int(gl_WorkGroupSize.x);
const int LY = int(gl_WorkGroupSize.y);

int mBase, nBase;

int tileRow(int i) {
  int y = int(gl_LocalInvocationID.y);
  return ROW_GROUPS ? mBase + 4 * (y + LY * (i >> 2)) + (i & 3) : mBase + y + LY * i;
}

int tileCol(int j) { return nBase + 4 * (int(gl_LocalInvocationID.x) + LX * j); }

void loadBlockA(int k);
void loadBlockB(int k);

vec4 acc[TM][TN4];
vec4 av[TM];       // av[i][kk] = A(tileRow(i), k + kk)
vec4 bv[4][TN4];   // bv[kk][j][c] = B(k + kk, tileCol(j) + c)

// fmaBlock adds the product of one 4-deep slice of K. Each accumulator
// takes its four updates in a row, so it stays in a register while the
// operands stream from the stack.
void fmaBlock() {
  for (int i = 0; i < TM; i++) {
    for (int j = 0; j < TN4; j++) {
      vec4 s = acc[i][j];
      s += av[i].x * bv[0][j];
      s += av[i].y * bv[1][j];
      s += av[i].z * bv[2][j];
      s += av[i].w * bv[3][j];
      acc[i][j] = s;
    }
  }
}

// gemmTile leaves sum_k A(tileRow(i), k) B(k, tileCol(j)+c) in
// acc[i][j][c], over depths [kBegin, kEnd). kBegin is a multiple of 4; the
// host splits long depths into slices (lavapipe ends a loop silently after
// 65535 iterations) and adds the slices up in C.
void gemmTile(int kBegin, int kEnd) {
  for (int i = 0; i < TM; i++) {
    for (int j = 0; j < TN4; j++) {
      acc[i][j] = vec4(0);
    }
  }
  for (int k = kBegin; k < kEnd; k += 4) {
    loadBlockA(k);
    loadBlockB(k);
    fmaBlock();
  }
}
