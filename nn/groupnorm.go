package nn

import (
	"math"

	"github.com/ictvk/ictvk/vk"
)

var (
	groupNormKernel              = declare("groupnorm")
	groupNormBackwardKernel      = declare("groupnorm_backward")
	groupNormParamBackwardKernel = declare("groupnorm_param_backward")
)

// Modes of groupnorm_backward's gx output (and of
// groupnorm_param_backward's outputs).
const (
	gxSkip uint32 = iota
	gxWrite
	gxAdd
)

// GroupNorm normalizes x [B,C,H,W] over each of groups groups of C/groups
// channels and all positions, with the biased variance and eps inside the
// square root, then scales by gamma and shifts by beta (C values each):
// torch.nn.functional.group_norm. The per-(sample, group) mean and
// 1/sqrt(var+eps) are kept for the backward pass. The sums are centred on
// a pilot value of the group and the mean carries a correction term, so
// groups far from zero keep float32 accuracy.
func (e *Engine) GroupNorm(x, gamma, beta *Tensor, groups int, eps float32) *Tensor {
	return e.groupNorm(x, nil, gamma, beta, groups, eps, 0, false)
}

// GroupNormSiLU returns SiLU(GroupNorm(x)), the pair a DDPM++ block opens
// with, in one kernel each way. For the backward pass it keeps only x and
// the group statistics, and the backward kernel normalizes x again on the
// way: the tape holds one activation where GroupNorm then SiLU holds two
// (a U-Net step's peak memory drops by about a quarter), and neither pass
// runs a separate SiLU.
func (e *Engine) GroupNormSiLU(x, gamma, beta *Tensor, groups int, eps float32) *Tensor {
	return e.groupNorm(x, nil, gamma, beta, groups, eps, 0, true)
}

// AddChannelGroupNormSiLU returns GroupNormSiLU(AddChannel(x, v)), v [B,C]
// added on the way in both kernels: a DDPM++ block's noise embedding
// before its second GroupNorm, without the sum's tensor, its dispatch or
// the reduction of its backward pass (groupnorm_backward sums v's
// gradient per channel as it goes).
func (e *Engine) AddChannelGroupNormSiLU(x, v, gamma, beta *Tensor, groups int, eps float32) *Tensor {
	if !e.checkChannel("add_channel_groupnorm_silu", x, v) {
		return e.placeholder(x.shape...)
	}
	return e.groupNorm(x, v, gamma, beta, groups, eps, 0, true)
}

