package ct

import (
	"errors"
	"fmt"
	"math"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/unet"
)

// Run configures one training run: the recipe, the network, the batch
// shape and the seed every random draw derives from.
type Run struct {
	Recipe Recipe
	Net    unet.Config
	Seed   uint64
	// WarmupSteps ramps the learning rate up over the first steps.
	WarmupSteps int
	// ClipNorm, when positive, clips the gradients' global L2 norm.
	ClipNorm float64
}

// Trainer runs consistency-training steps on the device. A step draws
// noise indices on the host (tiny uploads), then records: noise z on the
// device, the teacher forward under NoGrad, the student forward with the
// same dropout key, the weighted loss, backward, the optimizer and the
// EMA, all into the engine's stream with no host wait.
type Trainer struct {
	Run     Run
	E       *nn.Engine
	Student *unet.Net
	// Teacher is nil under iCT (the student's weights, no gradient); the
	// original CT keeps an EMA of the student here with decay mu(k).
	Teacher *unet.Net
	// EMA holds the evaluation average of the student, never the teacher.
	EMA *unet.Net

	Opt        *nn.Adam
	evalAvg    *nn.EMA
	teacherAvg *nn.EMA

	// Step is the number of completed steps (the paper's k).
	Step       int
	curriculum Curriculum
	rng        *Rand
	grid       gridState

	x       *nn.Tensor // the batch, [B, C, H, W]
	samples sampleInputs
	loss    *nn.Tensor // the last step's loss, [1]
}

// gridState caches the noise grid of the current N(k).
type gridState struct {
	n       int
	grid    NoiseGrid
	sampler *IndexSampler
}

// sampleInputs are the per-sample arrays a step writes: scalings of the
// student (at sigma_{i+1}) and of the teacher (at sigma_i), the noise
// levels, and the loss weights.
type sampleInputs struct {
	sigmaS, sigmaT                 *nn.Tensor
	inS, skipS, outS, noiseS       *nn.Tensor
	inT, skipT, outT, noiseT, lamb *nn.Tensor
}

// NewTrainer builds the networks and optimizer for run on e.
func NewTrainer(e *nn.Engine, run Run) (*Trainer, error) {
	r := run.Recipe
	if err := r.Validate(); err != nil {
		return nil, err
	}
	cur, err := r.Curriculum()
	if err != nil {
		return nil, err
	}
	t := &Trainer{Run: run, E: e, curriculum: cur, rng: NewRand(run.Seed)}
	if t.Student, err = unet.New(e, run.Net, run.Seed); err != nil {
		return nil, err
	}
	if t.EMA, err = unet.NewFrozen(e, run.Net, run.Seed); err != nil {
		return nil, err
	}
	if t.evalAvg, err = e.NewEMA(r.EvalEMADecay, t.Student.Tensors(), t.EMA.Tensors()); err != nil {
		return nil, err
	}
	if r.TeacherEMAStart > 0 {
		if t.Teacher, err = unet.NewFrozen(e, run.Net, run.Seed); err != nil {
			return nil, err
		}
		if t.teacherAvg, err = e.NewEMA(0, t.Student.Tensors(), t.Teacher.Tensors()); err != nil {
			return nil, err
		}
	}
	opt := nn.AdamConfig{LR: r.LearningRate, Beta1: r.Beta1, Beta2: r.Beta2, Eps: r.AdamEps, Rectified: true, WarmupSteps: run.WarmupSteps, ClipNorm: run.ClipNorm}
	if t.Opt, err = e.NewAdam(opt, t.Student.Tensors()); err != nil {
		return nil, err
	}
	c := run.Net
	b := r.BatchSize
	t.x = e.Persistent(b, c.ImageChannels, c.ImageSize, c.ImageSize)
	s := &t.samples
	for _, p := range []**nn.Tensor{&s.sigmaS, &s.sigmaT, &s.inS, &s.skipS, &s.outS, &s.noiseS, &s.inT, &s.skipT, &s.outT, &s.noiseT, &s.lamb} {
		*p = e.Persistent(b)
	}
	return t, e.Err()
}

// GridSize is N(k) at the next step.
func (t *Trainer) GridSize() int { return t.curriculum.GridSize(t.Step) }

