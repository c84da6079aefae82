package nn

import (
	"math"
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// The losses reduce a few hundred terms per sample and then the batch:
// 1e-5 of the result's scale (also for the golden case, judged per element
// by approx.PerElement).
const lossTol = 1e-5

type lossFuncs struct {
	gpu  func(e *Engine, s, t, lam *Tensor) *Tensor
	ref  func(s, t, lam []float64, batch int) float64
	grad func(s, t, lam []float64, batch int, gy float64) (gs, gt, glam []float64)
}

func pseudoHuberFuncs(c float64) lossFuncs {
	c = float64(float32(c))
	return lossFuncs{
		gpu: func(e *Engine, s, t, lam *Tensor) *Tensor { return e.PseudoHuberLoss(s, t, lam, float32(c)) },
		ref: func(s, t, lam []float64, batch int) float64 { return ref.PseudoHuberLoss(s, t, lam, batch, c) },
		grad: func(s, t, lam []float64, batch int, gy float64) ([]float64, []float64, []float64) {
			return ref.PseudoHuberLossBackward(s, t, lam, batch, c, gy)
		},
	}
}

var (
	squaredL2Funcs = lossFuncs{
		gpu:  func(e *Engine, s, t, lam *Tensor) *Tensor { return e.SquaredL2Loss(s, t, lam) },
		ref:  ref.SquaredL2Loss,
		grad: ref.SquaredL2LossBackward,
	}
	l1Funcs = lossFuncs{
		gpu:  func(e *Engine, s, t, lam *Tensor) *Tensor { return e.L1Loss(s, t, lam) },
		ref:  ref.L1Loss,
		grad: ref.L1LossBackward,
	}
)

// lossCase checks a loss on s, t [shape] (values in [-amp, amp]) and
// weights lam [B]; teacherGrad says whether t tracks gradients (in iCT it
// does not: the teacher runs under NoGrad).
func lossCase(name string, f lossFuncs, shape []int, amp float64, teacherGrad bool) opCase {
	batch := shape[0]
	return opCase{
		name: name,
		inputs: []input{
			{shape: shape, lo: -amp, hi: amp},
			{shape: shape, lo: -amp, hi: amp, noGrad: !teacherGrad},
			{shape: []int{batch}, lo: 0.5, hi: 3},
		},
		gpu: func(e *Engine, in []*Tensor) *Tensor { return f.gpu(e, in[0], in[1], in[2]) },
		ref: func(in [][]float64) []float64 { return []float64{f.ref(in[0], in[1], in[2], batch)} },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gs, gt, glam := f.grad(in[0], in[1], in[2], batch, gy[0])
			return [][]float64{gs, gt, glam}
		},
		tol: lossTol,
	}
}

// iCT's c for a sample of d values.
func ictC(d int) float64 { return 0.00054 * math.Sqrt(float64(d)) }

var _ = addCases(
	// Small differences, where c^2 is comparable to ||s_b - t_b||^2.
	lossCase("pseudo_huber", pseudoHuberFuncs(ictC(3*7*7)), []int{3, 3, 7, 7}, 0.001, false),
	lossCase("pseudo_huber/b1", pseudoHuberFuncs(ictC(5*9*9)), []int{1, 5, 9, 9}, 0.002, false),
	lossCase("pseudo_huber/teacher_grad", pseudoHuberFuncs(0.5), []int{2, 7, 7, 9}, 1, true),
	lossCase("squared_l2", squaredL2Funcs, []int{3, 5, 7, 7}, 1, false),
	lossCase("squared_l2/teacher_grad", squaredL2Funcs, []int{1, 3, 9, 9}, 1, true),
	lossCase("l1", l1Funcs, []int{2, 3, 9, 7}, 1, false),
	lossCase("l1/teacher_grad", l1Funcs, []int{1, 7, 7, 7}, 1, true),
)

// The PyTorch-computed golden case: s, t [4,1,8,8], lam [4],
// c = 0.00054 sqrt(C*H*W).
func TestGoldenPseudoHuberWeightedMean(t *testing.T) {
	e := engine(t)
	g := ref.LoadGolden(t, "pseudo_huber_weighted_mean")
	s, ss := g.Array("s")
	tt, ts := g.Array("t")
	lam, ls := g.Array("lam")
	gy, gys := g.Array("gy")
	st, tgt, lt := e.NewParam(toF32(s), ss...), e.NewParam(toF32(tt), ts...), e.NewParam(toF32(lam), ls...)
	defer st.Free()
	defer tgt.Free()
	defer lt.Free()
	c := float32(ictC(ss[1] * ss[2] * ss[3]))
	y := e.PseudoHuberLoss(st, tgt, lt, c)
	if err := e.BackwardWith(y, e.FromData(toF32(gy), gys...)); err != nil {
		t.Fatal(err)
	}
	const tol = lossTol
	checkGoldenArray(t, g, "y", y, tol)
	checkGoldenArray(t, g, "g_s", st.Grad(), tol)
	checkGoldenArray(t, g, "g_t", tgt.Grad(), tol)
	checkGoldenArray(t, g, "g_lam", lt.Grad(), tol)
}

// A loss over the student and a NoGrad teacher, evaluated twice from the
// same inputs, gives the same bits, and its gradient too.
func TestLossDeterministic(t *testing.T) {
	e := engine(t)
	shape := []int{5, 3, 9, 9}
	n := numel(shape)
	sData, tData := make([]float32, n), make([]float32, n)
	for i := range sData {
		sData[i] = float32(math.Sin(float64(i))) * 0.01
		tData[i] = float32(math.Cos(float64(3*i))) * 0.01
	}
	s := e.NewParam(sData, shape...)
	defer s.Free()
	lam := e.FromData([]float32{1, 2, 3, 4, 5}, 5)
	var first []float32
	var firstGrad []float32
	for run := 0; run < 2; run++ {
		var teacher *Tensor
		e.NoGrad(func() { teacher = e.Copy(e.FromData(tData, shape...)) })
		e.ZeroGrad([]*Tensor{s})
		y := e.PseudoHuberLoss(s, teacher, lam, float32(ictC(3*9*9)))
		if err := e.Backward(y); err != nil {
			t.Fatal(err)
		}
		v, err := y.Download()
		if err != nil {
			t.Fatal(err)
		}
		g, err := s.Grad().Download()
		if err != nil {
			t.Fatal(err)
		}
		if run == 0 {
			first, firstGrad = v, g
			continue
		}
		if math.Float32bits(v[0]) != math.Float32bits(first[0]) {
			t.Errorf("loss %v then %v", first[0], v[0])
		}
		for i := range g {
			if math.Float32bits(g[i]) != math.Float32bits(firstGrad[i]) {
				t.Fatalf("gradient element %d: %v then %v", i, firstGrad[i], g[i])
			}
		}
	}
}

func TestLossShapeErrors(t *testing.T) {
	e := engine(t)
	for _, c := range []struct {
		run  func()
		want string
	}{
		{func() { e.PseudoHuberLoss(e.Empty(2, 3), e.Empty(2, 4), e.Empty(2), 1) }, "nn: pseudo_huber_loss: student [2 3] and teacher [2 4] must have one shape [B,...]"},
		{func() { e.L1Loss(e.Empty(2, 3), e.Empty(2, 3), e.Empty(3)) }, "nn: l1_loss: weights [3] must be [B] for outputs [2 3]"},
	} {
		c.run()
		if err := e.Err(); err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %q", err, c.want)
		}
		e.ClearErr()
	}
}
