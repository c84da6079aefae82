package ref

import "math"

// An inference op of the FID Inception-v3 network (eval/inception), as
// PyTorch computes it, with no backward: that network only runs forward.

// ReLU returns max(x, 0) elementwise.
func ReLU(x []float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = math.Max(v, 0)
	}
	return y
}

// poolOut is the output size of a k-wide window with stride and padding
// (floor mode).
