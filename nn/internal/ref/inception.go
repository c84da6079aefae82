package ref

import (
	"fmt"
	"math"
)

// The inference ops of the FID Inception-v3 network (eval/inception), as
// PyTorch computes them. They have no backward: the network is only ever
// run forward.

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

// ResizeBilinear is torch.nn.functional.interpolate(x, size=(ho, wo),
// mode="bilinear", align_corners=False) of x [B,C,H,W].
func ResizeBilinear(x []float64, xs [4]int, ho, wo int) (y []float64, ys [4]int) {
	checkLen("ResizeBilinear", "x", x, numel(xs[:]...))
	h, w := xs[2], xs[3]
	ys = [4]int{xs[0], xs[1], ho, wo}
	y = make([]float64, numel(ys[:]...))
	for p := 0; p < xs[0]*xs[1]; p++ {
		for oy := 0; oy < ho; oy++ {
			y0, y1, ly := bilinearTaps(oy, h, ho)
			for ox := 0; ox < wo; ox++ {
				x0, x1, lx := bilinearTaps(ox, w, wo)
				at := func(iy, ix int) float64 { return x[(p*h+iy)*w+ix] }
				top := (1-lx)*at(y0, x0) + lx*at(y0, x1)
				bottom := (1-lx)*at(y1, x0) + lx*at(y1, x1)
				y[(p*ho+oy)*wo+ox] = (1-ly)*top + ly*bottom
			}
		}
	}
	return y, ys
}

// bilinearTaps are the two source pixels of output pixel o (of out) along
// an axis of in pixels and the second one's weight: the source coordinate
// (o + 0.5) * in/out - 0.5, clamped at 0 (PyTorch's
// area_pixel_compute_source_index).
func bilinearTaps(o, in, out int) (i0, i1 int, frac float64) {
	src := math.Max((float64(o)+0.5)*float64(in)/float64(out)-0.5, 0)
	i0 = min(int(src), in-1)
	i1 = min(i0+1, in-1)
	return i0, i1, src - float64(i0)
}
