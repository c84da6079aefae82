package nn

import (
	"fmt"
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// Products sum K terms in float32: 1e-5 of the largest output for the
// short K used here.
const matmulTol = 1e-5

func matmulCase(batch, m, k, n int, ta, tb bool) opCase {
	as := [3]int{batch, m, k}
	if ta {
		as = [3]int{batch, k, m}
	}
	bs := [3]int{batch, k, n}
	if tb {
		bs = [3]int{batch, n, k}
	}
	shape := func(s [3]int) []int {
		if batch == 1 {
			return []int{s[1], s[2]}
		}
		return s[:]
	}
	return opCase{
		name:   fmt.Sprintf("matmul b%d %dx%dx%d ta=%v tb=%v", batch, m, k, n, ta, tb),
		inputs: []input{{shape: shape(as)}, {shape: shape(bs)}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			return e.MatMulScaled(in[0], in[1], ta, tb, 0.75)
		},
		ref: func(in [][]float64) []float64 {
			c, _ := ref.MatMul(in[0], as, in[1], bs, ta, tb)
			return ref.Scale(c, 0.75)
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			ga, gb := ref.MatMulBackward(in[0], as, in[1], bs, ta, tb, ref.Scale(gy, 0.75))
			return [][]float64{ga, gb}
		},
		tol: matmulTol,
	}
}

var _ = addCases(
	matmulCase(1, 7, 9, 5, false, false),
	matmulCase(1, 7, 9, 5, true, false),
	matmulCase(1, 7, 9, 5, false, true),
	matmulCase(1, 7, 9, 5, true, true),
	matmulCase(3, 5, 13, 6, false, false),
	matmulCase(2, 9, 4, 9, true, false),
	matmulCase(2, 9, 4, 9, false, true),
	matmulCase(1, 9, 8, 9, true, false),
	matmulCase(1, 8, 9, 9, false, true),
	matmulCase(2, 9, 8, 9, true, false),
	matmulCase(1, 4, 9, 9, false, true),
	matmulCase(1, 4, 4, 9, true, false),
	matmulCase(1, 8, 8, 9, true, false),
	opCase{
		name:   "linear",
		inputs: []input{{shape: []int{5, 13}}, {shape: []int{7, 13}}, {shape: []int{7}}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Linear(in[0], in[1], in[2]) },
		ref: func(in [][]float64) []float64 {
			y, _ := ref.Linear(in[0], [2]int{5, 13}, in[1], [2]int{7, 13}, in[2])
			return y
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gw, gb := ref.LinearBackward(in[0], [2]int{5, 13}, in[1], [2]int{7, 13}, gy)
			return [][]float64{gx, gw, gb}
		},
		tol: matmulTol,
	},
	opCase{
		name:   "linear without bias",
		inputs: []input{{shape: []int{1, 6}}, {shape: []int{3, 6}}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Linear(in[0], in[1], nil) },
		ref: func(in [][]float64) []float64 {
			y, _ := ref.Linear(in[0], [2]int{1, 6}, in[1], [2]int{3, 6}, nil)
			return y
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gw, _ := ref.LinearBackward(in[0], [2]int{1, 6}, in[1], [2]int{3, 6}, gy)
			return [][]float64{gx, gw}
		},
		tol: matmulTol,
	},
)

func TestLinearGolden(t *testing.T) {
	e := engine(t)
	g := ref.LoadGolden(t, "linear")
	x, xs := g.Array("x")
	w, ws := g.Array("w")
	b, bs := g.Array("b")
	px, pw, pb := e.NewParam(toF32(x), xs...), e.NewParam(toF32(w), ws...), e.NewParam(toF32(b), bs...)
	defer px.Free()
	defer pw.Free()
	defer pb.Free()
	y := e.Linear(px, pw, pb)
	checkGolden(t, e, g, y, matmulTol, map[string]*Tensor{"g_x": px, "g_w": pw, "g_b": pb})
}

func TestMatMulShapeErrors(t *testing.T) {
	e := engine(t)
	e.MatMul(e.Empty(3, 4), e.Empty(5, 6), false, false)
	if err := e.Err(); err == nil || err.Error() != "nn: matmul: inner dimensions differ: [3 4] and [5 6]" {
		t.Errorf("got %v", err)
	}
	e.ClearErr()
}
