package nn

import "github.com/ictvk/ictvk/vk"

// Reductions: sums and means over chosen axes, and per-sample sums of
// squares. Every reduction runs through one kernel, one workgroup per
// (output element, fixed chunk of the reduced elements) with a tree sum in
// shared memory, and a further launch over the chunks' partial sums when
// there is more than one chunk; many short reductions (a sum over
// channels) instead take one invocation per output. Nothing is atomic: the
// order of every addition depends only on the shape and the workgroup size
// (Tune.Local), so a training run reproduces bit for bit on one device.
//
// Subgroup arithmetic is not used: vk does not report which subgroup
// operations a device supports, and the shared-memory tree is portable.

var (
	reduceKernel         = declare("reduce")
	reduceBackwardKernel = declare("reduce_backward")
)

// reduceMode is the function of (x, y) a reduction sums.
type reduceMode uint32

const (
	reduceSum         reduceMode = iota // x
	reduceSquares                       // x^2
	reduceProduct                       // x y
	reduceSquaredDiff                   // (x - y)^2
	reduceAbsDiff                       // |x - y|
)

// reduceChunkPerInvocation bounds how many elements one invocation adds
// before the tree sum: a chunk is this many times the workgroup size.
const reduceChunkPerInvocation = 16

// serialMaxTerms is the longest reduction summed by one invocation, when
// there are at least serialMinOutputsPerLane * Tune.Local outputs to
// spread over the device.
const (
	serialMaxTerms          = 256
	serialMinOutputsPerLane = 4
)

// maxRuns is how many runs of kept (and of reduced) dimensions the kernel
// takes after merging neighbours.
const maxRuns = 4

// run is a run of merged dimensions: its size, its element stride in the
// input, and whether it is reduced.
type run struct {
	size, stride int
	reduced      bool
}

// mergeRuns merges neighbouring dimensions that are both kept or both
// reduced, dropping dimensions of size 1, and gives each run its stride.
func mergeRuns(shape []int, reduced []bool) []run {
	var rs []run
	for d, n := range shape {
		if n == 1 {
			continue
		}
		if k := len(rs) - 1; k >= 0 && rs[k].reduced == reduced[d] {
			rs[k].size *= n
			continue
		}
		rs = append(rs, run{size: n, reduced: reduced[d]})
	}
	stride := 1
	for i := len(rs) - 1; i >= 0; i-- {
		rs[i].stride = stride
		stride *= rs[i].size
	}
	return rs
}

// reducePlan is the kernel's view of a reduction.
type reducePlan struct {
	nOut, nRed            int
	keptDim, keptStride   [maxRuns]uint32
	redDim, redStride     [maxRuns]uint32
	runDims, runOutStride [2 * maxRuns]uint32 // for the backward broadcast
}

// planReduce describes reducing a tensor of shape over the dimensions
// flagged in reduced; ok is false when the runs do not fit the kernel.
func planReduce(shape []int, reduced []bool) (p reducePlan, ok bool) {
	rs := mergeRuns(shape, reduced)
	var kept, red []run
	for _, r := range rs {
		if r.reduced {
			red = append(red, r)
		} else {
			kept = append(kept, r)
		}
	}
	if len(kept) > maxRuns || len(red) > maxRuns {
		return p, false
	}
	p.nOut, p.nRed = 1, 1
	for i := range maxRuns {
		p.keptDim[i], p.redDim[i] = 1, 1
	}
	for i := range 2 * maxRuns {
		p.runDims[i] = 1
	}
	for i, r := range kept { // right-aligned: the last run is innermost
		j := maxRuns - len(kept) + i
		p.keptDim[j], p.keptStride[j] = uint32(r.size), uint32(r.stride)
		p.nOut *= r.size
	}
	for i, r := range red {
		j := maxRuns - len(red) + i
		p.redDim[j], p.redStride[j] = uint32(r.size), uint32(r.stride)
		p.nRed *= r.size
	}
	outStride := 1
	for i := len(rs) - 1; i >= 0; i-- {
		j := 2*maxRuns - len(rs) + i
		p.runDims[j] = uint32(rs[i].size)
		if !rs[i].reduced {
			p.runOutStride[j] = uint32(outStride)
			outStride *= rs[i].size
		}
	}
	return p, true
}

func (p *reducePlan) push(chunk, nChunks int, mode reduceMode, scale float32, acc, serial bool) []byte {
	args := []any{p.nOut, p.nRed, chunk, nChunks}
	for _, a := range [][maxRuns]uint32{p.keptDim, p.keptStride, p.redDim, p.redStride} {
		for _, v := range a {
			args = append(args, v)
		}
	}
	args = append(args, uint32(mode), scale, boolWord(acc), boolWord(serial))
	return vk.Push(args...)
}