// TrainStep records one training step on batch (B*C*H*W values in
// [-1, 1]). The loss stays on the device: LastLoss reads it.
func (t *Trainer) TrainStep(batch []float32) error {
	e, r := t.E, t.Run.Recipe
	if err := t.prepareGrid(); err != nil {
		return err
	}
	e.S.SetPhase(PhaseData)
	t.x.Upload(batch)
	t.writeSampleInputs()

	e.S.SetPhase(PhaseForward)
	loss, err := t.consistencyLoss()
	if err != nil {
		return err
	}
	e.S.SetPhase(PhaseBackward)
	if err := e.Backward(loss); err != nil {
		return err
	}
	e.S.SetPhase(PhaseOptimizer)
	t.Opt.Step()
	t.evalAvg.Decay = EMADecayAt(r.EvalEMADecay, t.Step)
	t.evalAvg.Update()
	if t.teacherAvg != nil {
		t.teacherAvg.Decay = t.curriculum.TeacherEMA(t.Step + 1)
		t.teacherAvg.Update()
	}
	if t.loss == nil {
		t.loss = e.Persistent(1)
	}
	e.CopyInto(t.loss, loss)
	e.S.SetPhase("")
	e.Release()
	if err := e.Err(); err != nil {
		return err
	}
	t.Step++
	return nil
}

// consistencyLoss records the iCT loss of the current batch and
// per-sample inputs: the teacher f(x + sigma_i z, sigma_i) under NoGrad
// and the student f(x + sigma_{i+1} z, sigma_{i+1}) on the tape, with one
// noise draw z and one dropout key for both. Each runs in an nn.Tidy
// scope: the teacher's intermediates go back to the pool before the
// student starts, the student's as its backward pass uses them.
func (t *Trainer) consistencyLoss() (*nn.Tensor, error) {
	e, r := t.E, t.Run.Recipe
	k := uint32(t.Step)
	dropKey := nn.RNGKey{Seed: t.Run.Seed, Step: k}
	z := e.RandNormal(nn.RNGKey{Seed: t.Run.Seed ^ noiseStream, Step: k}, t.x.Shape()...)
	s := &t.samples
	var target *nn.Tensor
	e.NoGrad(func() {
		teacher := t.Student
		if t.Teacher != nil {
			teacher = t.Teacher
		}
		target = e.Tidy(func() *nn.Tensor {
			xt := e.Add(t.x, e.MulSample(z, s.sigmaT))
			return t.denoise(teacher, xt, s.inT, s.skipT, s.outT, s.noiseT, dropKey)
		})
	})
	pred := e.Tidy(func() *nn.Tensor {
		xs := e.Add(t.x, e.MulSample(z, s.sigmaS))
		return t.denoise(t.Student, xs, s.inS, s.skipS, s.outS, s.noiseS, dropKey)
	})
	switch r.Metric {
	case MetricPseudoHuber:
		d := t.x.Len() / r.BatchSize
		return e.PseudoHuberLoss(pred, target, s.lamb, float32(r.PseudoHuberC(d))), nil
	case MetricSquaredL2:
		return e.SquaredL2Loss(pred, target, s.lamb), nil
	case MetricL1:
		return e.L1Loss(pred, target, s.lamb), nil
	}
	return nil, fmt.Errorf("ct: metric %v is not supported", r.Metric)
}

// The phases of a step, as vk.Timing reports them ('ict bench').
const (
	PhaseData      = "data"
	PhaseForward   = "forward"
	PhaseBackward  = "backward"
	PhaseOptimizer = "optimizer"
)

// noiseStream separates the seed of the training noise z from that of
// dropout masks and the network's initialization.
const noiseStream = 0x9e3779b97f4a7c15

// denoise is the consistency function f(x, sigma) = c_skip x + c_out F(c_in x, c_noise).
func (t *Trainer) denoise(net *unet.Net, x, cIn, cSkip, cOut, cNoise *nn.Tensor, key nn.RNGKey) *nn.Tensor {
	e := t.E
	F := net.Forward(e.MulSample(x, cIn), cNoise, &key)
	return e.Add(e.MulSample(x, cSkip), e.MulSample(F, cOut))
}

func (t *Trainer) prepareGrid() error {
	n := t.curriculum.GridSize(t.Step)
	if n == t.grid.n {
		return nil
	}
	g, err := t.Run.Recipe.NoiseGrid(n)
	if err != nil {
		return err
	}
	sampler, err := NewIndexSampler(g.Probs)
	if err != nil {
		return err
	}
	t.grid = gridState{n: n, grid: g, sampler: sampler}
	return nil
}

