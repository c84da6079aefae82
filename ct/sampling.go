package ct

import (
	"fmt"
	"math"
)

// Multistep consistency sampling (CM Algorithm 1) with noise levels
// sigma_1 > sigma_2 > ... : x = f(sigma_1 z, sigma_1), then for each later
// sigma, x = f(x + RenoiseStd(sigma) z', sigma) with fresh noise z'.

// OneStepSigmas returns the noise levels of one-step sampling: sigma_max.
func (r Recipe) OneStepSigmas() []float64 {
	return []float64{r.SigmaMax}
}

// TwoStepSigmas returns the noise levels of iCT's two-step sampling:
// sigma_max, then SigmaMid (0.821 by default).
func (r Recipe) TwoStepSigmas() []float64 {
	return []float64{r.SigmaMax, r.SigmaMid}
}

// RenoiseStd returns the standard deviation sqrt(sigma^2 - sigma_min^2)
// of the noise added to a clean estimate before evaluating f at sigma:
// the estimate already sits at sigma_min, so this brings the total to
// sigma. Levels at or below sigma_min give 0.
func (r Recipe) RenoiseStd(sigma float64) float64 {
	return math.Sqrt(math.Max(sigma*sigma-r.SigmaMin*r.SigmaMin, 0))
}

// CheckSamplerSigmas reports whether sigmas is a usable list of sampling
// noise levels: non-empty, strictly decreasing, within
// (sigma_min, sigma_max].
func (r Recipe) CheckSamplerSigmas(sigmas []float64) error {
	if len(sigmas) == 0 {
		return fmt.Errorf("ct: sampler needs at least one noise level")
	}
	for j, s := range sigmas {
		if !(s > r.SigmaMin && s <= r.SigmaMax) {
			return fmt.Errorf("ct: sampler noise level %d = %v is outside (sigma_min, sigma_max] = (%v, %v]", j+1, s, r.SigmaMin, r.SigmaMax)
		}
		if j > 0 && !(s < sigmas[j-1]) {
			return fmt.Errorf("ct: sampler noise levels must decrease, but level %d = %v follows %v", j+1, s, sigmas[j-1])
		}
	}
	return nil
}
