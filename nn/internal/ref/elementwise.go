package ref

import (
	"fmt"
	"math"
)

// SiLU returns x*sigmoid(x) elementwise.
func SiLU(x []float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = v * sigmoid(v)
	}
	return y
}

// SiLUBackward returns gy * d/dx[x*sigmoid(x)] = gy * s*(1 + x*(1-s)).
func SiLUBackward(x, gy []float64) []float64 {
	checkLen("SiLUBackward", "gy", gy, len(x))
	gx := make([]float64, len(x))
	for i, v := range x {
		s := sigmoid(v)
		gx[i] = gy[i] * s * (1 + v*(1-s))
	}
	return gx
}

func sigmoid(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

// Add returns a+b elementwise.
func Add(a, b []float64) []float64 {
	checkLen("Add", "b", b, len(a))
	y := make([]float64, len(a))
	for i := range a {
		y[i] = a[i] + b[i]
	}
	return y
}

// AddBackward returns copies of gy for both operands.
func AddBackward(gy []float64) (ga, gb []float64) {
	return append([]float64(nil), gy...), append([]float64(nil), gy...)
}

// Mul returns a*b elementwise.
func Mul(a, b []float64) []float64 {
	checkLen("Mul", "b", b, len(a))
	y := make([]float64, len(a))
	for i := range a {
		y[i] = a[i] * b[i]
	}
	return y
}

// MulBackward returns gy*b and gy*a.
func MulBackward(a, b, gy []float64) (ga, gb []float64) {
	checkLen("MulBackward", "b", b, len(a))
	checkLen("MulBackward", "gy", gy, len(a))
	ga = make([]float64, len(a))
	gb = make([]float64, len(a))
	for i := range a {
		ga[i] = gy[i] * b[i]
		gb[i] = gy[i] * a[i]
	}
	return ga, gb
}

// Scale returns s*x for a constant scalar s.
func Scale(x []float64, s float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = s * v
	}
	return y
}

// ScaleBackward returns s*gy; s is a constant, so it gets no gradient.
func ScaleBackward(gy []float64, s float64) []float64 { return Scale(gy, s) }

// AddChannel returns x[b,c,h,w] + v[b,c]: a per-sample, per-channel vector
// (such as a projected noise embedding) broadcast over positions. A
// per-sample scalar is the case C=1 with x viewed as [B,1,C*H*W,1].
func AddChannel(x []float64, xs [4]int, v []float64) []float64 {
	checkLen("AddChannel", "x", x, numel(xs[:]...))
	checkLen("AddChannel", "v", v, xs[0]*xs[1])
	hw := xs[2] * xs[3]
	y := make([]float64, len(x))
	for i := range x {
		y[i] = x[i] + v[i/hw]
	}
	return y
}

// AddChannelBackward returns gy for x and gy summed over H,W for v.
func AddChannelBackward(xs [4]int, gy []float64) (gx, gv []float64) {
	checkLen("AddChannelBackward", "gy", gy, numel(xs[:]...))
	hw := xs[2] * xs[3]
	gx = append([]float64(nil), gy...)
	gv = make([]float64, xs[0]*xs[1])
	for i, g := range gy {
		gv[i/hw] += g
	}
	return gx, gv
}

// MulChannel returns x[b,c,h,w] * v[b,c], broadcast over positions like
// AddChannel.
func MulChannel(x []float64, xs [4]int, v []float64) []float64 {
	checkLen("MulChannel", "x", x, numel(xs[:]...))
	checkLen("MulChannel", "v", v, xs[0]*xs[1])
	hw := xs[2] * xs[3]
	y := make([]float64, len(x))
	for i := range x {
		y[i] = x[i] * v[i/hw]
	}
	return y
}

// MulChannelBackward returns gy*v for x and sum over H,W of gy*x for v.
func MulChannelBackward(x []float64, xs [4]int, v, gy []float64) (gx, gv []float64) {
	checkLen("MulChannelBackward", "gy", gy, len(x))
	hw := xs[2] * xs[3]
	gx = make([]float64, len(x))
	gv = make([]float64, xs[0]*xs[1])
	for i := range x {
		gx[i] = gy[i] * v[i/hw]
		gv[i/hw] += gy[i] * x[i]
	}
	return gx, gv
}

