package ref

import (
	"fmt"
	"math"
)

// groupStats returns the mean and 1/sqrt(var+eps) of every (sample, group)
// of x [B,C,H,W], with PyTorch's biased variance.
func groupStats(x []float64, xs [4]int, groups int, eps float64) (mean, rstd []float64) {
	nb, c, hw := xs[0], xs[1], xs[2]*xs[3]
	if groups <= 0 || c%groups != 0 {
		panic(fmt.Sprintf("ref.GroupNorm: %d channels do not split into %d groups", c, groups))
	}
	checkLen("GroupNorm", "x", x, nb*c*hw)
	m := c / groups * hw // elements per group; a group's channels are contiguous
	mean = make([]float64, nb*groups)
	rstd = make([]float64, nb*groups)
	for i := range mean {
		seg := x[i*m : (i+1)*m]
		s := 0.0
		for _, v := range seg {
			s += v
		}
		mu := s / float64(m)
		ss := 0.0
		for _, v := range seg {
			ss += (v - mu) * (v - mu)
		}
		mean[i] = mu
		rstd[i] = 1 / math.Sqrt(ss/float64(m)+eps)
	}
	return mean, rstd
}

// GroupNorm normalizes x [B,C,H,W] over each group of C/groups channels
// and all positions, then applies the per-channel scale gamma and shift
// beta: torch.nn.functional.group_norm (biased variance, eps inside the
// square root).
func GroupNorm(x []float64, xs [4]int, gamma, beta []float64, groups int, eps float64) []float64 {
	nb, c, hw := xs[0], xs[1], xs[2]*xs[3]
	checkLen("GroupNorm", "gamma", gamma, c)
	checkLen("GroupNorm", "beta", beta, c)
	mean, rstd := groupStats(x, xs, groups, eps)
	cpg := c / groups
	y := make([]float64, len(x))
	for n := 0; n < nb; n++ {
		for ch := 0; ch < c; ch++ {
			g := n*groups + ch/cpg
			for p := 0; p < hw; p++ {
				i := (n*c+ch)*hw + p
				y[i] = (x[i]-mean[g])*rstd[g]*gamma[ch] + beta[ch]
			}
		}
	}
	return y
}

// GroupNormBackward returns the gradients of GroupNorm with respect to x,
// gamma and beta. With xhat the normalized input and dxhat = gy*gamma,
// gx = rstd * (dxhat - mean(dxhat) - xhat*mean(dxhat*xhat)) over each group.
func GroupNormBackward(x []float64, xs [4]int, gamma []float64, groups int, eps float64, gy []float64) (gx, ggamma, gbeta []float64) {
	nb, c, hw := xs[0], xs[1], xs[2]*xs[3]
	checkLen("GroupNormBackward", "gy", gy, len(x))
	mean, rstd := groupStats(x, xs, groups, eps)
	cpg := c / groups
	m := float64(cpg * hw)
	gx = make([]float64, len(x))
	ggamma = make([]float64, c)
	gbeta = make([]float64, c)
	for n := 0; n < nb; n++ {
		for g := 0; g < groups; g++ {
			gi := n*groups + g
			sumD, sumDX := 0.0, 0.0
			for ch := g * cpg; ch < (g+1)*cpg; ch++ {
				for p := 0; p < hw; p++ {
					i := (n*c+ch)*hw + p
					xhat := (x[i] - mean[gi]) * rstd[gi]
					d := gy[i] * gamma[ch]
					sumD += d
					sumDX += d * xhat
					ggamma[ch] += gy[i] * xhat
					gbeta[ch] += gy[i]
				}
			}
			for ch := g * cpg; ch < (g+1)*cpg; ch++ {
				for p := 0; p < hw; p++ {
					i := (n*c+ch)*hw + p
					xhat := (x[i] - mean[gi]) * rstd[gi]
					d := gy[i] * gamma[ch]
					gx[i] = rstd[gi] * (d - sumD/m - xhat*sumDX/m)
				}
			}
		}
	}
	return gx, ggamma, gbeta
}
