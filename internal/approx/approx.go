// Package approx is the one measure of "close enough" of ictvk's numeric
// tests: the op harness in nn, the float64 references in nn/internal/ref
// and the GEMM and convolution kernels in nn/internal/kern all compare
// arrays with Check, each with its own tolerances.
package approx

import (
	"fmt"
	"math"
	"testing"
)

// Tol bounds how far each element may be from the value it is compared
// with:
//
//	|got[i] - want[i]| <= Rel*|want[i]| + Scale*max_j |want[j]|
//
// Scale judges every element against the array's largest magnitude, which
// suits float32 results: a sum's rounding follows its largest terms, so an
// element that cancels to near zero carries the error of the others. Rel
// judges each element against itself, for results computed in float64.
// The zero Tol asks for equality.
type Tol struct {
	Rel, Scale float64
}

// Scaled is the tolerance tol relative to the array's largest magnitude.
func Scaled(tol float64) Tol { return Tol{Scale: tol} }

// PerElement is the tolerance tol relative to each element, except that
// elements far below the array's scale, where cancellation makes relative
// error meaningless, are judged against a thousandth of that scale.
func PerElement(tol float64) Tol { return Tol{Rel: tol, Scale: 1e-3 * tol} }

func (t Tol) String() string {
	switch {
	case t.Rel == 0:
		return fmt.Sprintf("%.3g of the largest |want|", t.Scale)
	case t.Scale == 1e-3*t.Rel:
		return fmt.Sprintf("%.3g per element, floored at a thousandth of the largest |want|", t.Rel)
	}
	return fmt.Sprintf("%.3g per element plus %.3g of the largest |want|", t.Rel, t.Scale)
}

// Error returns how far got is from want in units of tol: the largest
// |got[i] - want[i]| / (tol.Rel*|want[i]| + tol.Scale*max_j |want[j]|),
// at most 1 when got is close enough, and at, the index of the worst
// element (-1 when none differs). A NaN anywhere is infinitely far (at is
// its index), and so are arrays of different lengths (at is -1). With the
// tolerance Scaled(1) or PerElement(1) the result is the error itself, for
// logging margins.
func Error(got, want []float64, tol Tol) (err float64, at int) {
	if len(got) != len(want) {
		return math.Inf(1), -1
	}
	scale := 0.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	at = -1
	for i := range got {
		d := math.Abs(got[i] - want[i])
		if math.IsNaN(d) {
			return math.Inf(1), i
		}
		if d == 0 {
			continue
		}
		e := d / (tol.Rel*math.Abs(want[i]) + tol.Scale*scale) // +Inf when nothing is allowed
		if at < 0 || e > err {
			err, at = e, i
		}
	}
	return err, at
}

// Check fails tb when got is not within tol of want, naming what was
// compared and its worst element.
func Check(tb testing.TB, what string, got, want []float64, tol Tol) {
	tb.Helper()
	err, at := Error(got, want, tol)
	switch {
	case err <= 1:
	case at < 0:
		tb.Errorf("%s: %d values, want %d", what, len(got), len(want))
	default:
		tb.Errorf("%s: element %d of %d is %.9g, want %.9g: off by %.3g times the tolerance (%v)",
			what, at, len(got), got[at], want[at], err, tol)
	}
}
