package nn

import (
	"github.com/ictvk/ictvk/nn/internal/kern"
	"github.com/ictvk/ictvk/vk"
)

// kernels returns the GEMM-family launchers, made on first use.
func (e *Engine) kernels() *kern.Kernels {
	if e.gemm == nil && e.err == nil {
		variant := kern.CPU
		if e.Tune.For == TuneGPU {
			variant = kern.GPU
		}
		k, err := kern.New(e.Dev, kern.Options{Variant: variant, MaxTile: e.Tune.MaxTile})
		if err != nil {
			e.fail(err)
			return nil
		}
		e.gemm = k
	}
	return e.gemm
}

// MatMul returns op(a)·op(b), where op transposes when asked: matrices
// [M,K]·[K,N] (stored [K,M] or [N,K] when transposed) or batches of them
// [B,·,·] with one B.
func (e *Engine) MatMul(a, b *Tensor, transA, transB bool) *Tensor {
	return e.MatMulScaled(a, b, transA, transB, 1)
}

// MatMulScaled returns alpha·op(a)·op(b).
func (e *Engine) MatMulScaled(a, b *Tensor, transA, transB bool, alpha float32) *Tensor {
	p, ok := e.matmulParams("matmul", a, b, transA, transB)
	if !ok {
		return e.placeholder(1)
	}
	p.Alpha = alpha
	shape := []int{p.M, p.N}
	if len(a.shape) == 3 {
		shape = []int{p.Batch, p.M, p.N}
	}
	out := e.newTensor(shape...)
	e.matmul(a, b, out, p)
	if e.recording(a, b) {
		e.record("matmul", out, []*Tensor{a, b}, []*Tensor{when(needsGrad(a), b), when(needsGrad(b), a)}, func(g *Tensor) {
			// With C = op(A)·op(B): dop(A) = dC·op(B)ᵀ and dop(B) =
			// op(A)ᵀ·dC, each written in its operand's stored layout.
			if needsGrad(a) {
				dst, acc := e.gradTarget(a)
				if !transA {
					e.matmulInto(g, b, dst, false, !transB, alpha, acc)
				} else {
					e.matmulInto(b, g, dst, transB, true, alpha, acc)
				}
			}
			if needsGrad(b) {
				dst, acc := e.gradTarget(b)
				if !transB {
					e.matmulInto(a, g, dst, !transA, false, alpha, acc)
				} else {
					e.matmulInto(g, a, dst, true, transA, alpha, acc)
				}
			}
		})
	}
	return out
}

// matmulParams checks the operands and describes op(a)·op(b).
func (e *Engine) matmulParams(op string, a, b *Tensor, transA, transB bool) (kern.MatMulParams, bool) {
	if len(a.shape) != len(b.shape) || (len(a.shape) != 2 && len(a.shape) != 3) {
		e.failf("nn: %s: operands %v and %v must both be matrices or batches of them", op, a.shape, b.shape)
		return kern.MatMulParams{}, false
	}
	batch := 1
	as, bs := a.shape, b.shape
	if len(as) == 3 {
		if as[0] != bs[0] {
			e.failf("nn: %s: batches of %v and %v differ", op, a.shape, b.shape)
			return kern.MatMulParams{}, false
		}
		batch, as, bs = as[0], as[1:], bs[1:]
	}
	m, k := as[0], as[1]
	if transA {
		m, k = k, m
	}
	k2, n := bs[0], bs[1]
	if transB {
		k2, n = n, k2
	}
	if k != k2 {
		e.failf("nn: %s: inner dimensions differ: %v%s and %v%s", op, a.shape, tmark(transA), b.shape, tmark(transB))
		return kern.MatMulParams{}, false
	}
	return kern.MatMulParams{Batch: batch, M: m, N: n, K: k, TransA: transA, TransB: transB,
		StrideA: m * k, StrideB: k * n, StrideC: m * n}, true
}

func tmark(t bool) string {
	if t {
		return "ᵀ"
	}
	return ""
}

func (e *Engine) matmul(a, b, c *Tensor, p kern.MatMulParams) {
	e.matmulRanges(a.rng(), b.rng(), c.rng(), p)
}

// matmulRanges is matmul on ranges of tensors (blocks that p's strides
// step through, as attentionCore's q, k and v).
func (e *Engine) matmulRanges(a, b, c vk.Range, p kern.MatMulParams) {
	k := e.kernels()
	if e.err != nil {
		return
	}
	if err := k.MatMul(e.S, a, b, c, p); err != nil {
		e.fail(err)
	}
}

// matmulInto records c (+)= alpha·op(a)·op(b), off the tape.
func (e *Engine) matmulInto(a, b, c *Tensor, transA, transB bool, alpha float32, accumulate bool) {
	p, ok := e.matmulParams("matmul backward", a, b, transA, transB)
	if !ok {
		return
	}
	p.Alpha, p.Accumulate = alpha, accumulate
	e.matmul(a, b, c, p)
}

// Linear returns x·wᵀ + b for x [N, in], w [out, in] and b [out] (or nil).
func (e *Engine) Linear(x, w, b *Tensor) *Tensor {
	if len(x.shape) != 2 || len(w.shape) != 2 || x.shape[1] != w.shape[1] || (b != nil && (len(b.shape) != 1 || b.shape[0] != w.shape[0])) {
		var bs []int
		if b != nil {
			bs = b.shape
		}
		e.failf("nn: linear: x %v, weight %v, bias %v: want [N, in], [out, in], [out]", x.shape, w.shape, bs)
		return e.placeholder(1)
	}
	p, _ := e.matmulParams("linear", x, w, false, true)
	if b != nil {
		p.Bias = b.rng()
	}
	y := e.newTensor(p.M, p.N)
	e.matmul(x, w, y, p)
	if e.recording(x, w, b) {
		e.record("linear", y, []*Tensor{x, w, b}, []*Tensor{when(needsGrad(x), w), when(needsGrad(w), x)}, func(g *Tensor) {
			if needsGrad(x) {
				dst, acc := e.gradTarget(x)
				e.matmulInto(g, w, dst, false, false, 1, acc) // [N,out]·[out,in]
			}
			if needsGrad(w) {
				dst, acc := e.gradTarget(w)
				e.matmulInto(g, x, dst, true, false, 1, acc) // [out,N]·[N,in]
			}
			if needsGrad(b) {
				dst, acc := e.gradTarget(b)
				e.reduceInto(dst, acc, g, g, []int{p.M, p.N}, []bool{true, false}, reduceSum, 1)
			}
		})
	}
	return y
}
