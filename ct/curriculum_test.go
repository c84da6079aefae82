package ct

import (
	"math"
	"testing"
)

func iCTCurriculum(t *testing.T, totalIters int) Curriculum {
	t.Helper()
	r := DefaultRecipe()
	r.TotalIters = totalIters
	c, err := r.Curriculum()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCurriculumStagesPaper(t *testing.T) {
	stages := iCTCurriculum(t, 400000).Stages()
	if len(stages) != 8 {
		t.Fatalf("%d stages, want 8 (N = 11, 21, ..., 1281)", len(stages))
	}
	for s, st := range stages {
		wantN := 10<<s + 1
		if st.FirstIter != 50000*s || st.LastIter != 50000*s+49999 || st.GridSize != wantN || st.TeacherEMA != 0 {
			t.Errorf("stage %d = %+v, want iterations [%d, %d] with N = %d and no teacher EMA",
				s, st, 50000*s, 50000*s+49999, wantN)
		}
	}
}

// Tiny runs take K' as 1 instead of dividing by zero: N doubles every
// iteration, the first iterations of the K = 8 run.
func TestCurriculumTinyRuns(t *testing.T) {
	for K := 1; K <= 8; K++ {
		c := iCTCurriculum(t, K)
		if c.DoublingPeriod() != 1 {
			t.Errorf("K = %d: K' = %d, want 1", K, c.DoublingPeriod())
		}
		for k := range K {
			if got, want := c.GridSize(k), 10<<k+1; got != want {
				t.Errorf("K = %d: N(%d) = %d, want %d", K, k, got, want)
			}
		}
		if stages := c.Stages(); len(stages) != K || stages[K-1].LastIter != K-1 {
			t.Errorf("K = %d: stages %+v, want one per iteration", K, stages)
		}
	}
	if got := iCTCurriculum(t, 15).DoublingPeriod(); got != 1 {
		t.Errorf("K = 15: K' = %d, want 1", got)
	}
	if got := iCTCurriculum(t, 16).DoublingPeriod(); got != 2 {
		t.Errorf("K = 16: K' = %d, want 2", got)
	}
}

func TestCurriculumSaturatesPastTheEnd(t *testing.T) {
	c := iCTCurriculum(t, 1000)
	for _, k := range []int{999, 1000, 1 << 40, math.MaxInt} {
		if got := c.GridSize(k); got != 1281 {
			t.Errorf("N(%d) = %d, want 1281", k, got)
		}
	}
}

// Stages must tile [0, K) with nondecreasing N, for both kinds and odd
// parameters.
func TestCurriculumStagesTile(t *testing.T) {
	cases := []Curriculum{
		{Kind: CurriculumExponential, S0: 10, S1: 1280, TotalIters: 1000},
		{Kind: CurriculumExponential, S0: 3, S1: 100, TotalIters: 777},
		{Kind: CurriculumExponential, S0: 5, S1: 5, TotalIters: 10},
		{Kind: CurriculumSquareRoot, S0: 2, S1: 150, TotalIters: 800000, TeacherEMAStart: 0.9},
		{Kind: CurriculumSquareRoot, S0: 2, S1: 150, TotalIters: 37, TeacherEMAStart: 0.9},
	}
	for _, c := range cases {
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		stages := c.Stages()
		next := 0
		for s, st := range stages {
			if st.FirstIter != next || st.LastIter < st.FirstIter {
				t.Fatalf("%+v: stage %d = %+v does not continue at %d", c, s, st, next)
			}
			if s > 0 && st.GridSize <= stages[s-1].GridSize {
				t.Fatalf("%+v: stage %d N = %d after %d", c, s, st.GridSize, stages[s-1].GridSize)
			}
			for _, k := range []int{st.FirstIter, (st.FirstIter + st.LastIter) / 2, st.LastIter} {
				if c.GridSize(k) != st.GridSize {
					t.Fatalf("%+v: N(%d) = %d inside stage %+v", c, k, c.GridSize(k), st)
				}
			}
			next = st.LastIter + 1
		}
		if next != c.TotalIters {
			t.Errorf("%+v: stages end at %d, want %d", c, next, c.TotalIters)
		}
	}
}

// The square-root curriculum and teacher EMA of original CT (CM Appendix
// C and create_ema_and_scales_fn in openai/consistency_models).
func TestOriginalCTCurriculum(t *testing.T) {
	c, err := OriginalCTRecipe().Curriculum()
	if err != nil {
		t.Fatal(err)
	}
	c.TotalIters = 800000
	cases := []struct {
		k     int
		wantN int
	}{
		{0, 2},        // ceil(sqrt(s0^2) - 1) + 1 = s0: one interval at the start
		{1, 3},        // ceil(2.007 - 1) + 1
		{400000, 107}, // ceil(sqrt(0.5 (151^2 - 4) + 4) - 1) + 1 = ceil(105.78) + 1
		{799999, 151},
	}
	for _, tc := range cases {
		if got := c.GridSize(tc.k); got != tc.wantN {
			t.Errorf("N(%d) = %d, want %d", tc.k, got, tc.wantN)
		}
	}
	// mu(k) = exp(s0 ln mu0 / (N(k) - 1)): 0.9^2 at the start (one
	// interval), 0.9^(2/150) at the end.
	if got, want := c.TeacherEMA(0), 0.81; math.Abs(got-want) > 1e-15 {
		t.Errorf("mu(0) = %.17g, want %.17g", got, want)
	}
	if got, want := c.TeacherEMA(799999), math.Pow(0.9, 2.0/150); math.Abs(got-want) > 1e-15 {
		t.Errorf("mu(K-1) = %.17g, want %.17g", got, want)
	}
	if got := iCTCurriculum(t, 1000).TeacherEMA(500); got != 0 {
		t.Errorf("iCT teacher EMA = %v, want 0", got)
	}
}

func TestCurriculumValidate(t *testing.T) {
	bad := []Curriculum{
		{},
		{Kind: CurriculumExponential, S0: 0, S1: 10, TotalIters: 5},
		{Kind: CurriculumExponential, S0: 20, S1: 10, TotalIters: 5},
		{Kind: CurriculumExponential, S0: 2, S1: 10, TotalIters: 0},
		{Kind: CurriculumSquareRoot, S0: 2, S1: 10, TotalIters: 5, TeacherEMAStart: 1},
	}
	for _, c := range bad {
		if c.Validate() == nil {
			t.Errorf("Validate(%+v) = nil", c)
		}
	}
}
