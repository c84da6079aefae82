package data

// unitFromByte maps a pixel byte to [-1, 1]: 0 is -1 and 255 is +1 exactly.
func unitFromByte(v byte) float32 { return float32(v)/127.5 - 1 }

// background is the value padding fills with: black, MNIST's and
// Fashion-MNIST's background.
const background = -1

// raster is a planar float32 image (c planes of h rows of w), values in
// [-1, 1], on its way from a file to a Dataset.
type raster struct {
	c, h, w int
	pix     []float32
}

func (r raster) plane(k int) []float32 { return r.pix[k*r.h*r.w : (k+1)*r.h*r.w] }

// imageWriter turns rasters of any size and 1 or 3 channels into images of
// c planes of size x size; it keeps scratch buffers and resampling taps
// between images, so a loader makes one and reuses it.
type imageWriter struct {
	c, size int
	fit     Fit
	gray    []float32
	tmp     []float32
	taps    map[[2]int]*taps
}

func newImageWriter(channels, size int, fit Fit) *imageWriter {
	return &imageWriter{c: channels, size: size, fit: fit, taps: map[[2]int]*taps{}}
}

// write puts src into dst, which holds w.c*w.size*w.size values.
func (w *imageWriter) write(dst []float32, src raster) {
	if src.c == 3 && w.c == 1 {
		src = w.luma(src)
	}
	n := w.size * w.size
	for k := 0; k < src.c; k++ {
		if w.fit == Pad {
			padPlane(dst[k*n:(k+1)*n], w.size, src.plane(k), src.h, src.w)
		} else {
			w.resizePlane(dst[k*n:(k+1)*n], src.plane(k), src.h, src.w)
		}
	}
	if src.c == 1 && w.c == 3 {
		copy(dst[n:2*n], dst[:n])
		copy(dst[2*n:3*n], dst[:n])
	}
}

// luma converts an RGB raster to grayscale by ITU-R BT.601 weights.
func (w *imageWriter) luma(src raster) raster {
	n := src.h * src.w
	w.gray = grow(w.gray, n)
	r, g, b := src.plane(0), src.plane(1), src.plane(2)
	for i := range n {
		// The weights sum to 1 only up to float32 rounding.
		w.gray[i] = min(max(0.299*r[i]+0.587*g[i]+0.114*b[i], -1), 1)
	}
	return raster{c: 1, h: src.h, w: src.w, pix: w.gray[:n]}
}

// padPlane centers an h x w plane on a size x size canvas of the background
// value; along an axis where the plane is larger than size, it takes the
// centered size pixels instead.
func padPlane(dst []float32, size int, src []float32, h, w int) {
	for i := range dst {
		dst[i] = background
	}
	dy, sy, rows := centered(h, size)
	dx, sx, cols := centered(w, size)
	for y := range rows {
		copy(dst[(dy+y)*size+dx:(dy+y)*size+dx+cols], src[(sy+y)*w+sx:(sy+y)*w+sx+cols])
	}
}

// centered aligns n source pixels with size target pixels along one axis:
// the target offset, the source offset and the count to copy.
func centered(n, size int) (dstOff, srcOff, count int) {
	if n <= size {
		return (size - n) / 2, 0, n
	}
	return 0, (n - size) / 2, size
}

// resizePlane center-crops an h x w plane to a square and resamples it to
// w.size x w.size, separably: rows first, then columns.
//
// Shrinking uses area averaging: each target pixel is the mean of the
// source area it covers, weighted by the fraction of each source pixel
// inside it. It is the resampling that does not alias (a 2:1 reduction is
// exactly a 2x2 mean; OpenCV's INTER_AREA and PIL's BOX do the same), and
// as a convex combination it never leaves [-1, 1]. Enlarging (MNIST 28 to
// 32 when Resize is asked) uses bilinear interpolation between pixel
// centers instead: area averaging would repeat pixels into blocks, and
// bilinear, unlike bicubic or Lanczos, neither rings nor overshoots.
func (w *imageWriter) resizePlane(dst, src []float32, h, wid int) {
	side := min(h, wid)
	y0, x0 := (h-side)/2, (wid-side)/2
	size := w.size
	t := w.tapsFor(side, size)
	// Rows: tmp is side rows of size values.
	w.tmp = grow(w.tmp, side*size)
	tmp := w.tmp[:side*size]
	for y := range side {
		row := src[(y0+y)*wid+x0 : (y0+y)*wid+x0+side]
		for j := range size {
			var s float32
			ws := t.weights[t.off[j]:t.off[j+1]]
			for k, wk := range ws {
				s += wk * row[t.first[j]+k]
			}
			tmp[y*size+j] = s
		}
	}
	// Columns.
	for i := range size {
		ws := t.weights[t.off[i]:t.off[i+1]]
		out := dst[i*size : (i+1)*size]
		for j := range out {
			out[j] = 0
		}
		for k, wk := range ws {
			in := tmp[(t.first[i]+k)*size : (t.first[i]+k+1)*size]
			for j := range out {
				out[j] += wk * in[j]
			}
		}
		for j, v := range out {
			out[j] = min(max(v, -1), 1) // float rounding of weights summing to 1
		}
	}
}

// taps are the weights of a 1-D resampling from in to out pixels: target
// pixel j is the sum over k of weights[off[j]+k] * source[first[j]+k].
type taps struct {
	first, off []int
	weights    []float32
}

func (w *imageWriter) tapsFor(in, out int) *taps {
	key := [2]int{in, out}
	if t, ok := w.taps[key]; ok {
		return t
	}
	t := resampleTaps(in, out)
	w.taps[key] = t
	return t
}

func resampleTaps(in, out int) *taps {
	t := &taps{first: make([]int, out), off: make([]int, out+1)}
	switch {
	case in == out:
		for j := range out {
			t.first[j] = j
			t.weights = append(t.weights, 1)
			t.off[j+1] = len(t.weights)
		}
	case in > out:
		// Area averaging, in exact integer arithmetic: measured in units of
		// 1/out source pixels, target pixel j covers [j*in, (j+1)*in) and
		// source pixel i covers [i*out, (i+1)*out).
		for j := range out {
			lo, hi := j*in, (j+1)*in
			first, last := lo/out, (hi-1)/out
			t.first[j] = first
			for i := first; i <= last; i++ {
				overlap := min(hi, (i+1)*out) - max(lo, i*out)
				t.weights = append(t.weights, float32(float64(overlap)/float64(in)))
			}
			t.off[j+1] = len(t.weights)
		}
	default:
		// Bilinear: target pixel j's center, (j + 1/2) in/out - 1/2 in
		// source pixel coordinates, clamped to the edge pixels' centers.
		for j := range out {
			x := (float64(j)+0.5)*float64(in)/float64(out) - 0.5
			x = min(max(x, 0), float64(in-1))
			i0 := int(x)
			f := x - float64(i0)
			t.first[j] = i0
			if i0+1 < in && f > 0 {
				t.weights = append(t.weights, float32(1-f), float32(f))
			} else {
				t.weights = append(t.weights, 1)
			}
			t.off[j+1] = len(t.weights)
		}
	}
	return t
}

// grow returns buf with room for at least n values.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}
