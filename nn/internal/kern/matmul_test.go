package kern

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/internal/approx"
	"github.com/ictvk/ictvk/nn/internal/ref"
	"github.com/ictvk/ictvk/vk"
)

// tolFor is the tolerance for float32 sums of k products of values of
// order one, relative to the output's largest magnitude.
func tolFor(k int) float64 {
	if k <= 64 {
		return 1e-5
	}
	return 1e-4
}

type mmCase struct {
	batch, m, n, k int
	transA, transB bool
	broadcast      byte // 'A' or 'B': that operand is one matrix for the batch
	accumulate     bool
	alpha          float32
	bias           byte // 'c': bias[n], 'r': bias[m]
}

func (c mmCase) String() string {
	s := fmt.Sprintf("b%d_%dx%dx%d", c.batch, c.m, c.n, c.k)
	if c.transA {
		s += "_tA"
	}
	if c.transB {
		s += "_tB"
	}
	if c.broadcast != 0 {
		s += "_bc" + string(c.broadcast)
	}
	if c.accumulate {
		s += "_acc"
	}
	if c.alpha != 0 {
		s += fmt.Sprintf("_alpha%g", c.alpha)
	}
	if c.bias != 0 {
		s += "_bias" + string(c.bias)
	}
	return s
}

func matmulCases() []mmCase {
	var cases []mmCase
	shapes := []mmCase{
		{batch: 1, m: 7, n: 9, k: 5},
		{batch: 3, m: 13, n: 6, k: 11, broadcast: 'A'},
		{batch: 2, m: 16, n: 24, k: 12, broadcast: 'B', accumulate: true},
		{batch: 2, m: 36, n: 70, k: 20, bias: 'c'},
		{batch: 1, m: 1, n: 1, k: 1},
		{batch: 4, m: 5, n: 3, k: 17, accumulate: true, alpha: 0.5, bias: 'r'},
		{batch: 1, m: 33, n: 65, k: 9, alpha: -2},
	}
	for _, s := range shapes {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			c := s
			c.transA, c.transB = tr[0], tr[1]
			cases = append(cases, c)
		}
	}
	return cases
}

func TestMatMul(t *testing.T) {
	forEachVariant(t, func(e *env) {
		for _, c := range matmulCases() {
			e.t.Run(c.String(), func(t *testing.T) {
				e := *e
				e.t = t
				runMatMulCase(&e, c)
			})
		}
	})
}

func runMatMulCase(e *env, c mmCase) {
	t := e.t
	batchA, batchB := c.batch, c.batch
	switch c.broadcast {
	case 'A':
		batchA = 1
	case 'B':
		batchB = 1
	}
	as := [3]int{batchA, c.m, c.k}
	if c.transA {
		as = [3]int{batchA, c.k, c.m}
	}
	bs := [3]int{batchB, c.k, c.n}
	if c.transB {
		bs = [3]int{batchB, c.n, c.k}
	}
	a, b := e.random(batchA*c.m*c.k), e.random(batchB*c.k*c.n)
	want, _ := ref.MatMul(a, as, b, bs, c.transA, c.transB)
	if c.alpha != 0 {
		want = scale(want, float64(c.alpha))
	}
	p := MatMulParams{Batch: c.batch, M: c.m, N: c.n, K: c.k, TransA: c.transA, TransB: c.transB,
		Alpha: c.alpha, Accumulate: c.accumulate}
	if batchA > 1 {
		p.StrideA = c.m * c.k
	}
	if batchB > 1 {
		p.StrideB = c.k * c.n
	}
	if c.bias != 0 {
		n := c.n
		if c.bias == 'r' {
			n = c.m
			p.BiasPerRow = true
		}
		bias := e.random(n)
		p.Bias = e.upload(bias)
		for i := range want {
			if c.bias == 'r' {
				want[i] += bias[i/c.n%c.m]
			} else {
				want[i] += bias[i%c.n]
			}
		}
	}
	var cr vk.Range
	if c.accumulate {
		c0 := e.random(len(want))
		cr = e.upload(c0)
		want = add(want, c0)
	} else {
		cr = e.poisoned(len(want))
	}
	if err := e.k.MatMul(e.s, e.upload(a), e.upload(b), cr, p); err != nil {
		t.Fatal(err)
	}
	approx.Check(t, "C", e.download(cr, len(want)), want, approx.Scaled(tolFor(c.k)))
}

