package nn

import (
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// Pooling adds four values and scales by a power of two: 1e-6.
const avgPoolTol = 1e-6

func avgPoolCase(name string, xs []int) opCase {
	return opCase{
		name:   name,
		inputs: []input{{shape: xs}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.AvgPool2x2(in[0]) },
		ref: func(in [][]float64) []float64 {
			y, _ := ref.AvgPool2x2(in[0], shape4(xs))
			return y
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{ref.AvgPool2x2Backward(shape4(xs), gy)}
		},
		tol: avgPoolTol,
	}
}

var _ = addCases(
	avgPoolCase("avgpool2x2", []int{2, 3, 8, 6}),
	// Odd sizes drop the last row and column; their gradient must be 0,
	// not the poison.
	avgPoolCase("avgpool2x2/odd", []int{3, 5, 7, 9}),
	avgPoolCase("avgpool2x2/b1", []int{1, 1, 2, 3}),
	opCase{
		// The gradient added into an existing one: pool(x) + pool(x).
		name:   "avgpool2x2/twice",
		inputs: []input{{shape: []int{2, 3, 5, 7}}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			return e.Add(e.AvgPool2x2(in[0]), e.AvgPool2x2(in[0]))
		},
		ref: func(in [][]float64) []float64 {
			y, _ := ref.AvgPool2x2(in[0], [4]int{2, 3, 5, 7})
			return ref.Scale(y, 2)
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{ref.Scale(ref.AvgPool2x2Backward([4]int{2, 3, 5, 7}, gy), 2)}
		},
		tol: avgPoolTol,
	},
)

func TestAvgPoolShapeErrors(t *testing.T) {
	e := engine(t)
	for _, c := range []struct {
		x    *Tensor
		want string
	}{
		{e.Empty(2, 3, 4), "nn: avgpool2x2: x [2 3 4] must be [B,C,H,W] with H and W at least 2"},
		{e.Empty(2, 3, 1, 4), "nn: avgpool2x2: x [2 3 1 4] must be [B,C,H,W] with H and W at least 2"},
	} {
		e.AvgPool2x2(c.x)
		if err := e.Err(); err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %q", err, c.want)
		}
		e.ClearErr()
	}
}
