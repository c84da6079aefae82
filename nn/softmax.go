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
	n := x.shape[len(x.shape)-1]
	rows := x.n / max(n, 1)
	if local == 0 {
		// Forward: three sweeps of the row and two trees; backward: two and one.
		local = e.rowLocal("softmax", x.shape, n, func(l uint32) int { return 3*ceilDiv(n, l) + 2*treeIterations(l) })
	}
	y := e.newTensor(x.shape...)
	e.reduceRowsVec(softmaxKernel, rows, local, n%4 == 0, vk.Push(rows, n), x, y)
	if e.recording(x) {
		e.record("softmax", y, []*Tensor{x}, []*Tensor{y}, func(gy *Tensor) {
			gx, acc := e.gradTarget(x)
			e.reduceRowsVec(softmaxBackwardKernel, rows, local, n%4 == 0, vk.Push(rows, n, boolWord(acc)), y, gy, gx)
		})
	}
	return y
}
