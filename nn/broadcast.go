package nn

import "github.com/ictvk/ictvk/vk"

// Broadcasting a small tensor over a large one: a per-(sample, channel)
// vector v [B,C] over an image x [B,C,H,W] (how the U-Net adds the noise
// embedding), or a per-sample scalar s [B] over a whole sample (how the
// parameterization applies c_skip, c_out and c_in). Both are the same
// kernel: v's elements each cover a run of `inner` consecutive elements.

// broadcastKernel computes a*x + v or a*x*v with v broadcast; it adds into
// its output in backward passes.
var broadcastKernel = declare("broadcast")

const (
	broadcastAdd uint32 = 0
	broadcastMul uint32 = 1
)

// AddChannel returns x[b,c,h,w] + v[b,c] for x [B,C,H,W] and v [B,C].
func (e *Engine) AddChannel(x, v *Tensor) *Tensor {
	return e.broadcast("add_channel", broadcastAdd, x, v, e.checkChannel("add_channel", x, v))
}

// MulChannel returns x[b,c,h,w] * v[b,c] for x [B,C,H,W] and v [B,C].
func (e *Engine) MulChannel(x, v *Tensor) *Tensor {
	return e.broadcast("mul_channel", broadcastMul, x, v, e.checkChannel("mul_channel", x, v))
}

// AddSample returns x[b,...] + s[b] for s of shape [B] or [B,1].
func (e *Engine) AddSample(x, s *Tensor) *Tensor {
	return e.broadcast("add_sample", broadcastAdd, x, s, e.checkSample("add_sample", x, s))
}

// MulSample returns x[b,...] * s[b] for s of shape [B] or [B,1]: per-sample
// scalars such as c_skip(sigma_b).
func (e *Engine) MulSample(x, s *Tensor) *Tensor {
	return e.broadcast("mul_sample", broadcastMul, x, s, e.checkSample("mul_sample", x, s))
}

// checkChannel fails unless x is [B,C,H,W] and v is [B,C] (or [B,C,1,1]).
func (e *Engine) checkChannel(op string, x, v *Tensor) bool {
	if len(x.shape) != 4 || len(v.shape) < 2 || v.shape[0] != x.shape[0] || v.shape[1] != x.shape[1] || v.n != x.shape[0]*x.shape[1] {
		e.failf("nn: %s: x %v must be [B,C,H,W] and v %v must be [B,C]", op, x.shape, v.shape)
		return false
	}
	return true
}

// checkSample fails unless s holds one value per sample of x: [B] or [B,1,...].
func (e *Engine) checkSample(op string, x, s *Tensor) bool {
	if len(x.shape) == 0 || len(s.shape) == 0 || s.shape[0] != x.shape[0] || s.n != x.shape[0] {
		e.failf("nn: %s: x %v needs one scalar per sample, s [%d], got s %v", op, x.shape, firstDim(x), s.shape)
		return false
	}
	return true
}

func firstDim(t *Tensor) int {
	if len(t.shape) == 0 {
		return 0
	}
	return t.shape[0]
}

func (e *Engine) broadcast(op string, mode uint32, x, v *Tensor, ok bool) *Tensor {
	if !ok {
		return e.placeholder(x.shape...)
	}
	inner := x.n / v.n
	out := e.newTensor(x.shape...)
	e.elementwiseVec(broadcastKernel, x.n, inner%4 == 0, vk.Push(x.n, inner, mode, float32(1), uint32(0), v.n), x, v, out)
	if e.recording(x, v) {
		var saves []*Tensor // g alone gives the gradients of a sum
		if mode == broadcastMul {
			saves = []*Tensor{when(needsGrad(x), v), when(needsGrad(v), x)}
		}
		e.record(op, out, []*Tensor{x, v}, saves, func(g *Tensor) {
			if needsGrad(x) {
				if mode == broadcastAdd {
					e.accumulate(x, g)
				} else {
					gx, acc := e.gradTarget(x)
					e.elementwiseVec(broadcastKernel, x.n, inner%4 == 0, vk.Push(x.n, inner, mode, float32(1), boolWord(acc), v.n), g, v, gx)
				}
			}
			if needsGrad(v) {
				// gv sums g (add) or g*x (mul) over each broadcast run.
				gv, acc := e.gradTarget(v)
				rows := []int{v.n, inner}
				if mode == broadcastAdd {
					e.reduceInto(gv, acc, g, g, rows, []bool{false, true}, reduceSum, 1)
				} else {
					e.reduceInto(gv, acc, g, x, rows, []bool{false, true}, reduceProduct, 1)
				}
			}
		})
	}
	return out
}

// scaleBySample returns a * x[i] * s[i/inner] without recording (backward
// passes).
func (e *Engine) scaleBySample(x, s *Tensor, a float32, dst *Tensor, acc bool) {
	e.elementwiseVec(broadcastKernel, x.n, (x.n/s.n)%4 == 0, vk.Push(x.n, x.n/s.n, broadcastMul, a, boolWord(acc), s.n), x, s, dst)
}

// AddBias returns x + b with b [C] added along x's second axis: the bias of
// a linear layer (x [N, C]) or of a convolution (x [B, C, H, W]).
func (e *Engine) AddBias(x, b *Tensor) *Tensor {
	if len(x.shape) < 2 || len(b.shape) != 1 || b.shape[0] != x.shape[1] {
		e.failf("nn: add bias: bias %v for x %v: want [%d]", b.shape, x.shape, dim(x.shape, 1))
		return e.placeholder(x.shape...)
	}
	inner := x.n / (x.shape[0] * x.shape[1])
	out := e.newTensor(x.shape...)
	e.elementwiseVec(broadcastKernel, x.n, inner%4 == 0, vk.Push(x.n, inner, broadcastAdd, float32(1), uint32(0), b.n), x, b, out)
	if e.recording(x, b) {
		e.record("add bias", out, []*Tensor{x, b}, nil, func(g *Tensor) {
			e.accumulate(x, g)
			if needsGrad(b) {
				gb, acc := e.gradTarget(b)
				e.reduceInto(gb, acc, g, g, []int{x.shape[0], x.shape[1], inner}, []bool{true, false, true}, reduceSum, 1)
			}
		})
	}
	return out
}

func dim(shape []int, i int) int {
	if i < len(shape) {
		return shape[i]
	}
	return 0
}
