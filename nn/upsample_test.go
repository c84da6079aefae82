package nn

import (
	"fmt"
	"testing"

	"github.com/ictvk/ictvk/internal/approx"
	"github.com/ictvk/ictvk/nn/internal/ref"
)

// Upsampling copies forward; backward adds four values per element.
const upsampleTol = 1e-6

func upsampleCase(name string, xs []int) opCase {
	return opCase{
		name:   name,
		inputs: []input{{shape: xs}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Upsample2x(in[0]) },
		ref: func(in [][]float64) []float64 {
			y, _ := ref.Upsample2x(in[0], shape4(xs))
			return y
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{ref.Upsample2xBackward(shape4(xs), gy)}
		},
		tol: upsampleTol,
	}
}

var _ = addCases(
	upsampleCase("upsample2x", []int{2, 3, 7, 9}),
	upsampleCase("upsample2x/b1", []int{1, 5, 7, 7}),
	// Rows of whole vec4s: the kernels' VEC = 4 paths.
	upsampleCase("upsample2x/vec4", []int{2, 3, 5, 8}),
	upsampleCase("upsample2x/vec4 1x4", []int{3, 1, 1, 4}),
	// x upsampled twice: the second backward adds into gx, on rows of
	// whole vec4s and on rows of 5 (the scalar paths).
	upsampleTwiceCase([]int{2, 3, 3, 4}),
	upsampleTwiceCase([]int{2, 3, 3, 5}),
)

// upsampleTwiceCase is upsample2x(x) + upsample2x(x).
func upsampleTwiceCase(xs []int) opCase {
	return opCase{
		name:   fmt.Sprintf("upsample2x(x)+upsample2x(x) %v", xs),
		inputs: []input{{shape: xs}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Add(e.Upsample2x(in[0]), e.Upsample2x(in[0])) },
		ref: func(in [][]float64) []float64 {
			y, _ := ref.Upsample2x(in[0], shape4(xs))
			return ref.Add(y, y)
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			g := ref.Upsample2xBackward(shape4(xs), gy)
			return [][]float64{ref.Add(g, g)}
		},
		tol: upsampleTol,
	}
}

// The PyTorch-computed golden case (nearest upsampling of [2,3,5,4]).
func TestGoldenUpsample2x(t *testing.T) {
	e := engine(t)
	g := ref.LoadGolden(t, "upsample2x")
	x, xs := g.Array("x")
	gy, ys := g.Array("gy")
	xt := e.NewParam(toF32(x), xs...)
	defer xt.Free()
	y := e.Upsample2x(xt)
	if !sameShape(y.Shape(), ys) {
		t.Fatalf("output shape %v, golden %v", y.Shape(), ys)
	}
	if err := e.BackwardWith(y, e.FromData(toF32(gy), ys...)); err != nil {
		t.Fatal(err)
	}
	// Per element, a sum of four float32 values can lose a few bits to
	// cancellation against PyTorch's float64: 1e-5, as ref's golden tests.
	checkGoldenArray(t, g, "y", y, 1e-5)
	checkGoldenArray(t, g, "g_x", xt.Grad(), 1e-5)
}

// checkGoldenArray downloads got and compares it with golden array name by
// approx.PerElement (relative error per element, floored at a thousandth
// of the array's scale).
func checkGoldenArray(t *testing.T, g *ref.Golden, name string, got *Tensor, tol float64) {
	t.Helper()
	v, err := got.Download()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := g.Array(name)
	maxErr, _ := approx.Error(toF64(v), want, approx.PerElement(1))
	t.Logf("%s/%s: max error %.3g", g.Name, name, maxErr)
	approx.Check(t, g.Name+"/"+name, toF64(v), want, approx.PerElement(tol))
}
