package kern

import "testing"

// TestSameConv pins which products run on the same-convolution kernels.
func TestSameConv(t *testing.T) {
	k := &Kernels{variant: CPU, lanes: 8}
	same := ConvParams{B: 2, Cin: 8, H: 8, W: 8, Cout: 8, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}
	for _, c := range []struct {
		name string
		edit func(*ConvParams)
		want [3]bool // forward, input gradient, weight gradient
	}{
		{"3x3 8 to 8 on 8x8", func(*ConvParams) {}, [3]bool{true, true, true}},
		{"stride 2", func(p *ConvParams) { p.Stride = 2 }, [3]bool{}},
		{"no padding", func(p *ConvParams) { p.PadH, p.PadW = 0, 0 }, [3]bool{}},
		{"even kernel", func(p *ConvParams) { p.KH, p.KW, p.PadH, p.PadW = 2, 2, 1, 1 }, [3]bool{}},
		{"rows of 6", func(p *ConvParams) { p.W = 6 }, [3]bool{}},
		{"rows of 40", func(p *ConvParams) { p.W = 40 }, [3]bool{false, false, true}},
		{"11x11 kernel", func(p *ConvParams) { p.KH, p.KW, p.PadH, p.PadW = 11, 11, 5, 5 }, [3]bool{}},
		{"1 input channel", func(p *ConvParams) { p.Cin = 1 }, [3]bool{true, false, false}},
		{"4 output channels", func(p *ConvParams) { p.Cout = 4 }, [3]bool{false, true, false}},
		{"9 input channels", func(p *ConvParams) { p.Cin = 9 }, [3]bool{true, false, true}},
		{"9 in, 9 out: w of 729 floats", func(p *ConvParams) { p.Cin, p.Cout = 9, 9 }, [3]bool{}},
	} {
		p := same
		c.edit(&p)
		for mode, want := range c.want {
			if got := k.sameConv(mode, p); got != want {
				t.Errorf("%s, product %d: got %v, want %v", c.name, mode, got, want)
			}
		}
	}
	k.gemmOnly = true
	if k.sameConv(convForward, same) {
		t.Error("gemmOnly: the forward still runs on conv_same_cpu")
	}
	if (&Kernels{variant: GPU, lanes: 8}).sameConv(convForward, same) {
		t.Error("the GPU variant runs conv_same_cpu")
	}
	if (&Kernels{variant: CPU, lanes: 4}).sameConv(convForward, same) {
		t.Error("subgroups of 4 lanes run conv_same_cpu")
	}
}

// TestDilatedGradients pins which gradients of strided convolutions run
// dilated on the same-convolution kernels.
func TestDilatedGradients(t *testing.T) {
	k := &Kernels{variant: CPU, lanes: 8}
	down := ConvParams{B: 2, Cin: 16, H: 16, W: 16, Cout: 16, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1}
	for _, c := range []struct {
		name string
		edit func(*ConvParams)
		want [2]bool // input, weight
	}{
		{"3x3 stride 2 on 16x16", func(*ConvParams) {}, [2]bool{true, true}},
		{"odd height", func(p *ConvParams) { p.H = 15 }, [2]bool{true, true}},
		{"stride 3, 5x5", func(p *ConvParams) { p.Stride, p.KH, p.KW, p.PadH, p.PadW = 3, 5, 5, 2, 2 }, [2]bool{true, true}},
		{"stride 1", func(p *ConvParams) { p.Stride = 1 }, [2]bool{}},
		{"no padding", func(p *ConvParams) { p.PadH, p.PadW = 0, 0 }, [2]bool{}},
		{"even kernel", func(p *ConvParams) { p.KH, p.KW = 2, 2 }, [2]bool{}},
		{"rows of 6", func(p *ConvParams) { p.W = 6 }, [2]bool{}},
		{"rows of 40", func(p *ConvParams) { p.W = 40 }, [2]bool{false, true}},
		{"4 input channels", func(p *ConvParams) { p.Cin = 4 }, [2]bool{}},
		{"12 input channels", func(p *ConvParams) { p.Cin = 12 }, [2]bool{true, true}},
		{"4 output channels", func(p *ConvParams) { p.Cout = 4 }, [2]bool{true, false}},
		{"kernel past the padded image", func(p *ConvParams) { p.H = 0 }, [2]bool{}},
	} {
		p := down
		c.edit(&p)
		if in, w := k.DilatedGradients(p); [2]bool{in, w} != c.want {
			t.Errorf("%s: got input %v, weight %v, want %v", c.name, in, w, c.want)
		}
	}
	if in, w := (&Kernels{variant: GPU, lanes: 8}).DilatedGradients(down); in || w {
		t.Error("the GPU variant dilates")
	}
}

// TestChooseSameTiles pins the tiles of the U-Net's layers: every output
// channel of a workgroup up to 16, rows that keep 128 accumulators a lane
// without covering the image twice or leaving a thread without a
// workgroup, and weight-gradient tiles that leave a workgroup for each
// thread.
func TestChooseSameTiles(t *testing.T) {
	for _, c := range []struct {
		m, b, h, w, threads int
		want                sameTile
	}{
		{32, 32, 32, 32, 2, sameTile{16, 2}},
		{64, 32, 16, 16, 2, sameTile{16, 2}},
		{64, 32, 8, 8, 2, sameTile{16, 2}},
		{16, 32, 16, 16, 2, sameTile{16, 2}},
		{8, 32, 16, 16, 2, sameTile{8, 4}},
		{8, 32, 8, 8, 2, sameTile{8, 2}},
		{20, 32, 5, 12, 2, sameTile{16, 2}},
		{8, 32, 4, 4, 2, sameTile{8, 1}},
		// One image of 32x32 on 64 threads: 2 rows a lane leave 32
		// workgroups, 1 row 64.
		{32, 1, 32, 32, 64, sameTile{16, 1}},
	} {
		if got := chooseSameTile(c.m, c.b, c.h, c.w, c.threads); got != c.want {
			t.Errorf("%d channels on %d images of %dx%d, %d threads: got %+v, want %+v", c.m, c.b, c.h, c.w, c.threads, got, c.want)
		}
	}
	for _, c := range []struct {
		cin, cout, w, threads int
		want                  sameWeightTile
	}{
		{32, 32, 32, 2, sameWeightTile{8, 2, 32}},
		{48, 16, 16, 2, sameWeightTile{8, 2, 16}},
		{16, 16, 16, 2, sameWeightTile{8, 2, 16}},
		{8, 8, 8, 2, sameWeightTile{8, 1, 8}},
		{64, 64, 40, 16, sameWeightTile{8, 2, 32}},
		{64, 64, 16, 64, sameWeightTile{8, 1, 16}},
	} {
		if got := chooseSameWeightTile(c.cin, c.cout, c.w, c.threads); got != c.want {
			t.Errorf("%d to %d channels, rows of %d, %d threads: got %+v, want %+v", c.cin, c.cout, c.w, c.threads, got, c.want)
		}
	}
}
