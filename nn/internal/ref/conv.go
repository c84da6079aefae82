package ref

import "fmt"

// convOut is the output size of a convolution along one spatial axis.
func convOut(in, k, stride, pad int) int {
	return (in+2*pad-k)/stride + 1
}

// Conv2d returns the cross-correlation of x [B,Cin,H,W] with w
// [Cout,Cin,kh,kw] plus b [Cout] (b may be nil), with the given stride and
// zero padding on every side, as torch.nn.functional.conv2d computes it.
func Conv2d(x []float64, xs [4]int, w []float64, ws [4]int, b []float64, stride, pad int) (y []float64, ys [4]int) {
	return Conv2dPad(x, xs, w, ws, b, stride, pad, pad)
}

// Conv2dPad is Conv2d with padH rows above and below and padW columns left
// and right (conv2d's padding=(padH, padW)).
func Conv2dPad(x []float64, xs [4]int, w []float64, ws [4]int, b []float64, stride, padH, padW int) (y []float64, ys [4]int) {
	nb, cin, h, wd := xs[0], xs[1], xs[2], xs[3]
	cout, kh, kw := ws[0], ws[2], ws[3]
	if ws[1] != cin {
		panic(fmt.Sprintf("ref.Conv2d: x has %d channels, w expects %d", cin, ws[1]))
	}
	checkLen("Conv2d", "x", x, numel(xs[:]...))
	checkLen("Conv2d", "w", w, numel(ws[:]...))
	if b != nil {
		checkLen("Conv2d", "b", b, cout)
	}
	ho, wo := convOut(h, kh, stride, padH), convOut(wd, kw, stride, padW)
	ys = [4]int{nb, cout, ho, wo}
	y = make([]float64, numel(ys[:]...))
	for n := 0; n < nb; n++ {
		for co := 0; co < cout; co++ {
			for oy := 0; oy < ho; oy++ {
				for ox := 0; ox < wo; ox++ {
					s := 0.0
					if b != nil {
						s = b[co]
					}
					for ci := 0; ci < cin; ci++ {
						for ky := 0; ky < kh; ky++ {
							iy := oy*stride - padH + ky
							if iy < 0 || iy >= h {
								continue // zero padding
							}
							for kx := 0; kx < kw; kx++ {
								ix := ox*stride - padW + kx
								if ix < 0 || ix >= wd {
									continue
								}
								s += x[((n*cin+ci)*h+iy)*wd+ix] * w[((co*cin+ci)*kh+ky)*kw+kx]
							}
						}
					}
					y[((n*cout+co)*ho+oy)*wo+ox] = s
				}
			}
		}
	}
	return y, ys
}

// Conv2dBackward returns the gradients of Conv2d with respect to x, w and
// b; gb is the per-channel sum of gy whether or not the forward had a bias.
func Conv2dBackward(x []float64, xs [4]int, w []float64, ws [4]int, gy []float64, stride, pad int) (gx, gw, gb []float64) {
	return Conv2dPadBackward(x, xs, w, ws, gy, stride, pad, pad)
}

// Conv2dPadBackward is Conv2dBackward for Conv2dPad.
func Conv2dPadBackward(x []float64, xs [4]int, w []float64, ws [4]int, gy []float64, stride, padH, padW int) (gx, gw, gb []float64) {
	nb, cin, h, wd := xs[0], xs[1], xs[2], xs[3]
	cout, kh, kw := ws[0], ws[2], ws[3]
	ho, wo := convOut(h, kh, stride, padH), convOut(wd, kw, stride, padW)
	checkLen("Conv2dBackward", "gy", gy, nb*cout*ho*wo)
	gx = make([]float64, len(x))
	gw = make([]float64, len(w))
	gb = make([]float64, cout)
	// The same loop nest as the forward, scattering each output's gradient
	// back to every input and weight that produced it.
	for n := 0; n < nb; n++ {
		for co := 0; co < cout; co++ {
			for oy := 0; oy < ho; oy++ {
				for ox := 0; ox < wo; ox++ {
					g := gy[((n*cout+co)*ho+oy)*wo+ox]
					gb[co] += g
					for ci := 0; ci < cin; ci++ {
						for ky := 0; ky < kh; ky++ {
							iy := oy*stride - padH + ky
							if iy < 0 || iy >= h {
								continue
							}
							for kx := 0; kx < kw; kx++ {
								ix := ox*stride - padW + kx
								if ix < 0 || ix >= wd {
									continue
								}
								xi := ((n*cin+ci)*h+iy)*wd + ix
								wi := ((co*cin+ci)*kh+ky)*kw + kx
								gx[xi] += g * w[wi]
								gw[wi] += g * x[xi]
							}
						}
					}
				}
			}
		}
	}
	return gx, gw, gb
}
