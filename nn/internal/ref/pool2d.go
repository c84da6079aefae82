package ref

import (
	"fmt"
	"math"
)

// Windowed max and average pooling, inference ops of the FID Inception-v3
// network (eval/inception) as PyTorch computes them, with no backward:
// that network only runs forward.

func poolOut(in, k, stride, pad int) int { return (in+2*pad-k)/stride + 1 }

// MaxPool2d is torch.nn.functional.max_pool2d(x, k, stride, pad) of x
// [B,C,H,W]: padded positions never win (they count as -inf).
func MaxPool2d(x []float64, xs [4]int, k, stride, pad int) (y []float64, ys [4]int) {
	return pool2d("MaxPool2d", x, xs, k, stride, pad, true)
}

// AvgPool2d is torch.nn.functional.avg_pool2d(x, k, stride, pad,
// count_include_pad=False) of x [B,C,H,W]: each window's mean over the
// pixels inside the image only.
func AvgPool2d(x []float64, xs [4]int, k, stride, pad int) (y []float64, ys [4]int) {
	return pool2d("AvgPool2d", x, xs, k, stride, pad, false)
}

func pool2d(op string, x []float64, xs [4]int, k, stride, pad int, isMax bool) (y []float64, ys [4]int) {
	checkLen(op, "x", x, numel(xs[:]...))
	h, w := xs[2], xs[3]
	ho, wo := poolOut(h, k, stride, pad), poolOut(w, k, stride, pad)
	if ho < 1 || wo < 1 || pad > k/2 {
		panic(fmt.Sprintf("ref.%s: %dx%d image, window %d, stride %d, pad %d: no output or padding over half the window", op, h, w, k, stride, pad))
	}
	ys = [4]int{xs[0], xs[1], ho, wo}
	y = make([]float64, numel(ys[:]...))
	for p := 0; p < xs[0]*xs[1]; p++ {
		for oy := 0; oy < ho; oy++ {
			for ox := 0; ox < wo; ox++ {
				best, sum, count := math.Inf(-1), 0.0, 0
				for dy := 0; dy < k; dy++ {
					iy := oy*stride - pad + dy
					if iy < 0 || iy >= h {
						continue
					}
					for dx := 0; dx < k; dx++ {
						ix := ox*stride - pad + dx
						if ix < 0 || ix >= w {
							continue
						}
						v := x[(p*h+iy)*w+ix]
						best = math.Max(best, v)
						sum += v
						count++
					}
				}
				if isMax {
					y[(p*ho+oy)*wo+ox] = best
				} else {
					y[(p*ho+oy)*wo+ox] = sum / float64(count)
				}
			}
		}
	}
	return y, ys
}
