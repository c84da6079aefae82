package ref

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ictvk/ictvk/internal/approx"
)

// fdTol bounds the difference between analytic gradients and central
// differences with step fdStep, relative to the gradient's largest element:
// truncation (~h^2) and rounding (~1e-16/h) errors are near 1e-9 at most,
// far below it, while any wrong term in a backward is far above it.
const (
	fdStep = 1e-5
	fdTol  = 1e-6
)

func randn(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x1c7)) }

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// gradCheck compares analytic, the gradient of loss with respect to x,
// with central differences of loss; loss must read x, which gradCheck
// perturbs in place and restores.
func gradCheck(t *testing.T, what string, x, analytic []float64, loss func() float64) {
	t.Helper()
	if len(analytic) != len(x) {
		t.Fatalf("%s: gradient has %d elements, input %d", what, len(analytic), len(x))
	}
	numeric := make([]float64, len(x))
	for i := range x {
		orig := x[i]
		x[i] = orig + fdStep
		lp := loss()
		x[i] = orig - fdStep
		lm := loss()
		x[i] = orig
		numeric[i] = (lp - lm) / (2 * fdStep)
	}
	// Error relative to the gradient's largest element: finite differences
	// carry an absolute rounding noise of about 1e-16*|loss|/fdStep, which
	// swamps a per-element relative error on elements near zero.
	if testing.Verbose() {
		e, _ := approx.Error(analytic, numeric, approx.Scaled(1))
		elem, _ := approx.Error(analytic, numeric, approx.PerElement(1))
		t.Logf("%s: error %.3g of the largest element (per element %.3g)", what, e, elem)
	}
	approx.Check(t, what+": analytic gradient against finite differences", analytic, numeric, approx.Scaled(fdTol))
}

func TestMatMulGrad(t *testing.T) {
	r := newRand(1)
	for _, bb := range [][2]int{{1, 1}, {3, 3}, {1, 3}, {3, 1}} {
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				m, k, n := 5, 7, 3
				as, bs := [3]int{bb[0], m, k}, [3]int{bb[1], k, n}
				if ta {
					as = [3]int{bb[0], k, m}
				}
				if tb {
					bs = [3]int{bb[1], n, k}
				}
				name := fmt.Sprintf("batch%v_tA%v_tB%v", bb, ta, tb)
				t.Run(name, func(t *testing.T) {
					a, b := randn(r, numel(as[:]...)), randn(r, numel(bs[:]...))
					c, cs := MatMul(a, as, b, bs, ta, tb)
					if want := [3]int{max(bb[0], bb[1]), m, n}; cs != want {
						t.Fatalf("shape %v, want %v", cs, want)
					}
					gc := randn(r, len(c))
					loss := func() float64 { y, _ := MatMul(a, as, b, bs, ta, tb); return dot(y, gc) }
					ga, gb := MatMulBackward(a, as, b, bs, ta, tb, gc)
					gradCheck(t, "A", a, ga, loss)
					gradCheck(t, "B", b, gb, loss)
				})
			}
		}
	}
}

// transpose returns the [cols,rows] transpose of each matrix of x [batch,rows,cols].
func transpose(x []float64, s [3]int) ([]float64, [3]int) {
	y := make([]float64, len(x))
	for b := 0; b < s[0]; b++ {
		for i := 0; i < s[1]; i++ {
			for j := 0; j < s[2]; j++ {
				y[(b*s[2]+j)*s[1]+i] = x[(b*s[1]+i)*s[2]+j]
			}
		}
	}
	return y, [3]int{s[0], s[2], s[1]}
}

// The transpose flags must mean what they say: compare against explicitly
// transposed operands and a hand-worked product.
func TestMatMulTranspose(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5, 6} // [[1 2 3] [4 5 6]]
	b := []float64{1, 0, 2, -1, 0, 1}
	c, cs := MatMul(a, [3]int{1, 2, 3}, b, [3]int{1, 3, 2}, false, false)
	approx.Check(t, "2x3 . 3x2", c, []float64{1 + 2*2, -2 + 3, 4 + 5*2, -5 + 6}, approx.Tol{})
	if cs != [3]int{1, 2, 2} {
		t.Fatalf("shape %v", cs)
	}
	r := newRand(2)
	as, bs := [3]int{3, 4, 5}, [3]int{3, 6, 4}
	x, y := randn(r, numel(as[:]...)), randn(r, numel(bs[:]...))
	xt, xts := transpose(x, as)
	yt, yts := transpose(y, bs)
	got, _ := MatMul(x, as, y, bs, true, true)
	want, _ := MatMul(xt, xts, yt, yts, false, false)
	approx.Check(t, "A^T B^T", got, want, approx.PerElement(1e-14))
}

