package ct

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/nn/nntest"
)

// microRun is tinyRun at batch 6, dropout on: the masks decide the output
// only when every block's last convolution is not zero, so the test
// uploads random weights (randomizeStudent).
func microRun(m int) Run {
	run := tinyRun()
	run.Recipe.BatchSize = 6
	run.Recipe.TotalIters = 6
	run.MicroBatch = m
	return run
}

func randomizeStudent(t *testing.T, tr *Trainer) {
	t.Helper()
	for i, p := range tr.Student.Params() {
		p.Tensor.Upload(scaled(batchOf(uint64(100+i), p.Tensor.Len()), 0.3))
	}
}

// closeTo compares got with want normwise: every element within tol times
// the largest |want| of the tensor. Each value compared is a sum over
// samples (and pixels) that the passes add in another order and with a
// scale m/B rounded to float32, so a few ulps of the tensor's scale
// differ; elementwise relative error would be unbounded where terms cancel.
// 1e-5 is about 80 ulps of float32 at that scale: far above the rounding of
// sums of a few hundred terms, far below what a wrong scale or mask does.
// worst is the largest deviation seen, relative to its tensor's scale.
func closeTo(got, want []float32, tol float64, worst *float64) (int, bool) {
	scale := 0.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(float64(w)))
	}
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if !(d <= tol*scale) {
			return i, false
		}
		if scale > 0 {
			*worst = math.Max(*worst, d/scale)
		}
	}
	return -1, true
}

// TestMicroBatchesEqualFullBatch: a step of batch 6 in passes of 2 or 3
// gives the loss, the accumulated gradients before the optimizer, and the
// weights after 3 steps of one pass of 6, within float32 rounding.
func TestMicroBatchesEqualFullBatch(t *testing.T) {
	const tol = 1e-5
	e := openEngine(t)
	batches := [][]float32{batchOf(40, 6*64), batchOf(41, 6*64), batchOf(42, 6*64)}
	type result struct {
		losses  []float64
		grads   [][]float32 // of the first step, before the optimizer
		weights [][]float32 // after the last step
	}
	train := func(m int) result {
		tr, err := NewTrainer(e, microRun(m))
		if err != nil {
			t.Fatal(err)
		}
		if tr.MicroBatch() != m {
			t.Fatalf("micro-batch %d, asked for %d", tr.MicroBatch(), m)
		}
		randomizeStudent(t, tr)
		var res result
		for i, b := range batches {
			if err := tr.accumulateGradients(b); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				for _, p := range tr.Student.Tensors() {
					g, err := p.Grad().Download()
					if err != nil {
						t.Fatal(err)
					}
					res.grads = append(res.grads, g)
				}
			}
			if err := tr.update(); err != nil {
				t.Fatal(err)
			}
			l, err := tr.LastLoss()
			if err != nil {
				t.Fatal(err)
			}
			res.losses = append(res.losses, l)
		}
		for _, p := range tr.Student.Tensors() {
			w, err := p.Download()
			if err != nil {
				t.Fatal(err)
			}
			res.weights = append(res.weights, w)
		}
		tr.Student.Free()
		tr.EMA.Free()
		return res
	}
	want := train(6)
	for _, m := range []int{2, 3} {
		got := train(m)
		for i := range want.losses {
			if d := math.Abs(got.losses[i] - want.losses[i]); !(d <= tol*math.Abs(want.losses[i])) {
				t.Errorf("micro-batch %d, step %d: loss %v, one pass %v", m, i, got.losses[i], want.losses[i])
			}
		}
		nonzero := 0
		var worstGrad, worstWeight float64
		for j := range want.grads {
			for _, g := range want.grads[j] {
				if g != 0 {
					nonzero++
					break
				}
			}
			if i, ok := closeTo(got.grads[j], want.grads[j], tol, &worstGrad); !ok {
				t.Errorf("micro-batch %d: gradient of parameter %d at %d: %v, one pass %v", m, j, i, got.grads[j][i], want.grads[j][i])
			}
			if i, ok := closeTo(got.weights[j], want.weights[j], tol, &worstWeight); !ok {
				t.Errorf("micro-batch %d: parameter %d at %d after 3 steps: %v, one pass %v", m, j, i, got.weights[j][i], want.weights[j][i])
			}
		}
		t.Logf("micro-batch %d: largest deviation %.2g of a gradient's scale, %.2g of a weight's", m, worstGrad, worstWeight)
		if nonzero < len(want.grads)/2 {
			t.Errorf("only %d of %d parameters have a gradient: the comparison is weak", nonzero, len(want.grads))
		}
	}
}

