package nn

import (
	"fmt"
	"math"

	"github.com/ictvk/ictvk/vk"
)

var (
	adamKernel = declare("adam")
	emaKernel  = declare("ema")
	clipKernel = declare("clip_scale")
)

// AdamConfig configures Adam and RAdam, named as in torch.optim.
type AdamConfig struct {
	LR, Beta1, Beta2, Eps float64
	// Rectified selects RAdam (Liu et al. 2020), the iCT default.
	Rectified bool
	// WeightDecay is L2 regularization added to the gradient, or with
	// Decoupled a shrink of the parameters by (1 - LR*WeightDecay) per step
	// (AdamW).
	WeightDecay float64
	Decoupled   bool
	// WarmupSteps ramps the learning rate linearly over the first steps.
	WarmupSteps int
	// ClipNorm, when positive, scales all gradients down together so that
	// their global L2 norm is at most ClipNorm.
	ClipNorm float64
}

// DefaultRAdam is iCT's optimizer: RAdam, lr 1e-4, betas (0.9, 0.999).
func DefaultRAdam() AdamConfig {
	return AdamConfig{LR: 1e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Rectified: true}
}

// Validate names the first bad field.
func (c AdamConfig) Validate() error {
	switch {
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("optimizer: learning rate %v must be positive", c.LR)
	case c.Beta1 < 0 || c.Beta1 >= 1:
		return fmt.Errorf("optimizer: beta1 %v must be in [0, 1)", c.Beta1)
	case c.Beta2 < 0 || c.Beta2 >= 1:
		return fmt.Errorf("optimizer: beta2 %v must be in [0, 1)", c.Beta2)
	case !(c.Eps > 0):
		return fmt.Errorf("optimizer: eps %v must be positive", c.Eps)
	case c.WeightDecay < 0:
		return fmt.Errorf("optimizer: weight decay %v must not be negative", c.WeightDecay)
	case c.ClipNorm < 0:
		return fmt.Errorf("optimizer: gradient clipping norm %v must not be negative", c.ClipNorm)
	case c.WarmupSteps < 0:
		return fmt.Errorf("optimizer: warm-up %d steps must not be negative", c.WarmupSteps)
	}
	return nil
}

// Adam updates parameters from their gradients on the device. It owns the
// moments (persistent tensors), and takes the gradients: a step zeroes them.
type Adam struct {
	Config AdamConfig
	Params []*Tensor
	M, V   []*Tensor
	// Steps taken so far; the next Step is number Steps+1.
	Steps int
	// GradScale holds the factor every gradient is multiplied by: 1, or
	// what global-norm clipping computed on the device.
	GradScale *Tensor
	e         *Engine
}

// NewAdam returns an optimizer for params. It lays params, their
// gradients and its moments out in arenas (arena.go) where it can, so
// that a step is one dispatch per chunk rather than one per tensor: the
// parameters' memory moves, the Tensors stay.
func (e *Engine) NewAdam(c AdamConfig, params []*Tensor) (*Adam, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	o := &Adam{Config: c, Params: params, e: e}
	for _, p := range params {
		if !p.param {
			return nil, fmt.Errorf("optimizer: %v is not a parameter", p)
		}
	}
	// Parameters, gradients and moments laid out alike in arenas, so that
	// a step is one dispatch per chunk (arena.go); else one per tensor.
	if l := e.arrange(params); l != nil {
		o.M = e.tensorsIn(l, "Adam's first moments")
		o.V = e.tensorsIn(l, "Adam's second moments")
	} else {
		for _, p := range params {
			o.M = append(o.M, e.Persistent(p.shape...))
			o.V = append(o.V, e.Persistent(p.shape...))
		}
	}
	o.GradScale = e.Persistent(1)
	o.GradScale.Fill(1)
	return o, e.err
}

// LearningRate is the rate of step number t (1-based), after warm-up.
func (c AdamConfig) LearningRate(t int) float64 {
	if c.WarmupSteps > 0 && t < c.WarmupSteps {
		return c.LR * float64(t) / float64(c.WarmupSteps)
	}
	return c.LR
}

