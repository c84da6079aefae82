package kern

import (
	"fmt"

	"github.com/ictvk/ictvk/vk"
)

// ConvParams describe a 2-D cross-correlation (PyTorch's conv2d) of x
// [B, Cin, H, W] (NCHW) with weights [Cout, Cin, KH, KW], zero padding
// PadH above and below and PadW left and right (PyTorch's padding=(PadH,
// PadW); Inception's 1x7 and 7x1 kernels pad one axis only), giving y [B,
// Cout, OutH(), OutW()].
type ConvParams struct {
	B, Cin, H, W, Cout, KH, KW, Stride, PadH, PadW int
}

// OutH is the output height.
func (p ConvParams) OutH() int { return (p.H+2*p.PadH-p.KH)/p.Stride + 1 }

// OutW is the output width.
func (p ConvParams) OutW() int { return (p.W+2*p.PadW-p.KW)/p.Stride + 1 }

// Flops is 2 * the multiply-adds of the forward (and of each gradient).
func (p ConvParams) Flops() float64 {
	return 2 * float64(p.B*p.Cout*p.OutH()*p.OutW()) * float64(p.Cin*p.KH*p.KW)
}

func (p ConvParams) check(op string) error {
	if p.B < 1 || p.Cin < 1 || p.H < 1 || p.W < 1 || p.Cout < 1 || p.KH < 1 || p.KW < 1 || p.Stride < 1 || p.PadH < 0 || p.PadW < 0 {
		return fmt.Errorf("%s: %+v: sizes, kernel and stride must be positive, padding not negative", op, p)
	}
	if p.H+2*p.PadH < p.KH || p.W+2*p.PadW < p.KW {
		return fmt.Errorf("%s: %+v: the %dx%d kernel is larger than the padded %dx%d input", op, p, p.KH, p.KW, p.H+2*p.PadH, p.W+2*p.PadW)
	}
	return nil
}

func (p ConvParams) xLen() int { return p.B * p.Cin * p.H * p.W }
func (p ConvParams) wLen() int { return p.Cout * p.Cin * p.KH * p.KW }
func (p ConvParams) yLen() int { return p.B * p.Cout * p.OutH() * p.OutW() }

// pointwise reports whether the convolution is a plain matrix product per
// image: a 1x1 kernel, stride 1, no padding.
func (p ConvParams) pointwise() bool {
	return p.KH == 1 && p.KW == 1 && p.Stride == 1 && p.PadH == 0 && p.PadW == 0
}

var (
	convCPU      = kernel("conv_cpu", CPU)
	convDilate   = kernel("conv_dilate", CPU)
	convGPU      = kernel("conv_gpu", GPU)
	convBiasGrad = kernel("conv_bias_grad", Auto)
)

// The products conv_cpu.comp and conv_gpu.comp compute (gemm_conv.glsl).
const (
	convForward = iota
	convGradInput
	convGradWeight
)

// Conv2d records y = conv(x, w) + bias. bias may be a zero Range for none.
// y must not overlap x or w.
func (k *Kernels) Conv2d(s *vk.Stream, x, w, bias, y vk.Range, p ConvParams) error {
	const op = "kern.Conv2d"
	if err := p.check(op); err != nil {
		return err
	}
	if err := checkRanges(op, []namedRange{{"x", x, p.xLen()}, {"w", w, p.wLen()}, {"y", y, p.yLen()}}); err != nil {
		return err
	}
	if bias.Buf != nil {
		if err := checkRange(op, "bias", bias, p.Cout); err != nil {
			return err
		}
	}
	if p.pointwise() {
		// y[n] (Cout x HW) = w (Cout x Cin) x[n] (Cin x HW) + bias[row].
		hw := p.H * p.W
		return k.MatMul(s, w, x, y, MatMulParams{Batch: p.B, M: p.Cout, N: hw, K: p.Cin,
			StrideB: p.Cin * hw, StrideC: p.Cout * hw, Bias: bias, BiasPerRow: true})
	}
	return k.conv(s, convForward, w, x, y, bias, p, false)
}

