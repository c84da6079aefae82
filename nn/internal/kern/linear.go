package kern

import (
	"fmt"

	"github.com/ictvk/ictvk/vk"
)

// LinearParams describe a fully connected layer y = x w^T + b for x
// [N, In], w [Out, In], b [Out] and y [N, Out].
type LinearParams struct {
	N, In, Out int
}

func (p LinearParams) check(op string) error {
	if p.N < 1 || p.In < 1 || p.Out < 1 {
		return fmt.Errorf("%s: %+v: every size must be positive", op, p)
	}
	return nil
}

// Linear records y = x w^T + bias (bias may be a zero Range for none).
func (k *Kernels) Linear(s *vk.Stream, x, w, bias, y vk.Range, p LinearParams) error {
	if err := p.check("kern.Linear"); err != nil {
		return err
	}
	return k.MatMul(s, x, w, y, MatMulParams{Batch: 1, M: p.N, N: p.Out, K: p.In, TransB: true, Bias: bias})
}

// LinearGrad records the gradients of sum(y * gy) for y = Linear(x, w, b):
// gx = gy w, gw = gy^T x and gb = the column sums of gy. Any of gx, gw and
// gb may be a zero Range to skip it; with accumulate each adds to what its
// range holds.
func (k *Kernels) LinearGrad(s *vk.Stream, x, w, gy, gx, gw, gb vk.Range, p LinearParams, accumulate bool) error {
	const op = "kern.LinearGrad"
	if err := p.check(op); err != nil {
		return err
	}
	if gx.Buf != nil {
		if err := k.MatMul(s, gy, w, gx, MatMulParams{Batch: 1, M: p.N, N: p.In, K: p.Out, Accumulate: accumulate}); err != nil {
			return err
		}
	}
	if gw.Buf != nil {
		if err := k.MatMul(s, gy, x, gw, MatMulParams{Batch: 1, M: p.Out, N: p.In, K: p.N, TransA: true, Accumulate: accumulate}); err != nil {
			return err
		}
	}
	if gb.Buf != nil {
		if err := checkRanges(op, []namedRange{{"gy", gy, p.N * p.Out}, {"gb", gb, p.Out}}); err != nil {
			return err
		}
		return k.biasGrad(s, gy, gb, p.N, p.Out, 1, accumulate)
	}
	return nil
}
