#version 450
#include "common.glsl"
// out[c] = sum over the batch of partial[b, c]: GroupNorm's gamma or beta
// gradient from groupnorm_backward's per-sample sums. A fixed loop per
// channel keeps the result reproducible. Adds to out when accumulate is 1.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer Partial { float partial[]; };
layout(std430, binding = 1) buffer Out { float outGrad[]; };
layout(push_constant) uniform Push { uint channels; uint batch; uint accumulate; } pc;

void main() {
  uint c = elementIndex();
  if (c >= pc.channels) return;
  float s = 0.0;
  for (uint b = 0u; b < pc.batch; b++) s += partial[b * pc.channels + c];
  outGrad[c] = pc.accumulate != 0u ? outGrad[c] + s : s;
}
