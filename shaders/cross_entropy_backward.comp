#version 450
#include "common.glsl"
// Gradient of the batch-mean softmax cross-entropy with respect to the
// logits: g = gy invBatch (exp(x - lse_b) - [j == label_b]). Adds into g
// when accumulate is 1.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer L { float labels[]; };
layout(std430, binding = 2) readonly buffer LSE { float lse[]; };
layout(std430, binding = 3) readonly buffer GY { float gy[]; };
layout(std430, binding = 4) buffer G { float g[]; };
layout(push_constant) uniform Push { uint n; uint classes; float invBatch; uint accumulate; } pc;

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  uint b = i / pc.classes;
  uint j = i % pc.classes;
  float p = exp(x[i] - lse[b]);
  if (float(j) == labels[b]) p -= 1.0;
  float v = gy[0] * pc.invBatch * p;
  g[i] = pc.accumulate != 0u ? g[i] + v : v;
}
