package nn

import "github.com/ictvk/ictvk/vk"

// Clamp limits values to a range: consistency sampling clamps each step's
// denoised images to the data range [-1, 1] before re-noising them.

var (
	clampKernel         = declare("clamp")
	clampBackwardKernel = declare("clamp_backward")
)

// Clamp returns min(max(x, lo), hi) elementwise; a NaN stays NaN. The
// gradient passes where lo <= x <= hi and is zero where x was clamped.
func (e *Engine) Clamp(x *Tensor, lo, hi float32) *Tensor {
	if !(lo <= hi) {
		e.failf("nn: clamp: the range [%v, %v] is empty", lo, hi)
		return e.placeholder(x.shape...)
	}
	out := e.newTensor(x.shape...)
	e.elementwise(clampKernel, x.n, vk.Push(x.n, lo, hi), x, out)
	if e.recording(x) {
		e.record("clamp", out, []*Tensor{x}, []*Tensor{x}, func(g *Tensor) {
			gx, acc := e.gradTarget(x)
			e.elementwise(clampBackwardKernel, x.n, vk.Push(x.n, lo, hi, boolWord(acc)), x, g, gx)
		})
	}
	return out
}
