package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/loop"
	"github.com/ictvk/ictvk/ct/report"
	"github.com/ictvk/ictvk/nn/unet"
	"github.com/ictvk/ictvk/viewer"
	"github.com/ictvk/ictvk/vk"
)

// GLFW wants the main OS thread: main() keeps it, so the window loop runs
// there and training moves to a goroutine.
func init() { runtime.LockOSThread() }

// gridPicture lays out a sample grid as the run's PNG files show it.
func gridPicture(vals []float32, c unet.Config, name string) (viewer.Picture, error) {
	img, err := report.SampleGridImage(vals, c)
	if err != nil {
		return viewer.Picture{}, err
	}
	// The s key saves what the run folder's grids look like.
	saved, err := report.EnlargedGrid(vals, report.GridImages, c.ImageChannels, c.ImageSize, c.ImageSize, report.GridColumns)
	if err != nil {
		return viewer.Picture{}, err
	}
	return viewer.Picture{Image: img, Name: name, Saved: saved}, nil
}

// samples is what a window shows: one- or two-step samples from a noise
// seed, which 1, 2 and n change.
type samples struct {
	steps int    // 1 or 2
	seed  uint64 // of the first chunk
}

// newNoiseStride separates the seeds of successive 'n' presses (a grid
// draws from one seed, so any stride would do).
const newNoiseStride = 1 << 20

func (s samples) sigmas(r ct.Recipe) []float64 { return stepSigmas(r, s.steps) }

// apply changes s for a command and says whether the picture changed.
func (s *samples) apply(c viewer.Command) bool {
	switch c {
	case viewer.OneStep, viewer.TwoStep:
		steps := 1
		if c == viewer.TwoStep {
			steps = 2
		}
		changed := s.steps != steps
		s.steps = steps
		return changed
	case viewer.NewNoise:
		s.seed += newNoiseStride
		return true
	}
	return false
}

// label names the samples in titles and saved files; the run's own noise
// has no suffix, so a saved grid of it matches the run's PNG of its step.
func (s samples) label() string {
	l := fmt.Sprintf("%dstep", s.steps)
	if s.seed != report.SampleNoiseSeed {
		l += fmt.Sprintf("_noise%d", (s.seed-report.SampleNoiseSeed)/newNoiseStride)
	}
	return l
}

// viewRefreshEvery is how often training stops to sample for the window;
// longer when sampling is slow, so that it takes at most a tenth of the time.
const viewRefreshEvery = 2 * time.Second

// viewTitleEvery is how often the title's step, loss and images/s are
// updated between refreshes (each reads the loss back, as the progress
// bar does).
const viewTitleEvery = time.Second

// liveView joins a training run on its goroutine with the window on the
// main thread. Every method is a no-op on a nil *liveView (no --view).
type liveView struct {
	stdout   io.Writer
	attachc  chan attachment     // training -> window: what to present from
	openc    chan *viewer.Window // window -> training: the window, or nil
	done     chan struct{}       // training -> window: close, training is over
	released chan struct{}       // window -> training: the window is gone

	// Set by train before the run: q sends to stop (as Ctrl-C does), s
	// saves into saveDir.
	stop    chan os.Signal
	saveDir string

	// The training goroutine's own.
	win         *viewer.Window
	state       *loop.State // during the run
	show        samples
	paused      bool
	finished    bool
	quit        bool
	lastRefresh time.Time
	refreshCost time.Duration
	refreshes   int
	lastTitle   time.Time
	refreshTime time.Duration // all of them, for the closing line
	started     time.Time
	mark        loop.Measurement // the title's figures
	ips         float64
}

type attachment struct {
	dev     *vk.Device
	saveDir string
}

// trainWithView runs train on a goroutine and the window on this (the
// main) thread. Without a display it says so and trains without one.
func trainWithView(f trainFlags, env vk.Options, stdout io.Writer) error {
	exts, err := initViewer()
	if err != nil {
		fmt.Fprintf(stdout, "--view: %v; training continues without the viewer\n", err)
		return train(f, env, stdout)
	}
	defer viewer.Terminate()
	env.InstanceExtensions, env.Present = exts, true
	lv := &liveView{
		stdout:   stdout,
		attachc:  make(chan attachment),
		openc:    make(chan *viewer.Window),
		done:     make(chan struct{}),
		released: make(chan struct{}),
	}
	f.live = lv
	errc := make(chan error, 1)
	go func() { errc <- train(f, env, stdout) }()

	var at attachment
	select {
	case at = <-lv.attachc:
	case err := <-errc: // training ended before it had a device
		return err
	}
	w, err := viewer.Open(at.dev, viewer.Options{Title: "ict train", SaveDir: at.saveDir,
		Logf: lineLogger(stdout)})
	if err != nil {
		fmt.Fprintf(stdout, "--view: %v; training continues without the viewer\n", err)
		lv.openc <- nil
		close(lv.released)
		return <-errc
	}
	lv.openc <- w
	runErr := w.Run(lv.done)
	if err := errors.Join(runErr, w.Close()); err != nil {
		fmt.Fprintf(stdout, "--view: the window failed: %v; training continues without it\n", err)
	}
	close(lv.released)
	return <-errc
}

