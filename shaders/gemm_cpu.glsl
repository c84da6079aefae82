// Register-tiled GEMM core for CPU devices (lavapipe).
//
// Lavapipe runs 8 invocations as the lanes of one SIMD vector, and turns
// every storage-buffer load whose address varies across lanes into a loop
// over the lanes with a bounds check per element: a vec4 load costs about
// as much as 100 vector FMAs. Arithmetic is cheap, and so are register
// spills (plain stack traffic). So each invocation computes a large tile
// (TM rows x TN columns, up to 32 x 64) and loads whole vec4s: one 4-deep
// slice of K costs TM + TN vec4 loads for 4*TM*TN multiply-adds. Shared
// memory and barriers would not help: a workgroup runs on one thread, and
// shared loads go through the same per-lane loop.
//
// The including shader declares the push constants and buffers, then
// defines, before including this file:
//   void loadBlockA(int k, int u) - fill av[u][i][kk] with A(tileRow(i), k+kk)
//   void loadBlockB(int k, int u) - fill bv[u][kk][j][c] with B(k+kk, tileCol(j)+c)
// for every row and column of the tile and every kk < 4: rows and columns
// past the edge may hold anything finite (their results are never
// stored), depths past K must contribute zero. Loads are never allowed to
// leave the matrix: clamp the indices instead. main sets mBase and nBase,
// the corner of the workgroup's block.
//
// The tiles of a workgroup's LX x LY invocations interleave: column j
// (of 4) of invocation x is tileCol(j) = nBase + 4 (x + LX j), so that the
// 8 lanes of a vec4 load read 128 contiguous bytes, and row i of
// invocation y is mBase + y + LY i (or, with ROW_GROUPS, rows come in
// contiguous groups of 4, for vec4 loads along M). Rows of neighbouring
// lanes a multiple of 4 KiB apart would fight over one L1 set.
//
// Spec constants 0 and 1 are the local size LX and LY, 2 and 3 TM and TN
// (multiples of 4), 11 ROW_GROUPS, 12 KU: the K loop takes 4*KU depths
// per step, so that it reads whole cache lines of rows along K at once
// (rows a multiple of 1 KiB apart share few L1 sets, and would evict each
// other between steps), at the price of a longer shader.

layout(local_size_x_id = 0, local_size_y_id = 1) in;
layout(constant_id = 2) const int TM = 8;
layout(constant_id = 3) const int TN = 8;
layout(constant_id = 11) const bool ROW_GROUPS = false;
layout(constant_id = 12) const int KU = 1;
const int TN4 = TN / 4;
const int LX = int(gl_WorkGroupSize.x);
const int LY = int(gl_WorkGroupSize.y);

int mBase, nBase;

int tileRow(int i) {
  int y = int(gl_LocalInvocationID.y);
  return ROW_GROUPS ? mBase + 4 * (y + LY * (i >> 2)) + (i & 3) : mBase + y + LY * i;
}

int tileCol(int j) { return nBase + 4 * (int(gl_LocalInvocationID.x) + LX * j); }

void loadBlockA(int k, int u);
void loadBlockB(int k, int u);

vec4 acc[TM][TN4];
vec4 av[KU][TM];       // av[u][i][kk] = A(tileRow(i), k + 4u + kk)
vec4 bv[KU][4][TN4];   // bv[u][kk][j][c] = B(k + 4u + kk, tileCol(j) + c)

// fmaBlock adds the product of one 4*KU-deep slice of K. Each accumulator
// takes all its updates in a row, so it stays in a register while the
// operands stream from the stack.
void fmaBlock() {
  for (int i = 0; i < TM; i++) {
    for (int j = 0; j < TN4; j++) {
      vec4 s = acc[i][j];
      for (int u = 0; u < KU; u++) {
        s += av[u][i].x * bv[u][0][j];
        s += av[u][i].y * bv[u][1][j];
        s += av[u][i].z * bv[u][2][j];
        s += av[u][i].w * bv[u][3][j];
      }
      acc[i][j] = s;
    }
  }
}

// gemmTile leaves sum_k A(tileRow(i), k) B(k, tileCol(j)+c) in
// acc[i][j][c], over depths [0, kEnd).
void gemmTile(int kEnd) {
  for (int i = 0; i < TM; i++) {
    for (int j = 0; j < TN4; j++) {
      acc[i][j] = vec4(0);
    }
  }
  for (int k = 0; k < kEnd; k += 4 * KU) {
    for (int u = 0; u < KU; u++) {
      loadBlockA(k + 4 * u, u);
      loadBlockB(k + 4 * u, u);
    }
    fmaBlock();
  }
}
