package ct

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// goldenRelTol is the relative tolerance against the independent float64
// values in testdata/golden/ict_formulas.json. The values are computed by
// the same closed forms, so only rounding separates them: 1e-12 leaves
// room for a few ulps in pow, log and erf, and for the tail probabilities
// of the N = 1281 lognormal, where the golden file's plain erf differences
// lose about 5e-13 relative to this package's erfc form.
const goldenRelTol = 1e-12

const goldenRelPath = "testdata/golden/ict_formulas.json"

// goldenPath walks up from the test's working directory to the first
// directory that holds testdata/golden/ict_formulas.json (a copy of the
// team's shared/golden, see testdata/README.md).
func goldenPath(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for start := dir; ; {
		p := filepath.Join(dir, goldenRelPath)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("golden file %s not found in %s or any directory above it", goldenRelPath, start)
		}
		dir = parent
	}
}

// goldenSeries is a golden list given either in full or, for long grids,
// as its first and last few entries (plus the argmax and max of the
// lognormal probabilities).
type goldenSeries struct {
	Full   []float64
	First  []float64 `json:"first"`
	Last   []float64 `json:"last"`
	Argmax *int      `json:"argmax"`
	Max    *float64  `json:"max"`
}

func (s *goldenSeries) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &s.Full); err == nil {
		return nil
	}
	type plain goldenSeries // without this method
	return json.Unmarshal(b, (*plain)(s))
}

type goldenFormulas struct {
	Curriculum     []map[string]float64    `json:"curriculum"`
	Karras         map[string]goldenSeries `json:"karras"`
	LognormalProbs map[string]goldenSeries `json:"lognormal_probs"`
	Weights        map[string]goldenSeries `json:"weights"`
	Scalings       []struct {
		Sigma float64 `json:"sigma"`
		CSkip float64 `json:"c_skip"`
		COut  float64 `json:"c_out"`
		CIn   float64 `json:"c_in"`
	} `json:"scalings"`
	PseudoHuberC map[string]float64 `json:"pseudo_huber_c"`
}

func loadGolden(t *testing.T) goldenFormulas {
	t.Helper()
	path := goldenPath(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file: %v", err)
	}
	var g goldenFormulas
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("parsing golden file %s: %v", path, err)
	}
	if len(g.Curriculum) == 0 || len(g.Karras) == 0 || len(g.LognormalProbs) == 0 ||
		len(g.Weights) == 0 || len(g.Scalings) == 0 || len(g.PseudoHuberC) == 0 {
		t.Fatalf("golden file %s lacks one of its sections", path)
	}
	return g
}

// closeRel reports whether got is within rel of want, relative to want;
// a zero want must be matched exactly.
func closeRel(got, want, rel float64) bool {
	return got == want || math.Abs(got-want) <= rel*math.Abs(want)
}

func checkClose(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !closeRel(got, want, goldenRelTol) {
		t.Errorf("%s = %.17g, want %.17g (relative error %.2g)", what, got, want, math.Abs(got-want)/math.Abs(want))
	}
}

// checkSeries compares got with a golden series, in full or by its ends.
func checkSeries(t *testing.T, what string, got []float64, want goldenSeries) {
	t.Helper()
	if want.Full != nil {
		if len(got) != len(want.Full) {
			t.Fatalf("%s has %d entries, golden has %d", what, len(got), len(want.Full))
		}
		for j := range got {
			checkClose(t, what+"["+strconv.Itoa(j)+"]", got[j], want.Full[j])
		}
		return
	}
	if len(want.First) == 0 || len(want.Last) == 0 || len(got) < len(want.First)+len(want.Last) {
		t.Fatalf("%s: golden series has neither a full list nor first/last entries that fit %d values", what, len(got))
	}
	for j, w := range want.First {
		checkClose(t, what+"["+strconv.Itoa(j)+"]", got[j], w)
	}
	off := len(got) - len(want.Last)
	for j, w := range want.Last {
		checkClose(t, what+"["+strconv.Itoa(off+j)+"]", got[off+j], w)
	}
}