func TestLinearGrad(t *testing.T) {
	r := newRand(3)
	for _, withBias := range []bool{true, false} {
		xs, ws := [2]int{3, 5}, [2]int{7, 5}
		x, w := randn(r, 15), randn(r, 35)
		var b []float64
		if withBias {
			b = randn(r, 7)
		}
		y, ys := Linear(x, xs, w, ws, b)
		if ys != [2]int{3, 7} {
			t.Fatalf("shape %v", ys)
		}
		gy := randn(r, len(y))
		loss := func() float64 { y, _ := Linear(x, xs, w, ws, b); return dot(y, gy) }
		gx, gw, gb := LinearBackward(x, xs, w, ws, gy)
		gradCheck(t, "linear x", x, gx, loss)
		gradCheck(t, "linear w", w, gw, loss)
		if withBias {
			gradCheck(t, "linear b", b, gb, loss)
		}
	}
}

func TestConv2dGrad(t *testing.T) {
	r := newRand(4)
	cases := []struct {
		xs, ws      [4]int
		stride, pad int
	}{
		{[4]int{1, 3, 7, 9}, [4]int{5, 3, 3, 3}, 1, 1},
		{[4]int{3, 3, 9, 7}, [4]int{5, 3, 3, 3}, 2, 1},
		{[4]int{3, 5, 7, 7}, [4]int{3, 5, 1, 1}, 1, 0},
		{[4]int{1, 3, 7, 9}, [4]int{5, 3, 2, 3}, 2, 0}, // non-square kernel, uneven tail
		{[4]int{3, 5, 9, 9}, [4]int{3, 5, 5, 5}, 1, 2},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("x%v_w%v_s%d_p%d", c.xs, c.ws, c.stride, c.pad), func(t *testing.T) {
			x, w, b := randn(r, numel(c.xs[:]...)), randn(r, numel(c.ws[:]...)), randn(r, c.ws[0])
			y, _ := Conv2d(x, c.xs, w, c.ws, b, c.stride, c.pad)
			gy := randn(r, len(y))
			loss := func() float64 { y, _ := Conv2d(x, c.xs, w, c.ws, b, c.stride, c.pad); return dot(y, gy) }
			gx, gw, gb := Conv2dBackward(x, c.xs, w, c.ws, gy, c.stride, c.pad)
			gradCheck(t, "x", x, gx, loss)
			gradCheck(t, "w", w, gw, loss)
			gradCheck(t, "b", b, gb, loss)
		})
	}
}

func TestGroupNormGrad(t *testing.T) {
	r := newRand(5)
	cases := []struct {
		xs     [4]int
		groups int
	}{
		{[4]int{1, 6, 7, 9}, 3},
		{[4]int{3, 5, 7, 7}, 5},
		{[4]int{3, 5, 9, 7}, 1},
	}
	for _, c := range cases {
		x := randn(r, numel(c.xs[:]...))
		gamma, beta := randn(r, c.xs[1]), randn(r, c.xs[1])
		gy := randn(r, len(x))
		loss := func() float64 { return dot(GroupNorm(x, c.xs, gamma, beta, c.groups, 1e-5), gy) }
		gx, gg, gb := GroupNormBackward(x, c.xs, gamma, c.groups, 1e-5, gy)
		name := fmt.Sprintf("groupnorm %v/%d", c.xs, c.groups)
		gradCheck(t, name+" x", x, gx, loss)
		gradCheck(t, name+" gamma", gamma, gg, loss)
		gradCheck(t, name+" beta", beta, gb, loss)
	}
}

func TestElementwiseGrad(t *testing.T) {
	r := newRand(6)
	xs := [4]int{3, 5, 7, 9}
	n := numel(xs[:]...)
	a, b, gy := randn(r, n), randn(r, n), randn(r, n)

	gradCheck(t, "silu", a, SiLUBackward(a, gy), func() float64 { return dot(SiLU(a), gy) })

	ga, gb := AddBackward(gy)
	add := func() float64 { return dot(Add(a, b), gy) }
	gradCheck(t, "add a", a, ga, add)
	gradCheck(t, "add b", b, gb, add)

	ga, gb = MulBackward(a, b, gy)
	mul := func() float64 { return dot(Mul(a, b), gy) }
	gradCheck(t, "mul a", a, ga, mul)
	gradCheck(t, "mul b", b, gb, mul)

	gradCheck(t, "scale", a, ScaleBackward(gy, -1.7), func() float64 { return dot(Scale(a, -1.7), gy) })

	v := randn(r, xs[0]*xs[1])
	gx, gv := AddChannelBackward(xs, gy)
	addc := func() float64 { return dot(AddChannel(a, xs, v), gy) }
	gradCheck(t, "add channel x", a, gx, addc)
	gradCheck(t, "add channel v", v, gv, addc)

	gx, gv = MulChannelBackward(a, xs, v, gy)
	mulc := func() float64 { return dot(MulChannel(a, xs, v), gy) }
	gradCheck(t, "mul channel x", a, gx, mulc)
	gradCheck(t, "mul channel v", v, gv, mulc)

	mask := DropoutMask(RNGKey{Seed: 9}, n, 0.3)
	gradCheck(t, "dropout", a, DropoutBackward(mask, 0.3, gy), func() float64 { return dot(Dropout(a, mask, 0.3), gy) })
}

