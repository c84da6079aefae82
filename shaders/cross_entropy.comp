#version 450
// Softmax cross-entropy of one row of logits per workgroup:
//   lse_b = max + log(sum exp(x - max)),  loss_b = lse_b - x[label_b],
// the maximum subtracted so that large logits cannot overflow. Labels are
// whole numbers stored as floats; one outside [0, classes) gives a NaN
// loss, which the caller's loss check catches. The batch mean is a
// separate deterministic reduction.
layout(local_size_x_id = 0) in;
#include "rowreduce.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer L { float labels[]; };
layout(std430, binding = 2) writeonly buffer Loss { float loss[]; };
layout(std430, binding = 3) writeonly buffer LSE { float lse[]; };
layout(push_constant) uniform Push { uint rows; uint classes; } pc;

void main() {
  uint row = workgroupIndex();
  if (row >= pc.rows) return;
  uint t = gl_LocalInvocationID.x;
  uint local = gl_WorkGroupSize.x;
  uint base = row * pc.classes;

  float hi = uintBitsToFloat(0xff800000u); // -inf
  for (uint j = t; j < pc.classes; j += local) hi = max(hi, x[base + j]);
  hi = workgroupMax(hi);

  float s = 0.0;
  for (uint j = t; j < pc.classes; j += local) s += exp(x[base + j] - hi);
  s = workgroupSum(s);

  if (t == 0u) {
    float l = labels[row];
    float logZ = hi + log(s);
    lse[row] = logZ;
    if (l >= 0.0 && l < float(pc.classes) && l == floor(l)) {
      loss[row] = logZ - x[base + uint(l)];
    } else {
      loss[row] = uintBitsToFloat(0x7fc00000u); // NaN: a bad label
    }
  }
}
