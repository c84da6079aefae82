package ref

import "math"

// AdamConfig holds the hyperparameters of AdamStep and RAdamStep, named
// as in torch.optim.
type AdamConfig struct {
	LR, Beta1, Beta2, Eps float64
	// WeightDecay is L2 regularization added to the gradient (torch's
	// weight_decay) unless Decoupled is set, in which case the parameter is
	// shrunk by (1 - LR*WeightDecay) before the update (AdamW, and torch
	// 2.x's RAdam decoupled_weight_decay).
	WeightDecay float64
	Decoupled   bool
}

// decay applies the configured weight decay to p and returns the gradient
// the moments should see.
func (c AdamConfig) decay(p []float64, g float64, i int) float64 {
	if c.WeightDecay == 0 {
		return g
	}
	if c.Decoupled {
		p[i] *= 1 - c.LR*c.WeightDecay
		return g
	}
	return g + c.WeightDecay*p[i]
}

// AdamStep applies step number step (1-based) of Adam with bias correction
// to the parameters p given gradients g, updating p and the first and
// second moments m and v in place, as torch.optim.Adam / AdamW do:
//
//	m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
//	p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
func AdamStep(p, g, m, v []float64, step int, c AdamConfig) {
	checkOptim("AdamStep", p, g, m, v)
	t := float64(step)
	bc1 := 1 - math.Pow(c.Beta1, t)
	bc2 := 1 - math.Pow(c.Beta2, t)
	for i := range p {
		gi := c.decay(p, g[i], i)
		m[i] = c.Beta1*m[i] + (1-c.Beta1)*gi
		v[i] = c.Beta2*v[i] + (1-c.Beta2)*gi*gi
		p[i] -= c.LR / bc1 * m[i] / (math.Sqrt(v[i])/math.Sqrt(bc2) + c.Eps)
	}
}

// RAdamStep applies step number step (1-based) of RAdam (Liu et al. 2020)
// with torch 1.13's semantics, updating p, m and v in place. While the
// length of the approximated SMA rho_t is at most 5 the step is plain
// momentum SGD with bias correction; after that (from step 6 with
// beta2 = 0.999) it is rectified:
//
//	p -= lr * m/(1-b1^t) * rect * sqrt(1-b2^t) / (sqrt(v) + eps)
//
// Note eps is added to sqrt(v) before the bias correction, unlike Adam.
func RAdamStep(p, g, m, v []float64, step int, c AdamConfig) {
	checkOptim("RAdamStep", p, g, m, v)
	t := float64(step)
	bc1 := 1 - math.Pow(c.Beta1, t)
	bc2 := 1 - math.Pow(c.Beta2, t)
	rhoInf := 2/(1-c.Beta2) - 1
	rhoT := rhoInf - 2*t*math.Pow(c.Beta2, t)/bc2
	for i := range p {
		gi := c.decay(p, g[i], i)
		m[i] = c.Beta1*m[i] + (1-c.Beta1)*gi
		v[i] = c.Beta2*v[i] + (1-c.Beta2)*gi*gi
		mHat := m[i] / bc1
		if rhoT > 5 {
			rect := math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
			p[i] -= mHat * c.LR * rect * math.Sqrt(bc2) / (math.Sqrt(v[i]) + c.Eps)
		} else {
			p[i] -= mHat * c.LR
		}
	}
}

// EMAUpdate sets ema = decay*ema + (1-decay)*p in place.
func EMAUpdate(ema, p []float64, decay float64) {
	checkLen("EMAUpdate", "p", p, len(ema))
	for i := range ema {
		ema[i] = decay*ema[i] + (1-decay)*p[i]
	}
}

func checkOptim(op string, p, g, m, v []float64) {
	checkLen(op, "g", g, len(p))
	checkLen(op, "m", m, len(p))
	checkLen(op, "v", v, len(p))
}
