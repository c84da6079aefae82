package ct

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/checkpoint"
	"github.com/ictvk/ictvk/nn/nntest"
	"github.com/ictvk/ictvk/nn/unet"
)

func openEngine(t *testing.T) *nn.Engine { return nntest.Open(t, false) }

func tinyRun() Run {
	r := DefaultRecipe()
	r.BatchSize = 3
	r.TotalIters = 20
	r.LearningRate = 1e-3
	return Run{
		Recipe: r,
		Net: unet.Config{ImageChannels: 1, ImageSize: 8, BaseChannels: 8, ChannelMults: []int{1, 2},
			BlocksPerLevel: 1, AttentionResolutions: []int{4}, AttentionHeads: 1, Dropout: 0.3, Groups: 4,
			Embedding: unet.Fourier, FourierScale: ICTFourierScale},
		Seed: 42,
	}
}

func batchOf(seed uint64, n int) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0))
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(2*rng.Float64() - 1)
	}
	return v
}

func scaled(v []float32, s float32) []float32 {
	for i := range v {
		v[i] *= s
	}
	return v
}

func TestTrainStepsRun(t *testing.T) {
	e := openEngine(t)
	tr, err := NewTrainer(e, tinyRun())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := tr.TrainStep(batchOf(uint64(i), 3*64)); err != nil {
			t.Fatal(err)
		}
		loss, err := tr.LastLoss()
		if err != nil || math.IsNaN(loss) || loss <= 0 {
			t.Fatalf("step %d: loss %v, %v", i, loss, err)
		}
	}
	if tr.Step != 3 {
		t.Errorf("step counter %d", tr.Step)
	}
}

// TestLossIsZeroWhenInputsCoincide gives the teacher and the student the
// same noise level: with one noise draw and one dropout mask for both, the
// two outputs are bit-identical and the loss is exactly zero.
func TestLossIsZeroWhenInputsCoincide(t *testing.T) {
	e := openEngine(t)
	run := tinyRun()
	tr, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.prepareGrid(); err != nil {
		t.Fatal(err)
	}
	// At initialization every block's last convolution is zero, so the
	// network ignores dropout: random weights make the test able to fail.
	randomizeWeights(tr.Student, 100, 0.3)
	tr.x.Upload(batchOf(1, 3*64))
	r := run.Recipe
	s := &tr.samples
	for _, sigma := range []float64{0.01, 0.7, 20} {
		sc := r.Scalings(sigma)
		fill := func(dst *nn.Tensor, v float64) { dst.Write([]float32{float32(v), float32(v), float32(v)}) }
		fill(s.sigmaS, sigma)
		fill(s.sigmaT, sigma)
		fill(s.inS, sc.In)
		fill(s.inT, sc.In)
		fill(s.skipS, sc.Skip)
		fill(s.skipT, sc.Skip)
		fill(s.outS, sc.Out)
		fill(s.outT, sc.Out)
		fill(s.noiseS, sc.Noise)
		fill(s.noiseT, sc.Noise)
		fill(s.lamb, 1)
		loss, err := tr.consistencyLoss(0, 3)
		if err != nil {
			t.Fatal(err)
		}
		v, err := loss.Download()
		if err != nil {
			t.Fatal(err)
		}
		if v[0] != 0 {
			t.Errorf("sigma %v: loss %v with identical teacher and student inputs", sigma, v[0])
		}
		e.Release()
	}
}