// Step records one update of every parameter and zeroes the gradients.
func (o *Adam) Step() { o.StepAveraging() }

// StepAveraging is Step followed by the Update of each of avgs (at its
// Decay now), with up to two averages of o's own parameters folded into
// the adam kernel: one dispatch and one pass over each parameter instead
// of one per average more (a U-Net has a few hundred small parameter
// tensors, and on a CPU device each dispatch has a fixed cost). Other
// averages update after the step, as Update does.
func (o *Adam) StepAveraging(avgs ...*EMA) {
	var fused, rest []*EMA
	for _, m := range avgs {
		if len(fused) < 2 && o.averages(m) {
			fused = append(fused, m)
		} else {
			rest = append(rest, m)
		}
	}
	o.step(fused)
	for _, m := range rest {
		m.Update()
	}
}

// step records the update of every parameter, and of the averages fused.
func (o *Adam) step(fused []*EMA) {
	o.Steps++
	c := o.Config
	t := float64(o.Steps)
	lr := c.LearningRate(o.Steps)
	bc1 := 1 - math.Pow(c.Beta1, t)
	bc2 := 1 - math.Pow(c.Beta2, t)
	// p -= a * m / (b * sqrt(v) + eps), or p -= a * m when not adaptive.
	a, b, adaptive := lr/bc1, 1/math.Sqrt(bc2), uint32(1)
	if c.Rectified {
		rhoInf := 2/(1-c.Beta2) - 1
		rhoT := rhoInf - 2*t*math.Pow(c.Beta2, t)/bc2
		if rhoT > 5 {
			rect := math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
			a, b = lr*rect*math.Sqrt(bc2)/bc1, 1 // torch adds eps to sqrt(v) itself
		} else {
			adaptive = 0
		}
	}
	l2, shrink := c.WeightDecay, 1.0
	if c.Decoupled {
		l2, shrink = 0, 1-lr*c.WeightDecay
	}
	e := o.e
	if c.ClipNorm > 0 {
		o.clip()
	}
	var rates [2]float64
	for j, m := range fused {
		rates[j] = 1 - m.Decay
	}
	local := e.Tune.Local
	spec := []uint32{local, uint32(len(fused))}
	push := func(n int) []byte {
		return vk.Push(n, c.Beta1, c.Beta2, c.Eps, a, b, l2, shrink, adaptive, rates[0], rates[1])
	}
	if kinds := o.laidOut(fused); kinds != nil {
		// Every element of every chunk, gaps included: they hold zeros,
		// which the step keeps. Four elements an invocation: a chunk's
		// length is a multiple of 4 unless rounding it up would have
		// passed maxStorageBufferRange.
		for ch, pa := range kinds[0] {
			rs := []vk.Range{pa.rng(), kinds[1][ch].rng(), kinds[2][ch].rng(), kinds[3][ch].rng(), o.GradScale.rng(), pa.rng(), pa.rng()}
			for j := range fused {
				rs[5+j] = kinds[4+j][ch].rng()
			}
			n := pa.floats()
			if n%4 == 0 {
				e.dispatchRanges(adamKernel, append(spec, 4), e.groups1D(n/4, local), push(n), rs...)
			} else {
				e.dispatchRanges(adamKernel, spec, e.groups1D(n, local), push(n), rs...)
			}
		}
		return
	}
	for i, p := range o.Params {
		avg := [2]*Tensor{p, p} // bound, never read or written, past len(fused)
		for j, m := range fused {
			avg[j] = m.Average[i]
		}
		e.dispatch(adamKernel, spec, e.groups1D(p.n, local), push(p.n),
			p, p.grad, o.M[i], o.V[i], o.GradScale, avg[0], avg[1])
	}
}

// laidOut returns, for the parameters, their gradients, the moments and
// each average of fused, the arena of every chunk, when all of them lie in
// the parameters' layout; else nil, and the step goes per tensor.
func (o *Adam) laidOut(fused []*EMA) [][]*arena {
	l := layoutOf(o.Params)
	if l == nil {
		return nil
	}
	kinds := [][]*Tensor{o.Params, gradsOf(o.Params), o.M, o.V}
	for _, m := range fused {
		kinds = append(kinds, m.Average)
	}
	out := make([][]*arena, len(kinds))
	for k, ts := range kinds {
		if out[k] = l.arenas(ts); out[k] == nil {
			return nil
		}
	}
	return out
}

