package dist

import (
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/nntest"
	"github.com/ictvk/ictvk/nn/unet"
)

// run16 is a small run at global batch 16 with dropout, so that the
// noise, the masks and the noise indices of each sample all matter.
func run16() ct.Run {
	r := ct.DefaultRecipe()
	r.BatchSize, r.TotalIters, r.LearningRate = 16, 20, 1e-3
	return ct.Run{Recipe: r, Seed: 42, Net: unet.Config{ImageChannels: 1, ImageSize: 8, BaseChannels: 4,
		ChannelMults: []int{1, 2}, BlocksPerLevel: 1, AttentionHeads: 1, Dropout: 0.3, Groups: 2,
		Embedding: unet.Fourier, FourierScale: ct.ICTFourierScale}}
}

func uniform(seed uint64, n int, scale float32) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0))
	v := make([]float32, n)
	for i := range v {
		v[i] = scale * float32(2*rng.Float64()-1)
	}
	return v
}

// randomize gives the student random weights (the same on every
// replica): at initialization the blocks' last convolutions are zero and
// the dropout masks would not change the output.
func randomize(tr *ct.Trainer) {
	for i, p := range tr.Student.Params() {
		p.Tensor.Upload(uniform(uint64(100+i), p.Tensor.Len(), 0.3))
	}
}

// trace is what the comparison looks at: each step's loss, and the
// student's and the EMA's weights at the end.
type trace struct {
	losses  []float64
	weights [][]float32
}

func step(t *testing.T, s interface{ TrainStep([]float32) error }, tr *ct.Trainer, k int, tc *trace) {
	t.Helper()
	if err := s.TrainStep(uniform(uint64(1000+k), 16*64, 0.9)); err != nil {
		t.Fatalf("step %d: %v", k, err)
	}
	l, err := tr.LastLoss()
	if err != nil {
		t.Fatal(err)
	}
	tc.losses = append(tc.losses, l)
}

func weights(t *testing.T, tr *ct.Trainer) [][]float32 {
	t.Helper()
	var out [][]float32
	for _, p := range append(tr.Student.Tensors(), tr.EMA.Tensors()...) {
		w, err := p.Download()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, w)
	}
	return out
}

// compare fails t where got and want differ by more than tol: losses
// relative to the loss, weights relative to the largest |weight| of their
// tensor (a weight near 0 moved by the optimizer has no relative scale of
// its own).
func compare(t *testing.T, what string, got, want trace, tol float64) {
	t.Helper()
	for i := range want.losses {
		if d := math.Abs(got.losses[i] - want.losses[i]); !(d <= tol*math.Abs(want.losses[i])) {
			t.Errorf("%s, step %d: loss %v, one device %v", what, i+1, got.losses[i], want.losses[i])
		}
	}
	worst := 0.0
	for j := range want.weights {
		scale := 0.0
		for _, w := range want.weights[j] {
			scale = math.Max(scale, math.Abs(float64(w)))
		}
		for i, w := range want.weights[j] {
			d := math.Abs(float64(got.weights[j][i]) - float64(w))
			if !(d <= tol*scale) {
				t.Errorf("%s: tensor %d at %d: %v, one device %v", what, j, i, got.weights[j][i], w)
				break
			}
			worst = math.Max(worst, d/scale)
		}
	}
	t.Logf("%s: losses %v; largest weight deviation %.2g of its tensor's scale", what, got.losses, worst)
}

// TestTwoDevicesEqualOneDevice: two replicas (lavapipe opened twice) at
// global batch 16 take the steps one device takes at 16, within float32
// summation order, also when they stop after 3 steps and resume from the
// checkpoint replica 0 wrote.
func TestTwoDevicesEqualOneDevice(t *testing.T) {
	const tol = 1e-5
	run := run16()

	ref, err := ct.NewTrainer(nntest.Open(t, false), run)
	if err != nil {
		t.Fatal(err)
	}
	randomize(ref)
	var want trace
	for k := range 5 {
		step(t, ref, ref, k, &want)
	}
	want.weights = weights(t, ref)

	engines := []*nn.Engine{nntest.Open(t, false), nntest.Open(t, false)}
	newGroup := func() *Group {
		g, err := NewGroup(engines, run)
		if err != nil {
			t.Fatal(err)
		}
		if m := g.Trainers[1].MicroBatch(); m > 8 {
			t.Fatalf("replica 1 trains %d samples a pass of its 8", m)
		}
		return g
	}
	g := newGroup()
	for _, tr := range g.Trainers {
		randomize(tr)
	}
	var got trace
	for k := range 3 {
		step(t, g, g.Trainers[0], k, &got)
	}
	ckpt := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if err := g.Trainers[0].Save(ckpt, nil); err != nil {
		t.Fatal(err)
	}
	// All of the interrupted run must go: the resumed one starts afresh.
	for _, tr := range g.Trainers {
		tr.Student.Free()
		tr.EMA.Free()
	}
	g = newGroup()
	if _, err := g.Trainers[0].Load(ckpt); err != nil {
		t.Fatal(err)
	}
	if err := g.Load(ckpt); err != nil {
		t.Fatal(err)
	}
	for k := 3; k < 5; k++ {
		step(t, g, g.Trainers[0], k, &got)
	}
	for r, tr := range g.Trainers {
		got.weights = weights(t, tr)
		l, err := tr.LastLoss()
		if err != nil {
			t.Fatal(err)
		}
		if r > 0 && l != got.losses[4] {
			t.Errorf("replica %d's last loss %v, replica 0's %v", r, l, got.losses[4])
		}
		compare(t, "replica "+string(rune('0'+r)), got, want, tol)
	}
}

