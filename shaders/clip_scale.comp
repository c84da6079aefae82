#version 450
// Global-norm gradient clipping: scale[0] = min(1, maxNorm / (sqrt(s) + 1e-6)),
// written on the device so that the optimizer step needs no read-back.
// s adds up the sums of squares of count tensors, found stride floats
// apart, in order: the float32 sums that a chain of adds gave before, bit
// for bit, in one dispatch instead of one add per tensor.
layout(local_size_x = 1) in;
layout(std430, binding = 0) readonly buffer SumSq { float sumsq[]; };
layout(std430, binding = 1) writeonly buffer Scale { float scale[]; };
layout(push_constant) uniform Push { float maxNorm; uint count; uint stride; } pc;

void main() {
  float s = sumsq[0];
  for (uint i = 1u; i < pc.count; i++) s += sumsq[i * pc.stride];
  scale[0] = min(1.0, pc.maxNorm / (sqrt(s) + 1e-6));
}