// Conv2dGradInput records gx (+)= the gradient of sum(y * gy) with respect
// to x, for y = Conv2d(x, w): the transposed convolution of gy with w.
func (k *Kernels) Conv2dGradInput(s *vk.Stream, gy, w, gx vk.Range, p ConvParams, accumulate bool) error {
	const op = "kern.Conv2dGradInput"
	if err := p.check(op); err != nil {
		return err
	}
	if err := checkRanges(op, []namedRange{{"gy", gy, p.yLen()}, {"w", w, p.wLen()}, {"gx", gx, p.xLen()}}); err != nil {
		return err
	}
	if p.pointwise() {
		// gx[n] (Cin x HW) = w^T (Cin x Cout) gy[n] (Cout x HW).
		hw := p.H * p.W
		return k.MatMul(s, w, gy, gx, MatMulParams{Batch: p.B, M: p.Cin, N: hw, K: p.Cout, TransA: true,
			StrideB: p.Cout * hw, StrideC: p.Cin * hw, Accumulate: accumulate})
	}
	return k.conv(s, convGradInput, w, gy, gx, vk.Range{}, p, accumulate)
}

// Dilated is the same convolution (stride 1) whose gradients, given gy
// dilated (DilateGradOutput), are those of p, for a strided p with an odd
// kernel padded by half its size. The input pixel iy of p receives
// w[ky] gy[oy] where Stride*oy = iy + pad - ky, and w[ky] sees
// gy[oy] x[Stride*oy + ky - pad]: in both, gy dilated stands for gy at its
// pixel Stride*oy and adds zeros everywhere else.
func (p ConvParams) Dilated() ConvParams {
	p.Stride = 1
	return p
}

// DilatedGradients reports which gradients of p to compute as those of
// p.Dilated() from gy dilated: on the CPU variant, for a strided
// convolution with an odd kernel padded by half its size, those that the
// dilated convolution runs on the same-convolution kernels. Their
// pipelines are the stride-1 layers' of the same size, already built,
// where the implicit GEMM's would be pipelines of their own: Stride*Stride
// phases of the input gradient (about 4 s each for lavapipe to compile,
// 16 s of the mnist preset's 41) and one of the weight gradient's. They
// do Stride*Stride times the multiply-adds: BenchmarkStridedGrads ran the
// input gradient at 0.90 to 0.97 times the GEMM's speed and the weight
// gradient at 0.48 to 0.70 times (for the mnist preset, half a
// millisecond of a 0.4 s step).
func (k *Kernels) DilatedGradients(p ConvParams) (input, weight bool) {
	if p.Stride < 2 || p.KH%2 == 0 || p.KW%2 == 0 || p.PadH != p.KH/2 || p.PadW != p.KW/2 || p.check("") != nil {
		return false, false
	}
	d := p.Dilated()
	return k.sameConv(convGradInput, d), k.sameConv(convGradWeight, d)
}

// DilateGradOutput records dilated = gy of p spread over x's pixels,
// [B, Cout, H, W]: dilated[n][c][Stride*oy][Stride*ox] = gy[n][c][oy][ox],
// zero elsewhere (conv_dilate.comp), for p with a gradient that
// DilatedGradients computes dilated.
func (k *Kernels) DilateGradOutput(s *vk.Stream, gy, dilated vk.Range, p ConvParams) error {
	const op = "kern.DilateGradOutput"
	if err := p.check(op); err != nil {
		return err
	}
	if in, w := k.DilatedGradients(p); !in && !w {
		return fmt.Errorf("%s: %+v: no gradient of this convolution runs dilated (see DilatedGradients)", op, p)
	}
	d := p.Dilated()
	if err := checkRanges(op, []namedRange{{"gy", gy, p.yLen()}, {"dilated", dilated, d.yLen()}}); err != nil {
		return err
	}
	pipe, err := k.pipeline(convDilate)
	if err != nil {
		return err
	}
	n4 := d.yLen() / 4 // W % 4 == 0 (sameConv)
	return k.grid(ceilDiv(n4, 64), 1, 1, func(g gridPart) error {
		push := vk.Push(n4, p.H, p.W, p.OutH(), p.OutW(), p.Stride, g.x0)
		return s.DispatchRanges(pipe, g.groups(), push, gy, dilated)
	})
}