// TestResumeEqualsStraightThrough trains 4 steps straight, and 2 steps,
// a checkpoint, a fresh trainer loading it, and 2 more: the losses and the
// final weights must agree bit for bit.
func TestResumeEqualsStraightThrough(t *testing.T) {
	e := openEngine(t)
	run := tinyRun()
	run.Recipe.TotalIters = 4 // the curriculum doubles N every step
	batches := [][]float32{batchOf(10, 192), batchOf(11, 192), batchOf(12, 192), batchOf(13, 192)}
	train := func(tr *Trainer, from, to int) []float64 {
		var losses []float64
		for i := from; i < to; i++ {
			if err := tr.TrainStep(batches[i]); err != nil {
				t.Fatal(err)
			}
			l, err := tr.LastLoss()
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, l)
		}
		return losses
	}
	straight, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	want := train(straight, 0, 4)

	first, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	got := train(first, 0, 2)
	path := t.TempDir() + "/ckpt.safetensors"
	if err := first.Save(path, map[string]string{"note": "x"}); err != nil {
		t.Fatal(err)
	}
	other := run
	other.Seed = 999 // the checkpoint, not the fresh init, must decide everything
	resumed, err := NewTrainer(e, other)
	if err != nil {
		t.Fatal(err)
	}
	meta, err := resumed.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["note"] != "x" || resumed.Step != 2 || resumed.GridSize() != first.GridSize() {
		t.Fatalf("resumed at step %d, N %d (want 2, %d), note %q", resumed.Step, resumed.GridSize(), first.GridSize(), meta["note"])
	}
	got = append(got, train(resumed, 2, 4)...)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("step %d: loss %v after resume, %v straight through", i, got[i], want[i])
		}
	}
	a, _ := straight.EMA.Params()[3].Tensor.Download()
	b, _ := resumed.EMA.Params()[3].Tensor.Download()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("EMA weights differ after resume at %d", i)
		}
	}
}

func TestLoadRefusesMismatchedCheckpoint(t *testing.T) {
	e := openEngine(t)
	run := tinyRun()
	tr, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/ckpt.safetensors"
	if err := tr.Save(path, nil); err != nil {
		t.Fatal(err)
	}
	bigger := run
	bigger.Net.BaseChannels = 16
	tb, err := NewTrainer(e, bigger)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Load(path); err == nil || !strings.Contains(err.Error(), "this run builds") {
		t.Fatalf("loading into another network: %v", err)
	}
}

// TestSaveLoadSamplesIdentically: the EMA network loaded from a checkpoint
// draws exactly the samples the trainer's own EMA network draws.
func TestSaveLoadSamplesIdentically(t *testing.T) {
	e := openEngine(t)
	run := tinyRun()
	tr, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := tr.TrainStep(batchOf(uint64(20+i), 192)); err != nil {
			t.Fatal(err)
		}
	}
	path := t.TempDir() + "/ckpt.safetensors"
	if err := tr.Save(path, nil); err != nil {
		t.Fatal(err)
	}
	sigmas := run.Recipe.TwoStepSigmas()
	x, err := tr.Sample(3, sigmas, 7, false)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := x.Download()
	e.Release()
	net, _, err := LoadNet(e, path, "ema")
	if err != nil {
		t.Fatal(err)
	}
	y, err := Sample(e, net, run.Recipe, 3, sigmas, 7)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := y.Download()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sample %d: %v from the loaded network, %v from the trainer", i, got[i], want[i])
		}
	}
	if _, _, err := LoadNet(e, path, "nosuchset"); err == nil || !strings.Contains(err.Error(), "no tensor nosuchset.") {
		t.Errorf("loading a missing set: %v", err)
	}
}