// Concat joins a [B,Ca,H,W] and b [B,Cb,H,W] along channels into
// [B,Ca+Cb,H,W], a's channels first (the U-Net's skip connections).
func Concat(a []float64, as [4]int, b []float64, bs [4]int) (y []float64, ys [4]int) {
	if as[0] != bs[0] || as[2] != bs[2] || as[3] != bs[3] {
		panic(fmt.Sprintf("ref.Concat: shapes %v and %v differ outside channels", as, bs))
	}
	checkLen("Concat", "a", a, numel(as[:]...))
	checkLen("Concat", "b", b, numel(bs[:]...))
	na, nbb := as[1]*as[2]*as[3], bs[1]*bs[2]*bs[3] // per-sample sizes
	ys = [4]int{as[0], as[1] + bs[1], as[2], as[3]}
	y = make([]float64, 0, len(a)+len(b))
	for n := 0; n < as[0]; n++ {
		y = append(y, a[n*na:(n+1)*na]...)
		y = append(y, b[n*nbb:(n+1)*nbb]...)
	}
	return y, ys
}

// ConcatBackward splits gy back into the gradients of a and b.
func ConcatBackward(as, bs [4]int, gy []float64) (ga, gb []float64) {
	na, nbb := as[1]*as[2]*as[3], bs[1]*bs[2]*bs[3]
	checkLen("ConcatBackward", "gy", gy, as[0]*(na+nbb))
	for n := 0; n < as[0]; n++ {
		off := n * (na + nbb)
		ga = append(ga, gy[off:off+na]...)
		gb = append(gb, gy[off+na:off+na+nbb]...)
	}
	return ga, gb
}

// Upsample2x repeats every pixel of x [B,C,H,W] into a 2x2 block:
// nearest-neighbour upsampling to [B,C,2H,2W].
func Upsample2x(x []float64, xs [4]int) (y []float64, ys [4]int) {
	checkLen("Upsample2x", "x", x, numel(xs[:]...))
	h, w := xs[2], xs[3]
	ys = [4]int{xs[0], xs[1], 2 * h, 2 * w}
	y = make([]float64, 4*len(x))
	for p := 0; p < xs[0]*xs[1]; p++ { // p runs over (sample, channel) planes
		for oy := 0; oy < 2*h; oy++ {
			for ox := 0; ox < 2*w; ox++ {
				y[(p*2*h+oy)*2*w+ox] = x[(p*h+oy/2)*w+ox/2]
			}
		}
	}
	return y, ys
}

// Upsample2xBackward sums each 2x2 block of gy back onto its source pixel.
func Upsample2xBackward(xs [4]int, gy []float64) []float64 {
	h, w := xs[2], xs[3]
	checkLen("Upsample2xBackward", "gy", gy, 4*numel(xs[:]...))
	gx := make([]float64, numel(xs[:]...))
	for p := 0; p < xs[0]*xs[1]; p++ {
		for oy := 0; oy < 2*h; oy++ {
			for ox := 0; ox < 2*w; ox++ {
				gx[(p*h+oy/2)*w+ox/2] += gy[(p*2*h+oy)*2*w+ox]
			}
		}
	}
	return gx
}

// Softmax returns the softmax over the last dimension, of size n, of x.
// The row maximum is subtracted first, as the shader must, so that large
// scores do not overflow exp.
func Softmax(x []float64, n int) []float64 {
	if n <= 0 || len(x)%n != 0 {
		panic(fmt.Sprintf("ref.Softmax: %d elements are not rows of %d", len(x), n))
	}
	y := make([]float64, len(x))
	for r := 0; r < len(x)/n; r++ {
		row, out := x[r*n:(r+1)*n], y[r*n:(r+1)*n]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, v)
		}
		s := 0.0
		for i, v := range row {
			out[i] = math.Exp(v - m)
			s += out[i]
		}
		for i := range out {
			out[i] /= s
		}
	}
	return y
}

// SoftmaxBackward takes the forward output y and returns
// gx = y * (gy - sum(gy*y)) row by row.
func SoftmaxBackward(y []float64, n int, gy []float64) []float64 {
	checkLen("SoftmaxBackward", "gy", gy, len(y))
	gx := make([]float64, len(y))
	for r := 0; r < len(y)/n; r++ {
		dot := 0.0
		for i := r * n; i < (r+1)*n; i++ {
			dot += gy[i] * y[i]
		}
		for i := r * n; i < (r+1)*n; i++ {
			gx[i] = y[i] * (gy[i] - dot)
		}
	}
	return gx
}