// writeSampleInputs draws each sample's noise index and writes the
// scalings of both noise levels of its pair.
func (t *Trainer) writeSampleInputs() {
	r := t.Run.Recipe
	b := r.BatchSize
	idx := make([]int32, b)
	t.grid.sampler.Fill(t.rng, idx)
	vals := make([][]float32, 11)
	for i := range vals {
		vals[i] = make([]float32, b)
	}
	for j, i := range idx {
		lo, hi := t.grid.grid.Sigmas[i], t.grid.grid.Sigmas[i+1]
		st, ss := r.Scalings(lo), r.Scalings(hi)
		vals[0][j], vals[1][j] = float32(hi), float32(lo)
		vals[2][j], vals[3][j], vals[4][j], vals[5][j] = float32(ss.In), float32(ss.Skip), float32(ss.Out), float32(ss.Noise)
		vals[6][j], vals[7][j], vals[8][j], vals[9][j] = float32(st.In), float32(st.Skip), float32(st.Out), float32(st.Noise)
		vals[10][j] = float32(t.grid.grid.Weights[i])
	}
	s := &t.samples
	for i, dst := range []*nn.Tensor{s.sigmaS, s.sigmaT, s.inS, s.skipS, s.outS, s.noiseS, s.inT, s.skipT, s.outT, s.noiseT, s.lamb} {
		dst.Write(vals[i])
	}
}

// LastLoss waits for the device and returns the last step's loss.
func (t *Trainer) LastLoss() (float64, error) {
	if t.loss == nil {
		return math.NaN(), errors.New("ct: no step has run")
	}
	v, err := t.loss.Download()
	if err != nil {
		return math.NaN(), err
	}
	return float64(v[0]), nil
}

// Sample generates images from noise with the EMA network (or the student
// when useStudent): one step per entry of sigmas, which must be
// decreasing (Recipe.OneStepSigmas, TwoStepSigmas). noiseSeed fixes the
// noise, so a grid of samples can be redrawn the same way as training
// goes on. It returns a step tensor: read it before the next Release.
func (t *Trainer) Sample(n int, sigmas []float64, noiseSeed uint64, useStudent bool) (*nn.Tensor, error) {
	net := t.EMA
	if useStudent {
		net = t.Student
	}
	return Sample(t.E, net, t.Run.Recipe, n, sigmas, noiseSeed)
}

// Sample runs multistep consistency sampling (CM Algorithm 1) with net.
func Sample(e *nn.Engine, net *unet.Net, r Recipe, n int, sigmas []float64, noiseSeed uint64) (*nn.Tensor, error) {
	if err := r.CheckSamplerSigmas(sigmas); err != nil {
		return nil, err
	}
	c := net.Config
	shape := []int{n, c.ImageChannels, c.ImageSize, c.ImageSize}
	perSample := func(v float64) *nn.Tensor {
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = float32(v)
		}
		t := e.Empty(n)
		t.Write(vals)
		return t
	}
	var x *nn.Tensor
	e.NoGrad(func() {
		for j, sigma := range sigmas {
			// Each step's intermediates go back to the pool when it ends.
			x = e.Tidy(func() *nn.Tensor {
				z := e.RandNormal(nn.RNGKey{Seed: noiseSeed, Step: uint32(j)}, shape...)
				var xn *nn.Tensor
				if j == 0 {
					xn = e.Scale(z, float32(sigma))
				} else {
					xn = e.Add(x, e.Scale(z, float32(r.RenoiseStd(sigma))))
				}
				sc := r.Scalings(sigma)
				F := net.Forward(e.MulSample(xn, perSample(sc.In)), perSample(sc.Noise), nil)
				return e.Add(e.Scale(xn, float32(sc.Skip)), e.Scale(F, float32(sc.Out)))
			})
		}
	})
	return x, e.Err()
}

// SetTotalIters changes K, and with it the curriculum, for the steps still
// to come (ict train --budget measures a step first).
func (t *Trainer) SetTotalIters(k int) error {
	r := t.Run.Recipe
	r.TotalIters = k
	c, err := r.Curriculum()
	if err != nil {
		return err
	}
	t.Run.Recipe, t.curriculum, t.grid = r, c, gridState{}
	return nil
}

// EMADecayAt warms the evaluation EMA up: at step k it averages with decay
// min(decay, (1+k)/(10+k)), so that the average of a short run is not
// dominated by the initial weights (0.999^234 still gives them 79%).
func EMADecayAt(decay float64, k int) float64 {
	return min(decay, float64(1+k)/float64(10+k))
}
