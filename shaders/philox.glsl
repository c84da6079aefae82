// Philox4x32-10 and the uniform/normal mappings of nn/internal/ref (see
// ref/doc.go for the layout, which these functions reproduce bit for bit
// in their integer stages).

const uint STREAM_DROPOUT = 0u;
const uint STREAM_NORMAL = 1u;
const float TWO_M24 = 5.9604644775390625e-8; // 2^-24
const float TWO_M25 = 2.98023223876953125e-8; // 2^-25

// philox4x32 is Random123's philox4x32-10 block function.
uvec4 philox4x32(uvec4 c, uvec2 k) {
  for (int r = 0; r < 10; r++) {
    if (r > 0) {
      k += uvec2(0x9E3779B9u, 0xBB67AE85u);
    }
    uint hi0, lo0, hi1, lo1;
    umulExtended(0xD2511F53u, c.x, hi0, lo0);
    umulExtended(0xCD9E8D57u, c.z, hi1, lo1);
    c = uvec4(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
  }
  return c;
}

// rngBlock is the Philox output for elements 4b..4b+3 of a stream under
// the key (seed, step, layer).
uvec4 rngBlock(uvec2 seed, uint step, uint layer, uint stream, uint b) {
  return philox4x32(uvec4(b, step, layer, stream), seed);
}

// negLogUniform returns -ln U(u) with U(u) = (u>>8) 2^-24 + 2^-25. Near
// U = 1, where rounding U to float32 would lose most of -ln U (and turn
// 1 - 2^-25 into 1), it sums the series of -ln(1 - v) with v = 1 - U,
// which is exact in float32 there.
float negLogUniform(uint u) {
  uint m = u >> 8;
  uint j = 2u * (0xFFFFFFu - m) + 1u; // v = j 2^-25
  if (j < (1u << 21)) { // v < 2^-4
    float v = float(j) * TWO_M25;
    return v * (1.0 + v * (1.0 / 2.0 + v * (1.0 / 3.0 + v * (1.0 / 4.0 + v * (1.0 / 5.0 + v * (1.0 / 6.0 + v * (1.0 / 7.0 + v * (1.0 / 8.0))))))));
  }
  return -log(float(m) * TWO_M24 + TWO_M25);
}