// TestOriginalCTTeacherEMA runs the original CT's EMA teacher: after a
// step the teacher has moved towards the student but not onto it.
func TestOriginalCTTeacherEMA(t *testing.T) {
	e := openEngine(t)
	run := tinyRun()
	run.Recipe.TeacherEMAStart = 0.9
	run.Recipe.CurriculumKind = CurriculumSquareRoot
	run.Recipe.S0, run.Recipe.S1 = 2, 150
	run.Recipe.TotalIters = 2
	tr, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Teacher == nil {
		t.Fatal("no teacher network with a teacher EMA")
	}
	// The output convolution: at initialization the only layer with a
	// gradient (every block's last convolution starts at zero).
	last := len(tr.Student.Params()) - 2
	before, _ := tr.Teacher.Params()[last].Tensor.Download()
	if err := tr.TrainStep(batchOf(30, 192)); err != nil {
		t.Fatal(err)
	}
	after, _ := tr.Teacher.Params()[last].Tensor.Download()
	student, _ := tr.Student.Params()[last].Tensor.Download()
	moved, equal := false, true
	for i := range after {
		moved = moved || after[i] != before[i]
		equal = equal && after[i] == student[i]
	}
	if !moved || equal {
		t.Errorf("teacher moved %v, equals the student %v", moved, equal)
	}
	// The step's own k sets the decay, as in the consistency-models code
	// (mu(k) from the global step before it is incremented): after step 0
	// teacher = mu(0) before + (1 - mu(0)) student. With 2 iterations
	// N(0) and N(1) differ, so mu(1) would miss by far.
	if mu0, mu1 := tr.curriculum.TeacherEMA(0), tr.curriculum.TeacherEMA(1); math.Abs(mu0-mu1) < 0.01 {
		t.Fatalf("mu(0) = %v and mu(1) = %v are too close for the check", mu0, mu1)
	}
	mu := tr.curriculum.TeacherEMA(0)
	for i := range after {
		want := mu*float64(before[i]) + (1-mu)*float64(student[i])
		if d := math.Abs(float64(after[i]) - want); d > 1e-5*math.Abs(want)+1e-12 {
			t.Fatalf("teacher [%d] = %v after step 0, want mu(0) = %.4f mix %v (mu(1) = %.4f)", i, after[i], mu, want, tr.curriculum.TeacherEMA(1))
		}
	}
}

// TestStepUpdatesInOneAdamDispatch: the student's parameters, gradients,
// RAdam's moments and both averages (the evaluation EMA and the original
// CT's teacher) lie in arenas of one layout (nn's arena.go), so that the
// optimizer steps all of them in one dispatch, not one per tensor.
func TestStepUpdatesInOneAdamDispatch(t *testing.T) {
	e := openEngine(t)
	run := tinyRun()
	run.Recipe.TeacherEMAStart = 0.9
	run.Recipe.TotalIters = 4
	tr, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tr.Student.Tensors()); n < 10 {
		t.Fatalf("the tiny network has only %d parameter tensors", n)
	}
	for i := range 2 {
		before := e.S.KernelDispatches()
		if err := tr.TrainStep(batchOf(uint64(40+i), 3*64)); err != nil {
			t.Fatal(err)
		}
		after := e.S.KernelDispatches()
		if n := after["adam"] - before["adam"]; n != 1 {
			t.Errorf("step %d: %d adam dispatches, want 1", i, n)
		}
		if n := after["ema"] - before["ema"]; n != 1 { // the loss's average
			t.Errorf("step %d: %d ema dispatches, want 1", i, n)
		}
	}
}

// TestCheckLossesSeesEveryStep: a NaN image makes one step's loss NaN;
// CheckLosses, read only after two more finite steps, still reports the
// range, and keeps reporting it. A load starts the checks afresh.
func TestCheckLossesSeesEveryStep(t *testing.T) {
	e := openEngine(t)
	run := tinyRun()
	run.MicroBatch = 3
	tr, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	step := func(b []float32) {
		t.Helper()
		if err := tr.TrainStep(b); err != nil {
			t.Fatal(err)
		}
	}
	step(batchOf(1, 3*64))
	if from, finite, err := tr.CheckLosses(); err != nil || !finite || from != 1 {
		t.Fatalf("after a finite step: from %d, finite %v, %v", from, finite, err)
	}
	path := t.TempDir() + "/good.safetensors"
	if err := tr.Save(path, nil); err != nil {
		t.Fatal(err)
	}
	poisoned := batchOf(2, 3*64)
	poisoned[5] = float32(math.NaN())
	step(poisoned)
	// Later steps train on NaN weights; the flag must not forget step 2.
	step(batchOf(3, 3*64))
	for i := 0; i < 2; i++ {
		if from, finite, err := tr.CheckLosses(); err != nil || finite || from != 2 {
			t.Fatalf("check %d after a NaN step: from %d, finite %v, %v; want from 2, not finite", i, from, finite, err)
		}
	}
	if _, err := tr.Load(path); err != nil {
		t.Fatal(err)
	}
	step(batchOf(4, 3*64))
	if from, finite, err := tr.CheckLosses(); err != nil || !finite || from != 2 {
		t.Fatalf("after a load and a finite step: from %d, finite %v, %v", from, finite, err)
	}
}

