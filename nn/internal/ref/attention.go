package ref

import (
	"fmt"
	"math"
)

// attnDims checks Attention's operands and returns the channel count, the
// number of positions and the head width.
func attnDims(op string, x []float64, xs [4]int, wqkv, wo []float64, heads int) (c, npos, d int) {
	c, npos = xs[1], xs[2]*xs[3]
	if heads <= 0 || c%heads != 0 {
		panic(fmt.Sprintf("ref.%s: %d channels do not split into %d heads", op, c, heads))
	}
	checkLen(op, "x", x, xs[0]*c*npos)
	checkLen(op, "wqkv", wqkv, 3*c*c)
	checkLen(op, "wo", wo, c*c)
	return c, npos, c / heads
}

// mat wraps a single 2-D matrix as a batch of one for MatMul.
func mat(rows, cols int) [3]int { return [3]int{1, rows, cols} }

// attnHead holds one head's forward values for one sample, all stored
// [rows, positions] except p, which is [query, key].
type attnHead struct {
	q, k, v, p []float64
}

// attnForward computes, for sample n, qkv = Wqkv X [3C,N], every head's
// softmax(q^T k / sqrt(d)) and the concatenated head outputs a [C,N].
func attnForward(xn []float64, c, npos, d, heads int, wqkv []float64) (qkv []float64, hs []attnHead, a []float64) {
	qkv, _ = MatMul(wqkv, mat(3*c, c), xn, mat(c, npos), false, false)
	a = make([]float64, c*npos)
	scale := 1 / math.Sqrt(float64(d))
	// Rows of qkv: [q head 0, q head 1, ..., k head 0, ..., v head 0, ...],
	// so each head's d rows are one contiguous block.
	rows := func(blk, h int) []float64 { return qkv[(blk*c+h*d)*npos : (blk*c+(h+1)*d)*npos] }
	for h := 0; h < heads; h++ {
		q, k, v := rows(0, h), rows(1, h), rows(2, h)
		s, _ := MatMul(q, mat(d, npos), k, mat(d, npos), true, false) // [query, key]
		p := Softmax(Scale(s, scale), npos)
		o, _ := MatMul(v, mat(d, npos), p, mat(npos, npos), false, true) // o[c,i] = sum_j v[c,j] p[i,j]
		copy(a[h*d*npos:], o)
		hs = append(hs, attnHead{q, k, v, p})
	}
	return qkv, hs, a
}

// Attention is multi-head self-attention over the H*W positions of x
// [B,C,H,W], with a residual connection and no biases:
//
//	y = x + Wo attn(Wqkv x)
//
// x is read as C features at each position, wqkv is [3C,C] with rows
// [q of every head, k of every head, v of every head], each head d = C/heads
// rows, scores are scaled by 1/sqrt(d) and softmaxed over keys, and wo is
// [C,C]. This is the golden case attention_2heads.
func Attention(x []float64, xs [4]int, wqkv, wo []float64, heads int) []float64 {
	c, npos, d := attnDims("Attention", x, xs, wqkv, wo, heads)
	y := make([]float64, len(x))
	for n := 0; n < xs[0]; n++ {
		xn := x[n*c*npos : (n+1)*c*npos]
		_, _, a := attnForward(xn, c, npos, d, heads, wqkv)
		proj, _ := MatMul(wo, mat(c, c), a, mat(c, npos), false, false)
		copy(y[n*c*npos:], Add(xn, proj))
	}
	return y
}

// AttentionBackward returns the gradients of Attention with respect to x,
// wqkv and wo, chaining the backward of each primitive the forward used.
func AttentionBackward(x []float64, xs [4]int, wqkv, wo []float64, heads int, gy []float64) (gx, gwqkv, gwo []float64) {
	c, npos, d := attnDims("AttentionBackward", x, xs, wqkv, wo, heads)
	checkLen("AttentionBackward", "gy", gy, len(x))
	scale := 1 / math.Sqrt(float64(d))
	gx = make([]float64, len(x))
	gwqkv = make([]float64, len(wqkv))
	gwo = make([]float64, len(wo))
	for n := 0; n < xs[0]; n++ {
		xn := x[n*c*npos : (n+1)*c*npos]
		gyn := gy[n*c*npos : (n+1)*c*npos]
		qkv, hs, a := attnForward(xn, c, npos, d, heads, wqkv)

		gwoN, ga := MatMulBackward(wo, mat(c, c), a, mat(c, npos), false, false, gyn)
		gqkv := make([]float64, len(qkv))
		grows := func(blk, h int) []float64 { return gqkv[(blk*c+h*d)*npos : (blk*c+(h+1)*d)*npos] }
		for h, hd := range hs {
			gout := ga[h*d*npos : (h+1)*d*npos]
			gv, gp := MatMulBackward(hd.v, mat(d, npos), hd.p, mat(npos, npos), false, true, gout)
			gs := Scale(SoftmaxBackward(hd.p, npos, gp), scale)
			gq, gk := MatMulBackward(hd.q, mat(d, npos), hd.k, mat(d, npos), true, false, gs)
			copy(grows(0, h), gq)
			copy(grows(1, h), gk)
			copy(grows(2, h), gv)
		}
		gwqkvN, gxn := MatMulBackward(wqkv, mat(3*c, c), xn, mat(c, npos), false, false, gqkv)

		for i := range gxn {
			gx[n*c*npos+i] = gyn[i] + gxn[i] // the residual passes gy straight through
		}
		for i := range gwqkv {
			gwqkv[i] += gwqkvN[i]
		}
		for i := range gwo {
			gwo[i] += gwoN[i]
		}
	}
	return gx, gwqkv, gwo
}