func TestMatMulErrors(t *testing.T) {
	s, k, r := errorCase(t, 64)
	for _, c := range []struct {
		p    MatMulParams
		want string
	}{
		{MatMulParams{Batch: 1, M: 0, N: 2, K: 2}, "must be positive"},
		{MatMulParams{Batch: 1, M: 5, N: 2, K: 4}, "A holds 64 bytes, the shape needs 80"},
		{MatMulParams{Batch: 3, M: 2, N: 2, K: 2, StrideB: 40}, "B holds 64 bytes, the shape needs 336"},
		{MatMulParams{Batch: 2, M: 2, N: 2, K: 2, StrideA: 4, StrideB: -1}, "negative stride"},
		{MatMulParams{Batch: 1, M: 2, N: 2, K: 2, Bias: vk.Range{}, BiasPerRow: true}, ""},
	} {
		err := k.MatMul(s, r, r, vk.Range{}, c.p)
		if c.want == "" {
			c.want = "C is not bound"
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an error containing %q", c.p, err, c.want)
		}
	}
}

// TestMatMulSplitGrid lowers the workgroup-count limits so that a small
// product needs several dispatches along x, y and z, as a large one does
// on a real device.
func TestMatMulSplitGrid(t *testing.T) {
	forEachVariant(t, func(e *env) {
		e.k.groupLimit = [3]int{2, 1, 2}
		e.k.cpuSizes = [][2]int{{4, 4}}
		runMatMulCase(e, mmCase{batch: 5, m: 70, n: 9, k: 6, transB: true, bias: 'c'})
		runMatMulCase(e, mmCase{batch: 3, m: 5, n: 150, k: 7, bias: 'r'})
		p := ConvParams{B: 2, Cin: 3, H: 9, W: 7, Cout: 9, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}
		runConvCase(e, p)
		// A same convolution (conv_same*_cpu.comp on the CPU variant): 3
		// row blocks, 3 images, 3 input-channel blocks of the weight
		// gradient.
		runConvCase(e, ConvParams{B: 3, Cin: 40, H: 24, W: 8, Cout: 8, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1})
		// A strided convolution whose gradients run dilated on the CPU
		// variant: conv_dilate's 5 workgroups in 3 dispatches.
		runConvCase(e, ConvParams{B: 2, Cin: 8, H: 9, W: 8, Cout: 8, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1})
	})
}

// TestDepthSlices lowers the depth one dispatch may sum (lavapipe ends
// any loop after 65535 iterations, so long products run as slices added
// up in C) so that small products run in several slices, with and without
// accumulation and bias: the bias must be added once, the first slice must
// overwrite (or add to) C and the others add.
func TestDepthSlices(t *testing.T) {
	forEachVariant(t, func(e *env) {
		e.k.maxDepth = 4
		e.k.cpuSizes = [][2]int{{4, 4}}
		runMatMulCase(e, mmCase{batch: 2, m: 9, n: 11, k: 70, bias: 'c'})
		runMatMulCase(e, mmCase{batch: 1, m: 5, n: 7, k: 37, transA: true, accumulate: true, bias: 'r', alpha: 0.5})
		runMatMulCase(e, mmCase{batch: 3, m: 6, n: 5, k: 33, transB: true})
		// The weight gradient's depth is B*Ho*Wo = 126, the bias
		// gradient's 63 terms per channel and sample.
		runConvCase(e, ConvParams{B: 2, Cin: 3, H: 9, W: 7, Cout: 5, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1})
		runConvCase(e, ConvParams{B: 3, Cin: 2, H: 8, W: 6, Cout: 4, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1})
		// A same convolution: the forward and input gradient sum one input
		// channel per slice, the weight gradient one image row.
		runConvCase(e, ConvParams{B: 2, Cin: 8, H: 5, W: 8, Cout: 12, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1})
	})
}

func TestSlices(t *testing.T) {
	for _, c := range []struct {
		n, size, step int
		want          [][2]int
	}{
		{10, 0, 4, [][2]int{{0, 10}}},
		{10, 10, 4, [][2]int{{0, 10}}},
		{10, 5, 4, [][2]int{{0, 4}, {4, 8}, {8, 10}}},
		{33, 16, 16, [][2]int{{0, 16}, {16, 32}, {32, 33}}},
		{7, 2, 4, [][2]int{{0, 4}, {4, 7}}},
	} {
		if got := slices(c.n, c.size, c.step); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("slices(%d, %d, %d) = %v, want %v", c.n, c.size, c.step, got, c.want)
		}
	}
}

// TestMatMulLargeTile runs the largest CPU tile, which the automatic
// choice takes for large products, on a small one that still reaches its
// edges. (LLVM takes a minute or two to compile it the first time; Mesa's
// shader cache keeps it afterwards.)
func TestMatMulLargeTile(t *testing.T) {
	if testing.Short() {
		t.Skip("compiling the largest tile is slow")
	}
	d, s, k := openKernels(t, Options{Variant: CPU})
	k.cpuSizes = cpuTileSizes[:1]
	e := &env{t: t, dev: d, s: s, k: k, rng: rand.New(rand.NewPCG(3, 4))}
	runMatMulCase(e, mmCase{batch: 2, m: 36, n: 520, k: 12})
}
