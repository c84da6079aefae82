package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// Tolerances of reductions, relative to the result's largest magnitude:
// sums of up to a few hundred terms agree with float64 to 1e-5; long
// reductions (thousands of terms, several launches) to 1e-4.
const (
	reduceTol     = 1e-5
	longReduceTol = 1e-4
)

func sumCase(name string, xs, axes []int, mean bool, tol float64) opCase {
	refAxes := axes
	if len(axes) == 0 { // the op reduces every axis; ref.Sum none
		for a := range xs {
			refAxes = append(refAxes, a)
		}
	}
	return opCase{
		name:   name,
		inputs: []input{{shape: xs}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			if mean {
				return e.Mean(in[0], axes...)
			}
			return e.Sum(in[0], axes...)
		},
		ref: func(in [][]float64) []float64 {
			if mean {
				y, _ := ref.Mean(in[0], xs, refAxes)
				return y
			}
			y, _ := ref.Sum(in[0], xs, refAxes)
			return y
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			if mean {
				return [][]float64{ref.MeanBackward(xs, refAxes, gy)}
			}
			return [][]float64{ref.SumBackward(xs, refAxes, gy)}
		},
		tol: tol,
	}
}

func sumSquaresCase(name string, xs []int, tol float64) opCase {
	return opCase{
		name:   name,
		inputs: []input{{shape: xs}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.SumSquares(in[0]) },
		ref:    func(in [][]float64) []float64 { return ref.SumSquares(in[0], xs[0]) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{ref.SumSquaresBackward(in[0], xs[0], gy)}
		},
		tol: tol,
	}
}

var _ = addCases(
	sumCase("sum/hw", []int{2, 5, 7, 9}, []int{2, 3}, false, reduceTol),
	sumCase("sum/bhw", []int{3, 7, 9, 7}, []int{0, 2, 3}, false, reduceTol), // a bias gradient
	sumCase("sum/c", []int{2, 3, 7, 7}, []int{1}, false, reduceTol),
	sumCase("sum/c/serial", []int{2, 7, 15, 13}, []int{1}, false, reduceTol), // 390 short sums: one invocation each
	sumCase("sum/b,h", []int{3, 5, 7, 9}, []int{0, 2}, false, reduceTol),     // alternating runs
	sumCase("sum/w", []int{1, 3, 9, 7}, []int{3}, false, reduceTol),
	sumCase("sum/all", []int{4, 3, 33, 35}, nil, false, longReduceTol), // 13860 terms: two launches
	sumCase("mean/b", []int{3, 5, 7}, []int{0}, true, reduceTol),
	sumCase("mean/chw", []int{2, 3, 9, 9}, []int{1, 2, 3}, true, reduceTol),
	sumCase("mean/all", []int{1, 7, 9, 9}, nil, true, reduceTol),
	sumSquaresCase("sum_squares", []int{3, 5, 7, 7}, reduceTol),
	sumSquaresCase("sum_squares/b1", []int{1, 3, 9, 9}, reduceTol),
	sumSquaresCase("sum_squares/long", []int{2, 3, 37, 41}, longReduceTol),
)

// Workgroup sizes other than the device's default, including one that is
// not a power of two, and chunkings that need three launches (and, for the
// sum over channels, both the workgroup and the serial path); the result
// must not change between runs, bit for bit.
func TestReduceWorkgroupSizesAndDeterminism(t *testing.T) {
	e := engine(t)
	saved := e.Tune.Local
	defer func() { e.Tune.Local = saved }()
	rng := rand.New(rand.NewPCG(3, 4))
	shape := []int{2, 3, 61, 59} // 21594 terms
	x := randomData(rng, input{shape: shape})
	x = toF64(toF32(x))
	want, _ := ref.Sum(x, shape, []int{0, 1, 2, 3})
	wantRows, _ := ref.Sum(x, shape, []int{1, 2, 3})
	wantChannels, _ := ref.Sum(x, shape, []int{1})
	xt := e.FromData(toF32(x), shape...)
	for _, local := range []uint32{7, 8, 64, saved} {
		e.Tune.Local = local
		var first []float32
		for run := 0; run < 2; run++ {
			got, err := e.Sum(xt).Download()
			if err != nil {
				t.Fatal(err)
			}
			checkClose(t, "sum", toF64(got), want, longReduceTol)
			if run == 0 {
				first = got
			} else if math.Float32bits(got[0]) != math.Float32bits(first[0]) {
				t.Errorf("workgroup %d: two runs gave %v and %v", local, first[0], got[0])
			}
		}
		rows, err := e.Sum(xt, 1, 2, 3).Download()
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, "per-sample sum", toF64(rows), wantRows, longReduceTol)
		channels, err := e.Sum(xt, 1).Download()
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, "sum over channels", toF64(channels), wantChannels, reduceTol)
	}
}

func TestReduceAxisErrors(t *testing.T) {
	e := engine(t)
	x := e.Empty(2, 3, 5)
	for _, c := range []struct {
		run  func()
		want string
	}{
		{func() { e.Sum(x, 3) }, "nn: sum: axes [3] of a tensor [2 3 5]: axis 3 is out of range or repeated"},
		{func() { e.Mean(x, 1, 1) }, "nn: mean: axes [1 1] of a tensor [2 3 5]: axis 1 is out of range or repeated"},
	} {
		c.run()
		if err := e.Err(); err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %q", err, c.want)
		}
		e.ClearErr()
	}
}