// averages reports whether m averages exactly o's parameters, in order.
func (o *Adam) averages(m *EMA) bool {
	if m.e != o.e || len(m.Params) != len(o.Params) {
		return false
	}
	for i, p := range m.Params {
		if p != o.Params[i] {
			return false
		}
	}
	return true
}

// clip records GradScale = min(1, ClipNorm / ||g||) over all gradients:
// each gradient's sum of squares into a slot of one tensor (slots aligned
// for binding), then one kernel that adds the slots in order, as a chain
// of adds would, and computes the scale.
func (o *Adam) clip() {
	e := o.e
	n := len(o.Params)
	if n == 0 {
		return
	}
	e.checkLoops("gradient clipping", []int{n}, n)
	stride := 1
	if align := e.Dev.Info.Limits.MinStorageBufferOffsetAlignment; align > 4 {
		stride = int(align / 4)
	}
	e.scoped(func() {
		sums := e.newTensor(n * stride)
		for i, p := range o.Params {
			e.reduceInto(sums.view([]int{1}, i*stride), false, p.grad, p.grad, []int{1, p.n}, []bool{false, true}, reduceSquares, 1)
		}
		e.dispatch(clipKernel, nil, [3]uint32{1, 1, 1}, vk.Push(float32(o.Config.ClipNorm), n, stride), sums, o.GradScale)
	})
}

// EMA keeps an exponential moving average of parameters for evaluation.
type EMA struct {
	Decay   float64
	Params  []*Tensor
	Average []*Tensor
	e       *Engine
}

// NewEMA starts an average equal to the current parameters. The average
// lives in average (tensors shaped like params, for example another
// network's frozen parameters), or in new persistent tensors when average
// is nil. Averages of parameters are laid out in arenas like them (given
// tensors move there, keeping their identity), so that Adam.StepAveraging
// and Update cover them a chunk at a time.
func (e *Engine) NewEMA(decay float64, params, average []*Tensor) (*EMA, error) {
	if decay < 0 || decay >= 1 {
		return nil, fmt.Errorf("EMA decay %v must be in [0, 1)", decay)
	}
	if average != nil && len(average) != len(params) {
		return nil, fmt.Errorf("EMA: %d averages for %d parameters", len(average), len(params))
	}
	m := &EMA{Decay: decay, Params: params, e: e}
	for i, p := range params {
		if average != nil && !sameShape(average[i].shape, p.shape) {
			return nil, fmt.Errorf("EMA: average %v for parameter %v", average[i].shape, p.shape)
		}
	}
	// An average of parameters lies in arenas of their layout (arena.go),
	// moved there when given, so that the optimizer's step updates it in
	// its chunks.
	l := e.arrange(params)
	switch {
	case average != nil:
		m.Average = average
		if l != nil && allMovable(average) {
			e.moveInto(l, average, "an average")
		}
	case l != nil:
		m.Average = e.tensorsIn(l, "an average")
	default:
		for _, p := range params {
			m.Average = append(m.Average, e.Persistent(p.shape...))
		}
	}
	for i, p := range params {
		e.copyInto(m.Average[i], p)
	}
	return m, e.err
}

// Update records average = decay*average + (1-decay)*params.
func (m *EMA) Update() {
	rate := 1 - m.Decay
	l := layoutOf(m.Params)
	if ps, as := l.arenas(m.Params), l.arenas(m.Average); ps != nil && as != nil {
		for ch, pa := range ps {
			n := pa.floats()
			m.e.dispatchRanges(emaKernel, []uint32{m.e.Tune.Local}, m.e.groups1D(n, m.e.Tune.Local), vk.Push(n, rate), as[ch].rng(), pa.rng())
		}
		return
	}
	for i, p := range m.Params {
		m.e.elementwise(emaKernel, p.n, vk.Push(p.n, rate), m.Average[i], p)
	}
}
