package nn

import "github.com/ictvk/ictvk/vk"

// Bilinear resizing, for the FID Inception network's 299x299 input
// (eval/inception). Inference only: no backward.

var resizeBilinearKernel = declare("resize_bilinear")

// ResizeBilinear resizes x [B,C,H,W] to [B,C,h,w] as PyTorch's
// F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False). It
// fails when x needs a gradient.
func (e *Engine) ResizeBilinear(x *Tensor, h, w int) *Tensor {
	if len(x.shape) != 4 || h < 1 || w < 1 {
		e.failf("nn: resize_bilinear: x %v to %dx%d: want x [B,C,H,W] and a positive size", x.shape, h, w)
		return e.placeholder(1)
	}
	if e.recording(x) {
		e.failf("nn: resize_bilinear: inference only, but x %v needs a gradient (use NoGrad)", x.shape)
		return e.placeholder(1)
	}
	out := e.newTensor(x.shape[0], x.shape[1], h, w)
	e.elementwise(resizeBilinearKernel, out.n, vk.Push(out.n, x.shape[2], x.shape[3], h, w), x, out)
	return out
}
