package nn

import "github.com/ictvk/ictvk/vk"

// Nearest-neighbour 2x upsampling, the U-Net decoder's resolution step.

var (
	upsample2xKernel         = declare("upsample2x")
	upsample2xBackwardKernel = declare("upsample2x_backward")
)

// Upsample2x repeats every pixel of x [B,C,H,W] into a 2x2 block,
// returning [B,C,2H,2W].
func (e *Engine) Upsample2x(x *Tensor) *Tensor {
	if len(x.shape) != 4 {
		e.failf("nn: upsample2x: x %v must be [B,C,H,W]", x.shape)
		return e.placeholder(x.shape...)
	}
	h, w := x.shape[2], x.shape[3]
	out := e.newTensor(x.shape[0], x.shape[1], 2*h, 2*w)
	// With rows of whole vec4s an invocation takes 4 input pixels (16
	// outputs, or 4 of the gradient's).
	vec := w%4 == 0
	if vec {
		e.dispatch(upsample2xKernel, []uint32{e.Tune.Local, 4}, e.groups1D(x.n/4, e.Tune.Local), vk.Push(out.n, h, w), x, out)
	} else {
		e.elementwise(upsample2xKernel, out.n, vk.Push(out.n, h, w), x, out)
	}
	if e.recording(x) {
		e.record("upsample2x", out, []*Tensor{x}, nil, func(g *Tensor) {
			gx, acc := e.gradTarget(x)
			e.elementwiseVec(upsample2xBackwardKernel, x.n, vec, vk.Push(x.n, h, w, boolWord(acc)), g, gx)
		})
	}
	return out
}