func goldenSizes(t *testing.T, m map[string]goldenSeries) map[int]goldenSeries {
	t.Helper()
	out := make(map[int]goldenSeries)
	for key, s := range m {
		n, err := strconv.Atoi(key)
		if err != nil {
			t.Fatalf("golden grid size %q is not an integer", key)
		}
		out[n] = s
	}
	return out
}

func TestGoldenCurriculum(t *testing.T) {
	g := loadGolden(t)
	for _, row := range g.Curriculum {
		c := Curriculum{
			Kind:       CurriculumExponential,
			S0:         int(row["s0"]),
			S1:         int(row["s1"]),
			TotalIters: int(row["K"]),
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("golden row %v: %v", row, err)
		}
		if got, want := c.DoublingPeriod(), int(row["Kprime"]); got != want {
			t.Errorf("K=%d s0=%d s1=%d: K' = %d, want %d", c.TotalIters, c.S0, c.S1, got, want)
		}
		k := int(row["k"])
		if got, want := c.GridSize(k), int(row["N"]); got != want {
			t.Errorf("K=%d s0=%d s1=%d: N(%d) = %d, want %d", c.TotalIters, c.S0, c.S1, k, got, want)
		}
	}
}

func TestGoldenKarrasGrid(t *testing.T) {
	g := loadGolden(t)
	r := DefaultRecipe()
	for n, want := range goldenSizes(t, g.Karras) {
		got, err := r.Sigmas(n)
		if err != nil {
			t.Fatal(err)
		}
		checkSeries(t, "sigmas(N="+strconv.Itoa(n)+")", got, want)
	}
}

func TestGoldenLognormalProbs(t *testing.T) {
	g := loadGolden(t)
	r := DefaultRecipe()
	for n, want := range goldenSizes(t, g.LognormalProbs) {
		grid, err := r.NoiseGrid(n)
		if err != nil {
			t.Fatal(err)
		}
		name := "probs(N=" + strconv.Itoa(n) + ")"
		checkSeries(t, name, grid.Probs, want)
		var sum float64
		argmax := 0
		for j, p := range grid.Probs {
			sum += p
			if p > grid.Probs[argmax] {
				argmax = j
			}
		}
		if math.Abs(sum-1) > 1e-14 {
			t.Errorf("%s sums to %.17g", name, sum)
		}
		// The golden argmax is 0-based, like this package's pair index j.
		if want.Argmax != nil && argmax != *want.Argmax {
			t.Errorf("%s argmax = %d, want %d", name, argmax, *want.Argmax)
		}
		if want.Max != nil {
			checkClose(t, name+" max", grid.Probs[argmax], *want.Max)
		}
	}
}

func TestGoldenWeights(t *testing.T) {
	g := loadGolden(t)
	r := DefaultRecipe()
	for n, want := range goldenSizes(t, g.Weights) {
		grid, err := r.NoiseGrid(n)
		if err != nil {
			t.Fatal(err)
		}
		checkSeries(t, "weights(N="+strconv.Itoa(n)+")", grid.Weights, want)
	}
}

func TestGoldenScalings(t *testing.T) {
	g := loadGolden(t)
	r := DefaultRecipe()
	for _, want := range g.Scalings {
		got := r.Scalings(want.Sigma)
		name := "sigma=" + strconv.FormatFloat(want.Sigma, 'g', -1, 64)
		checkClose(t, name+" c_skip", got.Skip, want.CSkip)
		checkClose(t, name+" c_out", got.Out, want.COut)
		checkClose(t, name+" c_in", got.In, want.CIn)
	}
}

func TestGoldenPseudoHuberC(t *testing.T) {
	g := loadGolden(t)
	r := DefaultRecipe()
	for key, want := range g.PseudoHuberC {
		d, err := strconv.Atoi(key)
		if err != nil {
			t.Fatalf("golden dimension %q is not an integer", key)
		}
		checkClose(t, "pseudo-Huber c(d="+key+")", r.PseudoHuberC(d), want)
	}
}
