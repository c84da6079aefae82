package nn

import (
	"fmt"
	"math"
	"testing"

	"github.com/ictvk/ictvk/internal/approx"
	"github.com/ictvk/ictvk/nn/internal/ref"
	"github.com/ictvk/ictvk/vk"
)

// GroupNorm reduces whole groups in float32: 1e-5 relative for the
// forward pass would do, but the backward pass subtracts two long sums
// (mean(d) and xhat*mean(d*xhat)) from d, so one tolerance of 1e-4 covers
// both.
const groupNormTol = 1e-4

// groupNormCase is a harness case of GroupNorm on x [B,C,H,W] with inputs
// x in [lo, hi] (both 0: [-1, 1]), gamma in [0.5, 1.5] and beta; noGrad
// marks the inputs that are constants.
func groupNormCase(name string, xs [4]int, groups int, eps float32, lo, hi float64, noGrad [3]bool) opCase {
	c := xs[1]
	e64 := float64(eps)
	return opCase{
		name: name,
		inputs: []input{
			{shape: xs[:], lo: lo, hi: hi, noGrad: noGrad[0]},
			{shape: []int{c}, lo: 0.5, hi: 1.5, noGrad: noGrad[1]},
			{shape: []int{c}, noGrad: noGrad[2]},
		},
		gpu: func(e *Engine, in []*Tensor) *Tensor { return e.GroupNorm(in[0], in[1], in[2], groups, eps) },
		ref: func(in [][]float64) []float64 { return ref.GroupNorm(in[0], xs, in[1], in[2], groups, e64) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gg, gb := ref.GroupNormBackward(in[0], xs, in[1], groups, e64, gy)
			return [][]float64{gx, gg, gb}
		},
		tol: groupNormTol,
	}
}

var _ = addCases(
	groupNormCase("groupnorm B1 C6 G3 7x9", [4]int{1, 6, 7, 9}, 3, 1e-5, 0, 0, [3]bool{}),
	groupNormCase("groupnorm B3 C5 G5 9x7", [4]int{3, 5, 9, 7}, 5, 1e-5, -2, 3, [3]bool{}),
	groupNormCase("groupnorm B2 C8 G2 7x7", [4]int{2, 8, 7, 7}, 2, 1e-6, 0, 0, [3]bool{}),
	groupNormCase("groupnorm B2 C6 G1 9x9", [4]int{2, 6, 9, 9}, 1, 1e-5, 0, 0, [3]bool{}),
	// One value per group: the variance is 0 and eps alone sets rstd.
	groupNormCase("groupnorm B2 C3 G3 1x1", [4]int{2, 3, 1, 1}, 3, 1e-2, 0, 0, [3]bool{}),
	// Constant gamma and beta (x's gradient only), and constant x
	// (gamma's and beta's only: the kernel skips gx).
	groupNormCase("groupnorm const gamma beta", [4]int{2, 6, 7, 9}, 3, 1e-5, 0, 0, [3]bool{false, true, true}),
	groupNormCase("groupnorm const x", [4]int{3, 6, 9, 7}, 2, 1e-5, 0, 0, [3]bool{true, false, false}),
	// One of gamma and beta constant: groupnorm_param_backward writes the
	// other's gradient alone.
	groupNormCase("groupnorm const beta", [4]int{2, 6, 4, 4}, 3, 1e-5, 0, 0, [3]bool{false, false, true}),
	groupNormCase("groupnorm const gamma", [4]int{2, 6, 7, 9}, 2, 1e-5, 0, 0, [3]bool{false, true, false}),
	// A long group (16384 values) far from zero: a one-pass E[x^2]-E[x]^2
	// in float32 is off by about 10% here; sums centred on a value of the
	// group must stay in tolerance.
	groupNormCase("groupnorm long group offset 1000", [4]int{1, 4, 64, 64}, 1, 1e-5, 999, 1001, [3]bool{}),
	// H*W a multiple of 4: the vec4 paths, gx written, skipped and added.
	groupNormCase("groupnorm B2 C6 G3 4x6", [4]int{2, 6, 4, 6}, 3, 1e-5, 0, 0, [3]bool{}),
	groupNormCase("groupnorm const x 4x4", [4]int{2, 6, 4, 4}, 2, 1e-5, 0, 0, [3]bool{true, false, false}),
	opCase{
		// x reaches the output twice: GroupNorm's backward adds into gx.
		name:   "groupnorm(x)+x 4x4",
		inputs: []input{{shape: []int{2, 6, 4, 4}}, {shape: []int{6}, lo: 0.5, hi: 1.5}, {shape: []int{6}}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			return e.Add(e.GroupNorm(in[0], in[1], in[2], 3, 1e-5), in[0])
		},
		ref: func(in [][]float64) []float64 {
			return ref.Add(ref.GroupNorm(in[0], [4]int{2, 6, 4, 4}, in[1], in[2], 3, 1e-5), in[0])
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gg, gb := ref.GroupNormBackward(in[0], [4]int{2, 6, 4, 4}, in[1], 3, 1e-5, gy)
			return [][]float64{ref.Add(gx, gy), gg, gb}
		},
		tol: groupNormTol,
	},
	opCase{
		// x's gradient written, not added: GroupNorm of an intermediate.
		name:   "groupnorm(1.5x)",
		inputs: []input{{shape: []int{2, 6, 9, 7}}, {shape: []int{6}, lo: 0.5, hi: 1.5}, {shape: []int{6}}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			return e.GroupNorm(e.Scale(in[0], 1.5), in[1], in[2], 3, 1e-5)
		},
		ref: func(in [][]float64) []float64 {
			return ref.GroupNorm(ref.Scale(in[0], 1.5), [4]int{2, 6, 9, 7}, in[1], in[2], 3, 1e-5)
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gg, gb := ref.GroupNormBackward(ref.Scale(in[0], 1.5), [4]int{2, 6, 9, 7}, in[1], 3, 1e-5, gy)
			return [][]float64{ref.ScaleBackward(gx, 1.5), gg, gb}
		},
		tol: groupNormTol,
	},
)

