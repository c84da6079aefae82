package nn

import (
	"github.com/ictvk/ictvk/nn/internal/kern"
	"github.com/ictvk/ictvk/vk"
)

// Convolutions run as GEMMs over unfolded columns (im2col): the forward is
// W [Cout, Cin·kh·kw] · cols [Cin·kh·kw, B·P], the weight gradient
// gYᵀ · colsᵀ, the input gradient col2im(Wᵀ · gYᵀ). The GEMMs see all the
// batch's positions at once (N = B·P), which keeps the tuned matmul busy;
// batches whose columns would not fit a binding are split into chunks.
var (
	im2colKernel    = declare("im2col", 44, vk.Read, vk.Write)
	col2imKernel    = declare("col2im", 48, vk.Read, vk.ReadWrite)
	swapOuterKernel = declare("swap_outer", 24, vk.Read, vk.ReadWrite)
)

// convGeom is the geometry of one convolution.
type convGeom struct {
	b, cin, h, w, cout, kh, kw, stride, pad, ho, wo int
}

func (g convGeom) rows() int { return g.cin * g.kh * g.kw } // GEMM depth
func (g convGeom) p() int    { return g.ho * g.wo }         // output positions per sample

// Conv2d returns the 2-D convolution of x [B, Cin, H, W] with w [Cout, Cin,
// kh, kw] plus bias b [Cout] (or nil), zero padding pad on every side.
func (e *Engine) Conv2d(x, w, b *Tensor, stride, pad int) *Tensor {
	g, ok := e.convGeom(x, w, b, stride, pad)
	if !ok {
		return e.placeholder(1)
	}
	y := e.newTensor(g.b, g.cout, g.ho, g.wo)
	nb := e.convChunk(g)
	cols := e.newTensor(g.rows(), nb*g.p())
	yt := e.newTensor(g.cout, nb*g.p())
	for b0 := 0; b0 < g.b && e.err == nil; b0 += nb {
		n := min(nb, g.b-b0)
		e.im2col(x, cols, g, b0, n)
		p := kern.MatMulParams{Batch: 1, M: g.cout, N: n * g.p(), K: g.rows()}
		if b != nil {
			p.Bias, p.BiasPerRow = b.rng(), true
		}
		e.gemmRanges(w.rng(), cols.rng(), yt.rng(), p)
		e.swapOuter(yt, y, g.cout, n, g.p(), 0, b0*g.cout*g.p(), false)
	}
	e.recycle(cols)
	e.recycle(yt)
	if e.recording(x, w, b) {
		e.record("conv2d", y, []*Tensor{x, w, b}, func(gy *Tensor) { e.conv2dBackward(x, w, b, gy, g) })
	}
	return y
}

func (e *Engine) conv2dBackward(x, w, b, gy *Tensor, g convGeom) {
	if needsGrad(b) {
		gb, acc := e.gradTarget(b)
		e.reduceInto(gb, acc, gy, gy, []int{g.b, g.cout, g.p()}, []bool{true, false, true}, reduceSum, 1)
	}
	if !needsGrad(x) && !needsGrad(w) {
		return
	}
	nb := e.convChunk(g)
	gyt := e.newTensor(g.cout, nb*g.p())
	cols := e.newTensor(g.rows(), nb*g.p())
	var gw, gx *Tensor
	var accW, accX bool
	if needsGrad(w) {
		gw, accW = e.gradTarget(w)
	}
	if needsGrad(x) {
		gx, accX = e.gradTarget(x)
	}
	for b0 := 0; b0 < g.b && e.err == nil; b0 += nb {
		n := min(nb, g.b-b0)
		e.swapOuter(gy, gyt, n, g.cout, g.p(), b0*g.cout*g.p(), 0, false)
		if gw != nil {
			// gW (+)= gYᵀ [Cout, n·P] · colsᵀ [n·P, rows]
			e.im2col(x, cols, g, b0, n)
			e.gemmRanges(gyt.rng(), cols.rng(), gw.rng(), kern.MatMulParams{Batch: 1, M: g.cout, N: g.rows(), K: n * g.p(), TransB: true, Accumulate: accW || b0 > 0})
		}
		if gx != nil {
			// gcols = Wᵀ [rows, Cout] · gYᵀ [Cout, n·P], folded back.
			e.gemmRanges(w.rng(), gyt.rng(), cols.rng(), kern.MatMulParams{Batch: 1, M: g.rows(), N: n * g.p(), K: g.cout, TransA: true})
			e.elementwise(col2imKernel, n*g.cin*g.h*g.w,
				vk.Push(n, g.cin, g.h, g.w, g.ho, g.wo, g.kh, g.kw, g.stride, g.pad, b0*g.cin*g.h*g.w, boolWord(accX)), cols, gx)
		}
	}
	e.recycle(cols)
	e.recycle(gyt)
}

