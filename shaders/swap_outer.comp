#version 450
#include "common.glsl"
// dst[dstOffset + (y X + x) Z + z] (+)= src[srcOffset + (x Y + y) Z + z]
// for x < X, y < Y, z < Z: swaps the two outer axes of [X, Y, Z], moving
// rows of Z contiguous values. Convolutions use it to move between the
// sample-major [B, C, P] layout of tensors and the channel-major [C, B, P]
// layout of their GEMMs.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer Src { float src[]; };
layout(std430, binding = 1) buffer Dst { float dst[]; };
layout(push_constant) uniform Push { uint X, Y, Z, srcOffset, dstOffset, accumulate; } pc;

void main() {
  uint i = elementIndex();
  if (i >= pc.X * pc.Y * pc.Z) return;
  uint z = i % pc.Z;
  uint y = (i / pc.Z) % pc.Y;
  uint x = i / (pc.Z * pc.Y);
  uint o = pc.dstOffset + (y * pc.X + x) * pc.Z + z;
  float v = src[pc.srcOffset + i];
  dst[o] = pc.accumulate != 0u ? dst[o] + v : v;
}
