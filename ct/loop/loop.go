// Package loop runs training steps and tells observers about each one.
//
// The run folder's files (metrics, sample grids, checkpoints), the
// progress bar and the live window are observers: the loop knows none of
// them, only the trainer, the data, the clock and, with a budget, the
// deadline. Everything an observer needs of a step is in its State,
// including the loss and the images per second, which the loop measures
// in one place (State.Measure).
package loop

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
)

// Source gives each step's images; a *data.Batcher is one.
type Source interface {
	Next(dst []float32) (data.Batch, error)
}

// Observer is told about a run: Start once before the first step, Step
// after each step, End once when the run ends for any reason. An error
// from Start or Step ends the run (End is still called).
type Observer interface {
	Start(s *State) error
	Step(s *State) error
	// End gets why the run ended: nil when it completed, an *Interrupted,
	// a *NonFinite or any other error. An error End returns replaces a
	// nil or *Interrupted reason (a checkpoint that failed to save matters
	// more than the interrupt) and joins any other.
	End(s *State, reason error) error
}

// Loop trains until the run's total is reached, Stop delivers a signal,
// or something fails.
type Loop struct {
	Trainer *ct.Trainer
	// Replicas, when set, trains each batch instead of Trainer: the
	// data-parallel replicas of this process (a *dist.Group), Trainer
	// their first, which the observers see.
	Replicas  Stepper
	Data      Source
	Observers []Observer // called in this order
	// Stop ends the run after the step in progress with an *Interrupted:
	// a signal, or the window's q key.
	Stop <-chan os.Signal
	// AgreeStop makes what Stop delivers a vote for the replicas of other
	// processes (MPI ranks): the run stops after the first step in which
	// any replica got one, on every replica after that same step
	// (ct.Trainer.RequestStop). The replicas that did not get the signal
	// report StoppedElsewhere.
	AgreeStop bool
	// Budget, when positive, fits the run into this much wall time from
	// Started: it sets and keeps re-fitting the trainer's total (see
	// budget.go).
	Budget time.Duration
	// Started is when the command started: the budget and
	// Measurement.Seconds count from it. Zero: when Run is called.
	Started time.Time
	// Now is the clock; nil is time.Now. Tests inject one.
	Now func() time.Time
}

// Stepper trains a step on a batch and changes the run's length; a
// *ct.Trainer is one.
type Stepper interface {
	TrainStep(batch []float32) error
	SetTotalIters(k int) error
}

// Interrupted is why a run that Stop ended did not finish.
type Interrupted struct {
	Signal      os.Signal
	Step, Total int
}

func (e *Interrupted) Error() string {
	return fmt.Sprintf("interrupted by %v after step %d of %d", e.Signal, e.Step, e.Total)
}

// StoppedElsewhere is the Signal of an Interrupted run that a signal to
// another replica's process stopped (Loop.AgreeStop).
var StoppedElsewhere os.Signal = elsewhere{}

type elsewhere struct{}

func (elsewhere) String() string { return "a stop on another rank" }
func (elsewhere) Signal()        {}

// NonFinite stops a run whose loss was NaN or infinite at some step from
// From to To: that step's update spread it to every weight, so the
// weights must not reach a checkpoint.
type NonFinite struct{ From, To int }

func (e *NonFinite) Error() string {
	if e.From == e.To {
		return fmt.Sprintf("the loss of step %d was NaN or infinite", e.From)
	}
	return fmt.Sprintf("the loss of a step from %d to %d was NaN or infinite", e.From, e.To)
}

// Run trains from the trainer's step to its total (which a budget may
// change), calling the observers, and returns why it stopped: nil when
// the total was reached.
func (l *Loop) Run() error {
	now := l.Now
	if now == nil {
		now = time.Now
	}
	started := l.Started
	if started.IsZero() {
		started = now()
	}
	tr := l.Trainer
	m := &meter{now: now, started: started, training: now()}
	s := &State{Trainer: tr, Step: tr.Step, Total: tr.Run.Recipe.TotalIters, meter: m}
	var err error
	begun := 0
	m.observing(true)
	for _, o := range l.Observers {
		if err = o.Start(s); err != nil {
			break
		}
		begun++
	}
	m.observed()
	if err == nil {
		var b *budget
		if l.Budget > 0 {
			b = newBudget(l.Budget, started, tr.Step, len(l.Observers))
		}
		err = l.steps(s, b)
	}
	for _, o := range l.Observers[:begun] {
		if e := o.End(s, err); e != nil {
			var in *Interrupted
			if err == nil || errors.As(err, &in) {
				err = e
			} else {
				err = errors.Join(err, e)
			}
		}
	}
	return err
}

// steps is the loop proper.
func (l *Loop) steps(s *State, b *budget) error {
	tr, m := l.Trainer, s.meter
	var stepper Stepper = tr
	if l.Replicas != nil {
		stepper = l.Replicas
	}
	c := tr.Run.Net
	batch := make([]float32, tr.Run.Recipe.BatchSize*c.ImageChannels*c.ImageSize*c.ImageSize)
	took := make([]time.Duration, len(l.Observers))
	var voted os.Signal // this replica's signal, under AgreeStop
	for tr.Step < s.Total {
		if l.AgreeStop && tr.StopAgreed() {
			if voted == nil {
				voted = StoppedElsewhere
			}
			return &Interrupted{Signal: voted, Step: tr.Step, Total: s.Total}
		}
		select {
		case sig := <-l.Stop:
			if !l.AgreeStop {
				return &Interrupted{Signal: sig, Step: tr.Step, Total: s.Total}
			}
			if voted == nil {
				voted = sig
				tr.RequestStop() // voted with this step's sums
			}
		default:
		}
		t0 := m.now()
		if _, err := l.Data.Next(batch); err != nil {
			return err
		}
		if err := stepper.TrainStep(batch); err != nil {
			return fmt.Errorf("step %d: %w", tr.Step, err)
		}
		m.images += tr.Run.Recipe.BatchSize
		s.Step, s.Refit, s.Scores = tr.Step, nil, nil
		if b != nil {
			sync := func() error { _, err := s.Measure(); return err }
			refit, err := b.stepped(s.Step, s.Total, m.now().Sub(t0), m.now, sync)
			if err != nil {
				return err
			}
			if refit != nil {
				if err := stepper.SetTotalIters(refit.Total); err != nil {
					return err
				}
				s.Total, s.Refit = refit.Total, refit
			}
		}
		s.Last = tr.Step >= s.Total
		m.observing(false)
		for i, o := range l.Observers {
			t := m.now()
			err := o.Step(s)
			took[i] = m.now().Sub(t)
			if err != nil {
				return err
			}
		}
		m.observed()
		if b != nil {
			b.observed(took)
		}
	}
	return nil
}