// reduceInto records dst (+)= scale * sum of mode(x, y) over the reduced
// dimensions of shape (x and y share it; y is read only by the modes that
// need it). dst holds the kept dimensions in order.
func (e *Engine) reduceInto(dst *Tensor, acc bool, x, y *Tensor, shape []int, reduced []bool, mode reduceMode, scale float32) {
	if e.err != nil {
		return
	}
	p, ok := planReduce(shape, reduced)
	if !ok {
		e.failf("nn: reduction of %v over %v: too many alternating runs of kept and reduced axes (at most %d each)", shape, reduced, maxRuns)
		return
	}
	local := e.Tune.Local
	spec := []uint32{local}
	chunk := reduceChunkPerInvocation * int(local)
	if p.nRed <= serialMaxTerms && p.nOut >= serialMinOutputsPerLane*int(local) {
		e.elementwise(reduceKernel, p.nOut, p.push(p.nRed, 1, mode, scale, acc, true), x, y, dst)
		return
	}
	src1, src2 := x, y
	for {
		nChunks := (p.nRed + chunk - 1) / chunk
		if nChunks <= 1 {
			e.dispatch(reduceKernel, spec, e.groups1D(p.nOut, 1), p.push(p.nRed, 1, mode, scale, acc, false), src1, src2, dst)
			if src1 != x {
				e.recycle(src1)
			}
			return
		}
		partial := e.newTensor(p.nOut, nChunks)
		e.dispatch(reduceKernel, spec, e.groups1D(p.nOut*nChunks, 1), p.push(chunk, nChunks, mode, 1, false, false), src1, src2, partial)
		if src1 != x {
			e.recycle(src1) // the previous round's partials
		}
		// Next, sum the partials of each output: [nOut, nChunks] over the last axis.
		p, _ = planReduce([]int{p.nOut, nChunks}, []bool{false, true})
		src1, src2, mode = partial, partial, reduceSum
	}
}

// broadcastBack records gx (+)= scale * gy broadcast from the reduction's
// kept shape back over shape.
func (e *Engine) broadcastBack(gx *Tensor, acc bool, gy *Tensor, shape []int, reduced []bool, scale float32) {
	p, ok := planReduce(shape, reduced)
	if !ok {
		e.failf("nn: reduction backward of %v over %v: too many alternating runs", shape, reduced)
		return
	}
	args := []any{gx.n, 0, 0, 0}
	for _, v := range p.runDims {
		args = append(args, v)
	}
	for _, v := range p.runOutStride {
		args = append(args, v)
	}
	args = append(args, scale, boolWord(acc))
	e.elementwise(reduceBackwardKernel, gx.n, vk.Push(args...), gy, gx)
}

// reducedAxes validates axes of x for op and flags them; no axes means
// every axis.
func (e *Engine) reducedAxes(op string, x *Tensor, axes []int) ([]bool, bool) {
	flags := make([]bool, len(x.shape))
	if len(axes) == 0 {
		for i := range flags {
			flags[i] = true
		}
		return flags, true
	}
	for _, a := range axes {
		if a < 0 || a >= len(x.shape) || flags[a] {
			e.failf("nn: %s: axes %v of a tensor %v: axis %d is out of range or repeated", op, axes, x.shape, a)
			return nil, false
		}
		flags[a] = true
	}
	return flags, true
}

func keptShape(shape []int, reduced []bool) []int {
	out := append([]int(nil), shape...)
	for i, r := range reduced {
		if r {
			out[i] = 1
		}
	}
	return out
}

// Sum adds x over the given axes (every axis when none are given). The
// result keeps every axis, reduced ones with size 1, like ref.Sum.
func (e *Engine) Sum(x *Tensor, axes ...int) *Tensor { return e.sumScaled("sum", x, axes, false) }

// Mean averages x over the given axes (every axis when none are given),
// keeping them with size 1.
func (e *Engine) Mean(x *Tensor, axes ...int) *Tensor { return e.sumScaled("mean", x, axes, true) }

func (e *Engine) sumScaled(op string, x *Tensor, axes []int, mean bool) *Tensor {
	reduced, ok := e.reducedAxes(op, x, axes)
	if !ok {
		return e.placeholder(1)
	}
	ys := keptShape(x.shape, reduced)
	out := e.newTensor(ys...)
	scale := float32(1)
	if mean {
		scale = float32(1 / float64(x.n/out.n))
	}
	e.reduceInto(out, false, x, x, x.shape, reduced, reduceSum, scale)
	if e.recording(x) {
		e.record(op, out, []*Tensor{x}, nil, func(g *Tensor) {
			gx, acc := e.gradTarget(x)
			e.broadcastBack(gx, acc, g, x.shape, reduced, scale)
		})
	}
	return out
}

// SumSquares returns each sample's sum of squares: x [B,...] -> [B].
func (e *Engine) SumSquares(x *Tensor) *Tensor {
	if len(x.shape) == 0 {
		e.failf("nn: sum_squares: x %v has no batch dimension", x.shape)
		return e.placeholder(1)
	}
	batch := x.shape[0]
	out := e.newTensor(batch)
	perSample := []int{batch, x.n / batch}
	e.reduceInto(out, false, x, x, perSample, []bool{false, true}, reduceSquares, 1)
	if e.recording(x) {
		e.record("sum_squares", out, []*Tensor{x}, []*Tensor{x}, func(g *Tensor) {
			gx, acc := e.gradTarget(x)
			e.scaleBySample(x, g, 2, gx, acc)
		})
	}
	return out
}