// TestStepLossMatchesTheFormulas recomputes one training step's loss and
// its gradient from the iCT formulas. The network F runs on the device
// (nn/unet tests it); the rest is float64 on the host: the noise pairs
// (sigma_i, sigma_{i+1}) of the Karras grid in the golden file, drawn with
// the trainer's keyed index stream; x_t = x + sigma_i z and x_s = x +
// sigma_{i+1} z with the device's z; the teacher f(x_t, sigma_i) and the
// student f(x_s, sigma_{i+1}), f = c_skip x + c_out F(c_in x, c_noise), with
// one dropout key; the Pseudo-Huber distance with c = 0.00054 sqrt(C*H*W);
// the weight lambda = 1/(sigma_{i+1} - sigma_i); the batch mean.
//
// The loss is symmetric in teacher and student, so swapping sigma_i and
// sigma_{i+1} everywhere leaves it unchanged: the gradient, which flows
// only through the student, tells them apart. The reference gradient is
// the device's backward through F of dL/dF_s computed here. The step runs
// in two micro-batches, whose noise and masks must be the whole batch's.
func TestStepLossMatchesTheFormulas(t *testing.T) {
	e := openEngine(t)
	run := tinyRun()
	run.Recipe.BatchSize, run.MicroBatch = 8, 4
	r := run.Recipe
	tr, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	randomizeWeights(tr.Student, 100, 0.3)
	c := run.Net
	b, per := r.BatchSize, c.ImageChannels*c.ImageSize*c.ImageSize
	shape := []int{b, c.ImageChannels, c.ImageSize, c.ImageSize}
	batch := batchOf(7, b*per)

	// N(0) = min(s0, s1) + 1 = 11: the golden file's grid of 11.
	if n := tr.GridSize(); n != 11 {
		t.Fatalf("N(0) = %d, want 11", n)
	}
	sigmas := loadGolden(t).Karras["11"].Full
	grid, err := r.NoiseGrid(11)
	if err != nil {
		t.Fatal(err)
	}
	sampler, err := NewIndexSampler(grid.Probs)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int32, b)
	sampler.Fill(NewRand(run.Seed), idx) // the trainer's stream at step 0
	t.Logf("noise indices %v", idx)

	x := f64(batch)
	z := deviceNormals(t, e, nn.RNGKey{Seed: run.Seed ^ noiseStream}, shape...)
	dropKey := nn.RNGKey{Seed: run.Seed}
	lo, hi := make([]float64, b), make([]float64, b) // sigma_i, sigma_{i+1}
	for j, i := range idx {
		lo[j], hi[j] = sigmas[i], sigmas[i+1]
	}
	// f(x + sigma z, sigma) per sample, and the scalings it used.
	consistency := func(sigma []float64) (f, xIn []float64, cIn, cOut, cNoise []float64) {
		xIn, f = make([]float64, len(x)), make([]float64, len(x))
		cIn, cOut, cNoise = make([]float64, b), make([]float64, b), make([]float64, b)
		skip := make([]float64, b)
		for j, s := range sigma {
			skip[j], cOut[j], cIn[j] = paperScalings(r, s)
			cNoise[j] = r.CNoise(s)
		}
		for k := range x {
			xIn[k] = x[k] + sigma[k/per]*z[k]
		}
		F := hostForward(t, e, tr.Student, xIn, cIn, cNoise, &dropKey)
		for k := range x {
			f[k] = skip[k/per]*xIn[k] + cOut[k/per]*F[k]
		}
		return f, xIn, cIn, cOut, cNoise
	}
	teacher, _, _, _, _ := consistency(lo)
	student, xs, inS, outS, noiseS := consistency(hi)

	// loss returns mean_b lambda_b (sqrt(||f_s - f_t||^2 + c^2) - c) with
	// the given weights and c, and dL/df_s.
	loss := func(lambda []float64, pc float64) (float64, []float64) {
		total, grad := 0.0, make([]float64, len(x))
		for j := 0; j < b; j++ {
			sq := 0.0
			for k := j * per; k < (j+1)*per; k++ {
				d := student[k] - teacher[k]
				sq += d * d
			}
			root := math.Sqrt(sq + pc*pc)
			total += lambda[j] * (root - pc)
			for k := j * per; k < (j+1)*per; k++ {
				grad[k] = lambda[j] * (student[k] - teacher[k]) / root / float64(b)
			}
		}
		return total / float64(b), grad
	}
	lambda := make([]float64, b)
	for j := range lambda {
		lambda[j] = 1 / (hi[j] - lo[j])
	}
	pc := 0.00054 * math.Sqrt(float64(per))
	want, gradF := loss(lambda, pc)

	// The step's loss and gradients (accumulated, not yet applied).
	if err := tr.accumulateGradients(batch); err != nil {
		t.Fatal(err)
	}
	got32, err := tr.loss.Download()
	if err != nil {
		t.Fatal(err)
	}
	got := float64(got32[0])
	const lossTol = 1e-5 // relative: float32 on the device, float64 here
	t.Logf("loss %.8g on the device, %.8g from the formulas (relative difference %.2g)", got, want, math.Abs(got-want)/want)
	if !(math.Abs(got-want) <= lossTol*want) {
		t.Errorf("step loss %.8g, the formulas give %.8g", got, want)
	}
	// The loss must be able to tell a wrong c or a neighbour's weight.
	perPixel, _ := loss(lambda, 0.00054)
	next := make([]float64, b)
	for j, i := range idx {
		next[j] = 1 / (sigmas[min(int(i)+2, len(sigmas)-1)] - sigmas[int(i)+1])
	}
	shifted, _ := loss(next, pc)
	for what, alt := range map[string]float64{"a per-pixel c": perPixel, "lambda(sigma_{i+1})": shifted} {
		if math.Abs(alt-want) < 100*lossTol*want {
			t.Errorf("%s gives loss %.8g, too close to %.8g for the check to notice", what, alt, want)
		}
	}

	params := tr.Student.Tensors()
	var stepGrad []float64
	for _, p := range params {
		g, err := p.Grad().Download()
		if err != nil {
			t.Fatal(err)
		}
		stepGrad = append(stepGrad, f64(g)...)
	}
	// dL/dF_s = c_out(sigma_{i+1}) dL/df_s, back through F on the device.
	gF := make([]float32, len(x))
	for k := range gF {
		gF[k] = float32(outS[k/per] * gradF[k])
	}
	in := make([]float32, len(x))
	for k := range in {
		in[k] = float32(inS[k/per] * xs[k])
	}
	noise := make([]float32, b)
	for j := range noise {
		noise[j] = float32(noiseS[j])
	}
	e.ZeroGrad(params)
	F := tr.Student.Forward(e.FromData(in, shape...), e.FromData(noise, b), &dropKey)
	if err := e.BackwardWith(F, e.FromData(gF, shape...)); err != nil {
		t.Fatal(err)
	}
	var wantGrad []float64
	for _, p := range params {
		g, err := p.Grad().Download()
		if err != nil {
			t.Fatal(err)
		}
		wantGrad = append(wantGrad, f64(g)...)
	}
	e.Release()
	scale, worst, at := 0.0, 0.0, 0
	for _, g := range wantGrad {
		scale = math.Max(scale, math.Abs(g))
	}
	for k := range wantGrad {
		if d := math.Abs(stepGrad[k] - wantGrad[k]); d > worst || math.IsNaN(d) {
			worst, at = d, k
		}
	}
	t.Logf("gradients: largest difference %.2g of the largest magnitude %.3g", worst/scale, scale)
	if !(scale > 0) || !(worst <= 1e-4*scale) {
		t.Errorf("the step's gradient differs from the formulas' by %.3g (largest %.3g) at %d: %v, want %v", worst, scale, at, stepGrad[at], wantGrad[at])
	}
}