// Conv2dGradWeight records gw (+)= the gradient of sum(y * gy) with
// respect to w, and, when gb is bound, gb (+)= the gradient with respect
// to the bias (the sum of gy over the batch and the pixels).
func (k *Kernels) Conv2dGradWeight(s *vk.Stream, x, gy, gw, gb vk.Range, p ConvParams, accumulate bool) error {
	const op = "kern.Conv2dGradWeight"
	if err := p.check(op); err != nil {
		return err
	}
	if err := checkRanges(op, []namedRange{{"x", x, p.xLen()}, {"gy", gy, p.yLen()}, {"gw", gw, p.wLen()}}); err != nil {
		return err
	}
	if gb.Buf != nil {
		if err := checkRange(op, "gb", gb, p.Cout); err != nil {
			return err
		}
	}
	if k.sameConv(convGradWeight, p) {
		// The same-convolution kernel sums the bias's gradient on the way.
		return k.convSameWeight(s, x, gy, gw, gb, p, accumulate)
	}
	if gb.Buf != nil {
		if err := k.biasGrad(s, gy, gb, p.B, p.Cout, p.OutH()*p.OutW(), accumulate); err != nil {
			return err
		}
	}
	return k.conv(s, convGradWeight, gy, x, gw, vk.Range{}, p, accumulate)
}

// Conv2dBiasGrad records gb (+)= the gradient of sum(y * gy) with respect
// to the bias: the sum of gy over the batch and the pixels.
func (k *Kernels) Conv2dBiasGrad(s *vk.Stream, gy, gb vk.Range, p ConvParams, accumulate bool) error {
	const op = "kern.Conv2dBiasGrad"
	if err := p.check(op); err != nil {
		return err
	}
	if err := checkRanges(op, []namedRange{{"gy", gy, p.yLen()}, {"gb", gb, p.Cout}}); err != nil {
		return err
	}
	return k.biasGrad(s, gy, gb, p.B, p.Cout, p.OutH()*p.OutW(), accumulate)
}

// conv records one of the three products of gemm_conv.glsl: a and b are
// bound as its A and B operands (forward and grad input: w and x or gy;
// grad weight: gy and x), c receives it. The grad input runs as
// Stride*Stride phases (see gemm_conv.glsl).
func (k *Kernels) conv(s *vk.Stream, mode int, a, b, c, bias vk.Range, p ConvParams, accumulate bool) error {
	if k.sameConv(mode, p) && mode != convGradWeight { // Conv2dGradWeight calls convSameWeight
		return k.convSame(s, mode, a, b, c, bias, p, accumulate)
	}
	if mode != convGradInput {
		return k.convPhase(s, mode, a, b, c, bias, p, accumulate, 0, 0)
	}
	for py := 0; py < p.Stride; py++ {
		for px := 0; px < p.Stride; px++ {
			if err := k.convPhase(s, mode, a, b, c, bias, p, accumulate, py, px); err != nil {
				return err
			}
		}
	}
	return nil
}

// phasePixels counts the i in [0, size) with (i + pad) % stride == phase.
func phasePixels(size, pad, stride, phase int) int {
	first := ((phase-pad)%stride + stride) % stride
	if first >= size {
		return 0
	}
	return (size - first + stride - 1) / stride
}

