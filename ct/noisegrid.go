package ct

import (
	"fmt"
	"math"
)

// KarrasSigmas returns the n noise levels of the Karras et al. (EDM) grid
// that CT and iCT discretize the noise range with:
//
//	sigma_i = (smin^(1/rho) + (i-1)/(n-1) (smax^(1/rho) - smin^(1/rho)))^rho,  i = 1..n
//
// in increasing order. The two ends are set to exactly sigmaMin and
// sigmaMax rather than to the powers' rounded values, so that the
// boundary condition c_skip(sigma_1) = 1, c_out(sigma_1) = 0 holds
// exactly on the grid.
func KarrasSigmas(n int, sigmaMin, sigmaMax, rho float64) ([]float64, error) {
	if n < 2 {
		return nil, fmt.Errorf("ct: Karras grid needs at least 2 points, got n = %d", n)
	}
	if !(sigmaMin > 0) || !(sigmaMax > sigmaMin) || math.IsInf(sigmaMax, 0) || !(rho > 0) {
		return nil, fmt.Errorf("ct: Karras grid needs 0 < sigmaMin < sigmaMax < Inf and rho > 0, got sigmaMin = %v, sigmaMax = %v, rho = %v",
			sigmaMin, sigmaMax, rho)
	}
	lo := math.Pow(sigmaMin, 1/rho)
	hi := math.Pow(sigmaMax, 1/rho)
	sigmas := make([]float64, n)
	for j := range sigmas {
		sigmas[j] = math.Pow(lo+float64(j)/float64(n-1)*(hi-lo), rho)
	}
	sigmas[0], sigmas[n-1] = sigmaMin, sigmaMax
	return sigmas, nil
}

// LognormalProbs returns iCT's discretized lognormal distribution over the
// n-1 adjacent pairs of an increasing grid of n noise levels (iCT §3.5):
//
//	p(sigma_i) ∝ erf((ln sigma_{i+1} - pMean)/(sqrt2 pStd)) - erf((ln sigma_i - pMean)/(sqrt2 pStd)),
//
// normalized to sum to 1; entry j is the pair (sigmas[j], sigmas[j+1]).
// Each term is the lognormal's mass between the two noise levels. Where
// both arguments are on the same side of zero the difference is taken
// between erfc values of the tail, so the small probabilities of high
// noise levels keep their relative precision instead of cancelling
// between two numbers close to 1.
func LognormalProbs(sigmas []float64, pMean, pStd float64) ([]float64, error) {
	if err := checkIncreasing(sigmas); err != nil {
		return nil, err
	}
	if !(pStd > 0) || math.IsInf(pStd, 0) || math.IsNaN(pMean) || math.IsInf(pMean, 0) {
		return nil, fmt.Errorf("ct: lognormal needs a finite mean and a positive finite std, got pMean = %v, pStd = %v", pMean, pStd)
	}
	z := make([]float64, len(sigmas))
	for j, s := range sigmas {
		z[j] = (math.Log(s) - pMean) / (math.Sqrt2 * pStd)
	}
	probs := make([]float64, len(sigmas)-1)
	var total float64
	for j := range probs {
		probs[j] = erfDifference(z[j], z[j+1])
		total += probs[j]
	}
	if !(total > 0) {
		return nil, fmt.Errorf("ct: lognormal (pMean = %v, pStd = %v) puts no mass on the grid [%v, %v]",
			pMean, pStd, sigmas[0], sigmas[len(sigmas)-1])
	}
	for j := range probs {
		probs[j] /= total
	}
	return probs, nil
}

// erfDifference returns erf(b) - erf(a) for a <= b without cancelling in
// the tails.
func erfDifference(a, b float64) float64 {
	switch {
	case a >= 0:
		return math.Erfc(a) - math.Erfc(b)
	case b <= 0:
		return math.Erfc(-b) - math.Erfc(-a)
	default:
		return math.Erf(b) - math.Erf(a)
	}
}

// UniformProbs returns the original CT distribution i ~ U{1, ..., N-1}
// over the given number of adjacent noise-level pairs (N-1).
func UniformProbs(pairs int) []float64 {
	probs := make([]float64, pairs)
	for j := range probs {
		probs[j] = 1 / float64(pairs)
	}
	return probs
}

// Weights returns lambda(sigma_i) for the n-1 adjacent pairs of an
// increasing grid: 1/(sigma_{i+1} - sigma_i) for WeightingInverseGap
// (iCT §3.1), 1 for WeightingUniform.
func (w Weighting) Weights(sigmas []float64) ([]float64, error) {
	if err := checkIncreasing(sigmas); err != nil {
		return nil, err
	}
	weights := make([]float64, len(sigmas)-1)
	switch w {
	case WeightingInverseGap:
		for j := range weights {
			weights[j] = 1 / (sigmas[j+1] - sigmas[j])
		}
	case WeightingUniform:
		for j := range weights {
			weights[j] = 1
		}
	default:
		return nil, fmt.Errorf("ct: weighting %v is not set or unknown", w)
	}
	return weights, nil
}

func checkIncreasing(sigmas []float64) error {
	if len(sigmas) < 2 {
		return fmt.Errorf("ct: a noise grid needs at least 2 levels, got %d", len(sigmas))
	}
	for j, s := range sigmas {
		if !(s > 0) || math.IsInf(s, 0) {
			return fmt.Errorf("ct: noise level sigmas[%d] = %v is not positive and finite", j, s)
		}
		if j > 0 && !(s > sigmas[j-1]) {
			return fmt.Errorf("ct: noise levels must increase, but sigmas[%d] = %v follows sigmas[%d] = %v", j, s, j-1, sigmas[j-1])
		}
	}
	return nil
}

// NoiseGrid is everything the training step needs for one grid size N:
// the noise levels, the probability of drawing each adjacent pair, and
// each pair's loss weight. Probs and Weights have N-1 entries; entry j is
// the pair (Sigmas[j], Sigmas[j+1]), the paper's i = j+1.
type NoiseGrid struct {
	Sigmas  []float64
	Probs   []float64
	Weights []float64
}

// Pairs returns N-1, the number of adjacent noise-level pairs.
func (g NoiseGrid) Pairs() int { return len(g.Probs) }

// Sigmas returns the recipe's Karras grid of n noise levels.
func (r Recipe) Sigmas(n int) ([]float64, error) {
	return KarrasSigmas(n, r.SigmaMin, r.SigmaMax, r.Rho)
}

// NoiseGrid builds the grid of n noise levels with the recipe's index
// distribution and weighting. The trainer builds one whenever N(k)
// changes, that is once per curriculum stage.
func (r Recipe) NoiseGrid(n int) (NoiseGrid, error) {
	sigmas, err := r.Sigmas(n)
	if err != nil {
		return NoiseGrid{}, err
	}
	var probs []float64
	switch r.NoiseDistribution {
	case NoiseLognormal:
		probs, err = LognormalProbs(sigmas, r.PMean, r.PStd)
	case NoiseUniform:
		probs = UniformProbs(n - 1)
	default:
		err = fmt.Errorf("ct: recipe NoiseDistribution %v is not set or unknown", r.NoiseDistribution)
	}
	if err != nil {
		return NoiseGrid{}, err
	}
	weights, err := r.Weighting.Weights(sigmas)
	if err != nil {
		return NoiseGrid{}, err
	}
	return NoiseGrid{Sigmas: sigmas, Probs: probs, Weights: weights}, nil
}
