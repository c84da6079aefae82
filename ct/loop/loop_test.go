package loop

import (
	"errors"
	"math"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/nn/nntest"
	"github.com/ictvk/ictvk/nn/unet"
)

// tinyTrainer is a trainer of a network small enough for a step in tens
// of milliseconds on lavapipe.
func tinyTrainer(t *testing.T, total int) *ct.Trainer {
	t.Helper()
	r := ct.DefaultRecipe()
	r.BatchSize, r.TotalIters, r.LearningRate = 2, total, 1e-3
	run := ct.Run{Recipe: r, Seed: 7, MicroBatch: 2, Net: unet.Config{ImageChannels: 1, ImageSize: 8, BaseChannels: 4,
		ChannelMults: []int{1, 2}, BlocksPerLevel: 1, AttentionHeads: 1, Groups: 2,
		Embedding: unet.Fourier, FourierScale: ct.ICTFourierScale}}
	tr, err := ct.NewTrainer(nntest.Open(t, false), run)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// fakeClock is a clock that only the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// fakeData gives images of a fixed pattern; drawing step k's takes
// cost(k) on the clock, standing for the step's time.
type fakeData struct {
	clock *fakeClock
	cost  func(k int) time.Duration
	k     int
}

func (d *fakeData) Next(dst []float32) (data.Batch, error) {
	for i := range dst {
		dst[i] = float32(math.Sin(float64(i+d.k))) * 0.9
	}
	if d.clock != nil {
		d.clock.advance(d.cost(d.k))
	}
	d.k++
	return data.Batch{}, nil
}

// recorder is an observer that writes down what it sees and, at the steps
// work names, measures and then works that long on the clock.
type recorder struct {
	clock   *fakeClock
	work    func(s *State) time.Duration
	starts  int
	steps   []int
	last    []bool
	ends    []error
	measure []Measurement
	fail    error // returned from Step at failAt
	failAt  int
}

func (r *recorder) Start(s *State) error { r.starts++; return nil }

func (r *recorder) Step(s *State) error {
	r.steps, r.last = append(r.steps, s.Step), append(r.last, s.Last)
	if r.fail != nil && s.Step == r.failAt {
		return r.fail
	}
	if r.work != nil {
		if d := r.work(s); d > 0 {
			m, err := s.Measure()
			if err != nil {
				return err
			}
			r.measure = append(r.measure, m)
			r.clock.advance(d)
		}
	}
	return nil
}

func (r *recorder) End(s *State, reason error) error { r.ends = append(r.ends, reason); return nil }

// TestObserversSeeEveryStep: every observer gets Start once, each step in
// order with Last at the total only, and End once with a nil reason; the
// trainer ends at its total.
func TestObserversSeeEveryStep(t *testing.T) {
	tr := tinyTrainer(t, 4)
	a, b := &recorder{}, &recorder{}
	l := Loop{Trainer: tr, Data: &fakeData{}, Observers: []Observer{a, b}}
	if err := l.Run(); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*recorder{a, b} {
		if r.starts != 1 || len(r.ends) != 1 || r.ends[0] != nil {
			t.Errorf("starts %d, ends %v: want one each, reason nil", r.starts, r.ends)
		}
		if len(r.steps) != 4 || r.steps[0] != 1 || r.steps[3] != 4 || r.last[2] || !r.last[3] {
			t.Errorf("steps %v, last %v", r.steps, r.last)
		}
	}
	if tr.Step != 4 {
		t.Errorf("trainer at step %d, want 4", tr.Step)
	}
}

// TestStopAndFailure: a signal on Stop ends the run after the step in
// progress with an *Interrupted that End sees; an observer's error ends it
// at once, and End sees that.
func TestStopAndFailure(t *testing.T) {
	tr := tinyTrainer(t, 10)
	stop := make(chan os.Signal, 1)
	r := &recorder{}
	stopAt2 := observerFunc(func(s *State) error {
		if s.Step == 2 {
			stop <- syscall.SIGTERM
		}
		return nil
	})
	l := Loop{Trainer: tr, Data: &fakeData{}, Observers: []Observer{stopAt2, r}, Stop: stop}
	err := l.Run()
	var in *Interrupted
	if !errors.As(err, &in) || in.Step != 2 || in.Total != 10 || in.Signal != syscall.SIGTERM {
		t.Fatalf("got %v, want an interrupt after step 2 of 10", err)
	}
	if len(r.ends) != 1 || !errors.As(r.ends[0], &in) {
		t.Errorf("End saw %v", r.ends)
	}

	boom := errors.New("boom")
	f := &recorder{fail: boom, failAt: 3}
	r = &recorder{}
	l = Loop{Trainer: tinyTrainer(t, 10), Data: &fakeData{}, Observers: []Observer{f, r}}
	if err := l.Run(); err != boom {
		t.Fatalf("got %v, want the observer's error", err)
	}
	if len(r.steps) != 2 || len(r.ends) != 1 || r.ends[0] != boom {
		t.Errorf("the observer after the failing one saw steps %v and ends %v", r.steps, r.ends)
	}
}

// TestAgreedStop: under AgreeStop a signal is a vote that travels with
// the next step, after which the run stops (every replica at that step);
// alone, the vote is its own.
func TestAgreedStop(t *testing.T) {
	stop := make(chan os.Signal, 1)
	stopAt2 := observerFunc(func(s *State) error {
		if s.Step == 2 {
			stop <- syscall.SIGINT
		}
		return nil
	})
	l := Loop{Trainer: tinyTrainer(t, 10), Data: &fakeData{}, Observers: []Observer{stopAt2}, Stop: stop, AgreeStop: true}
	var in *Interrupted
	if err := l.Run(); !errors.As(err, &in) || in.Step != 3 || in.Signal != syscall.SIGINT {
		t.Fatalf("got %v, want an interrupt by SIGINT after step 3, the step that carried the vote", err)
	}
}

// observerFunc is an observer of steps only.
type observerFunc func(s *State) error

func (f observerFunc) Start(*State) error      { return nil }
func (f observerFunc) Step(s *State) error     { return f(s) }
func (f observerFunc) End(*State, error) error { return nil }

// TestMeasurementLeavesObserversOut: images/s count the steps' time, not
// the time observers work after measuring (sampling, saving, a paused
// window).
func TestMeasurementLeavesObserversOut(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	tr := tinyTrainer(t, 6)
	// Steps take 0.5 s; at steps 2, 4 and 6 an observer works 10 s.
	r := &recorder{clock: clock, work: func(s *State) time.Duration {
		if s.Step%2 == 0 {
			return 10 * time.Second
		}
		return 0
	}}
	l := Loop{Trainer: tr, Data: &fakeData{clock: clock, cost: func(int) time.Duration { return time.Second / 2 }},
		Observers: []Observer{r}, Now: clock.now}
	if err := l.Run(); err != nil {
		t.Fatal(err)
	}
	if len(r.measure) != 3 {
		t.Fatalf("%d measurements", len(r.measure))
	}
	for i, m := range r.measure {
		step := 2 * (i + 1)
		if m.Step != step || m.Images != 2*step || m.TrainSeconds != 0.5*float64(step) || !(m.Loss > 0) {
			t.Errorf("measurement %d: %+v; want step %d, %d images in %.1f s and a loss", i, m, step, 2*step, 0.5*float64(step))
		}
		if i > 0 {
			if ips := m.ImagesPerSec(r.measure[i-1]); ips != 4 {
				t.Errorf("images/s from step %d to %d: %v, want 4", step-2, step, ips)
			}
		}
		if want := 0.5*float64(step) + 10*float64(i); m.Seconds != want {
			t.Errorf("wall seconds at step %d: %v, want %v", step, m.Seconds, want)
		}
	}
}

// TestBudgetRefitsAsStepsSlowDown runs the loop under a 60 s budget on a
// made-up clock: steps take 0.4 s, then 0.6 s from step 40, and grids
// every 25 steps and at the last take 2 s. The run ends within 3% of the budget with its
// curriculum complete, and the trainer (so every checkpoint) holds the
// total it ended at.
func TestBudgetRefitsAsStepsSlowDown(t *testing.T) {
	if testing.Short() {
		t.Skip("about 130 training steps")
	}
	clock := &fakeClock{t: time.Unix(1000, 0)}
	start := clock.t
	clock.advance(2 * time.Second) // loading data, building networks
	tr := tinyTrainer(t, 1000)
	cost := func(k int) time.Duration {
		if k < 40 {
			return 400 * time.Millisecond
		}
		return 600 * time.Millisecond
	}
	grids := &recorder{clock: clock, work: func(s *State) time.Duration {
		if s.Step%25 == 0 || s.Last {
			return 2 * time.Second
		}
		return 0
	}}
	var refits []Refit
	watch := observerFunc(func(s *State) error {
		if s.Refit != nil {
			refits = append(refits, *s.Refit)
			if s.Total != s.Refit.Total || tr.Run.Recipe.TotalIters != s.Total {
				t.Errorf("step %d: state total %d, trainer %d, refit %d", s.Step, s.Total, tr.Run.Recipe.TotalIters, s.Refit.Total)
			}
		}
		return nil
	})
	const budget = time.Minute
	l := Loop{Trainer: tr, Data: &fakeData{clock: clock, cost: cost}, Observers: []Observer{grids, watch},
		Budget: budget, Started: start, Now: clock.now}
	if err := l.Run(); err != nil {
		t.Fatal(err)
	}
	took := clock.t.Sub(start)
	t.Logf("%d steps in %v; %d fits, first %+v", tr.Step, took, len(refits), refits[0])
	if took > budget+budget/100 || took < budget-3*budget/100 {
		t.Errorf("the run took %v of a %v budget", took, budget)
	}
	if len(refits) < 2 || !refits[0].First || refits[0].Total <= refits[len(refits)-1].Total {
		t.Errorf("fits %+v: want a first fit and fewer steps once they slow down", refits)
	}
	if tr.Step != tr.Run.Recipe.TotalIters {
		t.Errorf("the trainer ended at step %d of %d", tr.Step, tr.Run.Recipe.TotalIters)
	}
	if n, s1 := tr.GridSize(), tr.Run.Recipe.S1; n != s1+1 {
		t.Errorf("the curriculum ended at N = %d, want s1 + 1 = %d", n, s1+1)
	}
}
