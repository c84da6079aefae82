package loop

import (
	"math"
	"time"

	"github.com/ictvk/ictvk/ct"
)

// State is the run after a step, as observers see it. It is the loop's:
// read it during the call, do not keep it.
type State struct {
	// Trainer holds the networks after the step: for sampling, saving.
	Trainer *ct.Trainer
	Step    int  // completed steps
	Total   int  // the run's length now (a budget may change it)
	Last    bool // this step ends the run
	// Refit is set on the steps where the budget changed Total.
	Refit *Refit
	// Scores are set by an observer that scored samples at this step,
	// for the observers after it (metrics, progress).
	Scores *Scores

	meter *meter
}

// Scores are sample scores of the EMA network at a step.
type Scores struct {
	FID         float64 `json:"fid"`
	FIDBaseline float64 `json:"fid_baseline"`
	Coverage    float64 `json:"coverage"`
	Confidence  float64 `json:"confidence"`
	EvalSamples int     `json:"eval_n"`
	EvalSeconds float64 `json:"eval_seconds"`
}

// Measurement is the run at a moment the loop waited for the device.
type Measurement struct {
	Step int
	Loss float64 // of that step; NaN before the first step of this process
	// LossEMA is Trainer.LossEMA, the moving average of every step's
	// loss; NaN before the first step.
	LossEMA float64
	// Images trained by this process so far, and the wall seconds it
	// spent training them: the observers' own work (sampling, saving,
	// waiting on a paused window) is left out from the moment one of them
	// measured, since the device was idle from then on.
	Images       int
	TrainSeconds float64
	// Seconds is the wall time since the command started.
	Seconds float64
}

// ImagesPerSec is the training speed from an earlier measurement to m;
// 0 when no step ran between them. The zero Measurement is the start of
// this process, a first mark for an observer.
func (m Measurement) ImagesPerSec(since Measurement) float64 {
	dt := m.TrainSeconds - since.TrainSeconds
	if m.Images <= since.Images || dt <= 0 {
		return 0
	}
	return float64(m.Images-since.Images) / dt
}

// Measure waits for the device, checks that the loss of every step since
// the last check was finite (a *NonFinite error if not), and reads the
// step's loss back. An observer that does work of its own (sampling,
// saving) measures first, so that its time is not counted as training.
// Later calls at the same step return the same measurement.
func (s *State) Measure() (Measurement, error) {
	m := s.meter
	if m.last == nil || m.last.Step != s.Step {
		from, finite, err := s.Trainer.CheckLosses()
		if err != nil {
			return Measurement{}, err
		}
		if !finite {
			return Measurement{}, &NonFinite{From: from, To: s.Step}
		}
		loss, lossEMA := math.NaN(), math.NaN()
		if m.images > 0 {
			if loss, err = s.Trainer.LastLoss(); err != nil {
				return Measurement{}, err
			}
			if lossEMA, err = s.Trainer.LossEMA(); err != nil {
				return Measurement{}, err
			}
		}
		now := m.now()
		m.last = &Measurement{Step: s.Step, Loss: loss, LossEMA: lossEMA, Images: m.images,
			TrainSeconds: (now.Sub(m.training) - m.notTraining).Seconds(), Seconds: now.Sub(m.started).Seconds()}
	}
	if m.inObservers && m.syncedAt.IsZero() {
		m.syncedAt = m.now()
	}
	return *m.last, nil
}

// Now reads the loop's clock.
func (s *State) Now() time.Time { return s.meter.now() }

// meter keeps the training time that measurements report.
type meter struct {
	now      func() time.Time
	started  time.Time // the command's start
	training time.Time // the loop's start
	images   int       // trained by this process
	// notTraining adds up the observers' time after a measurement.
	notTraining time.Duration
	inObservers bool
	syncedAt    time.Time // this round's first measurement (zero: none)
	last        *Measurement
}

// observing starts a round of observer calls; idle says the device has
// nothing queued (before the first step), so the whole round is theirs.
func (m *meter) observing(idle bool) {
	m.inObservers, m.syncedAt = true, time.Time{}
	if idle {
		m.syncedAt = m.now()
	}
}

// observed ends the round: from its first measurement on, the time was
// the observers'.
func (m *meter) observed() {
	if !m.syncedAt.IsZero() {
		m.notTraining += m.now().Sub(m.syncedAt)
	}
	m.inObservers = false
}
