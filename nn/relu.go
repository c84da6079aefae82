package nn

import "github.com/ictvk/ictvk/vk"

// ReLU, for the FID Inception network (eval/inception). Inference only:
// no op of ictvk's training uses it, so it has no backward.

var reluKernel = declare("relu")

// ReLU returns max(x, 0) elementwise. It fails when x needs a gradient.
func (e *Engine) ReLU(x *Tensor) *Tensor {
	if e.recording(x) {
		e.failf("nn: relu: inference only, but x %v needs a gradient (use NoGrad)", x.shape)
		return e.placeholder(x.shape...)
	}
	out := e.newTensor(x.shape...)
	e.elementwise(reluKernel, out.n, vk.Push(out.n), x, out)
	return out
}
