#version 450
#include "common.glsl"
// GroupNorm's gamma and beta gradients from groupnorm_backward's
// per-sample sums, in one dispatch (on a CPU device each dispatch has a
// fixed cost, and a U-Net has a few dozen GroupNorms):
//   gGamma[c] (+)= sum over the batch of sumGYXhat[b, c]
//   gBeta[c]  (+)= sum over the batch of sumGY[b, c]
// A fixed loop per channel keeps the result reproducible. Modes as
// groupnorm_backward's gx: 0 leaves the output alone (the parameter needs
// no gradient), 1 writes it, 2 adds to it.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer SumGYXhat { float sumGYXhat[]; };
layout(std430, binding = 1) buffer GGamma { float gGamma[]; };
layout(std430, binding = 2) readonly buffer SumGY { float sumGY[]; };
layout(std430, binding = 3) buffer GBeta { float gBeta[]; };
layout(push_constant) uniform Push { uint channels; uint batch; uint gammaMode; uint betaMode; } pc;

void main() {
  uint c = elementIndex();
  if (c >= pc.channels) return;
  if (pc.gammaMode != 0u) {
    float s = 0.0;
    for (uint b = 0u; b < pc.batch; b++) s += sumGYXhat[b * pc.channels + c];
    gGamma[c] = pc.gammaMode == 2u ? gGamma[c] + s : s;
  }
  if (pc.betaMode != 0u) {
    float s = 0.0;
    for (uint b = 0u; b < pc.batch; b++) s += sumGY[b * pc.channels + c];
    gBeta[c] = pc.betaMode == 2u ? gBeta[c] + s : s;
  }
}
