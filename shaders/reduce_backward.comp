#version 450
#include "common.glsl"
// gx[i] = scale * gy[o(i)]: the gradient of a sum (or mean) broadcast back
// over the reduced dimensions. x's shape comes as up to eight runs of
// dimensions (row-major, last innermost, unused runs of size 1) with their
// strides in gy, 0 for reduced runs.
layout(local_size_x_id = 0) in;
// gy is read as a texel buffer of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer GY;
layout(std430, binding = 1) buffer GX { float gx[]; };
layout(push_constant) uniform Push {
  uint n; uint pad0; uint pad1; uint pad2;
  uvec4 dimLo; uvec4 dimHi; uvec4 strideLo; uvec4 strideHi;
  float scale; uint accumulate;
} pc;

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  uint rest = i;
  uint o = 0u;
  for (int d = 3; d >= 0; d--) {
    o += (rest % pc.dimHi[d]) * pc.strideHi[d];
    rest /= pc.dimHi[d];
  }
  for (int d = 3; d >= 0; d--) {
    o += (rest % pc.dimLo[d]) * pc.strideLo[d];
    rest /= pc.dimLo[d];
  }
  float v = pc.scale * texelFloat(GY, o);
  gx[i] = pc.accumulate != 0u ? gx[i] + v : v;
}