// convGeom checks the operands of a convolution and describes it.
func (e *Engine) convGeom(x, w, b *Tensor, stride, pad int) (convGeom, bool) {
	bad := func() (convGeom, bool) {
		var bs []int
		if b != nil {
			bs = b.shape
		}
		e.failf("nn: conv2d: x %v, weight %v, bias %v, stride %d, pad %d: want x [B, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout], stride >= 1, pad >= 0 and a kernel that fits the padded image",
			x.shape, w.shape, bs, stride, pad)
		return convGeom{}, false
	}
	if len(x.shape) != 4 || len(w.shape) != 4 || x.shape[1] != w.shape[1] || stride < 1 || pad < 0 {
		return bad()
	}
	if b != nil && (len(b.shape) != 1 || b.shape[0] != w.shape[0]) {
		return bad()
	}
	g := convGeom{b: x.shape[0], cin: x.shape[1], h: x.shape[2], w: x.shape[3], cout: w.shape[0], kh: w.shape[2], kw: w.shape[3], stride: stride, pad: pad}
	g.ho = (g.h+2*pad-g.kh)/stride + 1
	g.wo = (g.w+2*pad-g.kw)/stride + 1
	if g.h+2*pad < g.kh || g.w+2*pad < g.kw || g.ho < 1 || g.wo < 1 {
		return bad()
	}
	return g, true
}

// convChunkBytes caps the unfolded columns of one GEMM (tests lower it).
var convChunkBytes uint64 = 64 << 20

// convChunk is how many samples one GEMM takes: as many as keep the
// unfolded columns within convChunkBytes and the device's binding limit.
func (e *Engine) convChunk(g convGeom) int {
	budget := min(e.Dev.Info.Limits.MaxStorageBufferRange, convChunkBytes) / 4
	perSample := uint64(max(g.rows(), g.cout) * g.p())
	nb := int(budget / perSample)
	if nb < 1 {
		e.failf("nn: conv2d: one sample's %d x %d columns exceed the device's %d-byte binding limit", g.rows(), g.p(), e.Dev.Info.Limits.MaxStorageBufferRange)
		return 1
	}
	return min(nb, g.b)
}

func (e *Engine) im2col(x, cols *Tensor, g convGeom, b0, n int) {
	e.elementwise(im2colKernel, g.rows()*n*g.p(),
		vk.Push(n, g.cin, g.h, g.w, g.ho, g.wo, g.kh, g.kw, g.stride, g.pad, b0*g.cin*g.h*g.w), x, cols)
}

// swapOuter records dst[dstOff:] (+)= src[srcOff:] with the outer axes of
// [X, Y, Z] swapped.
func (e *Engine) swapOuter(src, dst *Tensor, x, y, z, srcOff, dstOff int, acc bool) {
	e.elementwise(swapOuterKernel, x*y*z, vk.Push(x, y, z, srcOff, dstOff, boolWord(acc)), src, dst)
}

// gemmRanges records a product on raw ranges.
func (e *Engine) gemmRanges(a, b, c vk.Range, p kern.MatMulParams) {
	k := e.kernels()
	if e.err != nil {
		return
	}
	if err := k.MatMul(e.S, a, b, c, p); err != nil {
		e.fail(err)
	}
}
