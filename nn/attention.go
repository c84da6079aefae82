package nn

import (
	"math"

	"github.com/ictvk/ictvk/nn/internal/kern"
	"github.com/ictvk/ictvk/vk"
)

// Attention returns multi-head self-attention over the spatial positions
// of x [B, C, H, W], without a residual:
//
//	Wo · attn(Wq x, Wk x, Wv x)
//
// wqkv [3C, C] holds the rows of q (head 0, head 1, ...), then k, then v;
// each head sees d = C/heads channels, and scores are scaled by
// 1/sqrt(d). It is composed of tape ops (1x1 convolutions, batched
// matmuls, softmax), so its backward comes from theirs.
func (e *Engine) Attention(x, wqkv, wo *Tensor, heads int) *Tensor {
	if len(x.shape) != 4 || heads < 1 || x.shape[1]%heads != 0 {
		e.failf("nn: attention: x %v with %d heads: want [B, C, H, W] with C a multiple of heads", x.shape, heads)
		return e.placeholder(x.shape...)
	}
	b, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	if !sameShape(wqkv.shape, []int{3 * c, c}) || !sameShape(wo.shape, []int{c, c}) {
		e.failf("nn: attention: weights %v and %v for %d channels: want [%d %d] and [%d %d]", wqkv.shape, wo.shape, c, 3*c, c, c, c)
		return e.placeholder(x.shape...)
	}
	d, p := c/heads, h*w
	if heads == 1 && !e.unpackedAttention && uint64(4*c*p)%e.bindingAlignment() == 0 {
		// q, k and v of one sample start where the device can bind them.
		return e.attentionPacked(x, wqkv, wo)
	}
	// Each projection is a 1x1 convolution; its output [B, C, H, W] is
	// already [B*heads, d, P]: one matrix per (sample, head).
	proj := func(i int) *Tensor {
		wi := wqkv.Slice(i*c, (i+1)*c).Reshape(c, c, 1, 1)
		return e.Conv2d(x, wi, nil, 1, 0).Reshape(b*heads, d, p)
	}
	q, k, v := proj(0), proj(1), proj(2)
	scores := e.MatMulScaled(q, k, true, false, float32(1/math.Sqrt(float64(d)))) // [B*heads, P, P]
	probs := e.Softmax(scores)                                                    // over keys
	out := e.MatMul(v, probs, false, true)                                        // [B*heads, d, P]
	return e.Conv2d(out.Reshape(b, c, h, w), wo.Reshape(c, c, 1, 1), nil, 1, 0)
}

// attentionPacked is Attention with one head, its q, k and v from one 1x1
// convolution of x with all of wqkv: [B, 3C, P], each sample's q, k and
// v in consecutive blocks of C rows. The products over them read and
// write those blocks in place (kern.MatMul with strides), so the three
// projections are one product forward and two backward (the composite
// path takes three, and six and two sums). On lavapipe, where a dispatch
// costs about 50 µs and these products are small, that matters: the mnist
// preset's step runs 420 commands instead of 484.
func (e *Engine) attentionPacked(x, wqkv, wo *Tensor) *Tensor {
	b, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	qkv := e.Conv2d(x, wqkv.Reshape(3*c, c, 1, 1), nil, 1, 0).Reshape(b, 3*c, h*w)
	out := e.attentionCore(qkv, c, float32(1/math.Sqrt(float64(c))))
	return e.Conv2d(out.Reshape(b, c, h, w), wo.Reshape(c, c, 1, 1), nil, 1, 0)
}

// attentionCore returns, per sample of qkv [B, 3C, P] holding q, k and v
// [C, P] one after another, v · softmax(alpha qᵀk)ᵀ: [B, C, P] (the
// softmax over keys). Its backward writes q's, k's and v's gradients into
// their blocks of qkv's.
func (e *Engine) attentionCore(qkv *Tensor, c int, alpha float32) *Tensor {
	b, p := qkv.shape[0], qkv.shape[2]
	stride := 3 * c * p
	block := func(t *Tensor, i int) vk.Range { // q, k or v of t, a [B, 3C, P] tensor
		r := t.rng()
		r.Offset += uint64(4 * i * c * p)
		r.Size -= uint64(4 * i * c * p)
		return r
	}
	// product records C (+)= alpha op(A) op(B) on ranges, for every sample.
	product := func(a, bb, cc vk.Range, m, n, k int, transA, transB bool, sa, sb, sc int, alpha float32, acc bool) {
		e.matmulRanges(a, bb, cc, kern.MatMulParams{Batch: b, M: m, N: n, K: k, TransA: transA, TransB: transB,
			StrideA: sa, StrideB: sb, StrideC: sc, Alpha: alpha, Accumulate: acc})
	}
	// scores[q][k] = alpha sum_c q[c][q] k[c][k]; probs their softmax over k.
	scores := e.newTensor(b, p, p)
	product(block(qkv, 0), block(qkv, 1), scores.rng(), p, p, c, true, false, stride, stride, p*p, alpha, false)
	local := e.softmaxLocal(scores.shape)
	probs := e.softmax(scores, local) // scores is off the tape: so is this
	scores.Free()
	defer e.recycle(probs) // the tape keeps it if it saves it
	// out[c][q] = sum_k v[c][k] probs[q][k].
	out := e.newTensor(b, c, p)
	product(block(qkv, 2), probs.rng(), out.rng(), c, p, p, false, true, stride, p*p, c*p, 1, false)
	if e.recording(qkv) {
		e.record("attention", out, []*Tensor{qkv}, []*Tensor{qkv, probs}, func(g *Tensor) {
			gqkv, acc := e.gradTarget(qkv)
			// dv[c][k] = sum_q g[c][q] probs[q][k].
			product(g.rng(), probs.rng(), block(gqkv, 2), c, p, p, false, false, c*p, p*p, stride, 1, acc)
			// dprobs[q][k] = sum_c g[c][q] v[c][k], then dscores.
			gprobs := e.newTensor(b, p, p)
			product(g.rng(), block(qkv, 2), gprobs.rng(), p, p, c, true, false, c*p, stride, p*p, 1, false)
			gscores := e.newTensor(b, p, p)
			e.softmaxBackwardInto(probs, gprobs, gscores, local, false)
			gprobs.Free()
			// dq[c][q] = alpha sum_k k[c][k] dscores[q][k];
			// dk[c][k] = alpha sum_q q[c][q] dscores[q][k].
			product(block(qkv, 1), gscores.rng(), block(gqkv, 0), c, p, p, false, true, stride, p*p, stride, alpha, acc)
			product(block(qkv, 0), gscores.rng(), block(gqkv, 1), c, p, p, false, false, stride, p*p, stride, alpha, acc)
			gscores.Free()
		})
	}
	return out
}
