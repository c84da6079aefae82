package nn

import (
	"math"

	"github.com/ictvk/ictvk/vk"
)

// Counter-based randomness on the device: dropout masks and Gaussian noise
// from Philox4x32-10 keyed by (seed, step, layer), laid out exactly as
// nn/internal/ref documents. An element's random bits are a pure function
// of its key and index, so two forwards with one key draw one mask (the
// iCT teacher and student), the backward pass regenerates the mask instead
// of storing it, and a resumed run redraws the same numbers.

var (
	dropoutKernel = declare("dropout", 32, vk.Read, vk.ReadWrite)
	normalKernel  = declare("normal", 20, vk.Write)
)

// RNGKey names one draw of random numbers: the run's seed, the training
// step, and the layer (a dropout site's index, or an index reserved for a
// noise draw). Dropout and normals use separate Philox streams, so one key
// may serve both.
type RNGKey struct {
	Seed  uint64
	Step  uint32
	Layer uint32
}

// dropThreshold is the number of 24-bit values k with (k + 0.5) 2^-24 < p:
// element e is dropped iff (word_e >> 8) < dropThreshold(p), which is
// U(word_e) < p decided in integers (ref.DropThreshold).
func dropThreshold(p float64) uint32 {
	t := math.Ceil(p*0x1p24 - 0.5)
	return uint32(min(max(t, 0), 0x1p24))
}

// Dropout returns x*mask/(1-p), the mask drawn from key: each element is
// dropped with probability p. p must be in [0, 1); p = 0 returns x.
func (e *Engine) Dropout(x *Tensor, key RNGKey, p float64) *Tensor {
	if !(p >= 0 && p < 1) {
		e.failf("nn: dropout of %v: probability %v outside [0, 1)", x.shape, p)
		return e.placeholder(x.shape...)
	}
	if p == 0 {
		return x
	}
	thr, scale := dropThreshold(p), float32(1/(1-p))
	out := e.newTensor(x.shape...)
	e.dropout(x, out, key, thr, scale, false)
	if e.recording(x) {
		// The backward draws the mask again from the key: nothing saved.
		e.record("dropout", out, []*Tensor{x}, nil, func(g *Tensor) {
			gx, acc := e.gradTarget(x)
			e.dropout(g, gx, key, thr, scale, acc)
		})
	}
	return out
}

func (e *Engine) dropout(x, dst *Tensor, key RNGKey, thr uint32, scale float32, acc bool) {
	push := vk.Push(x.n, uint32(key.Seed), uint32(key.Seed>>32), key.Step, key.Layer, thr, scale, boolWord(acc))
	e.elementwise(dropoutKernel, (x.n+3)/4, push, x, dst)
}

// RandNormal returns a tensor of standard normals drawn from key (element
// e is ref.Normal(key, e) up to float32 rounding). It is a constant: no
// gradient flows to it.
func (e *Engine) RandNormal(key RNGKey, shape ...int) *Tensor {
	out := e.newTensor(shape...)
	e.elementwise(normalKernel, (out.n+3)/4, vk.Push(out.n, uint32(key.Seed), uint32(key.Seed>>32), key.Step, key.Layer), out)
	return out
}
