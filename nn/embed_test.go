package nn

import (
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// Embeddings: angles are products of two float32 numbers (relative error
// 2^-24 of up to ~60 radians here), then reduced exactly and evaluated to
// float32 rounding, so values agree with float64 to about 1e-5 of their
// scale; the gradient sums M such terms.
const embedTol = 1e-5

func fourierCase(name string, m int, sShape []int) opCase {
	return opCase{
		name: name,
		inputs: []input{
			{shape: sShape, lo: -6, hi: 6},                     // ln sigma spans about [-6.2, 4.4]
			{shape: []int{m}, lo: -1.5, hi: 1.5, noGrad: true}, // fixed frequencies
		},
		gpu: func(e *Engine, in []*Tensor) *Tensor { return e.FourierFeatures(in[0], in[1]) },
		ref: func(in [][]float64) []float64 { return ref.FourierFeatures(in[0], in[1]) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{ref.FourierFeaturesBackward(in[0], in[1], gy), nil}
		},
		tol: embedTol,
	}
}

func positionalCase(name string, batch, channels int, maxPositions float64) opCase {
	return opCase{
		name:   name,
		inputs: []input{{shape: []int{batch}, lo: -5, hi: 5}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			return e.PositionalEmbedding(in[0], channels, maxPositions)
		},
		ref: func(in [][]float64) []float64 { return ref.PositionalEmbedding(in[0], channels, maxPositions) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{ref.PositionalEmbeddingBackward(in[0], channels, maxPositions, gy)}
		},
		tol: embedTol,
	}
}

var _ = addCases(
	fourierCase("fourier_features", 7, []int{5}),
	fourierCase("fourier_features/b1", 9, []int{1}),
	fourierCase("fourier_features/[B,1]", 5, []int{3, 1}),
	positionalCase("positional_embedding", 3, 10, 10000),
	positionalCase("positional_embedding/b1", 1, 14, 100),
)

// The iCT setting: frequencies from N(0, 0.02^2) drawn on the device once
// by FourierFrequencies, kept in a persistent tensor.
func TestFourierFeaturesWithDrawnFrequencies(t *testing.T) {
	e := engine(t)
	const m, scale = 64, 0.02
	key := RNGKey{Seed: 9, Layer: 1}
	freqs := e.FourierFrequencies(key, m, scale)
	defer freqs.Free()
	s := []float64{-6.2, -1.1, 0, 4.38}
	y := e.FourierFeatures(e.FromData(toF32(s), len(s)), freqs)
	got, err := y.Download()
	if err != nil {
		t.Fatal(err)
	}
	f, err := freqs.Download()
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, "features", toF64(got), ref.FourierFeatures(toF64(toF32(s)), toF64(f)), embedTol)
	drawn := ref.Normals(refKey(key), m)
	for i := range drawn {
		drawn[i] *= scale
	}
	checkClose(t, "frequencies", toF64(f), drawn, normalTol)
}

func TestEmbedShapeErrors(t *testing.T) {
	e := engine(t)
	for _, c := range []struct {
		run  func()
		want string
	}{
		{func() { e.FourierFeatures(e.Empty(2, 3), e.Empty(4)) }, "nn: fourier_features: s [2 3] must be [B] or [B,1]"},
		{func() { e.FourierFeatures(e.Empty(2), e.Empty(4, 1)) }, "nn: fourier_features: frequencies [4 1] must be [M]"},
		{func() { e.PositionalEmbedding(e.Empty(2), 7, 10000) }, "nn: positional_embedding: channels 7 must be even and positive, maxPositions 10000 positive"},
	} {
		c.run()
		if err := e.Err(); err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %q", err, c.want)
		}
		e.ClearErr()
	}
}