func TestConcatUpsampleSoftmaxGrad(t *testing.T) {
	r := newRand(7)
	as, bs := [4]int{3, 3, 7, 9}, [4]int{3, 5, 7, 9}
	a, b := randn(r, numel(as[:]...)), randn(r, numel(bs[:]...))
	y, ys := Concat(a, as, b, bs)
	if ys != [4]int{3, 8, 7, 9} {
		t.Fatalf("concat shape %v", ys)
	}
	gy := randn(r, len(y))
	cat := func() float64 { y, _ := Concat(a, as, b, bs); return dot(y, gy) }
	ga, gb := ConcatBackward(as, bs, gy)
	gradCheck(t, "concat a", a, ga, cat)
	gradCheck(t, "concat b", b, gb, cat)

	y, _ = Upsample2x(a, as)
	gy = randn(r, len(y))
	gradCheck(t, "upsample", a, Upsample2xBackward(as, gy), func() float64 { y, _ := Upsample2x(a, as); return dot(y, gy) })

	gy = randn(r, len(a))
	sm := Softmax(a, 9)
	gradCheck(t, "softmax", a, SoftmaxBackward(sm, 9, gy), func() float64 { return dot(Softmax(a, 9), gy) })
}

// Concat puts a's channels before b's within each sample, and Upsample2x
// copies each pixel into a 2x2 block.
func TestConcatUpsampleLayout(t *testing.T) {
	y, _ := Concat([]float64{1, 2}, [4]int{2, 1, 1, 1}, []float64{3, 4, 5, 6}, [4]int{2, 2, 1, 1})
	approx.Check(t, "concat", y, []float64{1, 3, 4, 2, 5, 6}, approx.Tol{})
	y, ys := Upsample2x([]float64{1, 2, 3, 4, 5, 6}, [4]int{1, 1, 2, 3})
	approx.Check(t, "upsample", y, []float64{
		1, 1, 2, 2, 3, 3,
		1, 1, 2, 2, 3, 3,
		4, 4, 5, 5, 6, 6,
		4, 4, 5, 5, 6, 6,
	}, approx.Tol{})
	if ys != [4]int{1, 1, 4, 6} {
		t.Fatalf("upsample shape %v", ys)
	}
}

func TestAttentionGrad(t *testing.T) {
	r := newRand(8)
	cases := []struct {
		xs    [4]int
		heads int
	}{
		{[4]int{1, 6, 3, 5}, 2},
		{[4]int{3, 6, 3, 3}, 3},
		{[4]int{3, 5, 3, 5}, 1},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v_heads%d", c.xs, c.heads), func(t *testing.T) {
			ch := c.xs[1]
			x := randn(r, numel(c.xs[:]...))
			wqkv, wo := Scale(randn(r, 3*ch*ch), 0.5), randn(r, ch*ch)
			gy := randn(r, len(x))
			loss := func() float64 { return dot(Attention(x, c.xs, wqkv, wo, c.heads), gy) }
			gx, gwqkv, gwo := AttentionBackward(x, c.xs, wqkv, wo, c.heads, gy)
			gradCheck(t, "x", x, gx, loss)
			gradCheck(t, "wqkv", wqkv, gwqkv, loss)
			gradCheck(t, "wo", wo, gwo, loss)
		})
	}
}

func TestEmbeddingGrad(t *testing.T) {
	r := newRand(9)
	s := randn(r, 3)
	freqs := Scale(randn(r, 5), 0.7)
	gy := randn(r, 3*10)
	gradCheck(t, "fourier", s, FourierFeaturesBackward(s, freqs, gy),
		func() float64 { return dot(FourierFeatures(s, freqs), gy) })
	gy = randn(r, 3*8)
	gradCheck(t, "positional", s, PositionalEmbeddingBackward(s, 8, 10000, gy),
		func() float64 { return dot(PositionalEmbedding(s, 8, 10000), gy) })
}

