package kern

import "github.com/ictvk/ictvk/vk"

// The CPU variant's kernels for "same" convolutions (stride 1, odd kernels
// padded by half their size, so the output is as large as the input): the
// 3x3 layers of a U-Net. Instead of an implicit GEMM's im2col gather,
// which loads every input value KH*KW times, they load each value once per
// workgroup and pass it to the taps and the neighbouring lanes by subgroup
// shuffles (see conv_same_cpu.comp and conv_same_weight_cpu.comp).
var (
	convSameCPU       = kernel("conv_same_cpu", CPU)
	convSameWeightCPU = kernel("conv_same_weight_cpu", CPU)
)

// Largest tiles of conv_same_cpu.comp: sameMaxTM output channels and
// sameMaxAcc accumulators per lane. Each input channel costs a lane
// TM*KH*KW/8 weight loads and shuffles whatever its rows, so more rows per
// lane amortize them, but lavapipe keeps no tile of this size in
// registers. Re-measured once the loads were texel fetches
// (BenchmarkConvSame's speed-up over the GEMM, two interleaved rounds):
// 16 channels by 2 rows (128) ran the 1.6 M network's 32x32 and 16x16
// layers 8-21% faster than the 32 by 4 (512) chosen before, and the 8x8
// layers' input gradients 12-28% faster; the mnist preset's layers ran
// within the noise. 8 by 2, 16 by 1, 16 by 4 and 32 by 2 were slower. The
// 1.6 M network's step took 7% less time (ict bench, alternating
// binaries), and the mnist preset's first run on a fresh machine 9 s
// instead of 20 (46 pipelines compiled in 6.5 s instead of 51 in 14.6 s).
const (
	sameMaxTM  = 16
	sameMaxAcc = 128
)

// sameConv reports whether product mode of p runs on the same-convolution
// kernels: the CPU variant on subgroups of 8 lanes (the kernels' workgroups
// are 8 invocations that shuffle among themselves, so they must be one
// subgroup), a same convolution whose kernel reaches at most
// 4 columns beside a pixel, rows of whole vec4s (W % 4 == 0) and a weight
// tensor of whole vec4s, at least 8 channels on the side the lanes split
// (fewer would leave lanes idle), and for the forward and input gradient
// rows of at most 32 pixels (the 8 lanes of a workgroup cover a row).
func (k *Kernels) sameConv(mode int, p ConvParams) bool {
	if k.variant != CPU || k.lanes != 8 || k.gemmOnly || p.Stride != 1 || p.KH%2 == 0 || p.KW%2 == 0 || p.PadH != p.KH/2 || p.PadW != p.KW/2 ||
		p.KW > 9 || p.W%4 != 0 || p.wLen()%4 != 0 {
		return false
	}
	switch mode {
	case convForward:
		return p.W <= 32 && p.Cout >= 8
	case convGradInput:
		// The input channels' weights of one output channel start at a
		// multiple of 4 floats.
		return p.W <= 32 && p.Cin >= 8 && p.Cin%4 == 0
	}
	return p.Cin >= 8 && p.Cout >= 8
}

// sameTile is a launch shape of conv_same_cpu.comp: tm output channels per
// workgroup, tr rows per lane.
type sameTile struct{ tm, tr int }

// chooseSameTile picks the tile of a same convolution with m output
// channels (the layer's Cout forward, its Cin for the input gradient) on
// b images of h x w: as many channels as the product has, up to
// sameMaxTM, then as many rows per lane as fit in sameMaxAcc, up to 8,
// without covering more than twice the image's height or leaving fewer
// workgroups than threads.
func chooseSameTile(m, b, h, w, threads int) sameTile {
	t := sameTile{tm: sameMaxTM, tr: 8}
	for t.tm > 8 && t.tm/2 >= m {
		t.tm /= 2
	}
	workgroups := func(t sameTile) int { return b * ceilDiv(m, t.tm) * ceilDiv(h, rowGroups(w)*t.tr) }
	for t.tr > 1 && (4*t.tm*t.tr > sameMaxAcc || (t.tr/2)*rowGroups(w) >= h || workgroups(t) < threads) {
		t.tr /= 2
	}
	return t
}

// rowGroups is how many image rows the 8 lanes of a workgroup cover at
// once: each lane takes 4 columns.
func rowGroups(w int) int { return 8 / (w / 4) }

