// Push constants of the matmul kernels (both variants); kern.MatMul packs
// them in this order. Offsets and strides count floats.
layout(push_constant) uniform MatMulPush {
  int M, N, K;
  int lda, ldb, ldc;
  int strideA, strideB, strideC; // between batches; 0 broadcasts
  float alpha;
  int flags;
  int batch0; // batch of workgroup z = 0 (grids are split to fit the device)
  int tileY;  // block row of workgroup y = 0
  int tileX;  // block column of workgroup x = 0
  int kBegin, kEnd; // the slice of depths this dispatch sums (see kern's depthSlices)
} pc;

const int FLAG_ACCUMULATE = 1; // C += result instead of C = result
const int FLAG_BIAS_COL = 2;   // add bias[n] (linear layers)
const int FLAG_BIAS_ROW = 4;   // add bias[m]
