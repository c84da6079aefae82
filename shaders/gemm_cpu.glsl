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
//   void loadBlockA(int k) - fill av[i][kk] with A(m0+i, k+kk)
//   void loadBlockB(int k) - fill bv[kk][j][c] with B(k+kk, n0+4j+c)
// for every row and column of the tile and every kk < 4: rows and columns
// past the edge may hold anything finite (their results are never
// stored), depths past K must contribute zero. Loads are never allowed to
// leave the matrix: clamp the indices instead.
//
// Spec constants 2 and 3 are TM and TN (a multiple of 4).

layout(constant_id = 2) const int TM = 8;
layout(constant_id = 3) const int TN = 8;
const int TN4 = TN / 4;

void loadBlockA(int k);
void loadBlockB(int k);

vec4 acc[TM][TN4];
vec4 av[TM];       // av[i][kk] = A(m0 + i, k + kk)
vec4 bv[4][TN4];   // bv[kk][j][c] = B(k + kk, n0 + 4j + c)

// fmaBlock adds the product of one 4-deep slice of K. Each accumulator
// takes its four updates in a row, so it can stay in a register while the
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

// gemmTile leaves sum_k A(m0+i, k) B(k, n0+j) in acc, over depths
// [0, kEnd).
void gemmTile(int kEnd) {
  for (int i = 0; i < TM; i++) {
    for (int j = 0; j < TN4; j++) {
      acc[i][j] = vec4(0);
    }
  }
  for (int k = 0; k < kEnd; k += 4) {
    loadBlockA(k);
    loadBlockB(k);
    fmaBlock();
  }
}