// initViewer starts GLFW and lists the instance extensions it needs.
func initViewer() ([]string, error) {
	if err := viewer.Init(); err != nil {
		return nil, err
	}
	exts, err := viewer.InstanceExtensions()
	if err != nil {
		viewer.Terminate()
		return nil, err
	}
	return exts, nil
}

// Start hands the training device to the window and waits until it
// opened (or could not).
func (lv *liveView) Start(s *loop.State) error {
	lv.attachc <- attachment{dev: s.Trainer.E.Dev, saveDir: lv.saveDir}
	lv.win = <-lv.openc
	lv.state = s
	lv.show = samples{steps: 1, seed: report.SampleNoiseSeed}
	lv.started = time.Now()
	var err error
	lv.mark, err = s.Measure()
	return err
}

// active says whether the window is still there.
func (lv *liveView) active() bool {
	if lv.win == nil {
		return false
	}
	select {
	case <-lv.win.Closed():
		lv.win = nil
		if !lv.quit {
			fmt.Fprintln(lv.stdout, "viewer closed; training continues")
		}
		return false
	default:
		return true
	}
}

// Step applies the keys pressed, refreshes the picture every
// viewRefreshEvery (and at the last step), and holds training while
// paused.
func (lv *liveView) Step(s *loop.State) error {
	if !lv.active() {
		return nil
	}
	lv.finished = s.Last
	redraw := s.Last || time.Since(lv.lastRefresh) >= max(viewRefreshEvery, 9*lv.refreshCost)
	for more := true; more; {
		select {
		case c := <-lv.win.Commands():
			redraw = lv.command(c) || redraw
		default:
			more = false
		}
	}
	if redraw {
		if err := lv.refresh(); err != nil {
			return err
		}
	} else if time.Since(lv.lastTitle) >= viewTitleEvery {
		if err := lv.measure(); err != nil {
			return err
		}
		lv.setTitle()
	}
	if !lv.paused {
		return nil
	}
	// Measured first, the pause is not counted as training time.
	if err := lv.measure(); err != nil {
		return err
	}
	lv.setTitle()
	for lv.paused && lv.active() {
		if err := lv.wait(); err != nil {
			return err
		}
	}
	lv.setTitle()
	return nil
}

// wait serves the window until a key, its closing or a signal.
func (lv *liveView) wait() error {
	select {
	case c := <-lv.win.Commands():
		if lv.command(c) {
			return lv.refresh()
		}
		lv.setTitle()
	case <-lv.win.Closed():
	case s := <-lv.stop:
		select {
		case lv.stop <- s: // back for the training loop, which stops cleanly
		default: // another signal is already there
		}
		lv.paused, lv.quit = false, true
	}
	return nil
}

// command applies a key and says whether the picture must be redrawn.
func (lv *liveView) command(c viewer.Command) bool {
	switch c {
	case viewer.Pause:
		lv.paused = !lv.paused
		return false
	case viewer.Quit:
		lv.paused, lv.quit = false, true
		select {
		case lv.stop <- os.Interrupt: // stops as Ctrl-C does, with a checkpoint
		default:
		}
		return false
	}
	return lv.show.apply(c)
}

// refresh samples the EMA network for the window: the only time the
// viewer takes from training (measured first, it is not counted as
// training time).
func (lv *liveView) refresh() error {
	start := time.Now()
	tr := lv.state.Trainer
	if err := lv.measure(); err != nil {
		return err
	}
	vals, err := report.SampleGrid(tr.E, tr.EMA, tr.Run.Recipe, lv.show.sigmas(tr.Run.Recipe), lv.show.seed, tr.MicroBatch())
	if err != nil {
		return fmt.Errorf("viewer samples at step %d: %w", tr.Step, err)
	}
	pic, err := gridPicture(vals, tr.Run.Net, fmt.Sprintf("view_step%07d_%s", tr.Step, lv.show.label()))
	if err != nil {
		return err
	}
	lv.win.Show(pic)
	lv.lastRefresh = time.Now()
	lv.refreshCost = lv.lastRefresh.Sub(start)
	lv.refreshes++
	lv.refreshTime += lv.refreshCost
	lv.setTitle()
	return nil
}

// measure reads the loss back (which waits for the device) and the
// images per second since the last measure.
func (lv *liveView) measure() error {
	m, err := lv.state.Measure()
	if err != nil {
		return err
	}
	if m.Step > lv.mark.Step {
		lv.ips = m.ImagesPerSec(lv.mark)
		lv.mark = m
	}
	return nil
}

