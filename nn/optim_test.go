package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// Optimizer steps are a handful of float32 operations per element, but
// errors compound over steps: 1e-5 relative to the largest parameter.
const optimTol = 1e-5

// adamCase takes two steps of the optimizer c from parameters in[0], with
// the gradient in[1] at each: the adam kernel, after clip_scale's
// global-norm clipping when c clips, and updating averages of the
// parameters at each of decays inside the kernel (Adam.StepAveraging). It
// returns how the parameters moved (output 0) or the average numbered
// output.
func adamCase(name string, c AdamConfig, decays []float64, output int) opCase {
	const steps = 2
	shape := []int{5, 7}
	return opCase{
		name:   name,
		inputs: []input{{shape: shape}, {shape: shape}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			p := e.NewParam(nil, shape...)
			e.copyInto(p, in[0])
			o, err := e.NewAdam(c, []*Tensor{p})
			if err != nil {
				e.fail(err)
				return e.placeholder(shape...)
			}
			free := []*Tensor{p, o.M[0], o.V[0], o.GradScale}
			var avgs []*EMA
			for _, d := range decays {
				m, err := e.NewEMA(d, []*Tensor{p}, nil)
				if err != nil {
					e.fail(err)
					return e.placeholder(shape...)
				}
				avgs = append(avgs, m)
				free = append(free, m.Average[0])
			}
			for range steps {
				e.copyInto(p.grad, in[1])
				o.StepAveraging(avgs...)
			}
			out := e.add(p, e.affine(in[0], -1, 0))
			if output > 0 {
				out.Free()
				out = e.newTensor(shape...)
				e.copyInto(out, avgs[output-1].Average[0])
			}
			for _, t := range free {
				t.Free()
			}
			return out
		},
		ref: func(in [][]float64) []float64 {
			p, g := append([]float64(nil), in[0]...), append([]float64(nil), in[1]...)
			if c.ClipNorm > 0 {
				norm := 0.0
				for _, x := range g {
					norm += x * x
				}
				norm = math.Sqrt(norm)
				for i := range g {
					g[i] *= math.Min(1, c.ClipNorm/(norm+1e-6)) // as clip_scale.comp
				}
			}
			m, v := make([]float64, len(p)), make([]float64, len(p))
			var avgs [][]float64
			for range decays {
				avgs = append(avgs, append([]float64(nil), p...))
			}
			for step := 1; step <= steps; step++ {
				rc := ref.AdamConfig{LR: c.LearningRate(step), Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: c.WeightDecay, Decoupled: c.Decoupled}
				if c.Rectified {
					ref.RAdamStep(p, g, m, v, step, rc)
				} else {
					ref.AdamStep(p, g, m, v, step, rc)
				}
				for j, d := range decays {
					ref.EMAUpdate(avgs[j], p, d)
				}
			}
			if output > 0 {
				return avgs[output-1]
			}
			for i := range p {
				p[i] -= in[0][i]
			}
			return p
		},
		tol: optimTol,
	}
}

// emaCase starts an average at parameters in[0] and updates it once
// toward in[1].
func emaCase(name string, decay float64) opCase {
	shape := []int{3, 11}
	return opCase{
		name:   name,
		inputs: []input{{shape: shape}, {shape: shape}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			p := e.NewParam(nil, shape...)
			e.copyInto(p, in[0])
			m, err := e.NewEMA(decay, []*Tensor{p}, nil)
			if err != nil {
				e.fail(err)
				return e.placeholder(shape...)
			}
			e.copyInto(p, in[1])
			m.Update()
			out := e.newTensor(shape...)
			e.copyInto(out, m.Average[0])
			p.Free()
			m.Average[0].Free()
			return out
		},
		ref: func(in [][]float64) []float64 {
			ema := append([]float64(nil), in[0]...)
			ref.EMAUpdate(ema, in[1], decay)
			return ema
		},
		tol: 1e-6,
	}
}

var radamEMA = AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Rectified: true}

// The learning rate is large enough that the steps stand well above the
// float32 rounding of the parameters they change.
var _ = addCases(
	adamCase("adam/clipped", AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, ClipNorm: 1}, nil, 0),
	adamCase("radam/decoupled", AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Rectified: true, WeightDecay: 0.05, Decoupled: true}, nil, 0),
	emaCase("ema", 0.9),
	// Two averages (decays 0.9 and 0.5) updated in the adam kernel: the
	// parameters and each average.
	adamCase("radam+ema/params", radamEMA, []float64{0.9, 0.5}, 0),
	adamCase("radam+ema/average 1", radamEMA, []float64{0.9, 0.5}, 1),
	adamCase("radam+ema/average 2", radamEMA, []float64{0.9, 0.5}, 2),
)

func TestRAdamGolden(t *testing.T) {
	e := engine(t)
	g := ref.LoadGolden(t, "radam_8steps")
	p0, shape := g.Array("p0")
	p := e.NewParam(toF32(p0), shape...)
	defer p.Free()
	o, err := e.NewAdam(AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Rectified: true}, []*Tensor{p})
	if err != nil {
		t.Fatal(err)
	}
	for step := 1; step <= 8; step++ {
		grad, _ := g.Array(fmt.Sprintf("g%d", step))
		p.Grad().Upload(toF32(grad))
		o.Step()
		got, err := p.Download()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := g.Array(fmt.Sprintf("p%d", step))
		checkClose(t, fmt.Sprintf("step %d", step), toF64(got), want, optimTol)
	}
}

