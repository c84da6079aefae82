package ref

import "math"

// An inference op of the FID Inception-v3 network (eval/inception), as
// PyTorch computes it, with no backward: that network only runs forward.

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