// TestGroupRefusesABatchThatDoesNotDivide: 16 samples do not split over 3.
func TestGroupRefusesABatchThatDoesNotDivide(t *testing.T) {
	_, err := NewGroup(make([]*nn.Engine, 3), run16())
	if err == nil || !strings.Contains(err.Error(), "batch 16 does not divide among 3") {
		t.Fatalf("got %v, want an error naming the batch and the devices", err)
	}
}

// TestLocalComm: sums in rank order, broadcasts, and an abort releases
// the ranks waiting in a collective.
func TestLocalComm(t *testing.T) {
	cs := Local(3)
	bufs := [][]float32{{1, 2}, {10, 20}, {100, 200}}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = c.AllReduceSum(bufs[i]); errs[i] != nil {
				return
			}
			b := []float32{float32(i)}
			if errs[i] = c.Broadcast(b, 2); errs[i] == nil && b[0] != 2 {
				errs[i] = errors.New("broadcast did not copy rank 2's value")
			}
			if errs[i] == nil {
				errs[i] = c.Barrier()
			}
		}()
	}
	wg.Wait()
	for i := range cs {
		if errs[i] != nil {
			t.Fatalf("rank %d: %v", i, errs[i])
		}
		if bufs[i][0] != 111 || bufs[i][1] != 222 {
			t.Errorf("rank %d: sum %v, want [111 222]", i, bufs[i])
		}
	}

	// Rank 2 fails before its all-reduce: ranks 0 and 1 must not wait
	// for it.
	cs = Local(3)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = cs[i].AllReduceSum([]float32{1})
		}()
	}
	cs[2].Abort(errors.New("out of device memory"))
	wg.Wait()
	for i := range 2 {
		if !errors.Is(errs[i], ErrAborted) || !strings.Contains(errs[i].Error(), "replica 2: out of device memory") {
			t.Errorf("rank %d: %v, want the abort naming replica 2's error", i, errs[i])
		}
	}
}

// TestBucketsEqualOneBucket: summing the gradients in a bucket per
// gradient, started while the backward pass is recorded, gives the bits
// of one bucket summed after it (the sum of each value is the same
// addition), over steps of two micro-batches per replica, whose first
// pass only accumulates.
func TestBucketsEqualOneBucket(t *testing.T) {
	engines := []*nn.Engine{nntest.Open(t, false), nntest.Open(t, false)}
	runWith := func(bucketBytes int) (trace, ct.ReduceStats) {
		run := run16()
		run.MicroBatch, run.BucketBytes = 4, bucketBytes
		g, err := NewGroup(engines, run)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range g.Trainers {
			randomize(tr)
		}
		var tc trace
		for k := range 3 {
			step(t, g, g.Trainers[0], k, &tc)
		}
		tc.weights = weights(t, g.Trainers[1])
		st := g.Trainers[0].ReduceStats()
		for _, tr := range g.Trainers {
			tr.Student.Free()
			tr.EMA.Free()
		}
		return tc, st
	}
	one, oneStats := runWith(1 << 30)
	many, manyStats := runWith(1)
	t.Logf("one bucket: %+v; a bucket per gradient: %+v", oneStats, manyStats)
	if oneStats.Buckets != 3 || manyStats.Buckets < 3*10 {
		t.Fatalf("%d and %d buckets in 3 steps, want 3 and a bucket per gradient", oneStats.Buckets, manyStats.Buckets)
	}
	for i := range one.losses {
		if many.losses[i] != one.losses[i] {
			t.Errorf("step %d: loss %v in buckets, %v in one", i+1, many.losses[i], one.losses[i])
		}
	}
	for j := range one.weights {
		for i, w := range one.weights[j] {
			if many.weights[j][i] != w {
				t.Errorf("tensor %d at %d: %v in buckets, %v in one", j, i, many.weights[j][i], w)
				break
			}
		}
	}
}

// TestBucketsOverlapTheBackward: with small buckets, sums start while
// the backward pass is still being recorded.
func TestBucketsOverlapTheBackward(t *testing.T) {
	run := run16()
	run.BucketBytes = 1 << 10
	g, err := NewGroup([]*nn.Engine{nntest.Open(t, false), nntest.Open(t, false)}, run)
	if err != nil {
		t.Fatal(err)
	}
	var tc trace
	for k := range 3 {
		step(t, g, g.Trainers[0], k, &tc)
	}
	st := g.Trainers[0].ReduceStats()
	t.Logf("%+v", st)
	if st.Steps != 3 || st.Buckets <= 3 {
		t.Fatalf("%d buckets in %d steps, want several a step", st.Buckets, st.Steps)
	}
	if st.Recording == 0 || st.Overlapped < st.Recording {
		t.Errorf("of %d buckets, %d began their all-reduce before the device had done the step's backward, %d before it was recorded: want some", st.Buckets, st.Overlapped, st.Recording)
	}
	if st.Comm <= 0 {
		t.Errorf("the all-reduces took %v", st.Comm)
	}
}

// TestStopVoteReachesEveryReplica: a stop that one replica asks for
// travels with the step's sums, so that every replica stops after that
// step (an MPI rank that got a signal the others did not).
func TestStopVoteReachesEveryReplica(t *testing.T) {
	g, err := NewGroup([]*nn.Engine{nntest.Open(t, false), nntest.Open(t, false)}, run16())
	if err != nil {
		t.Fatal(err)
	}
	var tc trace
	for k, asks := range []int{-1, 1, -1, 0} {
		if asks >= 0 {
			g.Trainers[asks].RequestStop()
		}
		step(t, g, g.Trainers[0], k, &tc)
		for r, tr := range g.Trainers {
			if got := tr.StopAgreed(); got != (asks >= 0) {
				t.Errorf("step %d: replica %d agrees to stop: %v, want %v (replica %d asked)", k+1, r, got, asks >= 0, asks)
			}
		}
	}
}
