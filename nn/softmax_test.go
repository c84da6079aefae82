package nn

import (
	"fmt"
	"testing"

	"github.com/ictvk/ictvk/internal/approx"
	"github.com/ictvk/ictvk/nn/internal/ref"
	"github.com/ictvk/ictvk/vk"
)

// Softmax rows are short reductions: 1e-5 relative (exp's float32 error
// grows with |x - max|, a few ulp for the spreads below).
const softmaxTol = 1e-5

func softmaxCase(name string, shape []int, lo, hi float64) opCase {
	n := shape[len(shape)-1]
	return opCase{
		name:   name,
		inputs: []input{{shape: shape, lo: lo, hi: hi}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Softmax(in[0]) },
		ref:    func(in [][]float64) []float64 { return ref.Softmax(in[0], n) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{ref.SoftmaxBackward(ref.Softmax(in[0], n), n, gy)}
		},
		tol: softmaxTol,
	}
}

var _ = addCases(
	softmaxCase("softmax 3x7x9", []int{3, 7, 9}, -3, 3),
	softmaxCase("softmax 1x5", []int{1, 5}, 0, 0),
	softmaxCase("softmax rows of 1", []int{5, 1}, 0, 0),
	// Rows longer than the workgroup, not a multiple of it.
	softmaxCase("softmax 2x3x131", []int{2, 3, 131}, -4, 4),
	softmaxCase("softmax 2x1024", []int{2, 1024}, -5, 5),
	// Rows of whole vec4s (the kernels' VEC = 4 sweeps), shorter and
	// longer than the workgroup.
	softmaxCase("softmax 3x5x12", []int{3, 5, 12}, -3, 3),
	softmaxCase("softmax 3x84", []int{3, 84}, -3, 3),
	// exp of these scores overflows float32 unless the maximum is
	// subtracted.
	softmaxCase("softmax large scores", []int{4, 33}, 100, 110),
	softmaxCase("softmax large scores 4x32", []int{4, 32}, 100, 110),
	opCase{
		// x's gradient written, not added: softmax of an intermediate.
		name:   "softmax(2x)",
		inputs: []input{{shape: []int{3, 5, 17}}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Softmax(e.Scale(in[0], 2)) },
		ref:    func(in [][]float64) []float64 { return ref.Softmax(ref.Scale(in[0], 2), 17) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			g := ref.SoftmaxBackward(ref.Softmax(ref.Scale(in[0], 2), 17), 17, gy)
			return [][]float64{ref.ScaleBackward(g, 2)}
		},
		tol: softmaxTol,
	},
	// x reaches the output twice: softmax's backward adds into gx, on
	// rows of whole vec4s and not.
	softmaxPlusXCase(4, 12),
	softmaxPlusXCase(4, 13),
	// One score per row 200 above the rest, in a different vec4 lane on
	// each row: a maximum that missed any lane would overflow exp.
	softmaxSpikeCase(4, 12),
	softmaxSpikeCase(4, 13),
)

// softmaxPlusXCase is softmax(x) + x over rows of n.
func softmaxPlusXCase(rows, n int) opCase {
	return opCase{
		name:   fmt.Sprintf("softmax(x)+x %dx%d", rows, n),
		inputs: []input{{shape: []int{rows, n}}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.Add(e.Softmax(in[0]), in[0]) },
		ref:    func(in [][]float64) []float64 { return ref.Add(ref.Softmax(in[0], n), in[0]) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			g := ref.SoftmaxBackward(ref.Softmax(in[0], n), n, gy)
			return [][]float64{ref.Add(g, gy)}
		},
		tol: softmaxTol,
	}
}

// softmaxSpikeCase is softmax(x + spike), where spike adds 200 to column
// 5r mod n of row r: with n a multiple of 4, rows 0 to 3 put it in lanes
// 0, 1, 2 and 3 of their vec4s. Forward only: the rows are one-hot to
// float32, so every gradient is below float32's range.
func softmaxSpikeCase(rows, n int) opCase {
	spike := make([]float64, rows*n)
	for r := range rows {
		spike[r*n+(5*r)%n] = 200
	}
	return opCase{
		name:   fmt.Sprintf("softmax spiked %dx%d", rows, n),
		inputs: []input{{shape: []int{rows, n}}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			return e.Softmax(e.Add(in[0], e.FromData(toF32(spike), rows, n)))
		},
		ref: func(in [][]float64) []float64 { return ref.Softmax(ref.Add(in[0], spike), n) },
		tol: softmaxTol,
	}
}

// Golden tolerances, per element (approx.PerElement) against PyTorch's float64
// results: y is a few roundings from exact; g_x = y*(gy - sum(gy*y))
// cancels in gy - sum, so its small elements carry the sum's rounding.
const (
	softmaxGoldenTol     = 1e-5
	softmaxGradGoldenTol = 1e-4
)

func TestGoldenSoftmax(t *testing.T) {
	e := engine(t)
	g := ref.LoadGolden(t, "softmax_lastdim")
	x, xs := g.Array("x")
	gy, _ := g.Array("gy")
	xt := e.NewParam(toF32(x), xs...)
	defer xt.Free()
	y := e.Softmax(xt)
	if err := e.BackwardWith(y, e.FromData(toF32(gy), xs...)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		t    *Tensor
		tol  float64
	}{{"y", y, softmaxGoldenTol}, {"g_x", xt.Grad(), softmaxGradGoldenTol}} {
		got, err := c.t.Download()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := g.Array(c.name)
		approx.Check(t, "softmax "+c.name, toF64(got), want, approx.PerElement(c.tol))
	}
}

// Softmax at workgroup sizes the device would not choose (see
// TestGroupNormWorkgroupSizes).
func TestSoftmaxWorkgroupSizes(t *testing.T) {
	for _, local := range []uint32{1, 3, 40, 256} {
		for _, shape := range [][]int{{3, 97}, {2, 300}} {
			c := softmaxCase(fmt.Sprintf("softmax %v local %d", shape, local), shape, -3, 3)
			c.gpu = func(e *Engine, in []*Tensor) *Tensor { return e.softmax(in[0], local) }
			t.Run(c.name, func(t *testing.T) { runCase(t, engine(t), c) })
		}
	}
}

// BenchmarkSoftmax runs forward and backward over attention scores of 32x32
// positions (rows of 1024), without the validation layer. GB/s counts read
// x and write y forward; read y and gy and write gx backward.
func BenchmarkSoftmax(b *testing.B) {
	const rows, n = 8 * 1024, 1024
	e, err := NewEngine(Options{Device: vk.Options{Device: -1, CacheDir: "off"}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	x := e.NewParam(toF32(seq(rows*n, 0.1)), rows, n)
	gy := e.Persistent(rows, n)
	gy.Upload(toF32(seq(rows*n, 0.4)))
	step := func() {
		y := e.Softmax(x)
		if err := e.BackwardWith(y, gy); err != nil {
			b.Fatal(err)
		}
		if err := e.Wait(); err != nil {
			b.Fatal(err)
		}
		e.Release()
	}
	step()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(sec*1e3, "ms/call")
	b.ReportMetric(float64(5*4*rows*n)/sec/1e9, "GB/s")
}