// groupNorm is GroupNorm of x (plus shift [B,C] per channel where shift is
// not nil) with workgroups of local invocations (0: the engine's choice);
// tests run the reduction tree at sizes the device would not choose.
func (e *Engine) groupNorm(x, shift, gamma, beta *Tensor, groups int, eps float32, local uint32, silu bool) *Tensor {
	if len(x.shape) != 4 {
		e.failf("nn: groupnorm: x %v is not [B,C,H,W]", x.shape)
		return e.placeholder(x.shape...)
	}
	nb, c, hw := x.shape[0], x.shape[1], x.shape[2]*x.shape[3]
	switch {
	case groups <= 0 || c%groups != 0:
		e.failf("nn: groupnorm: x %v has %d channels, which do not split into %d groups", x.shape, c, groups)
	case gamma.n != c:
		e.failf("nn: groupnorm: gamma %v for x %v: want %d values", gamma.shape, x.shape, c)
	case beta.n != c:
		e.failf("nn: groupnorm: beta %v for x %v: want %d values", beta.shape, x.shape, c)
	case !(eps >= 0) || math.IsInf(float64(eps), 1):
		e.failf("nn: groupnorm: eps %v for x %v is not a finite number >= 0", eps, x.shape)
	}
	if e.err != nil {
		return e.placeholder(x.shape...)
	}
	cpg := c / groups
	count := nb * groups
	if local == 0 {
		// The backward pass loops more: per channel, a sweep and a tree,
		// then a second sweep and (with a shift) a tree (the forward: two
		// trees, a sweep of the group, or of each channel with a shift,
		// and a sweep per channel).
		local = e.rowLocal("groupnorm", x.shape, cpg*hw, func(l uint32) int {
			fwd := 2*cpg*(ceilDiv(hw, l)+1) + 2*treeIterations(l)
			bwd := cpg * (2*ceilDiv(hw, l) + 2*treeIterations(l) + 2)
			return max(fwd, bwd)
		})
	}

	// Per (sample, group): the mean as a float32 pair m1 + delta, and rstd.
	out, stats := e.newTensor(x.shape...), e.newTensor(nb, groups, 3)
	spec := groupNormSpec(local, hw, silu, shift != nil)
	inputs, shiftBound := []*Tensor{x, gamma, beta}, beta // bound, never read, without a shift
	if shift != nil {
		inputs, shiftBound = append(inputs, shift), shift
	}
	e.dispatch(groupNormKernel, spec, e.groups1D(count, 1), vk.Push(count, hw, cpg, groups, eps), x, gamma, beta, out, stats, shiftBound)
	defer e.recycle(stats) // the tape keeps it if it saves it
	op := "groupnorm"
	switch {
	case shift != nil:
		op = "add_channel_groupnorm_silu"
	case silu:
		op = "groupnorm_silu"
	}
	if !e.recording(inputs...) {
		return out
	}
	// With silu the backward kernel takes gy through SiLU itself, at the
	// GroupNorm output it computes again from x, gamma and beta.
	e.record(op, out, inputs, append([]*Tensor{stats}, inputs...), func(gy *Tensor) {
		// Per-(sample, channel) sums of gy and gy*xhat; reduced over the
		// batch below into the gradients of beta and gamma.
		sumGY, sumGYXhat := e.newTensor(nb, c), e.newTensor(nb, c)
		gx, mode := e.newTensor(1), gxSkip // bound but untouched in gxSkip mode
		if needsGrad(x) {
			var acc bool
			gx, acc = e.gradTarget(x)
			mode = gxWrite
			if acc {
				mode = gxAdd
			}
		}
		gshift, shiftMode := sumGY, gxSkip // bound but untouched in gxSkip mode
		if shift != nil && needsGrad(shift) {
			var acc bool
			gshift, acc = e.gradTarget(shift)
			shiftMode = gxWrite
			if acc {
				shiftMode = gxAdd
			}
		}
		e.dispatch(groupNormBackwardKernel, spec, e.groups1D(count, 1), vk.Push(count, hw, cpg, groups, mode, shiftMode),
			x, gamma, stats, gy, gx, sumGY, sumGYXhat, beta, shiftBound, gshift)
		e.groupNormParamGrads(gamma, beta, sumGYXhat, sumGY, nb, c)
	})
	return out
}

// groupNormSpec is the spec constants of groupnorm and groupnorm_backward:
// the workgroup size, vec4 sweeps where H*W allows, SiLU after the norm,
// and a shift per channel before it.
func groupNormSpec(local uint32, hw int, silu, shift bool) []uint32 {
	vec := uint32(1)
	if hw%4 == 0 {
		vec = 4
	}
	return []uint32{local, vec, boolWord(silu), boolWord(shift)}
}

// groupNormParamGrads sends the batch sums of sumGYXhat and sumGY [B,C]
// to gamma's and beta's gradients, in one dispatch.
func (e *Engine) groupNormParamGrads(gamma, beta, sumGYXhat, sumGY *Tensor, nb, c int) {
	if budget := e.Tune.MaxLoopIterations; budget > 0 && nb > budget {
		// One invocation per channel would loop over more samples than
		// the device completes: the general reduction sums in chunks.
		for _, g := range []struct{ p, partial *Tensor }{{gamma, sumGYXhat}, {beta, sumGY}} {
			if needsGrad(g.p) {
				dst, acc := e.gradTarget(g.p)
				e.reduceInto(dst, acc, g.partial, g.partial, []int{nb, c}, []bool{true, false}, reduceSum, 1)
			}
		}
		return
	}
	// target is p's gradient and its mode, or partial (bound, untouched)
	// where p needs none.
	target := func(p, partial *Tensor) (*Tensor, uint32) {
		if !needsGrad(p) {
			return partial, gxSkip
		}
		dst, acc := e.gradTarget(p)
		if acc {
			return dst, gxAdd
		}
		return dst, gxWrite
	}
	gGamma, gammaMode := target(gamma, sumGYXhat)
	gBeta, betaMode := target(beta, sumGY)
	if gammaMode == gxSkip && betaMode == gxSkip {
		return
	}
	e.elementwise(groupNormParamBackwardKernel, c, vk.Push(c, nb, gammaMode, betaMode), sumGYXhat, gGamma, sumGY, gBeta)
}
