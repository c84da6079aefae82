package nn

import "github.com/ictvk/ictvk/vk"

var (
	addKernel          = declare("add")
	mulKernel          = declare("mul")
	addIntoKernel      = declare("add_into")
	affineKernel       = declare("affine")
	siluKernel         = declare("silu")
	siluBackwardKernel = declare("silu_backward")
)

// checkSame fails unless a and b have one shape.
func (e *Engine) checkSame(op string, a, b *Tensor) bool {
	if !sameShape(a.shape, b.shape) {
		e.failf("nn: %s: shapes %v and %v differ", op, a.shape, b.shape)
		return false
	}
	return true
}

// add returns a + b without recording (backward passes use it).
func (e *Engine) add(a, b *Tensor) *Tensor { return e.addScaled(a, b, 1) }

// addScaled returns (a + b) * s without recording.
func (e *Engine) addScaled(a, b *Tensor, s float32) *Tensor {
	out := e.newTensor(a.shape...)
	e.elementwiseVec(addKernel, a.n, true, vk.Push(a.n, s), a, b, out)
	return out
}

// addInto records a += b.
func (e *Engine) addInto(a, b *Tensor) {
	e.elementwiseVec(addIntoKernel, a.n, true, vk.Push(a.n), a, b)
}

// Add returns a + b (same shapes).
func (e *Engine) Add(a, b *Tensor) *Tensor {
	if !e.checkSame("add", a, b) {
		return e.placeholder(a.shape...)
	}
	out := e.add(a, b)
	if e.recording(a, b) {
		e.record("add", out, []*Tensor{a, b}, nil, func(g *Tensor) {
			e.accumulate(a, g)
			e.accumulate(b, g)
		})
	}
	return out
}

// AddScaled returns (a + b) * s (same shapes), Scale(Add(a, b), s) in one
// kernel: a residual sum scaled by 1/sqrt(2), as DDPM++ blocks end.
func (e *Engine) AddScaled(a, b *Tensor, s float32) *Tensor {
	if !e.checkSame("add_scaled", a, b) {
		return e.placeholder(a.shape...)
	}
	out := e.addScaled(a, b, s)
	if e.recording(a, b) {
		e.record("add_scaled", out, []*Tensor{a, b}, nil, func(g *Tensor) {
			g = e.affine(g, s, 0)
			e.accumulate(a, g)
			e.accumulate(b, g)
		})
	}
	return out
}

// Mul returns a * b elementwise (same shapes).
func (e *Engine) Mul(a, b *Tensor) *Tensor {
	if !e.checkSame("mul", a, b) {
		return e.placeholder(a.shape...)
	}
	out := e.newTensor(a.shape...)
	e.elementwiseVec(mulKernel, a.n, true, vk.Push(a.n), a, b, out)
	if e.recording(a, b) {
		e.record("mul", out, []*Tensor{a, b}, []*Tensor{when(needsGrad(a), b), when(needsGrad(b), a)}, func(g *Tensor) {
			if needsGrad(a) {
				ga := e.newTensor(a.shape...)
				e.elementwiseVec(mulKernel, a.n, true, vk.Push(a.n), g, b, ga)
				e.accumulate(a, ga)
			}
			if needsGrad(b) {
				gb := e.newTensor(b.shape...)
				e.elementwiseVec(mulKernel, b.n, true, vk.Push(b.n), g, a, gb)
				e.accumulate(b, gb)
			}
		})
	}
	return out
}

// affine returns s*x + c without recording.
func (e *Engine) affine(x *Tensor, s, c float32) *Tensor {
	out := e.newTensor(x.shape...)
	e.elementwiseVec(affineKernel, x.n, true, vk.Push(x.n, s, c), x, out)
	return out
}

// Scale returns s * x.
func (e *Engine) Scale(x *Tensor, s float32) *Tensor { return e.Affine(x, s, 0) }

// Affine returns s*x + c.
func (e *Engine) Affine(x *Tensor, s, c float32) *Tensor {
	out := e.affine(x, s, c)
	if e.recording(x) {
		e.record("affine", out, []*Tensor{x}, nil, func(g *Tensor) {
			e.accumulate(x, e.affine(g, s, 0))
		})
	}
	return out
}

// Sub returns a - b.
func (e *Engine) Sub(a, b *Tensor) *Tensor { return e.Add(a, e.Scale(b, -1)) }

// SiLU returns x * sigmoid(x).
func (e *Engine) SiLU(x *Tensor) *Tensor {
	out := e.newTensor(x.shape...)
	e.elementwiseVec(siluKernel, x.n, true, vk.Push(x.n), x, out)
	if e.recording(x) {
		e.record("silu", out, []*Tensor{x}, []*Tensor{x}, func(g *Tensor) {
			gx, acc := e.gradTarget(x)
			e.elementwiseVec(siluBackwardKernel, x.n, true, vk.Push(x.n, boolWord(acc)), x, g, gx)
		})
	}
	return out
}

func boolWord(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
