#version 450
layout(local_size_x_id = 0) in; // before reduce.glsl, which sizes shared memory by it
#include "common.glsl"
#include "reduce.glsl"
// One workgroup per (output element, chunk of the reduced elements):
//   out[g] = scale * sum over the chunk of f(x[off], y[off])
// with f chosen by mode: 0 x, 1 x^2, 2 x y, 3 (x - y)^2, 4 |x - y|.
// Kept and reduced dimensions come as up to four runs each (sizes and
// element strides, row-major with the last run innermost; unused runs have
// size 1). A long reduction runs in two or more launches over fixed
// chunks: the summation order depends only on the shape and the workgroup
// size, so results are reproducible bit for bit.
// With serial 1 (many outputs, few terms each) every invocation instead
// sums one output's terms in order, with no shared memory.
// Inputs are read as texel buffers of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer X;
layout(binding = 1) uniform textureBuffer Y;
layout(std430, binding = 2) buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint nOut; uint nRed; uint chunk; uint nChunks;
  uvec4 keptDim; uvec4 keptStride; uvec4 redDim; uvec4 redStride;
  uint mode; float scale; uint accumulate; uint serial;
} pc;

float term(uint off) {
  float a = texelFloat(X, off);
  switch (pc.mode) {
    case 0u: return a;
    case 1u: return a * a;
    case 2u: return a * texelFloat(Y, off);
    case 3u: { float d = a - texelFloat(Y, off); return d * d; }
    default: return abs(a - texelFloat(Y, off));
  }
}

// term4 is term of the four elements from vec4 index i.
vec4 term4(uint i) {
  vec4 a = texelFetch(X, int(i));
  switch (pc.mode) {
    case 0u: return a;
    case 1u: return a * a;
    case 2u: return a * texelFetch(Y, int(i));
    case 3u: { vec4 d = a - texelFetch(Y, int(i)); return d * d; }
    default: return abs(a - texelFetch(Y, int(i)));
  }
}

// offsetOf returns the element offset of reduced term r from base.
uint offsetOf(uint base, uint r) {
  uint off = base;
  for (int d = 3; d >= 0; d--) {
    off += (r % pc.redDim[d]) * pc.redStride[d];
    r /= pc.redDim[d];
  }
  return off;
}

uint baseOf(uint out_) {
  uint base = 0u;
  for (int d = 3; d >= 0; d--) {
    base += (out_ % pc.keptDim[d]) * pc.keptStride[d];
    out_ /= pc.keptDim[d];
  }
  return base;
}

void main() {
  if (pc.serial != 0u) { // uniform: the whole launch takes this branch
    uint g = elementIndex();
    if (g >= pc.nOut) return;
    uint base = baseOf(g);
    float acc = 0.0;
    for (uint r = 0u; r < pc.nRed; r++) acc += term(offsetOf(base, r));
    float v = pc.scale * acc;
    o[g] = pc.accumulate != 0u ? o[g] + v : v;
    return;
  }
  uint g = workgroupIndex();
  if (g >= pc.nOut * pc.nChunks) return; // the whole group leaves together
  uint out_ = g / pc.nChunks;
  uint chunk = g % pc.nChunks;
  uint base = baseOf(out_);
  uint start = chunk * pc.chunk;
  uint end = min(start + pc.chunk, pc.nRed);
  float acc = 0.0;
  // One contiguous reduced run (a bias's or a broadcast vector's gradient:
  // the sum over each row) needs no index arithmetic per term, and takes
  // vec4s where the chunk is aligned (see VEC in common.glsl; only loads
  // here, through texel buffers). (Uniform branches: the loops a workgroup
  // does not take end at once.)
  bool contiguous = pc.redDim.x == 1u && pc.redDim.y == 1u && pc.redDim.z == 1u && pc.redStride.w == 1u;
  if (contiguous && ((base | start | end) & 3u) == 0u) {
    vec4 acc4 = vec4(0.0);
    for (uint r = start / 4u + gl_LocalInvocationID.x; r < end / 4u; r += gl_WorkGroupSize.x) {
      acc4 += term4(base / 4u + r);
    }
    acc = (acc4.x + acc4.y) + (acc4.z + acc4.w);
  } else if (contiguous) {
    for (uint r = start + gl_LocalInvocationID.x; r < end; r += gl_WorkGroupSize.x) acc += term(base + r);
  } else {
    for (uint r = start + gl_LocalInvocationID.x; r < end; r += gl_WorkGroupSize.x) {
      acc += term(offsetOf(base, r));
    }
  }
  float total = workgroupSum(acc);
  if (gl_LocalInvocationID.x == 0u) {
    float v = pc.scale * total;
    if (pc.accumulate != 0u) v += o[g];
    o[g] = v;
  }
}