// TestAdamVariantsMatchReference runs Adam and RAdam, with L2 and decoupled
// weight decay and warm-up, against the float64 reference for 12 steps.
func TestAdamVariantsMatchReference(t *testing.T) {
	for _, c := range []AdamConfig{
		{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8},
		{LR: 1e-3, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1},
		{LR: 1e-3, Beta1: 0.8, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true},
		{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Rectified: true, WeightDecay: 0.01, WarmupSteps: 4},
		{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Rectified: true, WeightDecay: 0.05, Decoupled: true},
	} {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			e := engine(t)
			rng := rand.New(rand.NewPCG(3, uint64(c.WarmupSteps)))
			const n = 37
			p64 := toF64(toF32(randomData(rng, input{shape: []int{n}})))
			m64, v64 := make([]float64, n), make([]float64, n)
			p := e.NewParam(toF32(p64), n)
			defer p.Free()
			o, err := e.NewAdam(c, []*Tensor{p})
			if err != nil {
				t.Fatal(err)
			}
			for step := 1; step <= 12; step++ {
				g64 := toF64(toF32(randomData(rng, input{shape: []int{n}})))
				p.Grad().Upload(toF32(g64))
				o.Step()
				rc := ref.AdamConfig{LR: c.LearningRate(step), Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: c.WeightDecay, Decoupled: c.Decoupled}
				if c.Rectified {
					ref.RAdamStep(p64, g64, m64, v64, step, rc)
				} else {
					ref.AdamStep(p64, g64, m64, v64, step, rc)
				}
			}
			got, _ := p.Download()
			checkClose(t, "parameters after 12 steps", toF64(got), p64, optimTol)
			gm, _ := o.M[0].Download()
			checkClose(t, "first moment", toF64(gm), m64, optimTol)
			gg, _ := p.Grad().Download()
			for i, v := range gg {
				if v != 0 {
					t.Fatalf("gradient %d = %v after the step, want 0 (the optimizer takes it)", i, v)
				}
			}
		})
	}
}

func TestEMA(t *testing.T) {
	e := engine(t)
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 19
	p64 := toF64(toF32(randomData(rng, input{shape: []int{n}})))
	p := e.NewParam(toF32(p64), n)
	defer p.Free()
	m, err := e.NewEMA(0.9, []*Tensor{p}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ema := append([]float64(nil), p64...)
	for i := 0; i < 5; i++ {
		next := toF64(toF32(randomData(rng, input{shape: []int{n}})))
		p.Upload(toF32(next))
		m.Update()
		ref.EMAUpdate(ema, next, 0.9)
	}
	got, _ := m.Average[0].Download()
	checkClose(t, "EMA", toF64(got), ema, 1e-6)
	if _, err := e.NewEMA(1, nil, nil); err == nil {
		t.Error("decay 1 accepted")
	}
}

func TestAdamConfigValidate(t *testing.T) {
	bad := []AdamConfig{{}, {LR: 1e-4, Beta1: 1, Beta2: 0.9, Eps: 1e-8}, {LR: 1e-4, Beta1: 0.9, Beta2: 0.9, Eps: 0}, {LR: 1e-4, Beta1: 0.9, Beta2: 0.9, Eps: 1e-8, WarmupSteps: -1}}
	for _, c := range bad {
		if c.Validate() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if err := DefaultRAdam().Validate(); err != nil {
		t.Error(err)
	}
}

// TestGradientClipping: gradients with global norm 5 (3 and 4 in two
// tensors) clipped to norm 1 are scaled by 1/5 before the update; below
// the threshold nothing changes.
func TestGradientClipping(t *testing.T) {
	for _, c := range []struct {
		clip, scale float64
	}{{1, 0.2}, {10, 1}} {
		e := engine(t)
		a, b := e.NewParam([]float32{0, 0}, 2), e.NewParam([]float32{0}, 1)
		cfg := AdamConfig{LR: 0.1, Beta1: 0, Beta2: 0.5, Eps: 1e-8, ClipNorm: c.clip}
		o, err := e.NewAdam(cfg, []*Tensor{a, b})
		if err != nil {
			t.Fatal(err)
		}
		a.Grad().Upload([]float32{3, 0})
		b.Grad().Upload([]float32{4})
		o.Step()
		// With beta1 = 0 the first Adam step moves each parameter by
		// lr * g / (|g| + eps·sqrt(bc2)) = lr * sign(g) (scale cancels),
		// so check the recorded scale instead.
		s, err := o.GradScale.Download()
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(float64(s[0])-c.scale) > 1e-6 {
			t.Errorf("clip %v: gradient scale %v, want %v", c.clip, s[0], c.scale)
		}
		m, _ := o.M[1].Download()
		if math.Abs(float64(m[0])-4*c.scale) > 1e-5 {
			t.Errorf("clip %v: first moment %v, want %v", c.clip, m[0], 4*c.scale)
		}
		a.Free()
		b.Free()
	}
}
