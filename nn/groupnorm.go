package nn

import (
	"math"

	"github.com/ictvk/ictvk/vk"
)

var (
	groupNormKernel              = declare("groupnorm", 20, vk.Read, vk.Read, vk.Read, vk.Write, vk.Write)
	groupNormBackwardKernel      = declare("groupnorm_backward", 20, vk.Read, vk.Read, vk.Read, vk.Read, vk.ReadWrite, vk.Write, vk.Write)
	groupNormParamBackwardKernel = declare("groupnorm_param_backward", 12, vk.Read, vk.ReadWrite)
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
	return e.groupNorm(x, gamma, beta, groups, eps, 0)
}

// groupNorm is GroupNorm with workgroups of local invocations (0: the
// engine's choice); tests run the reduction tree at sizes the device would
// not choose.
func (e *Engine) groupNorm(x, gamma, beta *Tensor, groups int, eps float32, local uint32) *Tensor {
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
		local = e.reductionLocal(cpg * hw)
	}

	y := e.newTensor(x.shape...)
	// Per (sample, group): the mean as a float32 pair m1 + delta, and rstd.
	stats := e.newTensor(nb, groups, 3)
	e.reduceRows(groupNormKernel, count, local, vk.Push(count, hw, cpg, groups, eps), x, gamma, beta, y, stats)
	defer e.recycle(stats) // the tape keeps it if it saves it
	if !e.recording(x, gamma, beta) {
		return y
	}
	e.record("groupnorm", y, []*Tensor{x, gamma, beta}, []*Tensor{x, gamma, stats}, func(gy *Tensor) {
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
		e.reduceRows(groupNormBackwardKernel, count, local, vk.Push(count, hw, cpg, groups, mode),
			x, gamma, stats, gy, gx, sumGY, sumGYXhat)
		e.groupNormParamGrad(gamma, sumGYXhat, nb, c)
		e.groupNormParamGrad(beta, sumGY, nb, c)
	})
	return y
}

// groupNormParamGrad sends the batch sum of partial [B,C] to p's gradient.
func (e *Engine) groupNormParamGrad(p, partial *Tensor, nb, c int) {
	if !needsGrad(p) {
		return
	}
	dst, acc := e.gradTarget(p)
	e.elementwise(groupNormParamBackwardKernel, c, vk.Push(c, nb, boolWord(acc)), partial, dst)
}
