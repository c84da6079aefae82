package ct

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

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
	// MicroBatch splits each step's batch into passes of this many
	// samples whose gradients accumulate before one optimizer step; it
	// must divide the batch. 0 chooses the largest divisor that fits the
	// device (FitPass).
	MicroBatch int
	// BucketBytes is the size of the buckets in which a replica of several
	// sums its gradients with the others' while its backward pass is
	// still recorded; 0 chooses about an eighth of the gradients, from 64
	// KiB to 25 MiB. Any size gives the same sums. A setting of the
	// machines, not of the run: config.json does not record it.
	BucketBytes int `json:"-"`
}

// checkMicroBatch names what is wrong with a micro-batch of m for batch b.
func checkMicroBatch(m, b int) error {
	switch {
	case m < 0:
		return fmt.Errorf("micro-batch %d must not be negative (0 chooses it from the device's memory)", m)
	case m > b:
		return fmt.Errorf("micro-batch %d is larger than the batch %d", m, b)
	case m > 0 && b%m != 0:
		return fmt.Errorf("micro-batch %d does not divide the batch %d (divisors: %s)", m, b, divisorList(b))
	}
	return nil
}

// divisorList lists b's divisors, the micro-batches a batch of b allows.
func divisorList(b int) string {
	var parts []string
	for d := 1; d <= b; d++ {
		if b%d == 0 {
			parts = append(parts, strconv.Itoa(d))
		}
	}
	if len(parts) > 12 {
		parts = append(parts[:6], append([]string{"..."}, parts[len(parts)-5:]...)...)
	}
	return strings.Join(parts, ", ")
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
	// lastIndices are the noise indices the last step drew, on a grid of
	// lastGrid noise levels (LastDraws).
	lastIndices []int32
	lastGrid    int

	x       *nn.Tensor // the batch, [B, C, H, W]
	samples sampleInputs
	loss    *nn.Tensor // the last step's loss, [1]
	stepped bool       // loss holds a step's
	// lossCheck adds up loss*0 of every step since checkedStep: 0 while
	// all were finite, NaN once one was not (NaN and Inf times 0 are NaN),
	// so CheckLosses covers every step without a wait per step.
	lossCheck   *nn.Tensor
	checkedStep int
	// lossEMA, [1], is an exponential moving average of every step's loss
	// that lossAvg (nn.EMA's kernel) updates on the device after each
	// step; lossEMAWeight = 1 - decay^steps is the weight it has gathered
	// since it started at 0 (see LossEMA).
	lossEMA       *nn.Tensor
	lossAvg       *nn.EMA
	lossEMAWeight float64
	// LossEMADecay is the decay of the loss's moving average (LossEMA):
	// DefaultLossEMADecay unless changed, at any step. Checkpoints hold
	// the average, not the decay: set it again after Load.
	LossEMADecay float64

	microBatch int
	// replica places this trainer among the data-parallel replicas of a
	// run (Size 1: alone); buckets sums the gradients over them.
	replica Replica
	buckets *gradBuckets
	// stopRequested is this replica's vote to stop after the next step;
	// stopAgreed, whether some replica voted so in the last (RequestStop).
	stopRequested, stopAgreed bool
	// Fit is the measured memory of a training pass when the micro-batch
	// was chosen automatically (Run.MicroBatch 0), nil otherwise.
	Fit *PassFit
	// PassRecorded, when set, is called after each pass of a step is
	// recorded (the stream runs at most a few submits behind): progress
	// for steps of many micro-batches.
	PassRecorded func(pass, passes int)
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

// all lists the arrays in the order writeSampleInputs fills them.
func (s *sampleInputs) all() []**nn.Tensor {
	return []**nn.Tensor{&s.sigmaS, &s.sigmaT, &s.inS, &s.skipS, &s.outS, &s.noiseS, &s.inT, &s.skipT, &s.outT, &s.noiseT, &s.lamb}
}

// slice returns samples [from, to) of every array.
func (s sampleInputs) slice(from, to int) sampleInputs {
	out := s
	for _, p := range out.all() {
		*p = (*p).Slice(from, to)
	}
	return out
}

// NewTrainer builds the networks and optimizer for run on e.
func NewTrainer(e *nn.Engine, run Run) (*Trainer, error) {
	return NewReplica(e, run, Replica{Size: 1})
}

// NewReplica builds replica rep.Rank of rep.Size data-parallel replicas
// of run on e (see Replica). Replica{Size: 1} is NewTrainer.
func NewReplica(e *nn.Engine, run Run, rep Replica) (*Trainer, error) {
	r := run.Recipe
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if err := rep.check(r.BatchSize); err != nil {
		return nil, err
	}
	if err := checkMicroBatch(run.MicroBatch, r.BatchSize/rep.Size); err != nil {
		if rep.Size > 1 {
			return nil, fmt.Errorf("ct: %w (the batch %d over %d replicas)", err, r.BatchSize, rep.Size)
		}
		return nil, fmt.Errorf("ct: %w", err)
	}
	cur, err := r.Curriculum()
	if err != nil {
		return nil, err
	}
	t := &Trainer{Run: run, E: e, curriculum: cur, rng: NewRand(run.Seed), replica: rep}
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
	b := r.BatchSize / rep.Size
	t.x = e.Persistent(b, c.ImageChannels, c.ImageSize, c.ImageSize)
	for _, p := range t.samples.all() {
		*p = e.Persistent(b)
	}
	t.loss = e.Persistent(1)
	t.lossCheck = e.Persistent(1)
	t.lossEMA = e.Persistent(1)
	if t.lossAvg, err = e.NewEMA(DefaultLossEMADecay, []*nn.Tensor{t.loss}, []*nn.Tensor{t.lossEMA}); err != nil {
		return nil, err
	}
	t.lossEMA.Upload([]float32{0})
	t.LossEMADecay = DefaultLossEMADecay
	if err := e.Err(); err != nil {
		return nil, err
	}
	if rep.Size > 1 {
		t.buckets = newGradBuckets(e, run, rep, t.Student.Tensors())
	}
	t.microBatch = run.MicroBatch
	if t.microBatch == 0 {
		fit, err := FitPass(e, t.Student, TrainPass, b, true)
		if err != nil {
			return nil, err
		}
		t.microBatch, t.Fit = fit.Chosen, &fit
	}
	return t, e.Err()
}

// MicroBatch is the number of samples per pass of a step: the batch, or
// a divisor of it whose passes accumulate gradients.
func (t *Trainer) MicroBatch() int { return t.microBatch }

// GridSize is N(k) at the next step.
func (t *Trainer) GridSize() int { return t.curriculum.GridSize(t.Step) }

// TrainStep records one training step on batch (B*C*H*W values in
// [-1, 1]). The loss stays on the device: LastLoss reads it.
//
// With a micro-batch m < B the step runs B/m passes over consecutive
// samples; each pass's loss is scaled by its share m/B, so the gradients
// that accumulate in the parameters and the summed loss are those of the
// whole batch (up to float32 rounding), and the noise and dropout masks
// are the whole batch's rows. Each pass's step tensors are released
// before the next, so memory does not grow with the number of passes.
//
// A replica of several (NewReplica) takes the same whole batch, trains
// on its share of it and sums the gradients and the loss with the other
// replicas' before its optimizer step.
func (t *Trainer) TrainStep(batch []float32) error {
	if err := t.accumulateGradients(batch); err != nil {
		return err
	}
	return t.update()
}

// accumulateGradients records the passes of a step: the loss and the
// parameters' gradients of the whole batch.
func (t *Trainer) accumulateGradients(batch []float32) error {
	e, r := t.E, t.Run.Recipe
	if d := t.LossEMADecay; !(d >= 0 && d < 1) {
		return fmt.Errorf("ct: loss EMA decay %v must be in [0, 1)", d)
	}
	if err := t.prepareGrid(); err != nil {
		return err
	}
	e.S.SetPhase(PhaseData)
	if t.replica.Size > 1 {
		if err := t.uploadShare(batch); err != nil {
			return err
		}
	} else {
		t.x.Upload(batch)
	}
	t.writeSampleInputs()

	// b is this replica's share of the batch (all of it when alone); each
	// pass's loss is scaled by its share of the whole batch, so that the
	// replicas' gradients sum to the whole batch's.
	b, m := r.BatchSize/t.replica.Size, t.microBatch
	if m == 0 {
		m = b
	}
	for from := 0; from < b; from += m {
		e.S.SetPhase(PhaseForward)
		loss, err := t.consistencyLoss(from, from+m)
		if err != nil {
			return err
		}
		if m < r.BatchSize {
			loss = e.Scale(loss, float32(float64(m)/float64(r.BatchSize)))
		}
		e.S.SetPhase(PhaseBackward)
		if last := from+m >= b; last && t.buckets != nil {
			// Earlier passes only add to the gradients; in the last, each
			// is final once its earliest use is differentiated.
			t.buckets.start()
			defer t.buckets.abandon() // a step that fails before finish
			err = e.BackwardReporting(loss, t.buckets.ready)
		} else {
			err = e.Backward(loss)
		}
		if err != nil {
			return err
		}
		if from == 0 {
			e.CopyInto(t.loss, loss)
		} else {
			e.NoGrad(func() { e.CopyInto(t.loss, e.Add(t.loss, loss)) })
		}
		if from+m < b {
			e.Release() // the stream orders the next pass's reuse after this one
		}
		if t.PassRecorded != nil {
			t.PassRecorded(from/m+1, b/m)
		}
	}
	t.stopAgreed = t.stopRequested
	if t.buckets != nil {
		votes, err := t.buckets.finish(t.loss, t.stopRequested)
		if err != nil {
			return err
		}
		t.stopAgreed = votes > 0
	}
	t.stopRequested = false
	e.NoGrad(func() { e.CopyInto(t.lossCheck, e.Add(t.lossCheck, e.Scale(t.loss, 0))) })
	t.lossAvg.Decay = t.LossEMADecay
	t.lossAvg.Update()
	t.lossEMAWeight = t.LossEMADecay*t.lossEMAWeight + (1 - t.LossEMADecay)
	return e.Err()
}

// update records the optimizer step and the EMA updates, and ends the step.
func (t *Trainer) update() error {
	e, r := t.E, t.Run.Recipe
	e.S.SetPhase(PhaseOptimizer)
	// The averages move toward the updated parameters inside the
	// optimizer's kernel (nn.Adam.StepAveraging).
	t.evalAvg.Decay = EMADecayAt(r.EvalEMADecay, t.Step)
	avgs := []*nn.EMA{t.evalAvg}
	if t.teacherAvg != nil {
		// mu(k) of this step's own k, as the consistency-models code reads
		// its global step before incrementing it.
		t.teacherAvg.Decay = t.curriculum.TeacherEMA(t.Step)
		avgs = append(avgs, t.teacherAvg)
	}
	t.Opt.StepAveraging(avgs...)
	e.S.SetPhase("")
	e.Release()
	if err := e.Err(); err != nil {
		return err
	}
	t.Step++
	t.stepped = true
	return nil
}

// consistencyLoss records the iCT loss of samples [from, to) of the
// current batch (the whole step or one micro-batch).
func (t *Trainer) consistencyLoss(from, to int) (*nn.Tensor, error) {
	teacher := t.Student
	if t.Teacher != nil {
		teacher = t.Teacher
	}
	first, _ := t.replica.share(t.Run.Recipe.BatchSize)
	p := pass{e: t.E, recipe: t.Run.Recipe, seed: t.Run.Seed, step: t.Step, student: t.Student, teacher: teacher,
		x: t.x, samples: t.samples, first: first + from}
	if from != 0 || to != t.x.Shape()[0] {
		p.x, p.samples = t.x.Slice(from, to), t.samples.slice(from, to)
	}
	return p.loss()
}

// pass is the loss of one pass over samples first.. of a step's batch:
// the images x [m, C, H, W] and their per-sample inputs, each [m].
type pass struct {
	e                *nn.Engine
	recipe           Recipe
	seed             uint64
	step             int
	student, teacher *unet.Net
	x                *nn.Tensor
	samples          sampleInputs
	first            int
}

// loss records the teacher f(x + sigma_i z, sigma_i) under NoGrad and the
// student f(x + sigma_{i+1} z, sigma_{i+1}) on the tape, with one noise
// draw z and one dropout key for both. Both are keyed from the pass's
// first sample, so a micro-batch draws its rows of the whole batch's z
// and masks (the U-Net copies the key, FirstSample included, per site).
// Each forward runs in an nn.Tidy scope: the teacher's intermediates go
// back to the pool before the student starts, the student's as its
// backward pass uses them.
func (p pass) loss() (*nn.Tensor, error) {
	e, r := p.e, p.recipe
	k := uint32(p.step)
	dropKey := nn.RNGKey{Seed: p.seed, Step: k, FirstSample: p.first}
	z := e.RandNormal(noiseKey(p.seed, p.step, p.first), p.x.Shape()...)
	s := &p.samples
	var target *nn.Tensor
	e.NoGrad(func() {
		target = e.Tidy(func() *nn.Tensor {
			xt := e.Add(p.x, e.MulSample(z, s.sigmaT))
			return denoise(e, p.teacher, xt, s.inT, s.skipT, s.outT, s.noiseT, dropKey)
		})
	})
	pred := e.Tidy(func() *nn.Tensor {
		xs := e.Add(p.x, e.MulSample(z, s.sigmaS))
		return denoise(e, p.student, xs, s.inS, s.skipS, s.outS, s.noiseS, dropKey)
	})
	switch r.Metric {
	case MetricPseudoHuber:
		d := p.x.Len() / p.x.Shape()[0]
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

// noiseKey names the training noise z of a step, from sample first on.
func noiseKey(seed uint64, step, first int) nn.RNGKey {
	return nn.RNGKey{Seed: seed ^ noiseStream, Step: uint32(step), FirstSample: first}
}

// denoise is the consistency function f(x, sigma) = c_skip x + c_out F(c_in x, c_noise).
func denoise(e *nn.Engine, net *unet.Net, x, cIn, cSkip, cOut, cNoise *nn.Tensor, key nn.RNGKey) *nn.Tensor {
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
// scalings of both noise levels of its pair. A replica draws the whole
// batch's indices, as one trainer alone would, and writes its share.
func (t *Trainer) writeSampleInputs() {
	r := t.Run.Recipe
	idx := make([]int32, r.BatchSize)
	t.grid.sampler.Fill(t.rng, idx)
	t.lastIndices, t.lastGrid = idx, t.grid.n
	from, to := t.replica.share(r.BatchSize)
	vals := make([][]float32, 11)
	for i := range vals {
		vals[i] = make([]float32, to-from)
	}
	for j, i := range idx[from:to] {
		lo, hi := t.grid.grid.Sigmas[i], t.grid.grid.Sigmas[i+1]
		st, ss := r.Scalings(lo), r.Scalings(hi)
		vals[0][j], vals[1][j] = float32(hi), float32(lo)
		vals[2][j], vals[3][j], vals[4][j], vals[5][j] = float32(ss.In), float32(ss.Skip), float32(ss.Out), float32(ss.Noise)
		vals[6][j], vals[7][j], vals[8][j], vals[9][j] = float32(st.In), float32(st.Skip), float32(st.Out), float32(st.Noise)
		vals[10][j] = float32(t.grid.grid.Weights[i])
	}
	for i, dst := range t.samples.all() {
		(*dst).Write(vals[i])
	}
}

// LastLoss waits for the device and returns the last step's loss.
func (t *Trainer) LastLoss() (float64, error) {
	if !t.stepped {
		return math.NaN(), errors.New("ct: no step has run")
	}
	v, err := t.loss.Download()
	if err != nil {
		return math.NaN(), err
	}
	return float64(v[0]), nil
}

// DefaultLossEMADecay averages the loss over about the last 100 steps
// (LossEMADecayOver(100)); 'ict train' averages over its log interval.
const DefaultLossEMADecay = 0.99

// LossEMADecayOver is the decay of a loss average over about the last n
// steps (at least 10): 1 - 1/n. With n the log interval, each logged
// average holds mostly the steps since the previous log line (63% of its
// weight) and lags the loss's trend by about n steps; a longer average
// would be smoother but lag more, a shorter one noisier.
func LossEMADecayOver(n int) float64 { return 1 - 1/float64(max(n, 10)) }

// LossEMA waits for the device and returns the exponential moving average
// of the loss of every step since the run started (or since a resume
// from a checkpoint that did not hold it): ema_k = d ema_{k-1} + (1-d)
// loss_k from ema = 0, divided by the weight it has gathered, 1 - d^k, as
// Adam corrects its moments, so that the first steps' average is not
// pulled towards 0 (after one step it is that step's loss). d is
// LossEMADecay at each step (the weight is 1 minus the product of the
// decays when it changed). The average is updated on the device every
// step; only this call reads it.
func (t *Trainer) LossEMA() (float64, error) {
	if t.lossEMAWeight == 0 {
		return math.NaN(), errors.New("ct: no step has run since the loss EMA started")
	}
	v, err := t.lossEMA.Download()
	if err != nil {
		return math.NaN(), err
	}
	return float64(v[0]) / t.lossEMAWeight, nil
}

// CheckLosses waits for the device and says whether the loss of every
// step since the last check (steps from to t.Step) was finite. A finite
// range starts the next check after it; a non-finite one stays, since
// the weights it left are not worth training on.
func (t *Trainer) CheckLosses() (from int, finite bool, err error) {
	from = t.checkedStep + 1
	v, err := t.lossCheck.Download()
	if err != nil {
		return from, false, err
	}
	if v[0] != 0 { // NaN: 0 + 0 + ... stays exactly 0 otherwise
		return from, false, nil
	}
	t.checkedStep = t.Step
	return from, true, nil
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
