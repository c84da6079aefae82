#version 450
// GroupNorm forward, one workgroup per (sample, group): the group's
// cpg*hw values are contiguous in NCHW. Two passes give the mean, then the
// centered sum of squares with the rounding error of the mean subtracted
// (biased variance, as PyTorch); a third writes
// y = (x - mean) * rstd * gamma[c] + beta[c], and mean and rstd are kept
// for the backward pass.
layout(local_size_x_id = 0) in;
#include "reduce.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 2) readonly buffer Beta { float beta[]; };
layout(std430, binding = 3) writeonly buffer Y { float y[]; };
layout(std430, binding = 4) writeonly buffer Mean { float meanOut[]; };
layout(std430, binding = 5) writeonly buffer Rstd { float rstdOut[]; };
// count = batch * groups, hw = H*W, cpg = channels per group.
layout(push_constant) uniform Push { uint count; uint hw; uint cpg; uint groups; float eps; } pc;

void main() {
  uint bg = workgroupIndex();
  if (bg >= pc.count) return;
  uint t = gl_LocalInvocationID.x;
  uint local = gl_WorkGroupSize.x;
  uint m = pc.cpg * pc.hw;
  uint base = bg * m;

  float s = 0.0;
  for (uint j = t; j < m; j += local) s += x[base + j];
  float mean = workgroupSum(s) / float(m);

  vec2 d = vec2(0.0);
  for (uint j = t; j < m; j += local) {
    float v = x[base + j] - mean;
    d += vec2(v, v * v);
  }
  d = workgroupSum2(d);
  float variance = max((d.y - d.x * d.x / float(m)) / float(m), 0.0);
  float rstd = 1.0 / sqrt(variance + pc.eps);
  if (t == 0u) {
    meanOut[bg] = mean;
    rstdOut[bg] = rstd;
  }

  uint c0 = (bg % pc.groups) * pc.cpg;
  for (uint k = 0u; k < pc.cpg; k++) {
    uint off = base + k * pc.hw;
    float a = rstd * gamma[c0 + k], b = beta[c0 + k];
    for (uint p = t; p < pc.hw; p += local) y[off + p] = (x[off + p] - mean) * a + b;
  }
}
