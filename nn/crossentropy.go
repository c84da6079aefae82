package nn

import "github.com/ictvk/ictvk/vk"

// Softmax cross-entropy with integer class labels, fused: one workgroup
// per row finds the row's log-sum-exp (maximum subtracted first) and its
// loss, and the deterministic reduction kernel takes the batch mean, so
// the loss reproduces bit for bit. The backward reuses the saved
// log-sum-exp instead of a second softmax pass.

var (
	crossEntropyKernel         = declare("cross_entropy")
	crossEntropyBackwardKernel = declare("cross_entropy_backward")
)

// SoftmaxCrossEntropy returns mean_b (log sum_j exp(x_bj) - x_b,label_b) as
// a [1] tensor, for logits x [B, classes] and labels [B] holding whole
// numbers in [0, classes) as floats. A label outside that range makes the
// loss NaN. Gradients flow to x only.
func (e *Engine) SoftmaxCrossEntropy(x, labels *Tensor) *Tensor {
	if len(x.shape) != 2 || len(labels.shape) != 1 || labels.shape[0] != x.shape[0] {
		e.failf("nn: softmax_cross_entropy: logits %v and labels %v: want [B, classes] and [B]", x.shape, labels.shape)
		return e.placeholder(1)
	}
	batch, classes := x.shape[0], x.shape[1]
	rowLoss := e.newTensor(batch)
	lse := e.newTensor(batch)
	local := e.rowLocal("softmax_cross_entropy", x.shape, classes, func(l uint32) int { return 2*ceilDiv(classes, l) + 2*treeIterations(l) })
	e.reduceRows(crossEntropyKernel, batch, local, vk.Push(batch, classes), x, labels, rowLoss, lse)
	invBatch := float32(1 / float64(batch))
	out := e.newTensor(1)
	e.reduceInto(out, false, rowLoss, rowLoss, []int{batch}, []bool{true}, reduceSum, invBatch)
	e.recycle(rowLoss)
	defer e.recycle(lse) // the tape keeps it if it saves it
	if e.recording(x) {
		e.record("softmax_cross_entropy", out, []*Tensor{x}, []*Tensor{x, labels, lse}, func(g *Tensor) {
			gx, acc := e.gradTarget(x)
			push := vk.Push(x.n, classes, invBatch, boolWord(acc))
			e.elementwise(crossEntropyBackwardKernel, x.n, push, x, labels, lse, g, gx)
		})
	}
	return out
}