// TestLossEMAFollowsEveryStep checks the device's moving average of the
// loss against a float64 one of every step's loss, bias-corrected (the
// test reads each loss back; the trainer reads nothing until LossEMA),
// with a decay changed midway. From a checkpoint the average goes on
// exactly where it stopped; from a checkpoint written before it existed
// it starts afresh.
func TestLossEMAFollowsEveryStep(t *testing.T) {
	e := openEngine(t)
	run := tinyRun()
	run.Recipe.TotalIters = 6
	tr, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	if tr.LossEMADecay != DefaultLossEMADecay {
		t.Errorf("decay %v, want the default %v", tr.LossEMADecay, DefaultLossEMADecay)
	}
	for n, want := range map[int]float64{100: 0.99, 50: 0.98, 1: 0.9} {
		if got := LossEMADecayOver(n); math.Abs(got-want) > 1e-15 {
			t.Errorf("LossEMADecayOver(%d) = %v, want %v", n, got, want)
		}
	}
	if _, err := tr.LossEMA(); err == nil {
		t.Error("a loss average before any step")
	}
	var ema, weight float64 // the reference: ema from 0, weight 1 - prod(decay)
	step := func(tr *Trainer, i int) float64 {
		t.Helper()
		if err := tr.TrainStep(batchOf(uint64(20+i), 3*64)); err != nil {
			t.Fatal(err)
		}
		loss, err := tr.LastLoss()
		if err != nil {
			t.Fatal(err)
		}
		d := tr.LossEMADecay
		ema, weight = d*ema+(1-d)*loss, d*weight+(1-d)
		return loss
	}
	check := func(tr *Trainer, what string) float64 {
		t.Helper()
		got, err := tr.LossEMA()
		if err != nil {
			t.Fatal(err)
		}
		if want := ema / weight; math.Abs(got-want) > 1e-5*want {
			t.Errorf("%s: loss EMA %.7g, want %.7g", what, got, want)
		}
		return got
	}
	// Decays far from 1, so that four steps tell the corrected average
	// from the last loss, a plain mean and an uncorrected average.
	tr.LossEMADecay = 0.5
	if first := step(tr, 0); math.Abs(check(tr, "step 1")-first) > 1e-6*first {
		t.Errorf("after one step the average is not that step's loss %v", first)
	}
	step(tr, 1)
	check(tr, "step 2")
	tr.LossEMADecay = 0.7
	var losses []float64
	for i := 2; i < 4; i++ {
		losses = append(losses, step(tr, i))
		check(tr, fmt.Sprintf("step %d", i+1))
	}
	if got, _ := tr.LossEMA(); math.Abs(got-losses[1]) < 1e-3*got || math.Abs(got-ema) < 1e-3*got {
		t.Errorf("step 4: loss EMA %v is the last loss %v or uncorrected %v: the test cannot tell", got, losses[1], ema)
	}

	path := t.TempDir() + "/ckpt.safetensors"
	if err := tr.Save(path, nil); err != nil {
		t.Fatal(err)
	}
	savedEMA, savedWeight := ema, weight
	for i := 4; i < 6; i++ {
		step(tr, i)
	}
	straight := check(tr, "step 6")

	resumed, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resumed.Load(path); err != nil {
		t.Fatal(err)
	}
	resumed.LossEMADecay = 0.7 // the caller's setting, not the checkpoint's
	ema, weight = savedEMA, savedWeight
	check(resumed, "step 4, loaded")
	for i := 4; i < 6; i++ {
		step(resumed, i)
	}
	if got := check(resumed, "step 6 after a resume at 4"); got != straight {
		t.Errorf("step 6: loss EMA %v after a resume at step 4, %v straight through", got, straight)
	}

	// A checkpoint without the average (as before it existed).
	f, err := checkpoint.Read(path, checkpoint.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	delete(f.Metadata, metaLossEMA)
	old := t.TempDir() + "/old.safetensors"
	if err := checkpoint.Write(old, f); err != nil {
		t.Fatal(err)
	}
	if _, err := resumed.Load(old); err != nil {
		t.Fatal(err)
	}
	if _, err := resumed.LossEMA(); err == nil {
		t.Error("a loss average right after loading a checkpoint without one")
	}
	ema, weight = 0, 0
	if loss := step(resumed, 4); math.Abs(check(resumed, "one step after an old checkpoint")-loss) > 1e-6*loss {
		t.Errorf("one step after an old checkpoint the average is not that step's loss %v", loss)
	}
}
