package ct

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Curriculum is the schedule over training iterations k = 0..K-1: the
// grid size N(k) and, for original CT, the teacher EMA decay mu(k). It is
// a pure function of its fields, so a resumed run recovers it from k.
// Its methods assume Validate passed (Recipe.Curriculum checks it).
type Curriculum struct {
	Kind            CurriculumKind
	S0, S1          int     // s0, s1 of the paper
	TotalIters      int     // K
	TeacherEMAStart float64 // mu0; 0 for iCT (no teacher EMA)
}

// Curriculum returns the recipe's curriculum, validated.
func (r Recipe) Curriculum() (Curriculum, error) {
	c := Curriculum{
		Kind:            r.CurriculumKind,
		S0:              r.S0,
		S1:              r.S1,
		TotalIters:      r.TotalIters,
		TeacherEMAStart: r.TeacherEMAStart,
	}
	return c, c.Validate()
}

// Validate reports every field that is out of range.
func (c Curriculum) Validate() error {
	var errs []error
	if !enumValid(c.Kind, curriculumNames) {
		errs = append(errs, fmt.Errorf("ct: curriculum kind %d is not set or unknown", int(c.Kind)))
	}
	if c.S0 < 1 {
		errs = append(errs, fmt.Errorf("ct: curriculum s0 = %d: must be at least 1", c.S0))
	}
	if c.S1 < c.S0 {
		errs = append(errs, fmt.Errorf("ct: curriculum s1 = %d: must be at least s0 = %d", c.S1, c.S0))
	}
	if c.TotalIters < 1 {
		errs = append(errs, fmt.Errorf("ct: curriculum total iterations K = %d: must be at least 1", c.TotalIters))
	}
	if !(c.TeacherEMAStart >= 0 && c.TeacherEMAStart < 1) {
		errs = append(errs, fmt.Errorf("ct: curriculum teacher EMA mu0 = %v: must be in [0, 1)", c.TeacherEMAStart))
	}
	return errors.Join(errs...)
}

// DoublingPeriod returns K' of iCT's exponential curriculum (iCT §3.4),
// the number of iterations between doublings of N:
//
//	K' = floor(K / (log2 floor(s1/s0) + 1)).
//
// Guard: when K is smaller than the number of doublings plus one, the
// formula gives K' = 0 and N(k) would divide by zero. Such a K' is taken
// as 1, so N doubles every iteration until it reaches s1. This is the
// formula's own behaviour at the smallest K where K' = 1 (K = 8 for
// s0 = 10, s1 = 1280), cut short: a tiny run climbs the same staircase as
// fast as the recipe allows, rather than skipping the curriculum or
// staying on the coarsest grid.
func (c Curriculum) DoublingPeriod() int {
	doublings := math.Log2(float64(c.S1 / c.S0)) // exact for powers of two
	period := int(math.Floor(float64(c.TotalIters) / (doublings + 1)))
	return max(period, 1)
}

// GridSize returns N(k), the number of noise levels at iteration k:
//
//	exponential (iCT §3.4): N(k) = min(s0 2^floor(k/K'), s1) + 1
//	square root (CM Appendix C, as in the CM code):
//	    N(k) = max(ceil(sqrt(k/K ((s1+1)^2 - s0^2) + s0^2) - 1), 1) + 1
//
// Past the last iteration both stay at s1 + 1. k must not be negative.
func (c Curriculum) GridSize(k int) int {
	if k < 0 {
		panic(fmt.Sprintf("ct: curriculum iteration k = %d is negative", k))
	}
	switch c.Kind {
	case CurriculumExponential:
		doublings := k / c.DoublingPeriod()
		// s0 << doublings, capped at s1 without overflowing.
		if doublings >= 62 || c.S0 > c.S1>>doublings {
			return c.S1 + 1
		}
		return min(c.S0<<doublings, c.S1) + 1
	case CurriculumSquareRoot:
		progress := math.Min(float64(k)/float64(c.TotalIters), 1)
		s0, s1 := float64(c.S0), float64(c.S1)
		intervals := int(math.Ceil(math.Sqrt(progress*((s1+1)*(s1+1)-s0*s0)+s0*s0) - 1))
		return min(max(intervals, 1), c.S1) + 1
	default:
		panic("ct: GridSize on an unset or unknown curriculum kind " + c.Kind.String())
	}
}

// TeacherEMA returns the decay mu(k) of the teacher's EMA of the student,
// or 0 when TeacherEMAStart is 0 (iCT: the teacher is the student itself).
//
// The CM paper writes mu(k) = exp(s0 ln mu0 / N(k)) (CM Appendix C), but
// both official implementations divide by N(k) - 1, the number of
// intervals before the "+1": openai/consistency_models
// cm/script_util.py create_ema_and_scales_fn and
// openai/consistency_models_cifar10 jcm/losses.py get_ema_scales_fn
// compute c = -log(start_ema) * start_scales, target_ema = exp(-c / scales)
// and only then scales = scales + 1. This follows the code, which is what
// produced the published results:
//
//	mu(k) = exp(s0 ln mu0 / (N(k) - 1)).
//
// With the square-root curriculum N(0) = s0, so mu(0) = mu0^(s0/(s0-1))
// (0.81 for mu0 = 0.9, s0 = 2) rather than the paper's mu0.
func (c Curriculum) TeacherEMA(k int) float64 {
	if c.TeacherEMAStart == 0 {
		return 0
	}
	intervals := float64(c.GridSize(k) - 1)
	return math.Exp(float64(c.S0) * math.Log(c.TeacherEMAStart) / intervals)
}

// CurriculumStage is a run of iterations that share one grid size.
type CurriculumStage struct {
	FirstIter, LastIter int // inclusive
	GridSize            int // N
	TeacherEMA          float64
}

// Stages lists the stages of iterations 0..K-1 in order.
func (c Curriculum) Stages() []CurriculumStage {
	var stages []CurriculumStage
	for first := 0; first < c.TotalIters; {
		n := c.GridSize(first)
		// N(k) never decreases, so the stage ends just before the first
		// k with a different N.
		next := first + sort.Search(c.TotalIters-first, func(d int) bool {
			return c.GridSize(first+d) != n
		})
		stages = append(stages, CurriculumStage{
			FirstIter:  first,
			LastIter:   next - 1,
			GridSize:   n,
			TeacherEMA: c.TeacherEMA(first),
		})
		first = next
	}
	return stages
}
