package nn

import "github.com/ictvk/ictvk/vk"

var (
	softmaxKernel         = declare("softmax")
	softmaxBackwardKernel = declare("softmax_backward")
)

// Softmax returns the softmax of x over its last dimension, with the row
// maximum subtracted first so that large scores do not overflow.
func (e *Engine) Softmax(x *Tensor) *Tensor { return e.softmax(x, 0) }

// softmax is Softmax with workgroups of local invocations (0: the engine's
// choice); tests run the reduction tree at sizes the device would not
// choose.
func (e *Engine) softmax(x *Tensor, local uint32) *Tensor {
	if len(x.shape) == 0 {
		e.failf("nn: softmax: x %v has no last dimension", x.shape)
		return e.placeholder(x.shape...)
	}
	if local == 0 {
		local = e.softmaxLocal(x.shape)
	}
	y := e.newTensor(x.shape...)
	n := x.shape[len(x.shape)-1]
	rows := x.n / max(n, 1)
	e.reduceRowsVec(softmaxKernel, rows, local, n%4 == 0, vk.Push(rows, n), x, y)
	if e.recording(x) {
		e.record("softmax", y, []*Tensor{x}, []*Tensor{y}, func(gy *Tensor) {
			gx, acc := e.gradTarget(x)
			e.softmaxBackwardInto(y, gy, gx, local, acc)
		})
	}
	return y
}

// softmaxLocal is the engine's workgroup size for softmax rows of the last
// dimension of shape.
func (e *Engine) softmaxLocal(shape []int) uint32 {
	n := shape[len(shape)-1]
	// Forward: three sweeps of the row and two trees; backward: two and one.
	return e.rowLocal("softmax", shape, n, func(l uint32) int { return 3*ceilDiv(n, l) + 2*treeIterations(l) })
}

// softmaxBackwardInto records gx (+)= the gradient of sum(y * gy) with
// respect to x, for y = softmax(x) over the last dimension, off the tape.
func (e *Engine) softmaxBackwardInto(y, gy, gx *Tensor, local uint32, accumulate bool) {
	n := y.shape[len(y.shape)-1]
	rows := y.n / max(n, 1)
	e.reduceRowsVec(softmaxBackwardKernel, rows, local, n%4 == 0, vk.Push(rows, n, boolWord(accumulate)), y, gy, gx)
}
