package ct

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestRecipePresetsAreValid(t *testing.T) {
	for name, r := range map[string]Recipe{"iCT": DefaultRecipe(), "original CT": OriginalCTRecipe()} {
		if err := r.Validate(); err != nil {
			t.Errorf("%s recipe: %v", name, err)
		}
	}
}

func TestOriginalCTChangesOnlyTheAblatedItems(t *testing.T) {
	want := DefaultRecipe()
	want.Weighting = WeightingUniform
	want.Metric = MetricSquaredL2
	want.NoiseDistribution = NoiseUniform
	want.CurriculumKind = CurriculumSquareRoot
	want.S0, want.S1 = 2, 150
	want.TeacherEMAStart = 0.9
	if got := OriginalCTRecipe(); got != want {
		t.Errorf("OriginalCTRecipe() = %+v\nwant %+v", got, want)
	}
}

func TestRecipeValidateNamesTheField(t *testing.T) {
	cases := []struct {
		field  string
		mutate func(*Recipe)
	}{
		{"SigmaMin", func(r *Recipe) { r.SigmaMin = 0 }},
		{"SigmaMax", func(r *Recipe) { r.SigmaMax = r.SigmaMin }},
		{"Rho", func(r *Recipe) { r.Rho = math.NaN() }},
		{"S1", func(r *Recipe) { r.S1 = r.S0 - 1 }},
		{"TotalIters", func(r *Recipe) { r.TotalIters = 0 }},
		{"PStd", func(r *Recipe) { r.PStd = -2 }},
		{"Weighting", func(r *Recipe) { r.Weighting = 0 }},
		{"Metric", func(r *Recipe) { r.Metric = 99 }},
		{"PseudoHuberFactor", func(r *Recipe) { r.PseudoHuberFactor = 0 }},
		{"TeacherEMAStart", func(r *Recipe) { r.TeacherEMAStart = 1 }},
		{"BatchSize", func(r *Recipe) { r.BatchSize = 0 }},
		{"SigmaMid", func(r *Recipe) { r.SigmaMid = 100 }},
	}
	for _, tc := range cases {
		r := DefaultRecipe()
		tc.mutate(&r)
		err := r.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("breaking %s: Validate() = %v, want an error naming it", tc.field, err)
		}
	}
	if err := (Recipe{}).Validate(); err == nil {
		t.Error("the zero Recipe validated")
	}
}

