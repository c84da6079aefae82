#version 450
#extension GL_EXT_samplerless_texture_functions : require
#extension GL_KHR_shader_subgroup_shuffle : enable
#extension GL_EXT_control_flow_attributes : enable
// "Same" convolution (stride 1, output as large as the input, odd KH x KW)
// on CPU devices: the forward y = conv(x, w) + b and, with TRANSPOSED, the
// input gradient gx = conv(gy, w flipped and transposed), which for a same
// convolution is a same convolution too. kern uses it where W % 4 == 0 and
// W <= 32 (conv_cpu.comp covers every other shape).
//
// Why not the implicit GEMM of conv_cpu.comp: lavapipe pays for every
// load (a gather; a storage-buffer load even loops over the 8 lanes with a
// bounds check and a branch each, so w and x are read as texel buffers),
// while it runs subgroup shuffles and arithmetic at vector speed. The
// im2col gather loads each input value KH*KW times; here every value is
// loaded once per input channel and reaches the taps and the neighbouring
// lanes by shuffles:
//
// - A workgroup is one subgroup of 8 lanes. Lanes split image rows into
//   groups of 4 columns (LPR = W/4 lanes per row, 8/LPR rows of lanes),
//   and each lane computes TR consecutive rows of its 4 columns for TM
//   output channels: TM x TR x 4 accumulators.
// - Per input channel, a lane loads its 4 columns of the TR + KH - 1 input
//   rows it needs (one vec4 each); the KW - 1 columns beside them come
//   from the lanes to the left and right by shuffles (zero at the image's
//   edges: the lanes of a row cover the whole row).
// - The TM x KH*KW weights of the input channel are loaded once for the
//   workgroup, spread over the lanes (vec4s), and each one is broadcast by
//   a shuffle when its multiply-adds need it.

layout(local_size_x = 8) in;
layout(constant_id = 0) const int TM = 32;  // output channels per workgroup, a multiple of 8
layout(constant_id = 1) const int TR = 4;   // output rows per lane
layout(constant_id = 2) const int KH = 3;
layout(constant_id = 3) const int KW = 3;
// TRANSPOSED: the input gradient. The product's input channels are the
// layer's outputs and its outputs the layer's inputs, and tap (ky, kx)
// takes w[ci][m][KH-1-ky][KW-1-kx].
layout(constant_id = 4) const bool TRANSPOSED = false;
// ACCUMULATE adds y's old value (a spec constant: its loads cost a loop
// over the lanes even when a flag turns them off).
layout(constant_id = 5) const bool ACCUMULATE = false;

const int KHW = KH * KW;
const int HL = (KW - 1) / 2;  // columns beside a lane's 4, left and right
const int SW = 4 + 2 * HL;    // columns a lane's multiply-adds read
const int NR = TR + KH - 1;   // input rows a lane reads
// Weights: the forward loads, per lane and row of w, the NV vec4s that
// cover its KHW floats at any alignment (w holds a multiple of 4 floats);
// the transposed product loads the TM*KHW floats of an input channel
// (contiguous in w, starting at a multiple of 4) as NQ vec4s per lane.
const int NV = (KHW + 6) / 4;
const int NQ = (TM * KHW / 4 + 7) / 8;

