package ref

// Clamp returns min(max(x, lo), hi) elementwise; a NaN stays NaN.
func Clamp(x []float64, lo, hi float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		switch {
		case v < lo:
			y[i] = lo
		case v > hi:
			y[i] = hi
		default:
			y[i] = v
		}
	}
	return y
}

// ClampBackward returns gy where lo <= x <= hi and 0 where x was clamped
// (PyTorch's convention at the bounds, where the derivative is undefined).
func ClampBackward(x, gy []float64, lo, hi float64) []float64 {
	checkLen("ClampBackward", "gy", gy, len(x))
	gx := make([]float64, len(x))
	for i, v := range x {
		if v >= lo && v <= hi {
			gx[i] = gy[i]
		}
	}
	return gx
}