// convSame records product mode (forward or input gradient) of p on
// conv_same_cpu.comp: a reads w, b the input (x or gy), c the output.
func (k *Kernels) convSame(s *vk.Stream, mode int, w, in, out, bias vk.Range, p ConvParams, accumulate bool) error {
	ci, co := p.Cin, p.Cout
	if mode == convGradInput {
		ci, co = p.Cout, p.Cin
	}
	t := chooseSameTile(co, p.B, p.H, p.W, k.threads)
	biasFlag := 0
	if bias.Buf != nil {
		biasFlag = flagBiasRow
	} else {
		bias = out // a binding of at least Cout floats when there is no bias
	}
	gx, gy := ceilDiv(p.H, rowGroups(p.W)*t.tr), ceilDiv(co, t.tm)
	// Each input channel is one iteration of the kernel's loop.
	for i, ks := range slices(ci, k.maxDepth/4, 1) {
		acc, flags := sliceFlags(i, accumulate, biasFlag)
		pipe, err := k.pipeline(convSameCPU, uint32(t.tm), uint32(t.tr), uint32(p.KH), uint32(p.KW), b2u(mode == convGradInput), b2u(acc))
		if err != nil {
			return err
		}
		if err := k.grid(gx, gy, p.B, func(g gridPart) error {
			push := vk.Push(p.B, ci, p.H, p.W, co, flags, p.W/4, g.x0, g.y0, g.z0, ks[0], ks[1])
			return s.DispatchRanges(pipe, g.groups(), push, w, in, out, bias)
		}); err != nil {
			return err
		}
	}
	return nil
}

// sameWeightTile is a launch shape of conv_same_weight_cpu.comp: tm output
// channels per workgroup, cpl input channels per lane, columns in blocks
// of tw.
type sameWeightTile struct{ tm, cpl, tw int }

// sameWeightTM is the output channels per workgroup of
// conv_same_weight_cpu.comp. 16 (288 accumulators a lane for a 3x3 kernel
// and 2 input channels) took lavapipe 3.5 to 4.6 s to compile per
// variant, 8 about 1.7 s; a machine's first run of the mnist preset built
// two such variants (#14). Alone (BenchmarkConvSame) 8 ran as fast; in
// the mnist preset's step the kernel took about 10% longer (1% of the
// step).
const sameWeightTM = 8

// chooseSameWeightTile picks the tile of a same convolution's weight
// gradient: sameWeightTM output channels and 2 input channels a lane (1
// where that leaves fewer workgroups than threads), and columns in blocks
// of up to 32.
func chooseSameWeightTile(cin, cout, w, threads int) sameWeightTile {
	t := sameWeightTile{tm: sameWeightTM, cpl: 2, tw: min(w, 32)}
	if cin < 16 || ceilDiv(cout, t.tm)*ceilDiv(cin, 8*t.cpl) < threads {
		t.cpl = 1
	}
	return t
}

// convSameWeight records gw (+)= the weight gradient of p on
// conv_same_weight_cpu.comp and, where gb is bound, gb (+)= the bias's.
func (k *Kernels) convSameWeight(s *vk.Stream, x, gy, gw, gb vk.Range, p ConvParams, accumulate bool) error {
	t := chooseSameWeightTile(p.Cin, p.Cout, p.W, k.threads)
	pipe, err := k.pipeline(convSameWeightCPU, uint32(t.tm), uint32(t.cpl), uint32(t.tw), uint32(p.KH), uint32(p.KW))
	if err != nil {
		return err
	}
	colBlocks := ceilDiv(p.W, t.tw)
	gx, gy2 := ceilDiv(p.Cin, 8*t.cpl), ceilDiv(p.Cout, t.tm)
	// The depth runs over the B*H output rows; each column block of a
	// slice's rows takes about two loop iterations per row (one for the
	// row, and the images' setup).
	rows := 0
	if k.maxDepth > 0 {
		rows = max(1, k.maxDepth/4/(2*colBlocks))
	}
	biasFlag := 0
	if gb.Buf != nil {
		biasFlag = flagBiasRow
	} else {
		gb = gw // bound, never written
	}
	for i, ks := range slices(p.B*p.H, rows, 1) {
		acc, _ := sliceFlags(i, accumulate, 0)
		flags := int(b2u(acc)) | biasFlag
		if err := k.grid(gx, gy2, 1, func(g gridPart) error {
			push := vk.Push(p.B, p.Cin, p.H, p.W, p.Cout, flags, colBlocks, g.x0, g.y0, ks[0], ks[1])
			return s.DispatchRanges(pipe, g.groups(), push, x, gy, gw, gb)
		}); err != nil {
			return err
		}
	}
	return nil
}