func TestEnumsRoundTripAsText(t *testing.T) {
	r := OriginalCTRecipe()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"Metric":"squared-l2"`) {
		t.Errorf("JSON %s does not spell the metric out", data)
	}
	var back Recipe
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back != r {
		t.Errorf("JSON round trip gave %+v, want %+v", back, r)
	}

	var m Metric
	if err := m.UnmarshalText([]byte(" Pseudo-Huber ")); err != nil || m != MetricPseudoHuber {
		t.Errorf("UnmarshalText(Pseudo-Huber) = %v, %v", m, err)
	}
	err = m.UnmarshalText([]byte("huber"))
	if err == nil || !strings.Contains(err.Error(), "pseudo-huber, squared-l2, l1") {
		t.Errorf("UnmarshalText(huber) error = %v, want one listing the choices", err)
	}
	if _, err := Weighting(0).MarshalText(); err == nil {
		t.Error("an unset weighting marshalled")
	}
}

func TestKarrasGridEndsAndOrder(t *testing.T) {
	r := DefaultRecipe()
	for _, n := range []int{2, 3, 11, 1281} {
		sigmas, err := r.Sigmas(n)
		if err != nil {
			t.Fatal(err)
		}
		if sigmas[0] != r.SigmaMin || sigmas[n-1] != r.SigmaMax {
			t.Errorf("N = %d: ends %v, %v; want exactly %v, %v", n, sigmas[0], sigmas[n-1], r.SigmaMin, r.SigmaMax)
		}
		if err := checkIncreasing(sigmas); err != nil {
			t.Errorf("N = %d: %v", n, err)
		}
	}
	for _, n := range []int{-1, 0, 1} {
		if _, err := r.Sigmas(n); err == nil {
			t.Errorf("Sigmas(%d) succeeded", n)
		}
	}
}

func TestBoundaryConditionOnTheGrid(t *testing.T) {
	r := DefaultRecipe()
	sigmas, err := r.Sigmas(1281)
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Scalings(sigmas[0]); s.Skip != 1 || s.Out != 0 {
		t.Errorf("at sigma_min: c_skip = %v, c_out = %v; want exactly 1 and 0", s.Skip, s.Out)
	}
}

func TestCNoise(t *testing.T) {
	r := DefaultRecipe()
	if got := r.CNoise(1); got != 0 {
		t.Errorf("c_noise(1) = %v, want 0", got)
	}
	if got := r.CNoise(math.E); math.Abs(got-0.25) > 1e-16 {
		t.Errorf("c_noise(e) = %v, want 0.25", got)
	}
	if got, want := r.Scalings(80).Noise, 0.25*math.Log(80); got != want {
		t.Errorf("Scalings(80).Noise = %v, want %v", got, want)
	}
}

func TestUniformNoiseAndWeighting(t *testing.T) {
	r := OriginalCTRecipe()
	g, err := r.NoiseGrid(151)
	if err != nil {
		t.Fatal(err)
	}
	for j := range g.Probs {
		if g.Probs[j] != 1.0/150 || g.Weights[j] != 1 {
			t.Fatalf("pair %d: p = %v, lambda = %v; want 1/150 and 1", j, g.Probs[j], g.Weights[j])
		}
	}
}

func TestMetricDistance(t *testing.T) {
	diff := []float64{0.3, -0.4, 1.2} // ||diff|| = 1.3
	const c = 0.05
	if got, want := MetricPseudoHuber.Distance(diff, c), math.Sqrt(1.69+c*c)-c; math.Abs(got-want) > 1e-15 {
		t.Errorf("pseudo-Huber = %.17g, want %.17g", got, want)
	}
	if got := MetricSquaredL2.Distance(diff, c); math.Abs(got-1.69) > 1e-15 {
		t.Errorf("squared l2 = %v, want 1.69", got)
	}
	if got := MetricL1.Distance(diff, c); math.Abs(got-1.9) > 1e-15 {
		t.Errorf("l1 = %v, want 1.9", got)
	}
	// For ||diff|| << c, pseudo-Huber is ||diff||^2 / (2c) without
	// cancellation.
	tiny := []float64{3e-12, 4e-12}
	if got, want := MetricPseudoHuber.Distance(tiny, c), 25e-24/(2*c); math.Abs(got-want) > 1e-12*want {
		t.Errorf("pseudo-Huber of a tiny difference = %g, want %g", got, want)
	}
}

func TestSamplerSigmas(t *testing.T) {
	r := DefaultRecipe()
	if got := r.OneStepSigmas(); len(got) != 1 || got[0] != 80 {
		t.Errorf("one-step sigmas = %v", got)
	}
	two := r.TwoStepSigmas()
	if len(two) != 2 || two[0] != 80 || two[1] != 0.821 {
		t.Errorf("two-step sigmas = %v", two)
	}
	for _, s := range [][]float64{r.OneStepSigmas(), two} {
		if err := r.CheckSamplerSigmas(s); err != nil {
			t.Errorf("CheckSamplerSigmas(%v): %v", s, err)
		}
	}
	if got, want := r.RenoiseStd(0.821), math.Sqrt(0.821*0.821-0.002*0.002); got != want {
		t.Errorf("re-noise std at 0.821 = %v, want %v", got, want)
	}
	if got := r.RenoiseStd(r.SigmaMin); got != 0 {
		t.Errorf("re-noise std at sigma_min = %v, want 0", got)
	}
	for _, bad := range [][]float64{nil, {81}, {80, 80}, {0.5, 0.821}, {80, 0.002}} {
		if r.CheckSamplerSigmas(bad) == nil {
			t.Errorf("CheckSamplerSigmas(%v) accepted", bad)
		}
	}
}

// The network's settings have one home, unet.Config: the paper's presets
// must carry iCT's (or, for the ablation, CT's) values there.
func TestPresetsCarryTheNetworkSettings(t *testing.T) {
	for _, name := range PresetNames() {
		p, err := LookupPreset(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Run.Recipe.Validate(); err != nil {
			t.Errorf("preset %s: recipe: %v", name, err)
		}
		if err := p.Run.Net.Validate(); err != nil {
			t.Errorf("preset %s: network: %v", name, err)
		}
	}
	want := map[string][2]float64{"cifar10": {ICTFourierScale, ICTDropout}, "cifar10-ct": {CTFourierScale, 0}}
	for name, w := range want {
		p, err := LookupPreset(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := [2]float64{p.Run.Net.FourierScale, p.Run.Net.Dropout}; got != w {
			t.Errorf("preset %s: Fourier scale, dropout = %v, want %v", name, got, w)
		}
	}
}