layout(binding = 0) uniform textureBuffer W4;
layout(binding = 1) uniform textureBuffer X4;
layout(std430, binding = 2) buffer Y4 { vec4 y4[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias[]; };

// B images of CI channels of H x W in, CO channels out. kern packs these
// in this order.
layout(push_constant) uniform ConvSamePush {
  int B, CI, H, W, CO;
  int flags;
  int lpr;     // lanes per image row: W / 4
  int tileX;   // row block of workgroup x = 0 (grids are split to fit the device)
  int tileY;   // channel block of workgroup y = 0
  int batch0;  // image of workgroup z = 0
  int kBegin, kEnd; // the input channels this dispatch sums (see kern's depthSlices)
} pc;

const int FLAG_BIAS = 4; // add bias[m] (forward only)

float acc[TM][TR][4];

void main() {
  int lane = int(gl_LocalInvocationID.x);
  int cg = lane % pc.lpr, rg = lane / pc.lpr;
  int ox = 4 * cg;
  // Lanes past the last whole row of lanes (W = 12, 20, 24, 28) idle.
  bool laneOK = rg < 8 / pc.lpr;
  int oy0 = ((pc.tileX + int(gl_WorkGroupID.x)) * (8 / pc.lpr) + rg) * TR;
  int m0 = (pc.tileY + int(gl_WorkGroupID.y)) * TM;
  int n = pc.batch0 + int(gl_WorkGroupID.z);
  int wLen4 = pc.CO * pc.CI * KHW / 4;

  [[unroll]] for (int i = 0; i < TM; i++)
    [[unroll]] for (int r = 0; r < TR; r++)
      [[unroll]] for (int c = 0; c < 4; c++) acc[i][r][c] = 0.0;

  bool rowOK[NR];
  [[unroll]] for (int t = 0; t < NR; t++) {
    int iy = oy0 - (KH - 1) / 2 + t;
    rowOK[t] = laneOK && iy >= 0 && iy < pc.H;
  }
  int left = max(lane - 1, 0), right = min(lane + 1, 7);
  bool hasLeft = cg > 0, hasRight = cg < pc.lpr - 1;

  for (int ci = pc.kBegin; ci < pc.kEnd; ci++) {
    // The input channel's weights. Forward: row m = m0 + lane + 8q of w
    // holds them at w[m][ci][0..KHW), starting sh floats into a vec4.
    vec4 wv[NQ];
    float wf[TM / 8][KHW];
    if (TRANSPOSED) {
      int base = (ci * pc.CO + m0) * KHW / 4;
      [[unroll]] for (int q = 0; q < NQ; q++) wv[q] = texelFetch(W4, min(base + lane + 8 * q, wLen4 - 1));
    } else {
      [[unroll]] for (int q = 0; q < TM / 8; q++) {
        int off = (min(m0 + lane + 8 * q, pc.CO - 1) * pc.CI + ci) * KHW;
        int sh = off & 3;
        vec4 t[NV];
        [[unroll]] for (int v = 0; v < NV; v++) t[v] = texelFetch(W4, min((off >> 2) + v, wLen4 - 1));
        [[unroll]] for (int tap = 0; tap < KHW; tap++) {
          // Float sh + tap of the chunks t.
          int c = tap & 3;
          vec4 lo = t[tap >> 2], hi = t[min((tap >> 2) + 1, NV - 1)];
          wf[q][tap] = sh == 0 ? lo[c] : (sh == 1 ? (c < 3 ? lo[c + 1] : hi[0]) :
                       (sh == 2 ? (c < 2 ? lo[c + 2] : hi[c - 2]) : (c < 1 ? lo[3] : hi[c - 1])));
        }
      }
    }
    // The input rows: strip[t][c] is column ox - HL + c of row oy0 - pad + t.
    float strip[NR][SW];
    int plane = (n * pc.CI + ci) * pc.H;
    [[unroll]] for (int t = 0; t < NR; t++) {
      int iy = oy0 - (KH - 1) / 2 + t;
      vec4 v = texelFetch(X4, rowOK[t] ? ((plane + iy) * pc.W + ox) >> 2 : 0);
      v = rowOK[t] ? v : vec4(0);
      [[unroll]] for (int c = 0; c < 4; c++) strip[t][HL + c] = v[c];
      [[unroll]] for (int c = 0; c < HL; c++) {
        float l = subgroupShuffle(v[4 - HL + c], left);
        float r = subgroupShuffle(v[c], right);
        strip[t][c] = hasLeft ? l : 0.0;
        strip[t][HL + 4 + c] = hasRight ? r : 0.0;
      }
    }
    [[unroll]] for (int i = 0; i < TM; i++) {
      float s[TR][4];
      [[unroll]] for (int r = 0; r < TR; r++) [[unroll]] for (int c = 0; c < 4; c++) s[r][c] = acc[i][r][c];
      // Per kernel row, the KW products are summed before they reach s:
      // shorter chains of dependent adds than one add per tap (lavapipe
      // fuses no multiply-adds), 5-15% faster.
      [[unroll]] for (int ky = 0; ky < KH; ky++) {
        // Broadcast the weights (i, ky, kx) from the lanes that loaded them.
        float b[KW];
        [[unroll]] for (int kx = 0; kx < KW; kx++) {
          if (TRANSPOSED) {
            int e = i * KHW + KHW - 1 - (ky * KW + kx);
            b[kx] = subgroupShuffle(wv[e >> 5][e & 3], (e >> 2) & 7);
          } else {
            b[kx] = subgroupShuffle(wf[i >> 3][ky * KW + kx], i & 7);
          }
        }
        [[unroll]] for (int r = 0; r < TR; r++)
          [[unroll]] for (int c = 0; c < 4; c++) {
            float t = b[0] * strip[r + ky][c];
            [[unroll]] for (int kx = 1; kx < KW; kx++) t += b[kx] * strip[r + ky][c + kx];
            s[r][c] += t;
          }
      }
      [[unroll]] for (int r = 0; r < TR; r++) [[unroll]] for (int c = 0; c < 4; c++) acc[i][r][c] = s[r][c];
    }
  }

  [[unroll]] for (int i = 0; i < TM; i++) {
    int m = m0 + i;
    if (m < pc.CO) {
      float rb = (pc.flags & FLAG_BIAS) != 0 ? bias[m] : 0.0;
      [[unroll]] for (int r = 0; r < TR; r++) {
        int oy = oy0 + r;
        if (laneOK && oy < pc.H) {
          int idx = (((n * pc.CO + m) * pc.H + oy) * pc.W + ox) >> 2;
          vec4 v = vec4(acc[i][r][0], acc[i][r][1], acc[i][r][2], acc[i][r][3]) + rb;
          if (ACCUMULATE) v += y4[idx];
          y4[idx] = v;
        }
      }
    }
  }
}
