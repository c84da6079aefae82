package ct

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// chiSquarePValue is the significance of the goodness-of-fit tests: a
// correct sampler fails one with probability 1e-4, and the seeds are
// fixed, so a pass is reproducible rather than lucky.
const chiSquarePValue = 1e-4

// chiSquare draws draws indices and returns Pearson's statistic against
// probs and the critical value at chiSquarePValue. Adjacent bins are
// merged until each expects at least 20 draws, so that the statistic
// follows its chi-square law even for the tiny tail probabilities of
// large grids.
func chiSquare(t *testing.T, s *IndexSampler, rng *Rand, probs []float64, draws int) (stat, critical float64) {
	t.Helper()
	counts := make([]float64, len(probs))
	for range draws {
		counts[s.Draw(rng)]++
	}
	var observed, expected []float64
	var o, e float64
	for j := range probs {
		o += counts[j]
		e += probs[j] * float64(draws)
		if e >= 20 {
			observed, expected = append(observed, o), append(expected, e)
			o, e = 0, 0
		}
	}
	if len(expected) == 0 {
		t.Fatalf("too few draws (%d) for a chi-square test", draws)
	}
	observed[len(observed)-1] += o
	expected[len(expected)-1] += e
	for b := range observed {
		d := observed[b] - expected[b]
		stat += d * d / expected[b]
	}
	dof := float64(len(expected) - 1)
	return stat, distuv.ChiSquared{K: dof}.Quantile(1 - chiSquarePValue)
}

func TestIndexSamplerChiSquare(t *testing.T) {
	lognormal := DefaultRecipe()
	uniform := DefaultRecipe()
	uniform.NoiseDistribution = NoiseUniform
	cases := []struct {
		name   string
		recipe Recipe
		n      int
		draws  int
	}{
		{"lognormal N=11", lognormal, 11, 200_000},
		{"lognormal N=21", lognormal, 21, 200_000},
		{"lognormal N=1281", lognormal, 1281, 1_000_000},
		{"uniform N=151", uniform, 151, 200_000},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			grid, err := tc.recipe.NoiseGrid(tc.n)
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewIndexSampler(grid.Probs)
			if err != nil {
				t.Fatal(err)
			}
			stat, critical := chiSquare(t, s, NewRand(uint64(1000+i)), grid.Probs, tc.draws)
			t.Logf("chi-square %.1f, critical %.1f", stat, critical)
			if stat > critical {
				t.Errorf("chi-square %.1f exceeds the p=%g critical value %.1f", stat, chiSquarePValue, critical)
			}
		})
	}
}

// The test must be able to fail: a uniform sampler judged against the
// lognormal probabilities is rejected by far.
func TestIndexSamplerChiSquareDetectsWrongDistribution(t *testing.T) {
	grid, err := DefaultRecipe().NoiseGrid(21)
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := NewIndexSampler(UniformProbs(grid.Pairs()))
	if err != nil {
		t.Fatal(err)
	}
	stat, critical := chiSquare(t, wrong, NewRand(7), grid.Probs, 20_000)
	if stat <= critical {
		t.Errorf("uniform draws passed as lognormal: chi-square %.1f <= critical %.1f", stat, critical)
	}
}

// The alias table must encode the distribution exactly up to rounding;
// this checks the construction deterministically, draw-free.
func TestIndexSamplerAliasTableIsExact(t *testing.T) {
	lognormal, err := DefaultRecipe().NoiseGrid(1281)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]float64{
		"lognormal N=1281": lognormal.Probs,
		"uniform":          UniformProbs(10),
		"with zeros":       {0, 0.5, 0, 0.25, 0.25, 0},
		"single":           {3},
		"unnormalized":     {1, 2, 3, 4},
	}
	for name, probs := range cases {
		s, err := NewIndexSampler(probs)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var total float64
		for _, p := range probs {
			total += p
		}
		for j, got := range s.Probs() {
			if want := probs[j] / total; math.Abs(got-want) > 1e-14 {
				t.Errorf("%s: implied p[%d] = %.17g, want %.17g", name, j, got, want)
			}
		}
	}
}

func TestIndexSamplerNeverDrawsZeroProbability(t *testing.T) {
	probs := []float64{0, 0.5, 0, 0.5, 0}
	s, err := NewIndexSampler(probs)
	if err != nil {
		t.Fatal(err)
	}
	rng := NewRand(3)
	dst := make([]int32, 10_000)
	s.Fill(rng, dst)
	for _, j := range dst {
		if probs[j] == 0 {
			t.Fatalf("drew index %d, which has probability 0", j)
		}
	}
}

func TestNewIndexSamplerRejectsBadInput(t *testing.T) {
	for name, probs := range map[string][]float64{
		"empty":    {},
		"negative": {0.5, -0.1, 0.6},
		"NaN":      {0.5, math.NaN()},
		"infinite": {1, math.Inf(1)},
		"all zero": {0, 0, 0},
	} {
		if _, err := NewIndexSampler(probs); err == nil {
			t.Errorf("%s: NewIndexSampler(%v) succeeded", name, probs)
		}
	}
}

// Saving the generator's state after some draws and restoring it into a
// fresh generator must reproduce the following batch exactly, as a
// resumed training run needs.
func TestIndexDrawsResumeExactly(t *testing.T) {
	grid, err := DefaultRecipe().NoiseGrid(641)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewIndexSampler(grid.Probs)
	if err != nil {
		t.Fatal(err)
	}
	rng := NewRand(42)
	warmup := make([]int32, 1000)
	s.Fill(rng, warmup)

	saved := rng.State()
	want := make([]int32, 4096)
	s.Fill(rng, want)

	resumed := NewRand(0)
	if err := resumed.SetState(saved); err != nil {
		t.Fatal(err)
	}
	got := make([]int32, len(want))
	s.Fill(resumed, got)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("draw %d after resume = %d, want %d", i, got[i], want[i])
		}
	}
	if resumed.State() != rng.State() {
		t.Errorf("states diverged after the same draws: %v vs %v", resumed.State(), rng.State())
	}
}
