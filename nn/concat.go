package nn

import "github.com/ictvk/ictvk/vk"

// Concatenation along channels: the U-Net's skip connections.

var (
	concatKernel         = declare("concat")
	concatBackwardKernel = declare("concat_backward")
)

// Concat joins a [B,Ca,...] and b [B,Cb,...] along axis 1 into
// [B,Ca+Cb,...], a's channels first. The shapes must agree except in
// axis 1.
func (e *Engine) Concat(a, b *Tensor) *Tensor {
	ok := len(a.shape) >= 2 && len(a.shape) == len(b.shape) && a.shape[0] == b.shape[0]
	for d := 2; ok && d < len(a.shape); d++ {
		ok = a.shape[d] == b.shape[d]
	}
	if !ok {
		e.failf("nn: concat: shapes %v and %v differ outside the channel axis", a.shape, b.shape)
		return e.placeholder(a.shape...)
	}
	ys := append([]int(nil), a.shape...)
	ys[1] += b.shape[1]
	batch := a.shape[0]
	na, nb := a.n/batch, b.n/batch
	out := e.newTensor(ys...)
	e.elementwiseVec(concatKernel, out.n, na%4 == 0 && nb%4 == 0, vk.Push(out.n, na, nb), a, b, out)
	if e.recording(a, b) {
		e.record("concat", out, []*Tensor{a, b}, nil, func(g *Tensor) {
			e.split(g, a, na+nb, 0)
			e.split(g, b, na+nb, na)
		})
	}
	return out
}

// split sends t's part of a concatenation's gradient g (per sample: total
// elements, t's starting at offset) to t.
func (e *Engine) split(g, t *Tensor, total, offset int) {
	if !needsGrad(t) {
		return
	}
	gt, acc := e.gradTarget(t)
	part := t.n / t.shape[0]
	e.elementwiseVec(concatBackwardKernel, t.n, part%4 == 0 && total%4 == 0 && offset%4 == 0, vk.Push(t.n, part, total, offset, boolWord(acc)), g, gt)
}
