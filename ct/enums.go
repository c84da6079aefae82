package ct

import (
	"fmt"
	"strings"
)

// The enumerations below start at 1 so that a zero value means "not set"
// and Recipe.Validate rejects it. Their text forms are what the command
// line and run configs use; they implement encoding.TextMarshaler and
// encoding.TextUnmarshaler so that flag.TextVar and encoding/json work.

// Weighting selects the loss weight lambda(sigma_i) of a noise pair.
type Weighting int

const (
	// WeightingInverseGap is iCT's lambda(sigma_i) = 1/(sigma_{i+1} - sigma_i)
	// (iCT §3.1): small noise levels, where the grid is dense, weigh more.
	WeightingInverseGap Weighting = iota + 1
	// WeightingUniform is the original CT weight lambda = 1.
	WeightingUniform
)

var weightingNames = []string{"", "inverse-gap", "uniform"}

func (w Weighting) String() string               { return enumString(w, weightingNames) }
func (w Weighting) MarshalText() ([]byte, error) { return enumMarshal("weighting", w, weightingNames) }
func (w *Weighting) UnmarshalText(text []byte) error {
	return enumUnmarshal("weighting", w, text, weightingNames)
}

// Metric selects the distance d(x, y) between the student's and the
// teacher's outputs, taken over a whole sample (all C*H*W values at once).
type Metric int

const (
	// MetricPseudoHuber is sqrt(||x-y||^2 + c^2) - c (iCT §3.3).
	MetricPseudoHuber Metric = iota + 1
	// MetricSquaredL2 is ||x-y||^2, the original CT metric for ablations.
	MetricSquaredL2
	// MetricL1 is sum |x-y|.
	MetricL1
)

var metricNames = []string{"", "pseudo-huber", "squared-l2", "l1"}

func (m Metric) String() string               { return enumString(m, metricNames) }
func (m Metric) MarshalText() ([]byte, error) { return enumMarshal("metric", m, metricNames) }
func (m *Metric) UnmarshalText(text []byte) error {
	return enumUnmarshal("metric", m, text, metricNames)
}

// NoiseDistribution selects how the noise index i is drawn.
type NoiseDistribution int

const (
	// NoiseLognormal is iCT's discretized lognormal over the grid (iCT §3.5).
	NoiseLognormal NoiseDistribution = iota + 1
	// NoiseUniform is the original CT choice, i ~ U{1, ..., N-1}.
	NoiseUniform
)

var noiseDistributionNames = []string{"", "lognormal", "uniform"}

func (d NoiseDistribution) String() string { return enumString(d, noiseDistributionNames) }
func (d NoiseDistribution) MarshalText() ([]byte, error) {
	return enumMarshal("noise distribution", d, noiseDistributionNames)
}
func (d *NoiseDistribution) UnmarshalText(text []byte) error {
	return enumUnmarshal("noise distribution", d, text, noiseDistributionNames)
}

// CurriculumKind selects the discretization curriculum N(k).
type CurriculumKind int

const (
	// CurriculumExponential is iCT's doubling curriculum (iCT §3.4):
	// N(k) = min(s0 * 2^floor(k/K'), s1) + 1.
	CurriculumExponential CurriculumKind = iota + 1
	// CurriculumSquareRoot is the original CT curriculum (CM, Appendix C):
	// N(k) = ceil(sqrt(k/K ((s1+1)^2 - s0^2) + s0^2) - 1) + 1.
	CurriculumSquareRoot
)

var curriculumNames = []string{"", "exponential", "square-root"}

func (c CurriculumKind) String() string { return enumString(c, curriculumNames) }
func (c CurriculumKind) MarshalText() ([]byte, error) {
	return enumMarshal("curriculum", c, curriculumNames)
}
func (c *CurriculumKind) UnmarshalText(text []byte) error {
	return enumUnmarshal("curriculum", c, text, curriculumNames)
}

func enumValid[T ~int](v T, names []string) bool { return v > 0 && int(v) < len(names) }

func enumString[T ~int](v T, names []string) string {
	if enumValid(v, names) {
		return names[v]
	}
	return fmt.Sprintf("invalid(%d)", int(v))
}

func enumMarshal[T ~int](what string, v T, names []string) ([]byte, error) {
	if !enumValid(v, names) {
		return nil, fmt.Errorf("ct: %s %d is not set or unknown", what, int(v))
	}
	return []byte(names[v]), nil
}

func enumUnmarshal[T ~int](what string, v *T, text []byte, names []string) error {
	s := strings.ToLower(strings.TrimSpace(string(text)))
	for i := 1; i < len(names); i++ {
		if names[i] == s {
			*v = T(i)
			return nil
		}
	}
	return fmt.Errorf("ct: unknown %s %q (want one of: %s)", what, string(text), strings.Join(names[1:], ", "))
}
