package ref

import "math"

// The iCT losses are weighted means over the batch of a distance between
// the student's output s and the teacher's t, each holding batch samples of
// equal size; lam[b] is the weight lambda(sigma_i) of sample b.

// PseudoHuberLoss returns mean_b lam[b] (sqrt(||s_b - t_b||^2 + c^2) - c).
// The distance is over each whole sample vector, not per pixel, with c
// supplied by the caller (iCT: 0.00054 sqrt(C*H*W)).
func PseudoHuberLoss(s, t, lam []float64, batch int, c float64) float64 {
	y := 0.0
	for b, d2 := range sampleSquaredDistances("PseudoHuberLoss", s, t, lam, batch) {
		y += lam[b] * (math.Sqrt(d2+c*c) - c)
	}
	return y / float64(batch)
}

// PseudoHuberLossBackward returns the gradients of gy*PseudoHuberLoss with
// respect to s, t and lam.
func PseudoHuberLossBackward(s, t, lam []float64, batch int, c, gy float64) (gs, gt, glam []float64) {
	d2 := sampleSquaredDistances("PseudoHuberLossBackward", s, t, lam, batch)
	per := len(s) / batch
	gs, gt, glam = make([]float64, len(s)), make([]float64, len(s)), make([]float64, batch)
	for b := range d2 {
		root := math.Sqrt(d2[b] + c*c)
		glam[b] = gy * (root - c) / float64(batch)
		k := gy * lam[b] / (float64(batch) * root)
		for i := b * per; i < (b+1)*per; i++ {
			gs[i] = k * (s[i] - t[i])
			gt[i] = -gs[i]
		}
	}
	return gs, gt, glam
}

// SquaredL2Loss returns mean_b lam[b] ||s_b - t_b||^2, the original CT
// distance (with lam = 1 there).
func SquaredL2Loss(s, t, lam []float64, batch int) float64 {
	y := 0.0
	for b, d2 := range sampleSquaredDistances("SquaredL2Loss", s, t, lam, batch) {
		y += lam[b] * d2
	}
	return y / float64(batch)
}

// SquaredL2LossBackward returns the gradients of gy*SquaredL2Loss.
func SquaredL2LossBackward(s, t, lam []float64, batch int, gy float64) (gs, gt, glam []float64) {
	d2 := sampleSquaredDistances("SquaredL2LossBackward", s, t, lam, batch)
	per := len(s) / batch
	gs, gt, glam = make([]float64, len(s)), make([]float64, len(s)), make([]float64, batch)
	for b := range d2 {
		glam[b] = gy * d2[b] / float64(batch)
		for i := b * per; i < (b+1)*per; i++ {
			gs[i] = gy * lam[b] * 2 * (s[i] - t[i]) / float64(batch)
			gt[i] = -gs[i]
		}
	}
	return gs, gt, glam
}

// L1Loss returns mean_b lam[b] ||s_b - t_b||_1.
func L1Loss(s, t, lam []float64, batch int) float64 {
	sampleSquaredDistances("L1Loss", s, t, lam, batch) // shape checks
	per := len(s) / batch
	y := 0.0
	for i := range s {
		y += lam[i/per] * math.Abs(s[i]-t[i])
	}
	return y / float64(batch)
}

// L1LossBackward returns the gradients of gy*L1Loss, taking the derivative
// of |0| as 0 like PyTorch's sign.
func L1LossBackward(s, t, lam []float64, batch int, gy float64) (gs, gt, glam []float64) {
	sampleSquaredDistances("L1LossBackward", s, t, lam, batch)
	per := len(s) / batch
	gs, gt, glam = make([]float64, len(s)), make([]float64, len(s)), make([]float64, batch)
	for i := range s {
		b := i / per
		d := s[i] - t[i]
		glam[b] += gy * math.Abs(d) / float64(batch)
		sign := 0.0
		if d > 0 {
			sign = 1
		} else if d < 0 {
			sign = -1
		}
		gs[i] = gy * lam[b] * sign / float64(batch)
		gt[i] = -gs[i]
	}
	return gs, gt, glam
}

// sampleSquaredDistances checks the loss operands and returns
// ||s_b - t_b||^2 for every sample.
func sampleSquaredDistances(op string, s, t, lam []float64, batch int) []float64 {
	perSample(op, s, batch)
	checkLen(op, "t", t, len(s))
	checkLen(op, "lam", lam, batch)
	return SumSquares(Add(s, Scale(t, -1)), batch)
}