// groupNormSiLUCase is SiLU(GroupNorm(x)) fused: the backward pass
// normalizes x again instead of keeping GroupNorm's output.
func groupNormSiLUCase(name string, xs [4]int, groups int, noGrad [3]bool) opCase {
	c := groupNormCase(name, xs, groups, 1e-5, 0, 0, noGrad)
	c.gpu = func(e *Engine, in []*Tensor) *Tensor { return e.GroupNormSiLU(in[0], in[1], in[2], groups, 1e-5) }
	c.ref = func(in [][]float64) []float64 { return ref.SiLU(ref.GroupNorm(in[0], xs, in[1], in[2], groups, 1e-5)) }
	c.refGrad = func(in [][]float64, gy []float64) [][]float64 {
		y := ref.GroupNorm(in[0], xs, in[1], in[2], groups, 1e-5)
		gx, gg, gb := ref.GroupNormBackward(in[0], xs, in[1], groups, 1e-5, ref.SiLUBackward(y, gy))
		return [][]float64{gx, gg, gb}
	}
	return c
}

var _ = addCases(
	groupNormSiLUCase("groupnorm_silu B3 C6 G3 7x9", [4]int{3, 6, 7, 9}, 3, [3]bool{}),
	groupNormSiLUCase("groupnorm_silu const gamma beta", [4]int{2, 8, 5, 5}, 4, [3]bool{false, true, true}),
	groupNormSiLUCase("groupnorm_silu const x", [4]int{2, 4, 9, 7}, 2, [3]bool{true, false, false}),
	groupNormSiLUCase("groupnorm_silu B2 C8 G4 4x4", [4]int{2, 8, 4, 4}, 4, [3]bool{}),
)

// addChannelGroupNormSiLUCase is SiLU(GroupNorm(x + v[b,c])) fused: inputs
// x, v [B,C] in [-2, 2], gamma and beta; noGrad marks the constants. With
// outer, v is added to the output again (AddChannel), so that the fused
// op's backward adds v's gradient to the one AddChannel's wrote.
func addChannelGroupNormSiLUCase(name string, xs [4]int, groups int, noGrad [4]bool, outer bool) opCase {
	c, nbc := xs[1], xs[0]*xs[1]
	gn := func(in [][]float64) (xv, y []float64) {
		xv = ref.AddChannel(in[0], xs, in[1])
		return xv, ref.GroupNorm(xv, xs, in[2], in[3], groups, 1e-5)
	}
	return opCase{
		name: name,
		inputs: []input{
			{shape: xs[:], noGrad: noGrad[0]},
			{shape: []int{xs[0], c}, lo: -2, hi: 2, noGrad: noGrad[1]},
			{shape: []int{c}, lo: 0.5, hi: 1.5, noGrad: noGrad[2]},
			{shape: []int{c}, noGrad: noGrad[3]},
		},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			y := e.AddChannelGroupNormSiLU(in[0], in[1], in[2], in[3], groups, 1e-5)
			if outer {
				y = e.AddChannel(y, in[1])
			}
			return y
		},
		ref: func(in [][]float64) []float64 {
			_, y := gn(in)
			out := ref.SiLU(y)
			if outer {
				out = ref.AddChannel(out, xs, in[1])
			}
			return out
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			xv, y := gn(in)
			gv := make([]float64, nbc)
			if outer {
				_, gv = ref.AddChannelBackward(xs, gy)
			}
			gx, gg, gb := ref.GroupNormBackward(xv, xs, in[2], groups, 1e-5, ref.SiLUBackward(y, gy))
			_, gvInner := ref.AddChannelBackward(xs, gx)
			return [][]float64{gx, ref.Add(gv, gvInner), gg, gb}
		},
		tol: groupNormTol,
	}
}

