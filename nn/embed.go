package nn

import (
	"math"

	"github.com/ictvk/ictvk/vk"
)

// Sinusoidal embeddings of a per-sample scalar (iCT feeds c_noise(sigma),
// the log of sigma): Gaussian Fourier features with fixed random
// frequencies, or the positional embedding. Both share one kernel that
// works in turns, so angles are reduced exactly before sine and cosine.

var (
	embedKernel         = declare("embed")
	embedBackwardKernel = declare("embed_backward")
)

const (
	embedFourier    uint32 = 0
	embedPositional uint32 = 1
)

// FourierFeatures returns [cos(2 pi f s), sin(2 pi f s)] for s [B] (or
// [B,1]) and frequencies f [M]: out [B,2M] with the M cosines first, as
// ref.FourierFeatures. The frequencies are a fixed tensor the caller draws
// once from N(0, scale^2); gradients flow to s only.
func (e *Engine) FourierFeatures(s, freqs *Tensor) *Tensor {
	if !e.checkScalars("fourier_features", s) {
		return e.placeholder(firstDim(s), 2*freqs.n)
	}
	if len(freqs.shape) != 1 {
		e.failf("nn: fourier_features: frequencies %v must be [M]", freqs.shape)
		return e.placeholder(s.n, 2*freqs.n)
	}
	return e.embed("fourier_features", embedFourier, s, freqs, freqs.n, 0)
}

// FourierFrequencies returns a persistent tensor of m frequencies drawn
// from N(0, scale^2) on the device (iCT: scale 0.02). They are a pure
// function of key, so a resumed run can redraw them instead of storing
// them. Free it when the model is dropped.
func (e *Engine) FourierFrequencies(key RNGKey, m int, scale float32) *Tensor {
	freqs := e.Persistent(m)
	z := e.RandNormal(key, m)
	e.elementwise(affineKernel, m, vk.Push(m, scale, float32(0)), z, freqs)
	return freqs
}

// PositionalEmbedding returns the sinusoidal embedding of s [B] (or
// [B,1]) into [B,channels] as ref.PositionalEmbedding:
// [cos(s f_i), sin(s f_i)] with f_i = (1/maxPositions)^(i/(channels/2)).
func (e *Engine) PositionalEmbedding(s *Tensor, channels int, maxPositions float64) *Tensor {
	if !e.checkScalars("positional_embedding", s) {
		return e.placeholder(firstDim(s), max(channels, 1))
	}
	if channels <= 0 || channels%2 != 0 || !(maxPositions > 0) {
		e.failf("nn: positional_embedding: channels %d must be even and positive, maxPositions %v positive", channels, maxPositions)
		return e.placeholder(s.n, max(channels, 1))
	}
	return e.embed("positional_embedding", embedPositional, s, s, channels/2, float32(-math.Log2(maxPositions)))
}

// checkScalars fails unless s holds one scalar per sample: [B] or [B,1].
func (e *Engine) checkScalars(op string, s *Tensor) bool {
	if len(s.shape) == 0 || len(s.shape) > 2 || s.n != s.shape[0] {
		e.failf("nn: %s: s %v must be [B] or [B,1]", op, s.shape)
		return false
	}
	return true
}

// embed runs the kernel; freqs is bound but unread for the positional mode.
func (e *Engine) embed(op string, mode uint32, s, freqs *Tensor, m int, negLog2Max float32) *Tensor {
	batch := s.n
	out := e.newTensor(batch, 2*m)
	e.elementwise(embedKernel, out.n, vk.Push(out.n, m, mode, negLog2Max), s, freqs, out)
	if e.recording(s) {
		e.record(op, out, []*Tensor{s}, []*Tensor{s, freqs}, func(g *Tensor) {
			gs, acc := e.gradTarget(s)
			e.checkLoops(op+" backward", out.shape, ceilDiv(m, e.Tune.Local)+treeIterations(e.Tune.Local))
			e.dispatch(embedBackwardKernel, []uint32{e.Tune.Local}, e.groups1D(batch, 1),
				vk.Push(batch, m, mode, negLog2Max, boolWord(acc)), s, freqs, g, gs)
		})
	}
	return out
}
