package kern

import (
	"fmt"

	"github.com/ictvk/ictvk/vk"
)

// MatMulParams describe a batched product
//
//	C[b] (M x N) = Alpha op(A[b]) (M x K) op(B[b]) (K x N) (+ C[b]) (+ bias)
//
// with every matrix stored densely in row-major order.
type MatMulParams struct {
	Batch, M, N, K int
	// TransA: A is stored K x M and op(A) = A^T; TransB: B is stored
	// N x K and op(B) = B^T.
	TransA, TransB bool
	// StrideA, StrideB, StrideC count the floats between consecutive
	// matrices of a batch; 0 for A or B uses one matrix for the whole
	// batch. StrideC 0 means M*N.
	StrideA, StrideB, StrideC int
	// Alpha scales the product; 0 means 1.
	Alpha float32
	// Accumulate adds the result to C instead of overwriting it.
	Accumulate bool
	// Bias, when bound, is added to every row of C (bias[n], the linear
	// layer's bias) or, with BiasPerRow, to every column (bias[m]).
	Bias       vk.Range
	BiasPerRow bool
}

var (
	matmulCPU = kernel("matmul_cpu", CPU)
	matmulGPU = kernel("matmul_gpu", GPU)
)

const (
	flagAccumulate = 1
	flagBiasCol    = 2
	flagBiasRow    = 4
)

func (p *MatMulParams) check(a, b, c vk.Range) error {
	if p.Batch < 1 || p.M < 1 || p.N < 1 || p.K < 1 {
		return fmt.Errorf("kern.MatMul: batch %d, M %d, N %d, K %d: every size must be positive", p.Batch, p.M, p.N, p.K)
	}
	if p.StrideA < 0 || p.StrideB < 0 || p.StrideC < 0 {
		return fmt.Errorf("kern.MatMul: negative stride (A %d, B %d, C %d)", p.StrideA, p.StrideB, p.StrideC)
	}
	last := p.Batch - 1
	if err := checkRange("kern.MatMul", "A", a, last*p.StrideA+p.M*p.K); err != nil {
		return err
	}
	if err := checkRange("kern.MatMul", "B", b, last*p.StrideB+p.K*p.N); err != nil {
		return err
	}
	if err := checkRange("kern.MatMul", "C", c, last*p.strideC()+p.M*p.N); err != nil {
		return err
	}
	if p.Bias.Buf != nil {
		n := p.N
		if p.BiasPerRow {
			n = p.M
		}
		if err := checkRange("kern.MatMul", "bias", p.Bias, n); err != nil {
			return err
		}
	}
	return nil
}

func (p *MatMulParams) strideC() int {
	if p.StrideC == 0 {
		return p.M * p.N
	}
	return p.StrideC
}

// MatMul records the product p describes into s. a, b and c are the ranges
// holding A, B and C (c may not overlap a or b).
func (k *Kernels) MatMul(s *vk.Stream, a, b, c vk.Range, p MatMulParams) error {
	if err := p.check(a, b, c); err != nil {
		return err
	}
	lda, ldb := p.K, p.N
	if p.TransA {
		lda = p.M
	}
	if p.TransB {
		ldb = p.K
	}
	alpha := p.Alpha
	if alpha == 0 {
		alpha = 1
	}
	bias := c // a binding of at least max(M, N) floats when there is no bias
	biasFlag := 0
	if p.Bias.Buf != nil {
		bias = p.Bias
		biasFlag = flagBiasCol
		if p.BiasPerRow {
			biasFlag = flagBiasRow
		}
	}
	aligned := func(ld, stride int) bool { return ld%4 == 0 && stride%4 == 0 }

	var gx, gy int
	var t cpuTile
	if k.variant == CPU {
		t = chooseCPUTile(p.Batch, p.M, p.N, p.K, k.threads, k.lanes, k.cpuSizes)
		gx, gy = ceilDiv(p.N, t.lx*t.tn), ceilDiv(p.M, t.ly*t.tm)
	} else {
		gx, gy = ceilDiv(p.N, k.gpu.lx*k.gpu.rn), ceilDiv(p.M, k.gpu.ly*k.gpu.rm)
	}
	// A deep product runs as slices of its depth: the first writes C (or
	// adds to it) with the bias, the others add to it.
	for i, ks := range k.depthSlices(p.K, k.depthStep()) {
		accumulate, flags := sliceFlags(i, p.Accumulate, biasFlag)
		var pipe *vk.Pipeline
		var err error
		if k.variant == CPU {
			pipe, err = k.pipeline(matmulCPU, uint32(t.lx), uint32(t.ly), uint32(t.tm), uint32(t.tn),
				b2u(p.TransA), b2u(p.TransB), b2u(aligned(lda, p.StrideA)), b2u(aligned(ldb, p.StrideB)), b2u(aligned(p.N, p.strideC())),
				0, b2u(accumulate), b2u(p.TransA && aligned(lda, p.StrideA)))
		} else {
			g := k.gpu
			pipe, err = k.pipeline(matmulGPU, uint32(g.lx), uint32(g.ly), uint32(g.rm), uint32(g.rn), b2u(p.TransA), b2u(p.TransB), 0, 0, 0, uint32(g.bk))
		}
		if err != nil {
			return err
		}
		if err := k.grid(gx, gy, p.Batch, func(g gridPart) error {
			push := vk.Push(p.M, p.N, p.K, lda, ldb, p.N, p.StrideA, p.StrideB, p.strideC(), alpha, flags, g.z0, g.y0, g.x0, ks[0], ks[1])
			return s.DispatchRanges(pipe, g.groups(), push, a, b, c, bias)
		}); err != nil {
			return err
		}
	}
	return nil
}
