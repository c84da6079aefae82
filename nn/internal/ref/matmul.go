package ref

import "fmt"

// mmDims works out the batched product C[b] = op(A[b]) op(B[b]) from the
// stored shapes [batch, rows, cols]. A batch of 1 broadcasts over the other
// operand's batch, as a weight shared by every sample does.
func mmDims(as, bs [3]int, transA, transB bool) (batch, m, k, n int) {
	m, k = as[1], as[2]
	if transA {
		m, k = k, m
	}
	kb, n := bs[1], bs[2]
	if transB {
		kb, n = n, kb
	}
	if k != kb {
		panic(fmt.Sprintf("ref.MatMul: inner sizes differ: op(A) is %dx%d, op(B) is %dx%d", m, k, kb, n))
	}
	batch = max(as[0], bs[0])
	if (as[0] != batch && as[0] != 1) || (bs[0] != batch && bs[0] != 1) {
		panic(fmt.Sprintf("ref.MatMul: batches %d and %d neither match nor broadcast", as[0], bs[0]))
	}
	return batch, m, k, n
}

// opIndex is the flat index of element (i, j) of op(X[bi]) where X is
// stored with shape s; a batch of 1 is broadcast.
func opIndex(s [3]int, trans bool, bi, i, j int) int {
	if s[0] == 1 {
		bi = 0
	}
	if trans {
		i, j = j, i
	}
	return bi*s[1]*s[2] + i*s[2] + j
}

// MatMul returns C[b] = op(A[b]) op(B[b]) where op transposes its operand
// when the matching flag is set. as and bs are the stored shapes
// [batch, rows, cols]; either batch may be 1 to broadcast. cs is
// [batch, M, N].
func MatMul(a []float64, as [3]int, b []float64, bs [3]int, transA, transB bool) (c []float64, cs [3]int) {
	checkLen("MatMul", "A", a, numel(as[:]...))
	checkLen("MatMul", "B", b, numel(bs[:]...))
	batch, m, k, n := mmDims(as, bs, transA, transB)
	c = make([]float64, batch*m*n)
	for bi := 0; bi < batch; bi++ {
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for p := 0; p < k; p++ {
					s += a[opIndex(as, transA, bi, i, p)] * b[opIndex(bs, transB, bi, p, j)]
				}
				c[bi*m*n+i*n+j] = s
			}
		}
	}
	return c, [3]int{batch, m, n}
}

// MatMulBackward returns the gradients of sum(C*gc) with respect to A and
// B, in their stored (possibly transposed) layouts. A broadcast operand
// receives the sum over the batch.
func MatMulBackward(a []float64, as [3]int, b []float64, bs [3]int, transA, transB bool, gc []float64) (ga, gb []float64) {
	batch, m, k, n := mmDims(as, bs, transA, transB)
	checkLen("MatMulBackward", "gc", gc, batch*m*n)
	ga = make([]float64, len(a))
	gb = make([]float64, len(b))
	for bi := 0; bi < batch; bi++ {
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				g := gc[bi*m*n+i*n+j]
				for p := 0; p < k; p++ {
					ia := opIndex(as, transA, bi, i, p)
					ib := opIndex(bs, transB, bi, p, j)
					ga[ia] += g * b[ib]
					gb[ib] += g * a[ia]
				}
			}
		}
	}
	return ga, gb
}

// Linear returns y = x w^T + b for x [N,in], w [out,in], b [out] (b may be
// nil for no bias); ys is [N,out].
func Linear(x []float64, xs [2]int, w []float64, ws [2]int, b []float64) (y []float64, ys [2]int) {
	n, in, out := xs[0], xs[1], ws[0]
	if ws[1] != in {
		panic(fmt.Sprintf("ref.Linear: x has %d features, w expects %d", in, ws[1]))
	}
	checkLen("Linear", "x", x, n*in)
	checkLen("Linear", "w", w, out*in)
	if b != nil {
		checkLen("Linear", "b", b, out)
	}
	y = make([]float64, n*out)
	for i := 0; i < n; i++ {
		for o := 0; o < out; o++ {
			s := 0.0
			if b != nil {
				s = b[o]
			}
			for j := 0; j < in; j++ {
				s += x[i*in+j] * w[o*in+j]
			}
			y[i*out+o] = s
		}
	}
	return y, [2]int{n, out}
}

// LinearBackward returns the gradients of Linear with respect to x, w and
// b; gb is the column sum of gy whether or not the forward had a bias.
func LinearBackward(x []float64, xs [2]int, w []float64, ws [2]int, gy []float64) (gx, gw, gb []float64) {
	n, in, out := xs[0], xs[1], ws[0]
	checkLen("LinearBackward", "gy", gy, n*out)
	gx = make([]float64, n*in)
	gw = make([]float64, out*in)
	gb = make([]float64, out)
	for i := 0; i < n; i++ {
		for o := 0; o < out; o++ {
			g := gy[i*out+o]
			gb[o] += g
			for j := 0; j < in; j++ {
				gx[i*in+j] += g * w[o*in+j]
				gw[o*in+j] += g * x[i*in+j]
			}
		}
	}
	return gx, gw, gb
}
