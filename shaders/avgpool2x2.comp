#version 450
#include "common.glsl"
// 2x2 average pooling of [B,C,h,w] planes to [B,C,h/2,w/2] (floor: an odd
// last row or column is dropped), one invocation per output.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint n; uint h; uint w; } pc; // n counts y

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  uint ho = pc.h / 2u, wo = pc.w / 2u;
  uint plane = i / (ho * wo);
  uint oy = (i / wo) % ho;
  uint ox = i % wo;
  uint top = (plane * pc.h + 2u * oy) * pc.w + 2u * ox;
  y[i] = 0.25 * ((x[top] + x[top + 1u]) + (x[top + pc.w] + x[top + pc.w + 1u]));
}
