package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ictvk/ictvk/ct/loop"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports a run: a live bar on a terminal, plain lines at each
// metrics step otherwise (batch jobs, logs), nothing but errors when quiet.
type progress struct {
	w     io.Writer
	quiet bool
	bar   *progressbar.ProgressBar // nil unless w is a terminal
	// lastDescribe limits the bar's loss updates: each reads the loss
	// back, which waits for the device.
	lastDescribe time.Time
}

// describeEvery is how often the bar reads the loss back.
const describeEvery = time.Second

// newProgress starts a report of total units (steps, images), done of
// them already.
func newProgress(w io.Writer, quiet bool, unit string, done, total int) *progress {
	p := &progress{w: w, quiet: quiet}
	if f, ok := w.(*os.File); ok && !quiet && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetRenderBlankState(true),
			progressbar.OptionSetDescription(unit),
		)
		_ = p.bar.Set(done)
	}
	return p
}

// live says whether a bar is shown (and wants WantsDescribe's updates).
func (p *progress) live() bool { return p.bar != nil }

// logf prints a line above the bar (or as a plain line).
func (p *progress) logf(format string, args ...any) {
	if p.quiet {
		return
	}
	if p.bar != nil {
		_ = p.bar.Clear()
	}
	fmt.Fprintf(p.w, format+"\n", args...)
}

// setTotal changes the length of the run (--budget).
func (p *progress) setTotal(total int) {
	if p.bar != nil {
		p.bar.ChangeMax(total)
	}
}

// step moves the bar to the completed step.
func (p *progress) step(step int) {
	if p.bar != nil {
		_ = p.bar.Set(step)
	}
}

// wantsDescribe says whether the bar's text is due for an update.
func (p *progress) wantsDescribe() bool {
	return p.bar != nil && time.Since(p.lastDescribe) >= describeEvery
}

// describeText shows text beside the bar.
func (p *progress) describeText(text string) {
	if p.bar != nil {
		p.bar.Describe(text)
	}
}

// describe shows the latest figures beside the bar.
func (p *progress) describe(n int, loss, imagesPerSec float64) {
	if p.bar == nil {
		return
	}
	p.lastDescribe = time.Now()
	p.bar.Describe(fmt.Sprintf("N %d  loss %.4f  %.1f img/s", n, loss, imagesPerSec))
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}

// clear takes the bar off its line before a run stops short, so that the
// reason is printed on a clean line.
func (p *progress) clear() {
	if p.bar != nil {
		_ = p.bar.Clear()
	}
}

// trainProgress is the observer that shows a training run: a bar with the
// loss and images/s read back every describeEvery, or a plain line every
// logEvery steps (and at the last and scored steps) where there is no
// terminal; the sample scores when there are some; the budget's fits.
type trainProgress struct {
	w        io.Writer
	quiet    bool
	logEvery int
	p        *progress
	mark     loop.Measurement // of the last line: its figures are since then
	told     int              // the budget's total last reported
}

// Start shows the bar at the run's step.
func (t *trainProgress) Start(s *loop.State) error {
	t.p = newProgress(t.w, t.quiet, "step", s.Step, s.Total)
	var err error
	t.mark, err = s.Measure()
	return err
}

// Step moves the bar, and shows the figures when due.
func (t *trainProgress) Step(s *loop.State) error {
	p := t.p
	p.step(s.Step)
	if r := s.Refit; r != nil {
		p.setTotal(r.Total)
		// Re-fits are reported when they move the end by a twentieth.
		if r.First || 20*abs(r.Total-t.told) >= t.told {
			now := ""
			if !r.First {
				now = "now "
			}
			p.logf("budget %v: %s%.2fs per step -> %d steps", r.Budget, now, r.SecondsPerStep, r.Total)
			t.told = r.Total
		}
	}
	line := s.Step%t.logEvery == 0 || s.Last || s.Scores != nil
	if !line && !p.wantsDescribe() {
		return nil
	}
	m, err := s.Measure()
	if err != nil {
		return err
	}
	ips := m.ImagesPerSec(t.mark)
	p.describe(s.Trainer.GridSize(), m.Loss, ips)
	if !line {
		return nil
	}
	if !p.live() {
		var eta time.Duration
		if m.Step > t.mark.Step {
			eta = time.Duration(float64(s.Total-s.Step) * (m.Seconds - t.mark.Seconds) / float64(m.Step-t.mark.Step) * float64(time.Second))
		}
		p.logf("step %d/%d  N %d  loss %.5f  %.1f img/s  ETA %v", s.Step, s.Total, s.Trainer.GridSize(), m.Loss, ips, eta.Round(time.Second))
	}
	if sc := s.Scores; sc != nil {
		p.logf("step %d: FID %.3f (real-vs-real %.3f), class coverage %.3f, confidence %.3f", s.Step, sc.FID, sc.FIDBaseline, sc.Coverage, sc.Confidence)
	}
	t.mark = m
	return nil
}

// End finishes the bar's line, or clears it for the message of a run that
// stopped short.
func (t *trainProgress) End(s *loop.State, reason error) error {
	if reason == nil {
		t.p.finish()
	} else {
		t.p.clear()
	}
	return nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