var _ = addCases(
	addChannelGroupNormSiLUCase("add_channel_groupnorm_silu B3 C6 G3 7x9", [4]int{3, 6, 7, 9}, 3, [4]bool{}, false),
	addChannelGroupNormSiLUCase("add_channel_groupnorm_silu B2 C8 G4 4x4", [4]int{2, 8, 4, 4}, 4, [4]bool{}, false),
	addChannelGroupNormSiLUCase("add_channel_groupnorm_silu B2 C6 G1 5x8", [4]int{2, 6, 5, 8}, 1, [4]bool{}, false),
	addChannelGroupNormSiLUCase("add_channel_groupnorm_silu const v", [4]int{2, 4, 4, 4}, 2, [4]bool{false, true, false, false}, false),
	// x needs no gradient but v does: the second sweep runs for v alone.
	addChannelGroupNormSiLUCase("add_channel_groupnorm_silu const x", [4]int{2, 4, 5, 5}, 2, [4]bool{true, false, false, false}, false),
	addChannelGroupNormSiLUCase("add_channel_groupnorm_silu const x 4x4", [4]int{2, 4, 4, 4}, 2, [4]bool{true, false, true, true}, false),
	// v's gradient added to AddChannel's.
	addChannelGroupNormSiLUCase("add_channel_groupnorm_silu then add_channel", [4]int{2, 6, 4, 4}, 3, [4]bool{}, true),
	addChannelGroupNormSiLUCase("add_channel_groupnorm_silu then add_channel 3x3", [4]int{2, 6, 3, 3}, 3, [4]bool{}, true),
)

// Golden cases are PyTorch's float64 results stored as float32;
// approx.PerElement judges each element relative to itself (with a floor of
// a thousandth of the largest), which is stricter than the harness.
const groupNormGoldenTol = 1e-4

func TestGoldenGroupNorm(t *testing.T) {
	e := engine(t)
	g := ref.LoadGolden(t, "groupnorm")
	x, xs := g.Array("x")
	gamma, gs := g.Array("g")
	beta, bs := g.Array("b")
	gy, _ := g.Array("gy")
	groups, eps := g.Int("groups"), g.Float("eps")

	xt := e.NewParam(toF32(x), xs...)
	gt := e.NewParam(toF32(gamma), gs...)
	bt := e.NewParam(toF32(beta), bs...)
	defer xt.Free()
	defer gt.Free()
	defer bt.Free()
	y := e.GroupNorm(xt, gt, bt, groups, float32(eps))
	if err := e.BackwardWith(y, e.FromData(toF32(gy), y.Shape()...)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		t    *Tensor
	}{{"y", y}, {"g_x", xt.Grad()}, {"g_g", gt.Grad()}, {"g_b", bt.Grad()}} {
		got, err := c.t.Download()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := g.Array(c.name)
		approx.Check(t, "groupnorm "+c.name, toF64(got), want, approx.PerElement(groupNormGoldenTol))
	}
}

// Training must reproduce bit for bit: two runs of forward and backward
// give identical bits.
func TestGroupNormDeterministic(t *testing.T) {
	e := engine(t)
	xs := [4]int{3, 8, 9, 7}
	run := func() [][]float32 {
		x := e.NewParam(toF32(seq(numel(xs[:]), 0.37)), xs[:]...)
		gamma := e.NewParam(toF32(seq(8, 0.11)), 8)
		beta := e.NewParam(toF32(seq(8, 0.23)), 8)
		defer x.Free()
		defer gamma.Free()
		defer beta.Free()
		y := e.GroupNorm(x, gamma, beta, 4, 1e-5)
		if err := e.BackwardWith(y, e.FromData(toF32(seq(y.Len(), 0.71)), xs[:]...)); err != nil {
			t.Fatal(err)
		}
		var out [][]float32
		for _, u := range []*Tensor{y, x.Grad(), gamma.Grad(), beta.Grad()} {
			v, err := u.Download()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	a, b := run(), run()
	for i := range a {
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
				t.Fatalf("output %d element %d: %v then %v", i, j, a[i][j], b[i][j])
			}
		}
	}
}

