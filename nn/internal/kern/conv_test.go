package kern

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/internal/approx"
	"github.com/ictvk/ictvk/nn/internal/ref"
	"github.com/ictvk/ictvk/vk"
)

// convCases cover odd channel counts and sizes (7, 9), strides 1, 2 and 3
// (whose grad input runs in phases, one with no taps for the strided 1x1),
// 1x1 and non-square kernels, padding per axis, and shapes where the vec4 paths apply
// (Cin*9 and H*W multiples of 4).
var convCases = []ConvParams{
	{B: 1, Cin: 3, H: 7, W: 9, Cout: 5, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
	{B: 2, Cin: 4, H: 9, W: 7, Cout: 7, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1},
	{B: 3, Cin: 5, H: 8, W: 8, Cout: 4, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
	{B: 2, Cin: 8, H: 8, W: 8, Cout: 6, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
	{B: 1, Cin: 16, H: 4, W: 4, Cout: 9, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1},
	{B: 2, Cin: 6, H: 5, W: 5, Cout: 3, KH: 1, KW: 1, Stride: 1, PadH: 0, PadW: 0},
	{B: 2, Cin: 4, H: 7, W: 7, Cout: 5, KH: 1, KW: 1, Stride: 2, PadH: 0, PadW: 0},
	{B: 1, Cin: 3, H: 9, W: 8, Cout: 4, KH: 3, KW: 2, Stride: 2, PadH: 0, PadW: 0},
	{B: 2, Cin: 2, H: 10, W: 11, Cout: 3, KH: 3, KW: 3, Stride: 3, PadH: 1, PadW: 1},
	// Inception's one-axis kernels and padding (1x7 pad (0,3), 7x1 pad
	// (3,0)), and unequal padding with a stride (phases per axis).
	{B: 2, Cin: 3, H: 9, W: 7, Cout: 5, KH: 1, KW: 7, Stride: 1, PadH: 0, PadW: 3},
	{B: 1, Cin: 5, H: 7, W: 9, Cout: 4, KH: 7, KW: 1, Stride: 1, PadH: 3, PadW: 0},
	{B: 2, Cin: 3, H: 9, W: 8, Cout: 3, KH: 3, KW: 1, Stride: 2, PadH: 1, PadW: 2},
	// Same convolutions, which the CPU variant runs on conv_same_cpu.comp
	// and conv_same_weight_cpu.comp: rows of 8 and 12 pixels (a row of
	// lanes left idle), 4 (no columns beside a lane's for a 3x1 kernel),
	// channel counts past a tile (20 outputs, 12 inputs) and short of one
	// (9 inputs: rows of w that start anywhere in a vec4, the input
	// gradient on the implicit GEMM), and a 5x5 kernel on 40-pixel rows
	// (the weight gradient in two column blocks, the rest on the GEMM).
	{B: 2, Cin: 8, H: 8, W: 8, Cout: 8, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
	{B: 2, Cin: 12, H: 5, W: 12, Cout: 20, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
	{B: 2, Cin: 8, H: 6, W: 4, Cout: 8, KH: 3, KW: 1, Stride: 1, PadH: 1, PadW: 0},
	{B: 1, Cin: 9, H: 7, W: 16, Cout: 8, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
	{B: 1, Cin: 16, H: 6, W: 40, Cout: 9, KH: 5, KW: 5, Stride: 1, PadH: 2, PadW: 2},
	// The weight gradient's blocks of 32 columns (summed pixel by pixel)
	// for a 3x3 kernel: a whole block and one of 4 columns, lanes of two
	// input channels with the last 4 of 20 idle, 11 outputs (a tile and 3).
	{B: 2, Cin: 20, H: 5, W: 36, Cout: 11, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
	// Strided convolutions whose input gradient the CPU variant also runs
	// dilated (Conv2dGradInputDilated): odd heights (the last row of
	// lanes past the image), rows of 12 (lanes left idle), stride 3 with a
	// 5x5 kernel, and a 1x3 kernel.
	{B: 2, Cin: 8, H: 7, W: 12, Cout: 5, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1},
	{B: 1, Cin: 12, H: 9, W: 8, Cout: 3, KH: 5, KW: 5, Stride: 3, PadH: 2, PadW: 2},
	{B: 2, Cin: 16, H: 5, W: 16, Cout: 20, KH: 1, KW: 3, Stride: 2, PadH: 0, PadW: 1},
	// Rows of 40: only the weight gradient runs dilated (two column
	// blocks); 4 input channels: neither.
	{B: 1, Cin: 8, H: 6, W: 40, Cout: 8, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1},
	{B: 2, Cin: 4, H: 6, W: 8, Cout: 8, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1},
}

func convName(p ConvParams) string {
	return fmt.Sprintf("b%d_c%d_%dx%d_o%d_k%dx%d_s%d_p%dx%d", p.B, p.Cin, p.H, p.W, p.Cout, p.KH, p.KW, p.Stride, p.PadH, p.PadW)
}

func (p ConvParams) shapes() (xs, ws, ys [4]int) {
	return [4]int{p.B, p.Cin, p.H, p.W}, [4]int{p.Cout, p.Cin, p.KH, p.KW}, [4]int{p.B, p.Cout, p.OutH(), p.OutW()}
}

func TestConv2d(t *testing.T) {
	forEachVariant(t, func(e *env) {
		for _, p := range convCases {
			e.t.Run(convName(p), func(t *testing.T) {
				e := *e
				e.t = t
				runConvCase(&e, p)
			})
		}
	})
}

func runConvCase(e *env, p ConvParams) {
	t := e.t
	xs, ws, _ := p.shapes()
	x, w, b := e.random(p.xLen()), e.random(p.wLen()), e.random(p.Cout)
	gy := e.random(p.yLen())
	xr, wr, br, gyr := e.upload(x), e.upload(w), e.upload(b), e.upload(gy)
	tolF := tolFor(p.Cin * p.KH * p.KW)

	want, _ := ref.Conv2dPad(x, xs, w, ws, b, p.Stride, p.PadH, p.PadW)
	y := e.poisoned(p.yLen())
	if err := e.k.Conv2d(e.s, xr, wr, br, y, p); err != nil {
		t.Fatal(err)
	}
	approx.Check(t, "y", e.download(y, p.yLen()), want, approx.Scaled(tolF))

	wantNoBias, _ := ref.Conv2dPad(x, xs, w, ws, nil, p.Stride, p.PadH, p.PadW)
	y2 := e.poisoned(p.yLen())
	if err := e.k.Conv2d(e.s, xr, wr, vk.Range{}, y2, p); err != nil {
		t.Fatal(err)
	}
	approx.Check(t, "y without bias", e.download(y2, p.yLen()), wantNoBias, approx.Scaled(tolF))

	gx, gw, gb := ref.Conv2dPadBackward(x, xs, w, ws, gy, p.Stride, p.PadH, p.PadW)
	for _, acc := range []bool{false, true} {
		var gxr, gwr, gbr vk.Range
		wantX, wantW, wantB := gx, gw, gb
		if acc {
			x0, w0, b0 := e.random(len(gx)), e.random(len(gw)), e.random(len(gb))
			gxr, gwr, gbr = e.upload(x0), e.upload(w0), e.upload(b0)
			wantX, wantW, wantB = add(gx, x0), add(gw, w0), add(gb, b0)
		} else {
			gxr, gwr, gbr = e.poisoned(len(gx)), e.poisoned(len(gw)), e.poisoned(len(gb))
		}
		if err := e.k.Conv2dGradInput(e.s, gyr, wr, gxr, p, acc); err != nil {
			t.Fatal(err)
		}
		if err := e.k.Conv2dGradWeight(e.s, xr, gyr, gwr, gbr, p, acc); err != nil {
			t.Fatal(err)
		}
		name := map[bool]string{false: "", true: " (accumulated)"}[acc]
		approx.Check(t, "gx"+name, e.download(gxr, len(gx)), wantX, approx.Scaled(tolFor(p.Cout*p.KH*p.KW)))
		if dilX, dilW := e.k.DilatedGradients(p); dilX || dilW {
			// The gradients of the same convolution p.Dilated() from gy
			// spread over x's pixels.
			dilated := e.poisoned(p.Dilated().yLen())
			if err := e.k.DilateGradOutput(e.s, gyr, dilated, p); err != nil {
				t.Fatal(err)
			}
			if acc {
				gxr, gwr, gbr = e.upload(sub(wantX, gx)), e.upload(sub(wantW, gw)), e.upload(sub(wantB, gb))
			} else {
				gxr, gwr, gbr = e.poisoned(len(gx)), e.poisoned(len(gw)), e.poisoned(len(gb))
			}
			if dilX {
				if err := e.k.Conv2dGradInput(e.s, dilated, wr, gxr, p.Dilated(), acc); err != nil {
					t.Fatal(err)
				}
				approx.Check(t, "gx dilated"+name, e.download(gxr, len(gx)), wantX, approx.Scaled(tolFor(p.Cout*p.KH*p.KW)))
			}
			if dilW {
				if err := e.k.Conv2dGradWeight(e.s, xr, dilated, gwr, gbr, p.Dilated(), acc); err != nil {
					t.Fatal(err)
				}
				approx.Check(t, "gw dilated"+name, e.download(gwr, len(gw)), wantW, approx.Scaled(tolFor(p.B*p.OutH()*p.OutW())))
				approx.Check(t, "gb dilated"+name, e.download(gbr, len(gb)), wantB, approx.Scaled(tolFor(p.B*p.OutH()*p.OutW())))
			}
		}
	}
}

// TestConvGolden checks the kernels against PyTorch's conv2d and its
// gradients.
func TestConvGolden(t *testing.T) {
	forEachVariant(t, func(e *env) {
		for _, name := range []string{"conv3x3_s1", "conv3x3_s2", "conv1x1"} {
			e.t.Run(name, func(t *testing.T) {
				g := ref.LoadGolden(t, name)
				x, xs := g.Array("x")
				w, ws := g.Array("w")
				b, _ := g.Array("b")
				gy, _ := g.Array("gy")
				p := ConvParams{B: xs[0], Cin: xs[1], H: xs[2], W: xs[3], Cout: ws[0], KH: ws[2], KW: ws[3],
					Stride: g.Int("stride"), PadH: g.Int("pad"), PadW: g.Int("pad")}
				e := *e
				e.t = t
				xr, wr, br, gyr := e.upload(x), e.upload(w), e.upload(b), e.upload(gy)
				y, gx, gw, gb := e.poisoned(p.yLen()), e.poisoned(p.xLen()), e.poisoned(p.wLen()), e.poisoned(p.Cout)
				if err := e.k.Conv2d(e.s, xr, wr, br, y, p); err != nil {
					t.Fatal(err)
				}
				if err := e.k.Conv2dGradInput(e.s, gyr, wr, gx, p, false); err != nil {
					t.Fatal(err)
				}
				if err := e.k.Conv2dGradWeight(e.s, xr, gyr, gw, gb, p, false); err != nil {
					t.Fatal(err)
				}
				for _, c := range []struct {
					name string
					r    vk.Range
				}{{"y", y}, {"g_x", gx}, {"g_w", gw}, {"g_b", gb}} {
					want, _ := g.Array(c.name)
					approx.Check(t, c.name, e.download(c.r, len(want)), want, approx.Scaled(1e-5))
				}
			})
		}
	})
}

func TestLinearGolden(t *testing.T) {
	forEachVariant(t, func(e *env) {
		g := ref.LoadGolden(e.t, "linear")
		x, xs := g.Array("x")
		w, ws := g.Array("w")
		b, _ := g.Array("b")
		gy, _ := g.Array("gy")
		p := LinearParams{N: xs[0], In: xs[1], Out: ws[0]}
		xr, wr, br, gyr := e.upload(x), e.upload(w), e.upload(b), e.upload(gy)
		y, gx, gw, gb := e.poisoned(p.N*p.Out), e.poisoned(p.N*p.In), e.poisoned(p.Out*p.In), e.poisoned(p.Out)
		if err := e.k.Linear(e.s, xr, wr, br, y, p); err != nil {
			e.t.Fatal(err)
		}
		if err := e.k.LinearGrad(e.s, xr, wr, gyr, gx, gw, gb, p, false); err != nil {
			e.t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			r    vk.Range
		}{{"y", y}, {"g_x", gx}, {"g_w", gw}, {"g_b", gb}} {
			want, _ := g.Array(c.name)
			approx.Check(e.t, c.name, e.download(c.r, len(want)), want, approx.Scaled(1e-5))
		}
	})
}

// TestLinear checks Linear and LinearGrad against the float64 reference on
// odd sizes, with and without bias and accumulation.
func TestLinear(t *testing.T) {
	forEachVariant(t, func(e *env) {
		for _, p := range []LinearParams{{N: 5, In: 13, Out: 7}, {N: 16, In: 32, Out: 12}, {N: 1, In: 3, Out: 1}} {
			e.t.Run(fmt.Sprintf("%dx%dx%d", p.N, p.In, p.Out), func(t *testing.T) {
				e := *e
				e.t = t
				x, w, b, gy := e.random(p.N*p.In), e.random(p.Out*p.In), e.random(p.Out), e.random(p.N*p.Out)
				xr, wr, br, gyr := e.upload(x), e.upload(w), e.upload(b), e.upload(gy)
				want, _ := ref.Linear(x, [2]int{p.N, p.In}, w, [2]int{p.Out, p.In}, b)
				y := e.poisoned(p.N * p.Out)
				if err := e.k.Linear(e.s, xr, wr, br, y, p); err != nil {
					t.Fatal(err)
				}
				approx.Check(t, "y", e.download(y, len(want)), want, approx.Scaled(tolFor(p.In)))
				gx, gw, gb := ref.LinearBackward(x, [2]int{p.N, p.In}, w, [2]int{p.Out, p.In}, gy)
				x0, w0, b0 := e.random(len(gx)), e.random(len(gw)), e.random(len(gb))
				gxr, gwr, gbr := e.upload(x0), e.upload(w0), e.upload(b0)
				if err := e.k.LinearGrad(e.s, xr, wr, gyr, gxr, gwr, gbr, p, true); err != nil {
					t.Fatal(err)
				}
				approx.Check(t, "gx", e.download(gxr, len(gx)), add(gx, x0), approx.Scaled(tolFor(p.Out)))
				approx.Check(t, "gw", e.download(gwr, len(gw)), add(gw, w0), approx.Scaled(tolFor(p.N)))
				approx.Check(t, "gb", e.download(gbr, len(gb)), add(gb, b0), approx.Scaled(tolFor(p.N)))
			})
		}
	})
}

func TestConvErrors(t *testing.T) {
	s, k, r := errorCase(t, 256)
	for _, c := range []struct {
		p    ConvParams
		want string
	}{
		{ConvParams{B: 1, Cin: 1, H: 4, W: 4, Cout: 1, KH: 3, KW: 3, Stride: 0, PadH: 1, PadW: 1}, "must be positive"},
		{ConvParams{B: 1, Cin: 1, H: 2, W: 2, Cout: 1, KH: 5, KW: 5, Stride: 1, PadH: 1, PadW: 1}, "larger than the padded"},
		{ConvParams{B: 1, Cin: 2, H: 8, W: 8, Cout: 1, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}, "x holds 256 bytes, the shape needs 512"},
	} {
		err := k.Conv2d(s, r, r, vk.Range{}, r, c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an error containing %q", c.p, err, c.want)
		}
	}
}
