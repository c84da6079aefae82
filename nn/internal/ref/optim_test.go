package ref

import (
	"math"
	"testing"

	"github.com/ictvk/ictvk/internal/approx"
)

// Adam in the textbook form of Kingma & Ba, with bias-corrected moments
// mhat and vhat, which torch's formula rearranges.
func TestAdamMatchesTextbook(t *testing.T) {
	r := newRand(20)
	n := 7
	p, want := randn(r, n), make([]float64, n)
	copy(want, p)
	m, v := make([]float64, n), make([]float64, n)
	mm, vv := make([]float64, n), make([]float64, n)
	cfg := AdamConfig{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	for step := 1; step <= 20; step++ {
		g := randn(r, n)
		AdamStep(p, g, m, v, step, cfg)
		for i := range want {
			mm[i] = 0.9*mm[i] + 0.1*g[i]
			vv[i] = 0.999*vv[i] + 0.001*g[i]*g[i]
			mhat := mm[i] / (1 - math.Pow(0.9, float64(step)))
			vhat := vv[i] / (1 - math.Pow(0.999, float64(step)))
			want[i] -= 1e-2 * mhat / (math.Sqrt(vhat) + 1e-8)
		}
	}
	approx.Check(t, "adam", p, want, approx.PerElement(1e-12))
}

func TestAdamWeightDecay(t *testing.T) {
	g := []float64{0.5}
	m, v := []float64{0}, []float64{0}
	// Decoupled: p shrinks by lr*wd*p, then moves by about lr*sign(g) on
	// the first step (mhat/sqrt(vhat) = sign(g)).
	p := []float64{2}
	AdamStep(p, g, m, v, 1, AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 0, WeightDecay: 0.5, Decoupled: true})
	if want := 2*(1-0.05) - 0.1; math.Abs(p[0]-want) > 1e-12 {
		t.Errorf("AdamW first step: p = %v, want %v", p[0], want)
	}
	// Coupled: the gradient becomes g + wd*p = 1.5, still a step of lr.
	p, m, v = []float64{2}, []float64{0}, []float64{0}
	AdamStep(p, g, m, v, 1, AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 0, WeightDecay: 0.5})
	if want := 2 - 0.1; math.Abs(p[0]-want) > 1e-12 || math.Abs(m[0]-0.15) > 1e-12 {
		t.Errorf("Adam L2 first step: p = %v, m = %v, want %v, 0.15", p[0], m[0], want)
	}
}

// With beta2 = 0.999 RAdam's SMA length first exceeds 5 at step 6: steps
// 1-5 are bias-corrected momentum SGD.
func TestRAdamWarmup(t *testing.T) {
	cfg := AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	p, m, v := []float64{1}, []float64{0}, []float64{0}
	mm := 0.0
	want := 1.0
	for step := 1; step <= 5; step++ {
		g := []float64{float64(step)}
		RAdamStep(p, g, m, v, step, cfg)
		mm = 0.9*mm + 0.1*g[0]
		want -= 0.1 * mm / (1 - math.Pow(0.9, float64(step)))
	}
	if math.Abs(p[0]-want) > 1e-12 {
		t.Errorf("after 5 steps p = %v, want %v (unrectified)", p[0], want)
	}
	before := p[0]
	RAdamStep(p, []float64{6}, m, v, 6, cfg)
	mm = 0.9*mm + 0.6
	if plain := before - 0.1*mm/(1-math.Pow(0.9, 6)); math.Abs(p[0]-plain) < 1e-6 {
		t.Errorf("step 6 was not rectified: p = %v equals the momentum step", p[0])
	}
}

func TestEMAUpdate(t *testing.T) {
	ema := []float64{1, -2}
	EMAUpdate(ema, []float64{3, 2}, 0.75)
	approx.Check(t, "ema", ema, []float64{0.75 + 0.75, -1.5 + 0.5}, approx.PerElement(1e-15))
}
