#version 450
#extension GL_EXT_samplerless_texture_functions : require
#extension GL_KHR_shader_subgroup_shuffle : enable
#extension GL_EXT_control_flow_attributes : enable
// Weight gradient of a "same" convolution (stride 1, odd KH x KW, output as
// large as the input) on CPU devices:
//
//   gw[co][ci][ky][kx] (+)= sum over n, oy, ox of
//                           gy[n][co][oy][ox] * x[n][ci][oy + ky - pad][ox + kx - pad]
//
// kern uses it where W % 4 == 0 (conv_cpu.comp covers every other shape).
// As in conv_same_cpu.comp, lavapipe's loads cost a loop over the lanes
// while shuffles run at vector speed, so nothing is loaded twice:
//
// - A workgroup is one subgroup of 8 lanes; lane l owns input channels
//   ci0 + l + 8j (j < CPL) and, for TM output channels, all taps:
//   TM x CPL x KH*KW accumulators.
// - The depth (the pixels of the batch) runs row by row. For each output
//   row, the lanes load the TM x TW block of gy together (vec4s spread
//   over the lanes) and broadcast each value by a shuffle; each lane keeps
//   the KH input rows its taps read for each of its channels in a window
//   that slides down the image, loading one new row per step.
// - Images wider than TW run as column blocks of TW, each with its own
//   pass down the rows.

layout(local_size_x = 8) in;
layout(constant_id = 0) const int TM = 16;  // output channels per workgroup
layout(constant_id = 1) const int CPL = 2;  // input channels per lane
layout(constant_id = 2) const int TW = 32;  // columns per block, a multiple of 4
layout(constant_id = 3) const int KH = 3;
layout(constant_id = 4) const int KW = 3;

const int KHW = KH * KW;
const int HL = (KW - 1) / 2;      // columns beside a block read by its taps, left and right
const int PAD = (KH - 1) / 2;
const int WW = TW + 2 * HL;       // columns of a window row
const int NC = TW / 4 + 2;        // vec4s loaded per window row (with one beside each edge)
const int NG = (TM * TW / 4 + 7) / 8;  // vec4s of gy per lane and step

// x and gy are read as texel buffers of vec4s: a texel fetch is a gather,
// a storage-buffer load a loop over the lanes with a branch each.
layout(binding = 0) uniform textureBuffer X4;
layout(binding = 1) uniform textureBuffer GY4;
layout(std430, binding = 2) buffer GW { float gw[]; };
// With FLAG_BIAS, gb (+)= the sums of gy per output channel (the bias's
// gradient), written by the workgroups of the first input-channel block:
// the kernel has each of gy's values at hand, which a separate reduction
// would load again.
layout(std430, binding = 3) buffer GB { float gb[]; };

// kern packs these in this order. The depth slice [kBegin, kEnd) counts
// output rows of the batch: row s is row s % H of image s / H.
layout(push_constant) uniform ConvSameWeightPush {
  int B, CI, H, W, CO;
  int flags;
  int colBlocks;  // ceil(W / TW)
  int tileX;      // input-channel block of workgroup x = 0 (grids are split to fit the device)
  int tileY;      // output-channel block of workgroup y = 0
  int kBegin, kEnd;
} pc;

const int FLAG_ACCUMULATE = 1; // gw (and gb) += result
const int FLAG_BIAS = 4;       // also the bias's gradient

float acc[TM][CPL][KHW];
float biasSum[TM]; // the same in every lane
float win[CPL][KH][WW];

// loadRow puts columns ox0 - HL .. ox0 + TW + HL - 1 of row iy of channel
// slot j of image n into win[j][t], zero outside the image.
void loadRow(int j, int t, int n, int ci, int iy, int ox0) {
  bool rowOK = ci < pc.CI && iy >= 0 && iy < pc.H;
  int base = ((n * pc.CI + min(ci, pc.CI - 1)) * pc.H + iy) * pc.W;
  [[unroll]] for (int k = 0; k < NC; k++) {
    int col = ox0 + 4 * (k - 1);
    bool ok = rowOK && col >= 0 && col < pc.W;
    vec4 v = texelFetch(X4, ok ? (base + col) >> 2 : 0);
    v = ok ? v : vec4(0);
    [[unroll]] for (int c = 0; c < 4; c++) {
      int w = 4 * (k - 1) + c + HL; // window column
      if (w >= 0 && w < WW) win[j][t][w] = v[c];
    }
  }
}

