package ct

import "math"

// Scalings are the coefficients of the consistency-model parameterization
// (CM §3; iCT §2)
//
//	f(x, sigma) = Skip x + Out F(In x, Noise)
//
// where F is the network.
type Scalings struct {
	Skip  float64 // c_skip = sd^2 / ((sigma - smin)^2 + sd^2)
	Out   float64 // c_out  = sd (sigma - smin) / sqrt(sigma^2 + sd^2)
	In    float64 // c_in   = 1 / sqrt(sigma^2 + sd^2)
	Noise float64 // c_noise, the network's noise-level input; see Recipe.CNoise
}

// Scalings returns the parameterization coefficients at noise level sigma.
// c_skip and c_out are EDM's, shifted by sigma_min so that
// f(x, sigma_min) = x exactly (c_skip = 1, c_out = 0 there); c_in is EDM's
// unshifted input scaling, as in the CM code.
func (r Recipe) Scalings(sigma float64) Scalings {
	sd2 := r.SigmaData * r.SigmaData
	shifted := sigma - r.SigmaMin
	norm := math.Sqrt(sigma*sigma + sd2)
	return Scalings{
		Skip:  sd2 / (shifted*shifted + sd2),
		Out:   r.SigmaData * shifted / norm,
		In:    1 / norm,
		Noise: r.CNoise(sigma),
	}
}

// CNoise returns the noise-level input of the network,
//
//	c_noise(sigma) = CNoiseScale * ln(sigma)   (0.25 ln sigma by default).
//
// Why 0.25 ln sigma: it is EDM's c_noise, and it is exactly what the
// consistency-model CIFAR-10 code feeds its NCSN++ Gaussian Fourier
// embedding (openai/consistency_models_cifar10, jcm/models/utils.py:
// cond_t = 0.25 * jnp.log(t), passed unchanged to GaussianFourierProjection).
// iCT starts from that code and lowers the Fourier scale from 16 to 0.02
// (iCT §3.1), so the scale 0.02 was tuned against 0.25 ln sigma; feeding
// plain ln sigma would silently make the embedding four times more
// sensitive. The PyTorch ImageNet code (openai/consistency_models,
// cm/karras_diffusion.py) feeds 1000 * 0.25 * ln(sigma + 1e-44) to a
// positional embedding built for timesteps up to 1000; a positional
// ablation should set CNoiseScale = 250 to match it.
func (r Recipe) CNoise(sigma float64) float64 {
	return r.CNoiseScale * math.Log(sigma)
}

// PseudoHuberC returns the Pseudo-Huber constant c = 0.00054 sqrt(d) for
// samples of d = C*H*W values (iCT §3.3). The metric is taken over the
// whole per-sample vector, so d is the sample's size, not 1.
func (r Recipe) PseudoHuberC(d int) float64 {
	return r.PseudoHuberFactor * math.Sqrt(float64(d))
}

// Distance is the float64 reference of the metric between one student
// output and one teacher output, given their difference over the whole
// sample. c is the Pseudo-Huber constant; the other metrics ignore it.
//
//	pseudo-Huber: sqrt(||diff||^2 + c^2) - c
//	squared l2:   ||diff||^2
//	l1:           sum |diff|
//
// Sums, not means, over the sample's values, matching the metrics'
// definitions in iCT §3.3. The Pseudo-Huber value is computed as
// ||diff||^2 / (sqrt(||diff||^2 + c^2) + c), which equals the definition
// but does not cancel when ||diff|| is much smaller than c.
func (m Metric) Distance(diff []float64, c float64) float64 {
	switch m {
	case MetricPseudoHuber:
		sq := sumSquares(diff)
		return sq / (math.Sqrt(sq+c*c) + c)
	case MetricSquaredL2:
		return sumSquares(diff)
	case MetricL1:
		var s float64
		for _, v := range diff {
			s += math.Abs(v)
		}
		return s
	default:
		panic("ct: Distance on an unset or unknown metric " + m.String())
	}
}

func sumSquares(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return s
}
