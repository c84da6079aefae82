package approx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestError(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name      string
		got, want []float64
		tol       Tol
		err       float64
		at        int
	}{
		{"equal", []float64{1, -2, 0}, []float64{1, -2, 0}, Tol{}, 0, -1},
		{"empty", nil, nil, Tol{}, 0, -1},
		{"lengths", []float64{1}, []float64{1, 2}, Scaled(1), inf, -1},
		{"NaN got", []float64{1, nan}, []float64{1, 2}, Scaled(1), inf, 1},
		{"NaN want", []float64{1, 2}, []float64{nan, 2}, Scaled(1), inf, 0},
		{"any difference with zero tolerance", []float64{1, 2 + 1e-15}, []float64{1, 2}, Tol{}, inf, 1},
		// Scaled: 0.01 off an element of 0.1, in an array up to 4.
		{"scaled", []float64{4, 0.11}, []float64{4, 0.1}, Scaled(0.01), 0.01 / (0.01 * 4), 1},
		// PerElement: the same 0.01 is judged against 0.1 + 0.004.
		{"per element", []float64{4, 0.11}, []float64{4, 0.1}, PerElement(0.01), 0.01 / (0.01 * (0.1 + 4e-3)), 1},
		{"all zero wanted", []float64{0, 1e-30}, []float64{0, 0}, Scaled(1), inf, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			err, at := Error(c.got, c.want, c.tol)
			if at != c.at || math.Abs(err-c.err) > 1e-12*c.err && !(math.IsInf(err, 1) && math.IsInf(c.err, 1)) {
				t.Errorf("Error = %v at %d, want %v at %d", err, at, c.err, c.at)
			}
		})
	}
}

// TestSameAsBefore: Check with Scaled(tol) and PerElement(tol) accepts
// exactly what the test helpers it replaced accepted with tol (the op
// harness's and kern's error relative to the largest |want|, and ref's
// relative error per element floored at a thousandth of it), for arrays
// whose largest |want| is above the 1e-6 floor the harness had.
func TestSameAsBefore(t *testing.T) {
	scaledBefore := func(got, want []float64) float64 {
		scale, worst := 1e-6, 0.0
		for i, w := range want {
			scale = math.Max(scale, math.Abs(w))
			worst = math.Max(worst, math.Abs(got[i]-w))
		}
		return worst / scale
	}
	perElementBefore := func(got, want []float64) float64 {
		scale, worst := 0.0, 0.0
		for _, w := range want {
			scale = math.Max(scale, math.Abs(w))
		}
		for i, w := range want {
			worst = math.Max(worst, math.Abs(got[i]-w)/(math.Abs(w)+1e-3*scale))
		}
		return worst
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		n := 1 + rng.IntN(20)
		got, want := make([]float64, n), make([]float64, n)
		for i := range want {
			want[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(6)-2))
			got[i] = want[i] * (1 + rng.NormFloat64()*math.Pow(10, -float64(rng.IntN(8))))
			if rng.IntN(4) == 0 {
				got[i] += rng.NormFloat64() * 1e-6
			}
		}
		for _, tol := range []float64{1e-7, 1e-5, 1e-3} {
			for _, c := range []struct {
				tol    Tol
				before float64
			}{{Scaled(tol), scaledBefore(got, want)}, {PerElement(tol), perElementBefore(got, want)}} {
				err, _ := Error(got, want, c.tol)
				// Away from the boundary, where rounding may differ.
				if r := c.before / tol; math.Abs(r-1) > 1e-9 && (err <= 1) != (r <= 1) {
					t.Fatalf("trial %d, %v: Error %v, the old helper's error %v (tolerance %v)", trial, c.tol, err, c.before, tol)
				}
			}
		}
	}
}

type recorder struct {
	testing.TB
	msgs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func TestCheckMessages(t *testing.T) {
	r := &recorder{TB: t}
	Check(r, "y", []float64{1, 2}, []float64{1, 2}, Tol{})
	Check(r, "y", []float64{1, 2.5}, []float64{1, 2}, Scaled(0.1))
	Check(r, "g", []float64{1}, []float64{1, 2}, Scaled(0.1))
	want := []string{
		"y: element 1 of 2 is 2.5, want 2: off by 2.5 times the tolerance (0.1 of the largest |want|)",
		"g: 1 values, want 2",
	}
	if fmt.Sprint(r.msgs) != fmt.Sprint(want) {
		t.Errorf("messages\n%q\nwant\n%q", r.msgs, want)
	}
}

// Scaled judges the 1e-7 off a wanted 0 against the array's largest
// magnitude, PerElement against a thousandth of it.
func ExampleError() {
	got := []float64{1.00001, 0.50001, 1e-7}
	want := []float64{1, 0.5, 0}
	err, at := Error(got, want, Scaled(1))
	fmt.Printf("scaled: %.1e at %d\n", err, at)
	err, at = Error(got, want, PerElement(1))
	fmt.Printf("per element: %.1e at %d\n", err, at)
	// Output:
	// scaled: 1.0e-05 at 0
	// per element: 1.0e-04 at 2
}