func (lv *liveView) setTitle() {
	if lv.win == nil {
		return
	}
	s := lv.state
	state := ""
	switch {
	case lv.paused:
		state = "  [paused: space resumes]"
	case lv.finished:
		state = "  [done]"
	}
	loss := "-"
	if !math.IsNaN(lv.mark.Loss) {
		loss = fmt.Sprintf("%.5f", lv.mark.Loss)
	}
	lv.lastTitle = time.Now()
	lv.win.SetTitle(fmt.Sprintf("ict train: step %d/%d  N %d  loss %s  %.1f img/s  %s%s",
		s.Step, s.Total, s.Trainer.GridSize(), loss, lv.ips, lv.show.label(), state))
}

// End runs before the device closes. After a finished run the window
// stays, showing the last samples (keys 1, 2, n, s still work), until it
// is closed or the process is interrupted; then it goes.
func (lv *liveView) End(s *loop.State, reason error) error {
	if reason == nil && lv.finished && !lv.quit && lv.active() {
		fmt.Fprintln(lv.stdout, "training done; the viewer stays open until you close it (Esc, q or its close button)")
		lv.setTitle()
		for !lv.quit && lv.active() {
			if err := lv.wait(); err != nil {
				fmt.Fprintf(lv.stdout, "viewer: %v\n", err)
				break
			}
		}
	}
	if lv.refreshes > 0 {
		fmt.Fprintf(lv.stdout, "viewer: %d refreshes took %.1fs (%.2fs each, %.0f%% of the run's time)\n", lv.refreshes,
			lv.refreshTime.Seconds(), lv.refreshTime.Seconds()/float64(lv.refreshes), 100*lv.refreshTime.Seconds()/time.Since(lv.started).Seconds())
	}
	close(lv.done)
	<-lv.released
	return nil
}

// runView browses a checkpoint's samples in a window.
func runView(args []string, stdout, stderr io.Writer) error {
	cf, err := newCheckpointFlags("view", "checkpoint to show samples of", stderr)
	if err != nil {
		return err
	}
	fs := cf.fs
	steps := fs.Int("steps", 1, "sampling steps shown first: 1 or 2 (keys 1 and 2 switch)")
	saveDir := fs.String("save-dir", ".", "folder where the s key writes the grid on screen")
	if err := cf.parseRequiringCkpt(args); err != nil {
		return err
	}
	ckpt, env := cf.ckpt, cf.device
	if *steps != 1 && *steps != 2 {
		return fmt.Errorf("--steps %d: want 1 or 2", *steps)
	}
	if _, err := os.Stat(ckpt); err != nil {
		return fmt.Errorf("--ckpt: %w", err)
	}
	exts, err := initViewer()
	if err != nil {
		return err
	}
	defer viewer.Terminate()
	env.InstanceExtensions, env.Present = exts, true
	e, net, run, err := openCheckpoint(*env, ckpt, cf.student)
	if err != nil {
		return err
	}
	defer e.Close()
	chunk, err := ct.PassSize(e, net, ct.SamplePass, report.GridImages) // once, not per redraw
	if err != nil {
		return err
	}
	name := filepath.Base(runFolderOf(ckpt))
	w, err := viewer.Open(e.Dev, viewer.Options{Title: "ict view " + ckpt, SaveDir: *saveDir,
		Logf: lineLogger(stdout)})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "ict view: 1 and 2 switch one- and two-step samples, n draws new noise, s saves the grid, Esc or q closes")

	// Sampling runs beside the window loop, which stays responsive; an
	// error there, or a signal, closes the window.
	stopWindow := make(chan struct{})
	var stopOnce sync.Once
	closeWindow := func() { stopOnce.Do(func() { close(stopWindow) }) }
	var browseErr error
	browsed := make(chan struct{})
	go func() {
		defer close(browsed)
		show := samples{steps: *steps, seed: report.SampleNoiseSeed}
		for redraw := true; ; {
			if redraw {
				w.SetTitle(fmt.Sprintf("ict view: %s  %s (sampling)", ckpt, show.label()))
				vals, err := report.SampleGrid(e, net, run.Recipe, show.sigmas(run.Recipe), show.seed, chunk)
				var pic viewer.Picture
				if err == nil {
					pic, err = gridPicture(vals, run.Net, fmt.Sprintf("view_%s_%s", name, show.label()))
				}
				if err != nil {
					browseErr = err
					closeWindow()
					return
				}
				w.Show(pic)
				w.SetTitle(fmt.Sprintf("ict view: %s  %s", ckpt, show.label()))
			}
			select {
			case c := <-w.Commands():
				redraw = show.apply(c)
			case <-w.Closed():
				return
			}
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		select {
		case <-sig:
			closeWindow()
		case <-w.Closed():
		}
	}()
	runErr := w.Run(stopWindow)
	closeErr := w.Close()
	<-browsed // before the engine closes
	return errors.Join(browseErr, runErr, closeErr)
}
