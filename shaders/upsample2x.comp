#version 450
#include "common.glsl"
// Nearest-neighbour 2x upsampling of [B,C,h,w] planes to [B,C,2h,2w].
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint n; uint h; uint w; } pc; // n counts y

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  uint w2 = 2u * pc.w;
  uint plane = i / (4u * pc.h * pc.w);
  uint oy = (i / w2) % (2u * pc.h);
  uint ox = i % w2;
  y[i] = x[(plane * pc.h + oy / 2u) * pc.w + ox / 2u];
}
