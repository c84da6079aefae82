package nn

import (
	"fmt"
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// Elementwise ops are exact up to float32 rounding of one operation.
const elementwiseTol = 1e-6

// Each case runs on an odd element count and on a multiple of 4 (the
// kernels' vec4 paths).
var _ = addCases(
	addCase([]int{3, 5, 7}),
	addCase([]int{2, 4, 6}),
	scaleCase([]int{1, 3, 7, 9}),
	scaleCase([]int{1, 4, 4, 4}),
	siluTimesXCase([]int{2, 3, 5, 5}),
	siluTimesXCase([]int{2, 4, 4, 4}),
	opCase{
		name:   "mul",
		inputs: []input{{shape: []int{2, 9, 9}}, {shape: []int{2, 9, 9}}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Mul(in[0], in[1]) },
		ref:    func(in [][]float64) []float64 { return ref.Mul(in[0], in[1]) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			ga, gb := ref.MulBackward(in[0], in[1], gy)
			return [][]float64{ga, gb}
		},
		tol: elementwiseTol,
	}, opCase{
		name:    "silu",
		inputs:  []input{{shape: []int{3, 5, 7}, lo: -6, hi: 6}},
		gpu:     func(e *Engine, in []*Tensor) *Tensor { return e.SiLU(in[0]) },
		ref:     func(in [][]float64) []float64 { return ref.SiLU(in[0]) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 { return [][]float64{ref.SiLUBackward(in[0], gy)} },
		tol:     1e-5,
	}, opCase{
		name:   "add_scaled",
		inputs: []input{{shape: []int{3, 5, 7}}, {shape: []int{3, 5, 7}}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.AddScaled(in[0], in[1], -0.37) },
		ref: func(in [][]float64) []float64 {
			return ref.Scale(ref.Add(in[0], in[1]), float64(float32(-0.37)))
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			ga, gb := ref.AddBackward(ref.ScaleBackward(gy, float64(float32(-0.37))))
			return [][]float64{ga, gb}
		},
		tol: elementwiseTol,
	}, opCase{
		// x reaches the output twice: both gradients add into x's.
		name:   "add_scaled(x, 2x)/vec4",
		inputs: []input{{shape: []int{2, 4, 6}}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.AddScaled(in[0], e.Scale(in[0], 2), 0.7) },
		ref: func(in [][]float64) []float64 {
			return ref.Scale(ref.Add(in[0], ref.Scale(in[0], 2)), float64(float32(0.7)))
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			g := ref.ScaleBackward(gy, float64(float32(0.7)))
			return [][]float64{ref.Add(g, ref.ScaleBackward(g, 2))}
		},
		tol: elementwiseTol,
	}, opCase{
		// A view: reshape, then slice rows, then scale.
		name:   "reshape+slice",
		inputs: []input{{shape: []int{3, 4, 5}}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			return e.Scale(in[0].Reshape(12, 5).Slice(3, 10), 2)
		},
		ref: func(in [][]float64) []float64 { return ref.Scale(in[0][15:50], 2) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			g := make([]float64, 60)
			copy(g[15:50], ref.Scale(gy, 2))
			return [][]float64{g}
		},
		tol: elementwiseTol,
	},
)

func addCase(shape []int) opCase {
	return opCase{
		name:   fmt.Sprintf("add %v", shape),
		inputs: []input{{shape: shape}, {shape: shape}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Add(in[0], in[1]) },
		ref:    func(in [][]float64) []float64 { return ref.Add(in[0], in[1]) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			ga, gb := ref.AddBackward(gy)
			return [][]float64{ga, gb}
		},
		tol: elementwiseTol,
	}
}

func scaleCase(shape []int) opCase {
	const c = -0.37
	return opCase{
		name:   fmt.Sprintf("scale %v", shape),
		inputs: []input{{shape: shape}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Scale(in[0], c) },
		ref:    func(in [][]float64) []float64 { return ref.Scale(in[0], float64(float32(c))) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{ref.ScaleBackward(gy, float64(float32(c)))}
		},
		tol: elementwiseTol,
	}
}

// siluTimesXCase uses x twice: SiLU's backward adds into x's gradient.
func siluTimesXCase(shape []int) opCase {
	return opCase{
		name:   fmt.Sprintf("silu(x)*x %v", shape),
		inputs: []input{{shape: shape, lo: -3, hi: 3}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Mul(e.SiLU(in[0]), in[0]) },
		ref:    func(in [][]float64) []float64 { return ref.Mul(ref.SiLU(in[0]), in[0]) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			ga, gb := ref.MulBackward(ref.SiLU(in[0]), in[0], gy)
			g := ref.SiLUBackward(in[0], ga)
			return [][]float64{ref.Add(g, gb)}
		},
		tol: 1e-5,
	}
}

func TestShapeErrorsNameTheOp(t *testing.T) {
	e := engine(t)
	a, b := e.Empty(2, 3), e.Empty(3, 2)
	e.Add(a, b)
	if err := e.Err(); err == nil || err.Error() != "nn: add: shapes [2 3] and [3 2] differ" {
		t.Fatalf("got %v", err)
	}
	// Later ops do nothing once an error is recorded.
	before := e.S.Stats().Dispatches
	e.SiLU(a)
	if e.S.Stats().Dispatches != before {
		t.Error("an op ran after an error")
	}
	e.ClearErr()
}
