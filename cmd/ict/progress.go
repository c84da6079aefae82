package main

import (
	"fmt"
	"io"
	"os"
	"time"

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