void main() {
  int lane = int(gl_LocalInvocationID.x);
  int ci0 = (pc.tileX + int(gl_WorkGroupID.x)) * 8 * CPL + lane;
  int m0 = (pc.tileY + int(gl_WorkGroupID.y)) * TM;
  int gyLen4 = pc.B * pc.CO * pc.H * pc.W / 4;

  [[unroll]] for (int i = 0; i < TM; i++)
    [[unroll]] for (int j = 0; j < CPL; j++)
      [[unroll]] for (int tap = 0; tap < KHW; tap++) acc[i][j][tap] = 0.0;
  [[unroll]] for (int i = 0; i < TM; i++) biasSum[i] = 0.0;
  bool bias = (pc.flags & FLAG_BIAS) != 0;

  for (int cb = 0; cb < pc.colBlocks; cb++) {
    int ox0 = cb * TW;
    for (int s = pc.kBegin; s < pc.kEnd;) {
      // One image's rows of the slice: oy in [oyBegin, oyEnd).
      int n = s / pc.H;
      int oyBegin = s - n * pc.H;
      int oyEnd = min(pc.H, oyBegin + pc.kEnd - s);
      [[unroll]] for (int j = 0; j < CPL; j++)
        [[unroll]] for (int t = 0; t + 1 < KH; t++) loadRow(j, t + 1, n, ci0 + 8 * j, oyBegin - PAD + t, ox0);
      for (int oy = oyBegin; oy < oyEnd; oy++) {
        // Slide the windows down: win[j][t] becomes row oy - PAD + t.
        [[unroll]] for (int j = 0; j < CPL; j++) {
          [[unroll]] for (int t = 0; t + 1 < KH; t++)
            [[unroll]] for (int w = 0; w < WW; w++) win[j][t][w] = win[j][t + 1][w];
          loadRow(j, KH - 1, n, ci0 + 8 * j, oy + PAD, ox0);
        }
        // gy[n][m0 + i][oy][ox0 + p]: vec4 c = i * TW/4 + p/4 of the block
        // is loaded by lane c % 8.
        vec4 g[NG];
        [[unroll]] for (int q = 0; q < NG; q++) {
          int c = lane + 8 * q;
          int i = c / (TW / 4), p4 = c - i * (TW / 4);
          bool ok = m0 + i < pc.CO && ox0 + 4 * p4 < pc.W;
          vec4 v = texelFetch(GY4, min((((n * pc.CO + m0 + i) * pc.H + oy) * pc.W + ox0) / 4 + p4, gyLen4 - 1));
          g[q] = ok ? v : vec4(0);
        }
        [[unroll]] for (int i = 0; i < TM; i++) {
          float gv[TW];
          [[unroll]] for (int p = 0; p < TW; p++) {
            int c = i * (TW / 4) + p / 4;
            gv[p] = subgroupShuffle(g[c >> 3][p & 3], c & 7);
          }
          if (bias) {
            float t = 0.0;
            [[unroll]] for (int p = 0; p < TW; p++) t += gv[p];
            biasSum[i] += t;
          }
          if (TW >= 16) {
            // Blocks of 16 and 32 columns: pixel by pixel, a channel's KH*KW
            // taps at once. Each gy value meets KH*KW window values, of which
            // a step along the row brings only KH new ones, so lavapipe keeps
            // the operands in registers; 10-23% faster on the 32x32 layers of
            // BenchmarkConvSame and, since x and gy are texel fetches, about
            // 10% on the 16x16 ones, but slower on blocks of 8 columns, where
            // tap by tap (below) stays.
            [[unroll]] for (int j = 0; j < CPL; j++) {
              float row[KHW];
              [[unroll]] for (int p = 0; p < TW; p++)
                [[unroll]] for (int ky = 0; ky < KH; ky++)
                  [[unroll]] for (int kx = 0; kx < KW; kx++) {
                    float prod = gv[p] * win[j][ky][p + kx];
                    row[ky * KW + kx] = p == 0 ? prod : row[ky * KW + kx] + prod;
                  }
              [[unroll]] for (int tap = 0; tap < KHW; tap++) acc[i][j][tap] += row[tap];
            }
          } else {
            [[unroll]] for (int j = 0; j < CPL; j++)
              [[unroll]] for (int ky = 0; ky < KH; ky++)
                [[unroll]] for (int kx = 0; kx < KW; kx++) {
                  // Four partial sums: shorter chains of dependent adds (lavapipe
                  // fuses no multiply-adds), 5-15% faster.
                  float part[4];
                  [[unroll]] for (int q = 0; q < 4; q++) part[q] = gv[q] * win[j][ky][q + kx];
                  [[unroll]] for (int p = 4; p < TW; p++) part[p & 3] += gv[p] * win[j][ky][p + kx];
                  acc[i][j][ky * KW + kx] += (part[0] + part[1]) + (part[2] + part[3]);
                }
          }
        }
      }
      s += oyEnd - oyBegin;
    }
  }

  if (bias && pc.tileX + int(gl_WorkGroupID.x) == 0) {
    // Lane i % 8 stores row i.
    [[unroll]] for (int i = 0; i < TM; i++) {
      if (lane == (i & 7) && m0 + i < pc.CO) {
        float v = biasSum[i];
        if ((pc.flags & FLAG_ACCUMULATE) != 0) v += gb[m0 + i];
        gb[m0 + i] = v;
      }
    }
  }
  [[unroll]] for (int i = 0; i < TM; i++) {
    int m = m0 + i;
    [[unroll]] for (int j = 0; j < CPL; j++) {
      int ci = ci0 + 8 * j;
      if (m < pc.CO && ci < pc.CI) {
        [[unroll]] for (int tap = 0; tap < KHW; tap++) {
          int idx = (m * pc.CI + ci) * KHW + tap;
          float v = acc[i][j][tap];
          if ((pc.flags & FLAG_ACCUMULATE) != 0) v += gw[idx];
          gw[idx] = v;
        }
      }
    }
  }
}