// TestMicroBatchChosenToFit caps the device memory below what one pass of
// the whole batch needs: the trainer picks a smaller divisor of the batch
// by itself and trains without running out of memory.
func TestMicroBatchChosenToFit(t *testing.T) {
	run := tinyRun()
	run.Net.ImageSize = 16
	run.Net.AttentionResolutions = []int{8}
	// Since step tensors live only as long as needed, a pass of this
	// network takes ~0.5 MiB per sample: 240 do not fit 48 MiB at once.
	const batch = 240
	run.Recipe.BatchSize = batch
	e := nntest.OpenLimited(t, 48<<20)
	tr, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	f := tr.Fit
	if f == nil {
		t.Fatal("no fit measured for an automatic micro-batch")
	}
	m := tr.MicroBatch()
	t.Logf("%s; fixed %.0f B + %.0f B/sample, persistent %d B, measured %d B at %d", f.Explain(batch, m), f.FixedBytes, f.BytesPerSample, f.PersistentBytes, f.MeasuredBytes, f.Chosen)
	if m >= batch || batch%m != 0 || m < 1 {
		t.Fatalf("micro-batch %d for batch %d under a 48 MiB limit (a pass of %d needs ~%d B of %d B free)", m, batch, batch, f.PassBytes(batch), f.AvailableBytes)
	}
	if f.Fits(batch) {
		t.Errorf("the fit says a pass of %d (%d B) fits %d B, yet chose %d", batch, f.PassBytes(batch), f.AvailableBytes, m)
	}
	if f.MeasuredBytes == 0 {
		t.Fatalf("the fit did not run its pick of %d (estimate %d B of %d B free)", m, f.PassBytes(m), f.AvailableBytes)
	}
	for i := 0; i < 2; i++ {
		e.ResetPeakMemory()
		if err := tr.TrainStep(batchOf(uint64(50+i), batch*256)); err != nil {
			t.Fatalf("step %d with micro-batch %d: %v", i, m, err)
		}
		// Each pass releases its tensors: a step of 2 passes peaks at
		// about one pass's bytes, not two.
		if peak := e.PoolStats().PeakLentBytes; float64(peak) > 1.25*float64(f.MeasuredBytes) {
			t.Errorf("step %d: %d bytes of step tensors at once, a pass of %d alone takes %d", i, peak, m, f.MeasuredBytes)
		}
	}
	if l, err := tr.LastLoss(); err != nil || !(l > 0) {
		t.Fatalf("loss %v, %v", l, err)
	}
	if used := e.Dev.AllocStats().ReservedBytes; used > 48<<20 {
		t.Errorf("%d bytes reserved past the 48 MiB limit", used)
	}
	// Sampling chunks on the same device: fewer than 1000 images fit, and
	// a chunk of the size chosen samples without running out of memory.
	n, err := PassSize(e, tr.EMA, SamplePass, 1000)
	if err != nil || n < 1 || n >= 1000 {
		t.Fatalf("sampling chunk of %d under a 48 MiB limit: %v", n, err)
	}
	t.Logf("sampling chunk %d", n)
	x, err := Sample(e, tr.EMA, run.Recipe, n, run.Recipe.OneStepSigmas(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Download(); err != nil {
		t.Fatalf("sampling %d images: %v", n, err)
	}
}

func TestMicroBatchRefused(t *testing.T) {
	e := openEngine(t)
	for _, c := range []struct {
		m    int
		want string
	}{{-1, "must not be negative"}, {7, "larger than the batch 6"}, {4, "does not divide the batch 6 (divisors: 1, 2, 3, 6)"}} {
		_, err := NewTrainer(e, microRun(c.m))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("micro-batch %d: %v, want %q", c.m, err, c.want)
		}
	}
}

// TestPassSizeSampling sizes sampling chunks: the chunk fits what is
// free, and a tighter limit gives a smaller one.
func TestPassSizeSampling(t *testing.T) {
	e := openEngine(t)
	tr, err := NewTrainer(e, microRun(6))
	if err != nil {
		t.Fatal(err)
	}
	n, err := PassSize(e, tr.EMA, SamplePass, 5)
	if err != nil || n != 5 {
		t.Fatalf("sampling chunk %d, %v; want all 5 on an uncapped device", n, err)
	}
	if _, err := PassSize(e, tr.EMA, TrainPass, 5); err == nil || !strings.Contains(err.Error(), "trainable") {
		t.Errorf("sizing a training pass of a frozen network: %v", err)
	}
}

// TestFitPassVerifiesItsPick gives fitPass a pass whose memory jumps past
// 8 samples, so the line through 1 and 2 samples promises too much: the
// picks it runs run out of memory, and it must settle on the largest
// divisor that really fits, leaving the engine usable.
func TestFitPassVerifiesItsPick(t *testing.T) {
	e := nntest.OpenLimited(t, 48<<20)
	const mib = 1 << 18 // floats
	var runs []int
	probe := func(n int) error {
		runs = append(runs, n)
		per := mib
		if n > 8 {
			per *= 3
		}
		for i := 0; i < n; i++ {
			e.Empty(per)
		}
		return e.Err()
	}
	resets := 0
	f, err := fitPass(e, CustomPass, probe, func() { resets++ }, 40, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("runs %v: %s", runs, f.Explain(40, f.Chosen))
	if f.Chosen != 10 || f.MeasuredBytes != 30<<20 {
		t.Errorf("chose %d (%d bytes measured), want 10 (30 MiB: 20 needs 60 MiB of 48)", f.Chosen, f.MeasuredBytes)
	}
	if got := fmt.Sprint(f.Runs); got != "[1: 1.0 MiB 2: 2.0 MiB 40: out of memory 20: out of memory 10: 30.0 MiB]" {
		t.Errorf("runs recorded: %s", got)
	}
	if resets != len(runs) {
		t.Errorf("%d resets after %d probes", resets, len(runs))
	}
	if err := e.Err(); err != nil {
		t.Errorf("the engine keeps an error after fitting: %v", err)
	}
	if _, err := e.Empty(4).Download(); err != nil {
		t.Errorf("the engine after fitting: %v", err)
	}
}
