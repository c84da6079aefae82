package nn

import "github.com/ictvk/ictvk/vk"

// 2x2 average pooling, the classifier's resolution step. Averaging rather
// than max keeps the backward a fixed, tie-free spread of gy/4.

var (
	avgPool2x2Kernel         = declare("avgpool2x2")
	avgPool2x2BackwardKernel = declare("avgpool2x2_backward")
)

// AvgPool2x2 averages each 2x2 block of x [B,C,H,W], returning
// [B,C,H/2,W/2]; an odd last row or column is dropped (PyTorch's
// avg_pool2d(x, 2)).
func (e *Engine) AvgPool2x2(x *Tensor) *Tensor {
	if len(x.shape) != 4 || x.shape[2] < 2 || x.shape[3] < 2 {
		e.failf("nn: avgpool2x2: x %v must be [B,C,H,W] with H and W at least 2", x.shape)
		return e.placeholder(1)
	}
	h, w := x.shape[2], x.shape[3]
	out := e.newTensor(x.shape[0], x.shape[1], h/2, w/2)
	e.elementwise(avgPool2x2Kernel, out.n, vk.Push(out.n, h, w), x, out)
	if e.recording(x) {
		e.record("avgpool2x2", out, []*Tensor{x}, nil, func(g *Tensor) {
			gx, acc := e.gradTarget(x)
			e.elementwise(avgPool2x2BackwardKernel, x.n, vk.Push(x.n, h, w, boolWord(acc)), g, gx)
		})
	}
	return out
}