// The embeddings' layout: cosines in the first half, sines in the second.
func TestEmbeddingLayout(t *testing.T) {
	out := FourierFeatures([]float64{0.3}, []float64{0.5, 2})
	want := []float64{math.Cos(math.Pi * 0.3), math.Cos(4 * math.Pi * 0.3), math.Sin(math.Pi * 0.3), math.Sin(4 * math.Pi * 0.3)}
	approx.Check(t, "fourier", out, want, approx.PerElement(1e-15))
	// channels 4, max 100: freqs (1/100)^(0/2) = 1 and (1/100)^(1/2) = 0.1.
	out = PositionalEmbedding([]float64{7}, 4, 100)
	want = []float64{math.Cos(7), math.Cos(0.7), math.Sin(7), math.Sin(0.7)}
	approx.Check(t, "positional", out, want, approx.PerElement(1e-15))
}

func TestReduceGrad(t *testing.T) {
	r := newRand(10)
	shape := []int{3, 5, 7, 2}
	x := randn(r, numel(shape...))
	for _, axes := range [][]int{{0}, {1, 2}, {3}, {0, 1, 2, 3}, {}} {
		y, _ := Sum(x, shape, axes)
		gy := randn(r, len(y))
		gradCheck(t, fmt.Sprintf("sum %v", axes), x, SumBackward(shape, axes, gy),
			func() float64 { y, _ := Sum(x, shape, axes); return dot(y, gy) })
		gradCheck(t, fmt.Sprintf("mean %v", axes), x, MeanBackward(shape, axes, gy),
			func() float64 { y, _ := Mean(x, shape, axes); return dot(y, gy) })
	}
	gy := randn(r, 3)
	gradCheck(t, "sum squares", x, SumSquaresBackward(x, 3, gy), func() float64 { return dot(SumSquares(x, 3), gy) })
}

func TestReduceValues(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6} // shape [2,3]
	y, ys := Sum(x, []int{2, 3}, []int{1})
	approx.Check(t, "sum axis 1", y, []float64{6, 15}, approx.Tol{})
	if fmt.Sprint(ys) != "[2 1]" {
		t.Errorf("sum axis 1 shape %v, want [2 1]", ys)
	}
	y, _ = Mean(x, []int{2, 3}, []int{0})
	approx.Check(t, "mean axis 0", y, []float64{2.5, 3.5, 4.5}, approx.Tol{})
	approx.Check(t, "sum squares", SumSquares(x, 2), []float64{14, 77}, approx.Tol{})
}

func TestLossGrad(t *testing.T) {
	r := newRand(11)
	batch, per := 3, 5*7*7
	s, tt := randn(r, batch*per), randn(r, batch*per)
	lam := []float64{0.5, 2, 1.3}
	const gy = 0.7
	c := 0.00054 * math.Sqrt(float64(per))
	type lossFn struct {
		name string
		f    func() float64
		g    func() (gs, gt, glam []float64)
	}
	for _, l := range []lossFn{
		{"pseudo-huber", func() float64 { return gy * PseudoHuberLoss(s, tt, lam, batch, c) },
			func() ([]float64, []float64, []float64) { return PseudoHuberLossBackward(s, tt, lam, batch, c, gy) }},
		{"squared l2", func() float64 { return gy * SquaredL2Loss(s, tt, lam, batch) },
			func() ([]float64, []float64, []float64) { return SquaredL2LossBackward(s, tt, lam, batch, gy) }},
		{"l1", func() float64 { return gy * L1Loss(s, tt, lam, batch) },
			func() ([]float64, []float64, []float64) { return L1LossBackward(s, tt, lam, batch, gy) }},
	} {
		gs, gt, glam := l.g()
		gradCheck(t, l.name+" s", s, gs, l.f)
		gradCheck(t, l.name+" t", tt, gt, l.f)
		gradCheck(t, l.name+" lam", lam, glam, l.f)
	}
	// Pseudo-Huber on a tiny distance is close to ||d||^2/(2c), and on a
	// large one close to ||d||: check one sample of each by hand.
	one := []float64{1}
	small := PseudoHuberLoss([]float64{3e-4, 0}, []float64{0, 4e-4}, one, 1, 1)
	if want := (math.Sqrt(25e-8+1) - 1); math.Abs(small-want) > 1e-18 {
		t.Errorf("pseudo-huber small: %g, want %g", small, want)
	}
}
