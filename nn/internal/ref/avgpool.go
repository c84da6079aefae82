package ref

import "fmt"

// 2x2 average pooling, the evaluation classifier's downsampling.

// AvgPool2x2 averages each 2x2 block of x [B,C,H,W] into
// y [B,C,H/2,W/2] (floor: an odd last row or column is dropped, as
// PyTorch's avg_pool2d(2) does).
func AvgPool2x2(x []float64, xs [4]int) (y []float64, ys [4]int) {
	checkLen("AvgPool2x2", "x", x, numel(xs[:]...))
	ho, wo := xs[2]/2, xs[3]/2
	if ho < 1 || wo < 1 {
		panic(fmt.Sprintf("ref.AvgPool2x2: image %dx%d is smaller than 2x2", xs[2], xs[3]))
	}
	ys = [4]int{xs[0], xs[1], ho, wo}
	y = make([]float64, numel(ys[:]...))
	for p := 0; p < xs[0]*xs[1]; p++ {
		for oy := 0; oy < ho; oy++ {
			for ox := 0; ox < wo; ox++ {
				s := 0.0
				for dy := 0; dy < 2; dy++ {
					for dx := 0; dx < 2; dx++ {
						s += x[(p*xs[2]+2*oy+dy)*xs[3]+2*ox+dx]
					}
				}
				y[(p*ho+oy)*wo+ox] = s / 4
			}
		}
	}
	return y, ys
}

// AvgPool2x2Backward spreads gy/4 over each block; dropped pixels get 0.
func AvgPool2x2Backward(xs [4]int, gy []float64) []float64 {
	ho, wo := xs[2]/2, xs[3]/2
	checkLen("AvgPool2x2Backward", "gy", gy, xs[0]*xs[1]*ho*wo)
	gx := make([]float64, numel(xs[:]...))
	for p := 0; p < xs[0]*xs[1]; p++ {
		for oy := 0; oy < ho; oy++ {
			for ox := 0; ox < wo; ox++ {
				g := gy[(p*ho+oy)*wo+ox] / 4
				for dy := 0; dy < 2; dy++ {
					for dx := 0; dx < 2; dx++ {
						gx[(p*xs[2]+2*oy+dy)*xs[3]+2*ox+dx] = g
					}
				}
			}
		}
	}
	return gx
}
