package ref

import (
	"fmt"
	"math"
)

// FourierFeatures embeds a per-sample scalar s[B] (iCT feeds ln sigma) with
// fixed random frequencies f[M] into out [B,2M]:
//
//	out[b, m]   = cos(2 pi f[m] s[b])
//	out[b, M+m] = sin(2 pi f[m] s[b])
//
// Cosines come first, as in EDM's FourierEmbedding (its NCSN++ port); the
// original NCSN++ / consistency-models JAX code concatenates sin first.
// Either order trains the same, since a learned linear layer follows.
func FourierFeatures(s, freqs []float64) []float64 {
	m := len(freqs)
	out := make([]float64, len(s)*2*m)
	for b, sb := range s {
		for j, f := range freqs {
			a := 2 * math.Pi * f * sb
			out[b*2*m+j] = math.Cos(a)
			out[b*2*m+m+j] = math.Sin(a)
		}
	}
	return out
}

// FourierFeaturesBackward returns the gradient with respect to s; the
// frequencies are fixed and get none.
func FourierFeaturesBackward(s, freqs, gy []float64) []float64 {
	m := len(freqs)
	checkLen("FourierFeaturesBackward", "gy", gy, len(s)*2*m)
	gs := make([]float64, len(s))
	for b, sb := range s {
		for j, f := range freqs {
			w := 2 * math.Pi * f
			gs[b] += w * (-math.Sin(w*sb)*gy[b*2*m+j] + math.Cos(w*sb)*gy[b*2*m+m+j])
		}
	}
	return gs
}

// PositionalFreqs returns the channels/2 frequencies of PositionalEmbedding,
// (1/maxPositions)^(i/half) for i = 0..half-1 (EDM's endpoint=false).
func PositionalFreqs(channels int, maxPositions float64) []float64 {
	if channels <= 0 || channels%2 != 0 {
		panic(fmt.Sprintf("ref.PositionalEmbedding: channels %d must be even and positive", channels))
	}
	half := channels / 2
	f := make([]float64, half)
	for i := range f {
		f[i] = math.Pow(1/maxPositions, float64(i)/float64(half))
	}
	return f
}

// PositionalEmbedding is the sinusoidal embedding of EDM's
// PositionalEmbedding: out [B,channels] = [cos(s f), sin(s f)] with the
// frequencies of PositionalFreqs, cosines first. (DDPM's original
// timestep embedding differs: sin first and i/(half-1).)
func PositionalEmbedding(s []float64, channels int, maxPositions float64) []float64 {
	f := PositionalFreqs(channels, maxPositions)
	half := len(f)
	out := make([]float64, len(s)*channels)
	for b, sb := range s {
		for i, fi := range f {
			out[b*channels+i] = math.Cos(sb * fi)
			out[b*channels+half+i] = math.Sin(sb * fi)
		}
	}
	return out
}

// PositionalEmbeddingBackward returns the gradient with respect to s.
func PositionalEmbeddingBackward(s []float64, channels int, maxPositions float64, gy []float64) []float64 {
	f := PositionalFreqs(channels, maxPositions)
	half := len(f)
	checkLen("PositionalEmbeddingBackward", "gy", gy, len(s)*channels)
	gs := make([]float64, len(s))
	for b, sb := range s {
		for i, fi := range f {
			gs[b] += fi * (-math.Sin(sb*fi)*gy[b*channels+i] + math.Cos(sb*fi)*gy[b*channels+half+i])
		}
	}
	return gs
}
