package nn

import (
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

func concatCase(name string, as, bs []int) opCase {
	return opCase{
		name:   name,
		inputs: []input{{shape: as}, {shape: bs}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Concat(in[0], in[1]) },
		ref: func(in [][]float64) []float64 {
			y, _ := ref.Concat(in[0], shape4(as), in[1], shape4(bs))
			return y
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			ga, gb := ref.ConcatBackward(shape4(as), shape4(bs), gy)
			return [][]float64{ga, gb}
		},
		tol: 0, // copies: exact
	}
}

var _ = addCases(
	concatCase("concat", []int{2, 3, 7, 7}, []int{2, 5, 7, 7}),
	concatCase("concat/b1", []int{1, 7, 9, 9}, []int{1, 3, 9, 9}),
	// Samples of a multiple of 4 elements: the vec4 paths.
	concatCase("concat/vec4", []int{2, 3, 4, 4}, []int{2, 5, 4, 4}),
	concatSelfCase("concat(x,x)", [4]int{3, 5, 7, 9}),
	concatSelfCase("concat(x,x)/vec4", [4]int{3, 5, 4, 2}),
)

// concatSelfCase concatenates a tensor with itself: the two halves of the
// gradient add up.
func concatSelfCase(name string, s [4]int) opCase {
	return opCase{
		name:   name,
		inputs: []input{{shape: s[:]}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Concat(in[0], in[0]) },
		ref: func(in [][]float64) []float64 {
			y, _ := ref.Concat(in[0], s, in[0], s)
			return y
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			ga, gb := ref.ConcatBackward(s, s, gy)
			return [][]float64{ref.Add(ga, gb)}
		},
		tol: elementwiseTol,
	}
}

func TestConcatShapeError(t *testing.T) {
	e := engine(t)
	e.Concat(e.Empty(2, 3, 7, 7), e.Empty(2, 5, 7, 9))
	want := "nn: concat: shapes [2 3 7 7] and [2 5 7 9] differ outside the channel axis"
	if err := e.Err(); err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	e.ClearErr()
}
