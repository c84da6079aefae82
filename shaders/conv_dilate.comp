#version 450
// The output gradient of a strided convolution spread over the input's
// pixels (zero insertion): d[p][S*oy][S*ox] = gy[p][oy][ox], zero at every
// other pixel, for planes p of the batch's channels. The input gradient of
// a stride-S convolution with an odd kernel padded by half its size is the
// input gradient of a same convolution of d (kern's Conv2dGradInputDilated),
// which runs on the already compiled conv_same_cpu.comp instead of S*S
// phase pipelines of conv_cpu.comp. kern uses it where W % 4 == 0.
layout(local_size_x = 64) in;

// gy is read as a texel buffer of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer GY;
layout(std430, binding = 1) writeonly buffer D4 { vec4 d4[]; };

// kern packs these in this order.
layout(push_constant) uniform DilatePush {
  int n4;        // vec4s of d: planes * H * W / 4
  int H, W;      // d's planes
  int Ho, Wo;    // gy's planes
  int stride;
  int tileX;     // workgroup of x = 0 (grids are split to fit the device)
} pc;

void main() {
  int q = (pc.tileX + int(gl_WorkGroupID.x)) * 64 + int(gl_LocalInvocationID.x);
  if (q >= pc.n4) return;
  int w4 = pc.W / 4;
  int row = q / w4;                  // plane * H + y
  int x0 = 4 * (q - row * w4);
  int plane = row / pc.H, y = row - plane * pc.H;
  int oy = y / pc.stride;
  bool rowOK = y == oy * pc.stride;
  vec4 v = vec4(0);
  for (int c = 0; c < 4; c++) {
    int x = x0 + c, ox = x / pc.stride;
    if (rowOK && x == ox * pc.stride) v[c] = texelFloat(GY, (plane * pc.Ho + oy) * pc.Wo + ox);
  }
  d4[q] = v;
}
