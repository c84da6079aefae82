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

// Modes of groupnorm_backward's gx output.
const (
	gxSkip uint32 = iota
	gxWrite
	gxAdd
)

// GroupNorm normalizes x [B,C,H,W] over each of groups groups of C/groups
// channels and all positions, with the biased variance and eps inside the
// square root, then scales by gamma and shifts by beta (C values each):
// torch.nn.functional.group_norm. The per-(sample, group) mean and
// 1/sqrt(var+eps) are kept for the backward pass. The variance is
// two-pass and the mean carries a correction term, so groups far from
// zero keep float32 accuracy.
func (e *Engine) GroupNorm(x, gamma, beta *Tensor, groups int, eps float32) *Tensor {
	return e.groupNorm(x, gamma, beta, groups, eps, 0, false)
}

// GroupNormSiLU returns SiLU(GroupNorm(x)), the pair a DDPM++ block opens
// with. For the backward pass it keeps only x and the group statistics
// and normalizes x again: the tape holds one activation where GroupNorm
// then SiLU holds two (a U-Net step's peak memory drops by about a
// quarter), for one more GroupNorm forward in the backward pass.
func (e *Engine) GroupNormSiLU(x, gamma, beta *Tensor, groups int, eps float32) *Tensor {
	return e.groupNorm(x, gamma, beta, groups, eps, 0, true)
}

// groupNorm is GroupNorm with workgroups of local invocations (0: the
// engine's choice); tests run the reduction tree at sizes the device would
// not choose.
func (e *Engine) groupNorm(x, gamma, beta *Tensor, groups int, eps float32, local uint32, silu bool) *Tensor {
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
		// then a second sweep (the forward: two sweeps of the group, two
		// trees and a sweep per channel).
		local = e.rowLocal("groupnorm", x.shape, cpg*hw, func(l uint32) int {
			fwd := 2*ceilDiv(cpg*hw, l) + cpg*(ceilDiv(hw, l)+1) + 2*treeIterations(l)
			bwd := cpg * (2*ceilDiv(hw, l) + treeIterations(l) + 2)
			return max(fwd, bwd)
		})
	}

	y := e.newTensor(x.shape...)
	// Per (sample, group): the mean as a float32 pair m1 + delta, and rstd.
	stats := e.newTensor(nb, groups, 3)
	e.reduceRowsVec(groupNormKernel, count, local, hw%4 == 0, vk.Push(count, hw, cpg, groups, eps), x, gamma, beta, y, stats)
	defer e.recycle(stats) // the tape keeps it if it saves it
	out, op, saves := y, "groupnorm", []*Tensor{x, gamma, stats}
	if silu {
		out = e.newTensor(x.shape...)
		e.elementwiseVec(siluKernel, x.n, true, vk.Push(x.n), y, out)
		e.recycle(y)
		op, saves = "groupnorm_silu", append(saves, beta)
	}
	if !e.recording(x, gamma, beta) {
		return out
	}
	e.record(op, out, []*Tensor{x, gamma, beta}, saves, func(gy *Tensor) {
		if silu {
			// Normalize x again (the same kernel gives the same y), then
			// take the gradient through SiLU.
			y, scratch, gsilu := e.newTensor(x.shape...), e.newTensor(nb, groups, 3), e.newTensor(x.shape...)
			e.reduceRowsVec(groupNormKernel, count, local, hw%4 == 0, vk.Push(count, hw, cpg, groups, eps), x, gamma, beta, y, scratch)
			e.elementwiseVec(siluBackwardKernel, x.n, true, vk.Push(x.n, boolWord(false)), y, gy, gsilu)
			e.recycle(y)
			e.recycle(scratch)
			gy = gsilu
		}
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
		e.reduceRowsVec(groupNormBackwardKernel, count, local, hw%4 == 0, vk.Push(count, hw, cpg, groups, mode),
			x, gamma, stats, gy, gx, sumGY, sumGYXhat)
		e.groupNormParamGrad(gamma, sumGYXhat, nb, c)
		e.groupNormParamGrad(beta, sumGY, nb, c)
	})
	return out
}

// groupNormParamGrad sends the batch sum of partial [B,C] to p's gradient.
func (e *Engine) groupNormParamGrad(p, partial *Tensor, nb, c int) {
	if !needsGrad(p) {
		return
	}
	dst, acc := e.gradTarget(p)
	if budget := e.Tune.MaxLoopIterations; budget > 0 && nb > budget {
		// One invocation per channel would loop over more samples than
		// the device completes: the general reduction sums in chunks.
		e.reduceInto(dst, acc, partial, partial, []int{nb, c}, []bool{true, false}, reduceSum, 1)
		return
	}
	e.elementwise(groupNormParamBackwardKernel, c, vk.Push(c, nb, boolWord(acc)), partial, dst)
}
