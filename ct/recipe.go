package ct

import (
	"errors"
	"fmt"
	"math"
)

// Recipe holds every constant of a consistency-training run in one place.
// DefaultRecipe gives the iCT paper's CIFAR-10 settings; OriginalCTRecipe
// gives the original CT settings that iCT ablates against. Every field can
// be changed on its own for ablations; Validate says which field is wrong.
type Recipe struct {
	// Noise levels of the variance-exploding process (EDM / CM).
	SigmaMin  float64 // data end of the grid; f(x, SigmaMin) = x
	SigmaMax  float64 // noise end of the grid; one-step sampling starts here
	Rho       float64 // Karras grid exponent
	SigmaData float64 // standard deviation of the data, scaled to [-1, 1]

	// Discretization curriculum N(k) (iCT §3.4; CM Appendix C).
	CurriculumKind CurriculumKind
	S0             int // initial number of discretization intervals, s0
	S1             int // final (cap on the) number of intervals, s1
	TotalIters     int // K, the number of training iterations

	// Distribution of the noise index i (iCT §3.5).
	NoiseDistribution NoiseDistribution
	PMean             float64 // mean of ln(sigma) under the lognormal; note the minus sign
	PStd              float64 // standard deviation of ln(sigma)

	// Loss (iCT §3.1, §3.3).
	Weighting         Weighting
	Metric            Metric
	PseudoHuberFactor float64 // c = PseudoHuberFactor * sqrt(d), d = C*H*W

	// TeacherEMAStart is mu0 of the original CT teacher schedule
	// mu(k) (see Curriculum.TeacherEMA). Zero means the teacher is the
	// student's own weights under stop-gradient, as iCT prescribes (§3.2).
	TeacherEMAStart float64

	// Network conditioning (iCT §3.1). The network's own settings (the
	// Fourier embedding's scale, dropout) live only in unet.Config, which
	// is what the network reads; see ICTFourierScale and ICTDropout.
	CNoiseScale float64 // c_noise(sigma) = CNoiseScale * ln(sigma); see CNoise

	// Optimizer (RAdam) and batch.
	LearningRate float64
	Beta1        float64
	Beta2        float64
	AdamEps      float64
	BatchSize    int

	// EvalEMADecay is the decay of the student EMA used for evaluation
	// and sampling only, never as the teacher.
	EvalEMADecay float64

	// SigmaMid is the intermediate noise level of two-step sampling.
	SigmaMid float64
}

// The network's part of the recipe, for unet.Config: iCT shrinks the
// Fourier embedding's scale from NCSN++'s 16, which CT kept, to 0.02
// (iCT §3.1), and uses dropout 0.3 on CIFAR-10 (iCT §4), where CT used
// none.
const (
	ICTFourierScale = 0.02
	CTFourierScale  = 16
	ICTDropout      = 0.3
)

// DefaultRecipe returns the iCT recipe with the paper's CIFAR-10 values
// (iCT §3 and §4).
func DefaultRecipe() Recipe {
	return Recipe{
		SigmaMin:  0.002,
		SigmaMax:  80,
		Rho:       7,
		SigmaData: 0.5,

		CurriculumKind: CurriculumExponential,
		S0:             10,
		S1:             1280,
		TotalIters:     400000,

		NoiseDistribution: NoiseLognormal,
		PMean:             -1.1,
		PStd:              2.0,

		Weighting:         WeightingInverseGap,
		Metric:            MetricPseudoHuber,
		PseudoHuberFactor: 0.00054,

		TeacherEMAStart: 0,

		CNoiseScale: 0.25,

		LearningRate: 1e-4,
		Beta1:        0.9,
		Beta2:        0.999,
		AdamEps:      1e-8,
		BatchSize:    1024,

		EvalEMADecay: 0.99993,
		SigmaMid:     0.821,
	}
}

// OriginalCTTeacherEMAStart is mu0 of the original CT teacher EMA on
// CIFAR-10 (start_ema = 0.9 in openai/consistency_models_cifar10,
// configs/cifar10_ve_ct_adaptive.py).
const OriginalCTTeacherEMAStart = 0.9

