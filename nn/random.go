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
	dropoutKernel = declare("dropout")
	normalKernel  = declare("normal")
)

// RNGKey names one draw of random numbers: the run's seed, the training
// step, and the layer (a dropout site's index, or an index reserved for a
// noise draw). Dropout and normals use separate Philox streams, so one key
// may serve both.
//
// FirstSample places a tensor inside a larger batch: a tensor of shape
// [b, ...] drawn with FirstSample s gets the numbers of rows s..s+b-1 of
// the same draw over the whole batch, so a batch split into micro-batches
// or chunks draws exactly the noise and masks of the unsplit one.
type RNGKey struct {
	Seed        uint64
	Step        uint32
	Layer       uint32
	FirstSample int
}

// offset is the stream index of element 0 of a tensor of the given shape
// drawn with k: FirstSample rows of shape[1:] into the stream.
func (k RNGKey) offset(shape []int) (uint32, bool) {
	if k.FirstSample == 0 || len(shape) == 0 {
		return 0, true
	}
	row := numel(shape[1:])
	off := uint64(k.FirstSample) * uint64(row)
	end := off + uint64(numel(shape))
	if k.FirstSample < 0 || end > 1<<32 {
		return 0, false
	}
	return uint32(off), true
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
	off, ok := key.offset(x.shape)
	if !ok {
		e.failf("nn: dropout of %v from sample %d: past the 2^32 elements of one random stream", x.shape, key.FirstSample)
		return
	}
	push := vk.Push(x.n, uint32(key.Seed), uint32(key.Seed>>32), key.Step, key.Layer, thr, scale, boolWord(acc), off)
	e.elementwise(dropoutKernel, blocksOf(off, x.n), push, x, dst)
}

// blocksOf is the number of Philox blocks of four stream elements that
// elements off..off+n-1 touch.
func blocksOf(off uint32, n int) int {
	return int((uint64(off)+uint64(n)+3)/4 - uint64(off)/4)
}

// RandNormal returns a tensor of standard normals drawn from key (element
// e is ref.Normal(key, e) up to float32 rounding). It is a constant: no
// gradient flows to it.
func (e *Engine) RandNormal(key RNGKey, shape ...int) *Tensor {
	out := e.newTensor(shape...)
	off, ok := key.offset(shape)
	if !ok {
		e.failf("nn: normals %v from sample %d: past the 2^32 elements of one random stream", shape, key.FirstSample)
		return out
	}
	e.elementwise(normalKernel, blocksOf(off, out.n), vk.Push(out.n, uint32(key.Seed), uint32(key.Seed>>32), key.Step, key.Layer, off), out)
	return out
}