// seq is a deterministic pseudo-random sequence in [-1, 1).
func seq(n int, phase float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		_, f := math.Modf(float64(i)*0.618034 + phase)
		v[i] = 2*f - 1
	}
	return v
}

// The device picks one workgroup size (8 on lavapipe); these run the
// reduction tree at others, including sizes that are not powers of two
// (its tail fold) and a GPU's 256.
func TestGroupNormWorkgroupSizes(t *testing.T) {
	for _, local := range []uint32{1, 3, 48, 256} {
		for _, shape := range [][4]int{{2, 6, 9, 7}, {1, 4, 16, 16}} {
			c := groupNormCase(fmt.Sprintf("groupnorm %v local %d", shape, local), shape, 2, 1e-5, 0, 0, [3]bool{})
			c.gpu = func(e *Engine, in []*Tensor) *Tensor {
				return e.groupNorm(in[0], nil, in[1], in[2], 2, 1e-5, local, false)
			}
			t.Run(c.name, func(t *testing.T) { runCase(t, engine(t), c) })
		}
	}
}

func TestGroupNormErrors(t *testing.T) {
	e := engine(t)
	for _, c := range []struct {
		x, gamma, beta []int
		groups         int
		eps            float32
		want           string
	}{
		{[]int{2, 6, 5}, []int{6}, []int{6}, 3, 1e-5, "nn: groupnorm: x [2 6 5] is not [B,C,H,W]"},
		{[]int{2, 6, 5, 5}, []int{6}, []int{6}, 4, 1e-5, "nn: groupnorm: x [2 6 5 5] has 6 channels, which do not split into 4 groups"},
		{[]int{2, 6, 5, 5}, []int{5}, []int{6}, 3, 1e-5, "nn: groupnorm: gamma [5] for x [2 6 5 5]: want 6 values"},
		{[]int{2, 6, 5, 5}, []int{6}, []int{2, 6}, 3, 1e-5, "nn: groupnorm: beta [2 6] for x [2 6 5 5]: want 6 values"},
		{[]int{2, 6, 5, 5}, []int{6}, []int{6}, 3, -1, "nn: groupnorm: eps -1 for x [2 6 5 5] is not a finite number >= 0"},
	} {
		e.GroupNorm(e.Empty(c.x...), e.Empty(c.gamma...), e.Empty(c.beta...), c.groups, c.eps)
		if err := e.Err(); err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %s", err, c.want)
		}
		e.ClearErr()
	}
}

// BenchmarkGroupNorm runs forward and backward at a U-Net shape, without
// the validation layer. GB/s counts the least traffic the op needs: read x
// and write y forward; read x and gy and write gx backward.
func BenchmarkGroupNorm(b *testing.B) {
	const nb, c, h, w, groups = 64, 64, 32, 32, 32
	e, err := NewEngine(Options{Device: vk.Options{Device: -1, CacheDir: "off"}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	n := nb * c * h * w
	x := e.NewParam(toF32(seq(n, 0.1)), nb, c, h, w)
	gamma := e.NewParam(toF32(seq(c, 0.2)), c)
	beta := e.NewParam(toF32(seq(c, 0.3)), c)
	gy := e.Persistent(nb, c, h, w)
	gy.Upload(toF32(seq(n, 0.4)))
	step := func() {
		y := e.GroupNorm(x, gamma, beta, groups, 1e-5)
		if err := e.BackwardWith(y, gy); err != nil {
			b.Fatal(err)
		}
		if err := e.Wait(); err != nil {
			b.Fatal(err)
		}
		e.Release()
	}
	step() // build the pipelines and fill the pool
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(sec*1e3, "ms/call")
	b.ReportMetric(float64(5*4*n)/sec/1e9, "GB/s")
}

// A second step of the same shapes takes all its memory from the pool.
func TestNormStepsReuseMemory(t *testing.T) {
	e := engine(t)
	x := e.NewParam(toF32(seq(2*6*9*7, 0.5)), 2, 6, 9, 7)
	gamma := e.NewParam(toF32(seq(6, 0.6)), 6)
	beta := e.NewParam(toF32(seq(6, 0.7)), 6)
	defer x.Free()
	defer gamma.Free()
	defer beta.Free()
	step := func() {
		y := e.Softmax(e.GroupNorm(x, gamma, beta, 3, 1e-5))
		if err := e.Backward(y); err != nil {
			t.Fatal(err)
		}
		if err := e.Wait(); err != nil {
			t.Fatal(err)
		}
		e.Release()
	}
	step()
	before := e.PoolStats().Misses
	step()
	if got := e.PoolStats().Misses - before; got != 0 {
		t.Errorf("the second step allocated %d new buffers", got)
	}
}
