package nn

import (
	"fmt"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// The source coordinate is computed in float32 (as PyTorch does), an
// error of about 1e-6 of the image's size in the weights: 1e-5.
const resizeTol = 1e-5

func resizeCase(xs [4]int, h, w int) opCase {
	return opCase{
		name:   fmt.Sprintf("resize_bilinear %v to %dx%d", xs, h, w),
		inputs: []input{{shape: xs[:]}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.ResizeBilinear(in[0], h, w) },
		ref: func(in [][]float64) []float64 {
			y, _ := ref.ResizeBilinear(in[0], xs, h, w)
			return y
		},
		tol: resizeTol,
	}
}

var _ = addCases(
	// Up by a non-integer factor (16 and 28 to 299 are Inception's), down,
	// one axis each way, and the identity.
	resizeCase([4]int{2, 1, 16, 16}, 299, 299),
	resizeCase([4]int{1, 3, 7, 5}, 11, 13),
	resizeCase([4]int{1, 2, 13, 11}, 5, 4),
	resizeCase([4]int{1, 2, 6, 9}, 10, 4),
	resizeCase([4]int{1, 1, 5, 6}, 5, 6),
)
