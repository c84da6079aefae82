package loop

import (
	"fmt"
	"math"
	"time"
)

// Refit is a change of the run's total steps by the budget. The trainer
// takes the new total at once (ct.Trainer.SetTotalIters), so the
// curriculum's K and every checkpoint from then on hold it: a resumed
// run continues with the schedule the run had.
type Refit struct {
	Total          int
	Budget         time.Duration
	SecondsPerStep float64 // the wall time a step costs, observers' share included
	First          bool    // the fit after the first timed steps
}

// budget fits a run into a wall-clock deadline. It times steps from+2 to
// from+6 (the first ones build pipelines) for a first total, then re-fits
// the total after every step as the speed changes, so that a machine that
// slows down (another job starts) or speeds up still ends the run at the
// deadline, with its curriculum complete:
//
//   - a step's time is averaged over the last twentieth of the budget, so
//     a change of speed shows within seconds;
//   - observer work longer than two steps (grids, checkpoints, scores) is
//     spread over all the steps so far, since it comes every so many steps;
//   - the last step's work (every observer at once) is kept in reserve.
//
// The total only changes when it moves by a hundredth of the steps left,
// so the curriculum, which follows the total, is not redrawn every step.
type budget struct {
	limit    time.Duration
	deadline time.Time
	from     int       // the first step of this process
	timedAt  time.Time // the end of step from+budgetTimedFrom
	fitted   bool

	stepSecs      float64         // a step's own time, averaged
	lastStep      time.Duration   // the step just done, until its observers are timed
	overheadSecs  float64         // observer work past two steps, added up
	observedSteps int             // steps since the first fit
	longest       []time.Duration // each observer's longest call
}

// The first fit times steps from+budgetTimedFrom+1 .. from+budgetTimedTo.
const (
	budgetTimedFrom = 2
	budgetTimedTo   = 6
)

// Reserve for the last step's observers, as shares of the budget: at least
// the smaller (their work may not have been seen yet), at most the larger
// (a long pause of the window is not work to come).
const (
	budgetReserveMin = 0.02
	budgetReserveMax = 0.10
)

func newBudget(limit time.Duration, started time.Time, from, observers int) *budget {
	return &budget{limit: limit, deadline: started.Add(limit), from: from, longest: make([]time.Duration, observers)}
}

// stepped is called after each step with the step's own time (drawing the
// data and recording the step, waits for the device included) and returns
// a new total, or nil to keep total. sync waits for the device: the first
// fit times whole steps between two waits.
func (b *budget) stepped(step, total int, took time.Duration, now func() time.Time, sync func() error) (*Refit, error) {
	b.lastStep = took
	if !b.fitted {
		switch step - b.from {
		case budgetTimedFrom:
			if err := sync(); err != nil {
				return nil, err
			}
			b.timedAt = now()
		case budgetTimedTo:
			if err := sync(); err != nil {
				return nil, err
			}
			b.stepSecs = now().Sub(b.timedAt).Seconds() / (budgetTimedTo - budgetTimedFrom)
			b.fitted = true
			fit := b.fit(step, now())
			if fit <= step {
				return nil, fmt.Errorf("--budget %v leaves no time for training: a step takes %.2fs", b.limit, b.stepSecs)
			}
			return &Refit{Total: fit, Budget: b.limit, SecondsPerStep: b.secondsPerStep(), First: true}, nil
		}
		return nil, nil
	}
	fit := b.fit(step, now())
	moved := fit - total
	if moved < 0 {
		moved = -moved
	}
	if moved == 0 || moved < (total-step)/100 {
		return nil, nil
	}
	return &Refit{Total: fit, Budget: b.limit, SecondsPerStep: b.secondsPerStep()}, nil
}

// observed is called after the observers of a step with the time each
// took.
func (b *budget) observed(took []time.Duration) {
	if !b.fitted {
		return
	}
	var all time.Duration
	for i, d := range took {
		all += d
		b.longest[i] = max(b.longest[i], d)
	}
	// A round of up to two steps' time belongs to the step (the progress
	// bar waiting for the device, say); a longer one is occasional work.
	x := b.lastStep.Seconds()
	if all.Seconds() <= 2*b.stepSecs {
		x += all.Seconds()
	} else {
		b.overheadSecs += all.Seconds()
	}
	b.observedSteps++
	w := math.Min(1, x/(b.limit.Seconds()/20))
	b.stepSecs += w * (x - b.stepSecs)
}

// secondsPerStep is what a step costs, observers' occasional work spread
// over the steps.
func (b *budget) secondsPerStep() float64 {
	if b.observedSteps == 0 {
		return b.stepSecs
	}
	return b.stepSecs + b.overheadSecs/float64(b.observedSteps)
}

// fit is the total that ends the run at the deadline, from step at now.
func (b *budget) fit(step int, now time.Time) int {
	var last time.Duration
	for _, d := range b.longest {
		last += d
	}
	limit := b.limit.Seconds()
	reserve := math.Min(math.Max(last.Seconds(), budgetReserveMin*limit), budgetReserveMax*limit)
	left := b.deadline.Sub(now).Seconds() - reserve
	if left <= 0 {
		return step
	}
	return step + int(left/math.Max(b.secondsPerStep(), 1e-6))
}
