package nn

import (
	"fmt"

	"github.com/ictvk/ictvk/nn/internal/kern"
	"github.com/ictvk/ictvk/vk"
)

// Convolutions run on kern's implicit-GEMM kernels: no unfolded copy of
// the input is ever stored.

// convGeom is the geometry of one convolution.
type convGeom struct {
	b, cin, h, w, cout, kh, kw, stride, padH, padW, ho, wo int
}

func (g convGeom) p() int { return g.ho * g.wo } // output positions per sample

// Conv2d returns the 2-D convolution of x [B, Cin, H, W] with w [Cout, Cin,
// kh, kw] plus bias b [Cout] (or nil), zero padding pad on every side.
func (e *Engine) Conv2d(x, w, b *Tensor, stride, pad int) *Tensor {
	return e.Conv2dPad(x, w, b, stride, pad, pad)
}

// Conv2dPad is Conv2d with padH zero rows above and below and padW zero
// columns left and right (PyTorch's padding=(padH, padW)), as Inception's
// 1x7 and 7x1 convolutions use.
func (e *Engine) Conv2dPad(x, w, b *Tensor, stride, padH, padW int) *Tensor {
	g, ok := e.convGeom(x, w, b, stride, padH, padW)
	if !ok {
		return e.placeholder(1)
	}
	y := e.newTensor(g.b, g.cout, g.ho, g.wo)
	k := e.kernels()
	if e.err == nil {
		var bias vk.Range
		if b != nil {
			bias = b.rng()
		}
		if err := k.Conv2d(e.S, x.rng(), w.rng(), bias, y.rng(), g.params()); err != nil {
			e.fail(err)
		}
	}
	if e.recording(x, w, b) {
		e.record("conv2d", y, []*Tensor{x, w, b}, []*Tensor{when(needsGrad(w), x), when(needsGrad(x), w)}, func(gy *Tensor) { e.conv2dBackward(x, w, b, gy, g) })
	}
	return y
}

func (g convGeom) params() kern.ConvParams {
	return kern.ConvParams{B: g.b, Cin: g.cin, H: g.h, W: g.w, Cout: g.cout, KH: g.kh, KW: g.kw, Stride: g.stride, PadH: g.padH, PadW: g.padW}
}

func (e *Engine) conv2dBackward(x, w, b, gy *Tensor, g convGeom) {
	k := e.kernels()
	if e.err != nil {
		return
	}
	p := g.params()
	// On lavapipe a strided convolution's gradients may run as those of a
	// same convolution, from gy spread over x's pixels, on pipelines the
	// stride-1 layers already built (see kern.DilatedGradients).
	gyX, pX, gyW, pW := gy, p, gy, p
	if dilX, dilW := k.DilatedGradients(p); (dilX && needsGrad(x)) || (dilW && needsGrad(w)) {
		dilated := e.newTensor(g.b, g.cout, g.h, g.w)
		defer dilated.Free()
		if err := k.DilateGradOutput(e.S, gy.rng(), dilated.rng(), p); err != nil {
			e.fail(err)
			return
		}
		if dilX {
			gyX, pX = dilated, p.Dilated()
		}
		if dilW {
			gyW, pW = dilated, p.Dilated()
		}
	}
	var gw, gb *Tensor
	var accW, accB bool
	if needsGrad(w) {
		gw, accW = e.gradTarget(w)
	}
	if needsGrad(b) {
		gb, accB = e.gradTarget(b)
	}
	if gw != nil && gb != nil && accW == accB {
		// One launch where kern can (its same-convolution kernel sums
		// the bias's gradient on the way).
		if err := k.Conv2dGradWeight(e.S, x.rng(), gyW.rng(), gw.rng(), gb.rng(), pW, accW); err != nil {
			e.fail(err)
		}
	} else {
		if gb != nil {
			// One pass with vector loads: the generic strided reduction
			// took two passes and 7% of a small U-Net's step.
			if err := k.Conv2dBiasGrad(e.S, gy.rng(), gb.rng(), p, accB); err != nil {
				e.fail(err)
			}
		}
		if gw != nil {
			if err := k.Conv2dGradWeight(e.S, x.rng(), gyW.rng(), gw.rng(), vk.Range{}, pW, accW); err != nil {
				e.fail(err)
			}
		}
	}
	if needsGrad(x) {
		if x.grad != nil && g.stride > 1 && k.Variant() == kern.CPU {
			// Adding into x's gradient is, for a strided grad input (whose
			// columns are not runs of four pixels), a scalar
			// read-modify-write of the whole register tile: lavapipe takes
			// three times as long to compile that variant (16x32 tiles:
			// 29 s against 9 s), and there is one per phase, four for
			// stride 2. Writing a temporary and adding it costs one
			// elementwise pass (about 1 ms a step for the mnist preset).
			// The dilated input gradient takes the same way, so that it
			// needs no accumulating variant of its pipeline either.
			tmp := e.newTensor(x.shape...)
			if err := k.Conv2dGradInput(e.S, gyX.rng(), w.rng(), tmp.rng(), pX, false); err != nil {
				e.fail(err)
			}
			e.accumulate(x, tmp)
			return
		}
		gx, acc := e.gradTarget(x)
		if err := k.Conv2dGradInput(e.S, gyX.rng(), w.rng(), gx.rng(), pX, acc); err != nil {
			e.fail(err)
		}
	}
}

// convGeom checks the operands of a convolution and describes it.
func (e *Engine) convGeom(x, w, b *Tensor, stride, padH, padW int) (convGeom, bool) {
	bad := func() (convGeom, bool) {
		var bs []int
		if b != nil {
			bs = b.shape
		}
		e.failf("nn: conv2d: x %v, weight %v, bias %v, stride %d, pad %s: want x [B, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout], stride >= 1, pad >= 0 and a kernel that fits the padded image",
			x.shape, w.shape, bs, stride, padString(padH, padW))
		return convGeom{}, false
	}
	if len(x.shape) != 4 || len(w.shape) != 4 || x.shape[1] != w.shape[1] || stride < 1 || padH < 0 || padW < 0 {
		return bad()
	}
	if b != nil && (len(b.shape) != 1 || b.shape[0] != w.shape[0]) {
		return bad()
	}
	g := convGeom{b: x.shape[0], cin: x.shape[1], h: x.shape[2], w: x.shape[3], cout: w.shape[0], kh: w.shape[2], kw: w.shape[3], stride: stride, padH: padH, padW: padW}
	g.ho = (g.h+2*padH-g.kh)/stride + 1
	g.wo = (g.w+2*padW-g.kw)/stride + 1
	if g.h+2*padH < g.kh || g.w+2*padW < g.kw || g.ho < 1 || g.wo < 1 {
		return bad()
	}
	return g, true
}

// padString shows a padding as one number when both axes agree.
func padString(padH, padW int) string {
	if padH == padW {
		return fmt.Sprint(padH)
	}
	return fmt.Sprintf("(%d, %d)", padH, padW)
}
