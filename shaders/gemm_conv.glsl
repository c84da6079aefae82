// Convolutions as implicit GEMMs (no im2col buffer), shared by the CPU and
// GPU variants. x is NCHW [B, Cin, H, W], w [Cout, Cin, KH, KW], y [B, Cout,
// Ho, Wo]; gx, gw, gy are the gradients of the same shapes. MODE picks the
// product:
//
//   0 forward:      y  (Cout x B*Ho*Wo)     = w (Cout x Cin*KH*KW) . im2col(x)
//   1 grad input:   gx (Cin x B*Hp*Wp)      = w^T . gather(gy), one phase
//   2 grad weight:  gw (Cout x Cin*KH*KW)   = gy (Cout x B*Ho*Wo) . im2col(x)^T
//
// Columns of the forward and grad-input products run over the pixels of
// the whole batch (so small images still give wide products); the depth of
// the grad-weight product does.
//
// With a stride S > 1 an input pixel iy only receives from the taps ky
// with ky = iy + pad (mod S). The grad input is therefore split into S*S
// phases, one dispatch each: phase (PHASE_Y, PHASE_X) covers the input
// pixels with (iy + pad) % S == PHASE_Y (same for x), Hp x Wp of them per
// image, and sums over the taps ky = PHASE_Y + S*jy, kx = PHASE_X + S*jx
// only, so no multiply-add is wasted on a tap that cannot reach.

layout(constant_id = 4) const int MODE = 0;
layout(constant_id = 5) const int KH = 3;
layout(constant_id = 6) const int KW = 3;
layout(constant_id = 7) const int STRIDE = 1;
layout(constant_id = 12) const int PHASE_Y = 0;
layout(constant_id = 13) const int PHASE_X = 0;
const int KHW = KH * KW;
// Taps of the grad-input phase along y and x.
const int PKH = (KH - PHASE_Y + STRIDE - 1) / STRIDE;
const int PKW = (KW - PHASE_X + STRIDE - 1) / STRIDE;
// Divisors for splitting a grad-input depth into (co, jy, jx); 1 where the
// phase has no taps (its product has depth 0, so they are never used).
const int PKHW1 = PKH * PKW == 0 ? 1 : PKH * PKW;
const int PKW1 = PKW == 0 ? 1 : PKW;

layout(push_constant) uniform ConvPush {
  int B, Cin, H, W, Cout, Ho, Wo;
  int padY, padX;  // zero padding above and below, left and right
  int Hp, Wp;  // grad input: pixels of the phase per image column and row
  int flags;
  int tileY;  // block row of workgroup y = 0
  int tileX;  // block column of workgroup x = 0
  int kBegin, kEnd; // the slice of depths this dispatch sums (see kern's depthSlices)
} pc;

const int FLAG_ACCUMULATE = 1; // C += result
const int FLAG_BIAS_ROW = 4;   // add bias[m] (forward only)

int convM() { return MODE == 1 ? pc.Cin : pc.Cout; }
int convN() {
  if (MODE == 0) return pc.B * pc.Ho * pc.Wo;
  if (MODE == 1) return pc.B * pc.Hp * pc.Wp;
  return pc.Cin * KHW;
}
int convK() {
  if (MODE == 0) return pc.Cin * KHW;
  if (MODE == 1) return pc.Cout * PKH * PKW;
  return pc.B * pc.Ho * pc.Wo;
}

// firstPhasePixel is the smallest i >= 0 with (i + pad) % STRIDE == phase
// (pad: the padding along that axis).
int firstPhasePixel(int phase, int pad) { return (phase - pad + STRIDE * (pad + 1)) % STRIDE; }
