#version 450
// Global-norm gradient clipping: scale[0] = min(1, maxNorm / (sqrt(sumsq[0]) + 1e-6)),
// written on the device so that the optimizer step needs no read-back.
layout(local_size_x = 1) in;
layout(std430, binding = 0) readonly buffer SumSq { float sumsq[]; };
layout(std430, binding = 1) writeonly buffer Scale { float scale[]; };
layout(push_constant) uniform Push { float maxNorm; } pc;

void main() {
  scale[0] = min(1.0, pc.maxNorm / (sqrt(sumsq[0]) + 1e-6));
}