// OriginalCTRecipe returns DefaultRecipe with the items that iCT changed
// relative to the original consistency training put back: lambda = 1,
// squared l2, i uniform, s0 = 2, s1 = 150 on CT's square-root curriculum,
// and a teacher EMA with mu0 = 0.9. The square-root curriculum is used
// because the teacher schedule mu(k) is defined on it; set CurriculumKind
// to CurriculumExponential for iCT's doubling curriculum with CT's s0, s1.
// Everything else (conditioning, optimizer, K) stays at the iCT values so
// that an ablation changes only what it names; CT's network settings
// (CTFourierScale, no dropout) are the preset's to set in unet.Config.
func OriginalCTRecipe() Recipe {
	r := DefaultRecipe()
	r.Weighting = WeightingUniform
	r.Metric = MetricSquaredL2
	r.NoiseDistribution = NoiseUniform
	r.CurriculumKind = CurriculumSquareRoot
	r.S0 = 2
	r.S1 = 150
	r.TeacherEMAStart = OriginalCTTeacherEMAStart
	return r
}

// Validate reports every field that is out of range, naming the field and
// its value.
func (r Recipe) Validate() error {
	var errs []error
	bad := func(field string, value any, want string) {
		errs = append(errs, fmt.Errorf("ct: recipe %s = %v: %s", field, value, want))
	}
	positive := func(field string, v float64) {
		if !(v > 0) || math.IsInf(v, 0) {
			bad(field, v, "must be positive and finite")
		}
	}
	unitInterval := func(field string, v float64, closedLeft bool) {
		ok := v < 1 && (v > 0 || closedLeft && v == 0)
		if !ok {
			if closedLeft {
				bad(field, v, "must be in [0, 1)")
			} else {
				bad(field, v, "must be in (0, 1)")
			}
		}
	}

	positive("SigmaMin", r.SigmaMin)
	positive("SigmaMax", r.SigmaMax)
	if r.SigmaMax <= r.SigmaMin {
		bad("SigmaMax", r.SigmaMax, fmt.Sprintf("must exceed SigmaMin = %v", r.SigmaMin))
	}
	positive("Rho", r.Rho)
	positive("SigmaData", r.SigmaData)

	if !enumValid(r.CurriculumKind, curriculumNames) {
		bad("CurriculumKind", int(r.CurriculumKind), "is not set or unknown")
	}
	if r.S0 < 1 {
		bad("S0", r.S0, "must be at least 1")
	}
	if r.S1 < r.S0 {
		bad("S1", r.S1, fmt.Sprintf("must be at least S0 = %d", r.S0))
	}
	if r.TotalIters < 1 {
		bad("TotalIters", r.TotalIters, "must be at least 1")
	}

	if !enumValid(r.NoiseDistribution, noiseDistributionNames) {
		bad("NoiseDistribution", int(r.NoiseDistribution), "is not set or unknown")
	}
	if math.IsNaN(r.PMean) || math.IsInf(r.PMean, 0) {
		bad("PMean", r.PMean, "must be finite")
	}
	positive("PStd", r.PStd)

	if !enumValid(r.Weighting, weightingNames) {
		bad("Weighting", int(r.Weighting), "is not set or unknown")
	}
	if !enumValid(r.Metric, metricNames) {
		bad("Metric", int(r.Metric), "is not set or unknown")
	}
	if r.Metric == MetricPseudoHuber {
		positive("PseudoHuberFactor", r.PseudoHuberFactor)
	}
	unitInterval("TeacherEMAStart", r.TeacherEMAStart, true)

	positive("CNoiseScale", r.CNoiseScale)

	positive("LearningRate", r.LearningRate)
	unitInterval("Beta1", r.Beta1, true)
	unitInterval("Beta2", r.Beta2, true)
	positive("AdamEps", r.AdamEps)
	if r.BatchSize < 1 {
		bad("BatchSize", r.BatchSize, "must be at least 1")
	}
	unitInterval("EvalEMADecay", r.EvalEMADecay, true)
	if !(r.SigmaMid > r.SigmaMin && r.SigmaMid < r.SigmaMax) {
		bad("SigmaMid", r.SigmaMid, fmt.Sprintf("must lie strictly between SigmaMin = %v and SigmaMax = %v", r.SigmaMin, r.SigmaMax))
	}
	return errors.Join(errs...)
}
