package nn

import (
	"math"
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// The clamp cases draw inputs well outside the range, so that about a
// third of the values are clamped on each side, and keep them off the
// bounds, where the derivative is undefined.
const clampLo, clampHi = -0.6, 0.45

var clampInput = input{shape: []int{3, 5, 7}, lo: -1.7, hi: 1.3, kinks: []float64{float64(float32(clampLo)), float64(float32(clampHi))}}

var _ = addCases(
	opCase{
		name:   "clamp",
		inputs: []input{clampInput},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Clamp(in[0], clampLo, clampHi) },
		ref: func(in [][]float64) []float64 {
			return ref.Clamp(in[0], float64(float32(clampLo)), float64(float32(clampHi)))
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{ref.ClampBackward(in[0], gy, float64(float32(clampLo)), float64(float32(clampHi)))}
		},
		tol: 0,
	},
	opCase{
		// x used twice: the clamp's backward accumulates into the
		// gradient the product already left.
		name:   "clamp(x)*x",
		inputs: []input{clampInput},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Mul(e.Clamp(in[0], clampLo, clampHi), in[0]) },
		ref: func(in [][]float64) []float64 {
			return ref.Mul(ref.Clamp(in[0], float64(float32(clampLo)), float64(float32(clampHi))), in[0])
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			lo, hi := float64(float32(clampLo)), float64(float32(clampHi))
			ga, gb := ref.MulBackward(ref.Clamp(in[0], lo, hi), in[0], gy)
			return [][]float64{ref.Add(ref.ClampBackward(in[0], ga, lo, hi), gb)}
		},
		tol: elementwiseTol,
	},
)

// TestClampEdges: NaN stays NaN, infinities and the bounds themselves land
// on the bounds, and an empty range is an error naming the op.
func TestClampEdges(t *testing.T) {
	e := engine(t)
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	x := e.FromData([]float32{nan, -inf, inf, -1, 1, -2, 2, 0.25}, 8)
	got, err := e.Clamp(x, -1, 1).Download()
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{nan, -1, 1, -1, 1, -1, 1, 0.25}
	for i := range want {
		if got[i] != want[i] && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
			t.Errorf("clamp(%v) = %v, want %v", []float32{nan, -inf, inf, -1, 1, -2, 2, 0.25}[i], got[i], want[i])
		}
	}
	e.Clamp(x, 1, -1)
	if err := e.Err(); err == nil || err.Error() != "nn: clamp: the range [1, -1] is empty" {
		t.Errorf("an empty range: %v", err)
	}
	e.ClearErr()
}
