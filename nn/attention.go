package nn

import "math"

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
