package nn

import (
	"fmt"
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// A mean of up to k*k values: 1e-6 of the largest.
const pool2dTol = 1e-6

func pool2dCase(isMax bool, xs [4]int, k, stride, pad int) opCase {
	op := "avgpool2d"
	if isMax {
		op = "maxpool2d"
	}
	return opCase{
		name:   fmt.Sprintf("%s %v k%d s%d p%d", op, xs, k, stride, pad),
		inputs: []input{{shape: xs[:]}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			if isMax {
				return e.MaxPool2d(in[0], k, stride, pad)
			}
			return e.AvgPool2d(in[0], k, stride, pad)
		},
		ref: func(in [][]float64) []float64 {
			if isMax {
				y, _ := ref.MaxPool2d(in[0], xs, k, stride, pad)
				return y
			}
			y, _ := ref.AvgPool2d(in[0], xs, k, stride, pad)
			return y
		},
		tol: pool2dTol,
	}
}

var _ = addCases(
	// Inception's pools: 3x3 stride 2 (odd and even sizes), 3x3 stride 1
	// pad 1 (corners average 4 pixels, edges 6), and a 5x5 window.
	pool2dCase(true, [4]int{2, 3, 9, 8}, 3, 2, 0),
	pool2dCase(true, [4]int{1, 5, 7, 6}, 3, 1, 1),
	pool2dCase(false, [4]int{2, 3, 7, 9}, 3, 1, 1),
	pool2dCase(false, [4]int{1, 2, 8, 5}, 3, 2, 1),
	pool2dCase(false, [4]int{1, 2, 6, 7}, 5, 1, 2),
)

func TestPool2dShapeErrors(t *testing.T) {
	e := engine(t)
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { e.MaxPool2d(e.Empty(2, 3, 4), 3, 2, 0) }, "nn: maxpool2d: x [2 3 4], window 3, stride 2, pad 0: want x [B,C,H,W], window and stride >= 1, 0 <= pad <= window/2 and a window that fits the padded image"},
		{func() { e.AvgPool2d(e.Empty(1, 1, 2, 2), 3, 1, 0) }, "nn: avgpool2d: x [1 1 2 2], window 3, stride 1, pad 0: want x [B,C,H,W], window and stride >= 1, 0 <= pad <= window/2 and a window that fits the padded image"},
		{func() { e.AvgPool2d(e.Empty(1, 1, 5, 5), 3, 1, 2) }, "nn: avgpool2d: x [1 1 5 5], window 3, stride 1, pad 2: want x [B,C,H,W], window and stride >= 1, 0 <= pad <= window/2 and a window that fits the padded image"},
	} {
		c.f()
		if err := e.Err(); err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %q", err, c.want)
		}
		e.ClearErr()
	}
}
