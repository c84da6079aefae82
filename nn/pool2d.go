package nn

import "github.com/ictvk/ictvk/vk"

// Windowed pooling with a stride and padding, for the FID Inception
// network (eval/inception). Inference only: the training code pools with
// AvgPool2x2, so these have no backward.

var pool2dKernel = declare("pool2d")

// MaxPool2d is PyTorch's max_pool2d(x, k, stride, pad) of x [B,C,H,W]
// (floor mode; padding never wins). It fails when x needs a gradient.
func (e *Engine) MaxPool2d(x *Tensor, k, stride, pad int) *Tensor {
	return e.pool2d("maxpool2d", true, x, k, stride, pad)
}

// AvgPool2d is PyTorch's avg_pool2d(x, k, stride, pad,
// count_include_pad=False) of x [B,C,H,W]: each window averages the pixels
// inside the image only. It fails when x needs a gradient.
func (e *Engine) AvgPool2d(x *Tensor, k, stride, pad int) *Tensor {
	return e.pool2d("avgpool2d", false, x, k, stride, pad)
}

func (e *Engine) pool2d(op string, isMax bool, x *Tensor, k, stride, pad int) *Tensor {
	if len(x.shape) != 4 || k < 1 || stride < 1 || pad < 0 || pad > k/2 || x.shape[2]+2*pad < k || x.shape[3]+2*pad < k {
		e.failf("nn: %s: x %v, window %d, stride %d, pad %d: want x [B,C,H,W], window and stride >= 1, 0 <= pad <= window/2 and a window that fits the padded image", op, x.shape, k, stride, pad)
		return e.placeholder(1)
	}
	if e.recording(x) {
		e.failf("nn: %s: inference only, but x %v needs a gradient (use NoGrad)", op, x.shape)
		return e.placeholder(1)
	}
	h, w := x.shape[2], x.shape[3]
	ho, wo := (h+2*pad-k)/stride+1, (w+2*pad-k)/stride+1
	out := e.newTensor(x.shape[0], x.shape[1], ho, wo)
	local := e.Tune.Local
	e.checkLoops(op, x.shape, k*(k+1)) // a row of the window, then the window
	e.dispatch(pool2dKernel, []uint32{local, boolWord(isMax)}, e.groups1D(out.n, local),
		vk.Push(out.n, h, w, ho, wo, k, stride, pad), x, out)
	return out
}