func (k *Kernels) convPhase(s *vk.Stream, mode int, a, b, c, bias vk.Range, p ConvParams, accumulate bool, py, px int) error {
	ho, wo := p.OutH(), p.OutW()
	khw := p.KH * p.KW
	hp, wp := phasePixels(p.H, p.PadH, p.Stride, py), phasePixels(p.W, p.PadW, p.Stride, px)
	var m, n, depth int
	var vecA, vecC bool
	switch mode {
	case convForward:
		m, n, depth = p.Cout, p.B*ho*wo, p.Cin*khw
		vecA, vecC = depth%4 == 0, (ho*wo)%4 == 0
	case convGradInput:
		// Taps ky = py + Stride*j below KH, the same along x.
		tapsY, tapsX := (p.KH-py+p.Stride-1)/p.Stride, (p.KW-px+p.Stride-1)/p.Stride
		m, n, depth = p.Cin, p.B*hp*wp, p.Cout*max(tapsY, 0)*max(tapsX, 0)
		vecC = p.Stride == 1 && (p.H*p.W)%4 == 0
	case convGradWeight:
		m, n, depth = p.Cout, p.Cin*khw, p.B*ho*wo
		vecA, vecC = (ho*wo)%4 == 0, n%4 == 0
	}
	if n == 0 {
		return nil // a phase with no pixels (an image smaller than the stride)
	}
	biasFlag := 0
	if bias.Buf != nil {
		biasFlag = flagBiasRow
	} else {
		bias = c // a binding of at least max(M, N) floats when there is no bias
	}
	var t cpuTile
	var gx, gy int
	if k.variant == CPU {
		t = chooseCPUTile(1, m, n, depth, k.threads, k.lanes, k.cpuSizes)
		gx, gy = ceilDiv(n, t.lx*t.tn), ceilDiv(m, t.ly*t.tm)
	} else {
		gx, gy = ceilDiv(n, k.gpu.lx*k.gpu.rn), ceilDiv(m, k.gpu.ly*k.gpu.rm)
	}
	// A deep product (the weight gradient over a large batch) runs as
	// slices of its depth added up in C, as in MatMul.
	for i, ks := range k.depthSlices(depth, k.depthStep()) {
		acc, flags := sliceFlags(i, accumulate, biasFlag)
		var pipe *vk.Pipeline
		var err error
		if k.variant == CPU {
			pipe, err = k.pipeline(convCPU, uint32(t.lx), uint32(t.ly), uint32(t.tm), uint32(t.tn),
				uint32(mode), uint32(p.KH), uint32(p.KW), uint32(p.Stride), b2u(vecA), b2u(vecC), b2u(acc), 0,
				uint32(py), uint32(px))
		} else {
			g := k.gpu
			pipe, err = k.pipeline(convGPU, uint32(g.lx), uint32(g.ly), uint32(g.rm), uint32(g.rn),
				uint32(mode), uint32(p.KH), uint32(p.KW), uint32(p.Stride), 0, uint32(g.bk), 0, 0, uint32(py), uint32(px))
		}
		if err != nil {
			return err
		}
		if err := k.grid(gx, gy, 1, func(g gridPart) error {
			push := vk.Push(p.B, p.Cin, p.H, p.W, p.Cout, ho, wo, p.PadH, p.PadW, hp, wp, flags, g.y0, g.x0, ks[0], ks[1])
			return s.DispatchRanges(pipe, g.groups(), push, a, b, c, bias)
		}); err != nil {
			return err
		}
	}
	return nil
}

// biasGrad records out[q] (+)= sum over p, r of g[p, q, r] for g viewed as
// [P, Q, R].
func (k *Kernels) biasGrad(s *vk.Stream, g, out vk.Range, P, Q, R int, accumulate bool) error {
	const local = 64
	vec := R%4 == 0
	terms := P * R // per q, in the shader's units (floats or vec4s)
	if vec {
		terms = P * R / 4
	}
	// Slices of as many loop iterations per invocation as the CPU
	// variant's GEMM takes (see cpuVariantMaxDepth).
	sliceTerms := 0
	if k.maxDepth > 0 {
		sliceTerms = local * k.maxDepth / 4
	}
	for i, es := range slices(terms, sliceTerms, local) {
		pipe, err := k.pipeline(convBiasGrad, local, b2u(vec), b2u(accumulate || i > 0))
		if err != nil {
			return err
		}
		if err := k.grid(Q, 1, 1, func(part gridPart) error {
			return s.DispatchRanges(pipe, part.groups(), vk.Push(P, Q, R, part.x0, es[0], es[1]), g, out)
		}); err != nil {
			return err
		}
	}
	return nil
}

type namedRange struct {
	name  string
	r     vk.Range
	elems int
}

func checkRanges(op string, rs []namedRange) error {
	for _, r := range rs {
		if err := checkRange(op, r.name, r.r, r.elems); err != nil {
			return err
		}
	}
	return nil
}
