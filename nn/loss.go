package nn

import "github.com/ictvk/ictvk/vk"

// The iCT losses as fused ops: a weighted mean over the batch of a
// distance between the student's output s and the teacher's t, each
// [B,...], with per-sample weights lam [B] (lambda(sigma_i)). The
// distance is over each whole sample vector, never per pixel. The
// per-sample sums go through the deterministic reduction kernel and the
// batch mean through one workgroup, so the loss reproduces bit for bit.
//
// The iCT teacher runs under NoGrad, so t usually carries no gradient;
// when it does, it gets the negated student gradient.

var (
	lossKernel               = declare("loss")
	lossBackwardKernel       = declare("loss_backward")
	lossWeightBackwardKernel = declare("loss_weight_backward")
)

type lossKind uint32

const (
	lossPseudoHuber lossKind = iota
	lossSquaredL2
	lossL1
)

// PseudoHuberLoss returns mean_b lam_b (sqrt(||s_b - t_b||^2 + c^2) - c)
// as a [1] tensor. iCT uses c = 0.00054 sqrt(C*H*W).
func (e *Engine) PseudoHuberLoss(s, t, lam *Tensor, c float32) *Tensor {
	return e.loss("pseudo_huber_loss", lossPseudoHuber, s, t, lam, c)
}

// SquaredL2Loss returns mean_b lam_b ||s_b - t_b||^2 as a [1] tensor (the
// original CT distance).
func (e *Engine) SquaredL2Loss(s, t, lam *Tensor) *Tensor {
	return e.loss("squared_l2_loss", lossSquaredL2, s, t, lam, 0)
}

// L1Loss returns mean_b lam_b ||s_b - t_b||_1 as a [1] tensor; the
// derivative of |0| is taken as 0.
func (e *Engine) L1Loss(s, t, lam *Tensor) *Tensor {
	return e.loss("l1_loss", lossL1, s, t, lam, 0)
}

func (e *Engine) loss(op string, kind lossKind, s, t, lam *Tensor, c float32) *Tensor {
	if !sameShape(s.shape, t.shape) || len(s.shape) == 0 {
		e.failf("nn: %s: student %v and teacher %v must have one shape [B,...]", op, s.shape, t.shape)
		return e.placeholder(1)
	}
	batch := s.shape[0]
	if lam.n != batch || lam.shape[0] != batch {
		e.failf("nn: %s: weights %v must be [B] for outputs %v", op, lam.shape, s.shape)
		return e.placeholder(1)
	}
	per := s.n / batch
	mode := reduceSquaredDiff
	if kind == lossL1 {
		mode = reduceAbsDiff
	}
	dist := e.newTensor(batch)
	e.reduceInto(dist, false, s, t, []int{batch, per}, []bool{false, true}, mode, 1)
	invBatch := float32(1 / float64(batch))
	out := e.newTensor(1)
	e.checkLoops(op, s.shape, ceilDiv(batch, e.Tune.Local)+treeIterations(e.Tune.Local))
	e.dispatch(lossKernel, []uint32{e.Tune.Local}, [3]uint32{1, 1, 1}, vk.Push(batch, uint32(kind), c, invBatch), dist, lam, out)
	defer e.recycle(dist) // the tape keeps it if it saves it
	if e.recording(s, t, lam) {
		e.record(op, out, []*Tensor{s, t, lam}, []*Tensor{s, t, lam, dist}, func(g *Tensor) {
			for i, x := range []*Tensor{s, t} {
				if needsGrad(x) {
					gx, acc := e.gradTarget(x)
					push := vk.Push(s.n, per, uint32(kind), c, invBatch, uint32(i), boolWord(acc))
					e.elementwise(lossBackwardKernel, s.n, push, s, t, lam, dist, g, gx)
				}
			}
			if needsGrad(lam) {
				gl, acc := e.gradTarget(lam)
				e.elementwise(lossWeightBackwardKernel, batch, vk.Push(batch, uint32(kind), c, invBatch, boolWord(acc)), dist, g, gl)
			}
		})
	}
	return out
}
