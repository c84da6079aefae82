// Package ref holds float64 CPU reference implementations of every op the
// ictvk U-Net and the iCT loss use, forward and backward, plus the
// counter-based random numbers (Philox4x32-10) the shaders must reproduce.
//
// It exists only so tests can check the GPU shaders: every function is a
// plain loop written for obvious correctness, never for speed, and nothing
// here runs during training.
//
// Conventions shared by every op:
//
//   - Tensors are flat []float64 in row-major order with explicit shape
//     ints; images are NCHW.
//   - A backward function takes the upstream gradient gy (same shape as the
//     forward output) and returns the gradients of sum(y*gy) with respect
//     to each input, in the order the forward takes them.
//   - Inputs are never modified, except by the optimizer steps, which
//     update parameters and moments in place like their GPU counterparts.
//   - Shape mismatches panic with a message naming the op and the operand:
//     the callers are tests, and a panic points at the broken call.
//
// # Random numbers
//
// Random numbers for dropout masks and noise come from Philox4x32-10
// (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011),
// a counter-based generator: element e's bits are a pure function of
// (key, counter), so a shader computes them in any order, two forwards with
// one key draw one mask, and a resumed run redraws exactly.
//
// Layout, which the shaders reproduce bit for bit:
//
//	key     = (uint32(Seed), uint32(Seed >> 32))
//	counter = (e / 4, Step, Layer, stream)
//	word    = Philox4x32(counter, key)[e % 4]
//
// with stream StreamDropout (0) or StreamNormal (1), so one (Seed, Step,
// Layer) can feed both without correlation. Element indices e are flat
// indices into the tensor being masked or filled, below 2^34.
//
// A word u maps to a uniform in the open interval (0,1) as
//
//	U(u) = (u >> 8) * 2^-24 + 2^-25
//
// (24 random bits, centred in their bin: never 0 or 1, so log is finite).
//
// Dropout keeps element e iff U(word) >= p, with word from StreamDropout,
// decided in integers as (word >> 8) >= DropThreshold(p): the host computes
// the threshold once, so keep decisions match the shader exactly.
//
// Normals come from Box-Muller on the pair of words (0,1) or (2,3) of e's
// StreamNormal block: with u1 = U(word[2*(e%4/2)]), u2 = U(word[2*(e%4/2)+1]),
//
//	r = sqrt(-2 ln u1)
//	z = r cos(2 pi u2) for even e%4, r sin(2 pi u2) for odd e%4.
//
// The integer stages are exact; the float stages can match a float32
// shader only to within its rounding of log, sqrt, cos and sin (in float32
// the 25-bit U rounds to 24 bits, and 1-2^-25 becomes 1, giving z = 0).
//
// # Golden cases
//
// golden.go loads the PyTorch-computed cases in testdata/golden/ops so other
// packages' shader tests can reuse them.
package ref
