package main

import (
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/report"
	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/unet"
	"github.com/ictvk/ictvk/viewer"
	"github.com/ictvk/ictvk/vk"
)

// GLFW wants the main OS thread: main() keeps it, so the window loop runs
// there and training moves to a goroutine.
func init() { runtime.LockOSThread() }

// gridImages and gridColumns are the layout of every sample grid: the
// run's PNG files, the viewer and 'ict view' show the same one.
const (
	gridImages  = 64
	gridColumns = 8
)

// sampleGrid draws the images of a sample grid with net, chunk images
// per pass (0: as many as the device takes). During training the chunk is
// the training micro-batch: a training pass of it fits the device, and
// sampling reuses the pipelines training built.
func sampleGrid(e *nn.Engine, net *unet.Net, r ct.Recipe, sigmas []float64, seed uint64, chunk int) ([]float32, error) {
	return ct.SampleImages(e, net, r, gridImages, sigmas, seed, chunk)
}

// gridPicture draws a grid the way report.WriteGrid does, for the window.
func gridPicture(vals []float32, c unet.Config, name string) (viewer.Picture, error) {
	img, err := report.Grid(vals, gridImages, c.ImageChannels, c.ImageSize, c.ImageSize, gridColumns)
	if err != nil {
		return viewer.Picture{}, err
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		return viewer.Picture{}, fmt.Errorf("report.Grid gave a %T, the viewer wants *image.RGBA", img)
	}
	return viewer.Picture{Image: rgba, Name: name}, nil
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

func (s samples) sigmas(r ct.Recipe) []float64 {
	if s.steps == 2 {
		return r.TwoStepSigmas()
	}
	return r.OneStepSigmas()
}

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
	if s.seed != sampleNoiseSeed {
		l += fmt.Sprintf("_noise%d", (s.seed-sampleNoiseSeed)/newNoiseStride)
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

	// The training goroutine's own.
	win         *viewer.Window
	tr          *ct.Trainer
	stop        chan os.Signal
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
	markStep    int
	markTime    time.Time
	loss, ips   float64
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
		Logf: func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }})
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

// attach hands the training device to the window and waits until it
// opened (or could not). stop is the run's interrupt channel: q sends to it.
func (lv *liveView) attach(dev *vk.Device, tr *ct.Trainer, stop chan os.Signal, folder runFolder) {
	if lv == nil {
		return
	}
	lv.attachc <- attachment{dev: dev, saveDir: folder.path("samples")}
	lv.win = <-lv.openc
	lv.tr, lv.stop = tr, stop
	lv.show = samples{steps: 1, seed: sampleNoiseSeed}
	lv.markStep, lv.markTime = tr.Step, time.Now()
	lv.started = lv.markTime
	lv.loss = -1
}

// active says whether the window is still there.
func (lv *liveView) active() bool {
	if lv == nil || lv.win == nil {
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

// afterStep runs after every training step: it applies the keys pressed,
// refreshes the picture every viewRefreshEvery (and at the last step), and
// holds training while paused.
func (lv *liveView) afterStep(last bool) error {
	if !lv.active() {
		return nil
	}
	lv.finished = last
	redraw := last || time.Since(lv.lastRefresh) >= max(viewRefreshEvery, 9*lv.refreshCost)
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
		if err := lv.measure(time.Now()); err != nil {
			return err
		}
		lv.setTitle()
	}
	if !lv.paused {
		return nil
	}
	lv.setTitle()
	for lv.paused && lv.active() {
		if err := lv.wait(); err != nil {
			return err
		}
	}
	lv.markStep, lv.markTime = lv.tr.Step, time.Now() // images/s leave the pause out
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
// viewer takes from training.
func (lv *liveView) refresh() error {
	start := time.Now()
	tr := lv.tr
	if err := lv.measure(start); err != nil {
		return err
	}
	vals, err := sampleGrid(tr.E, tr.EMA, tr.Run.Recipe, lv.show.sigmas(tr.Run.Recipe), lv.show.seed, tr.MicroBatch())
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
	lv.markTime = lv.lastRefresh // images/s leave the sampling out
	lv.setTitle()
	return nil
}

// measure reads the loss back (which waits for the device) and the
// images per second since the last mark.
func (lv *liveView) measure(now time.Time) error {
	tr := lv.tr
	if tr.Step > lv.markStep {
		lv.ips = float64((tr.Step-lv.markStep)*tr.Run.Recipe.BatchSize) / now.Sub(lv.markTime).Seconds()
		lv.markStep, lv.markTime = tr.Step, now
	}
	if tr.Step > 0 {
		loss, err := tr.LastLoss()
		if err != nil {
			return err
		}
		lv.loss = loss
	}
	return nil
}

func (lv *liveView) setTitle() {
	if lv.win == nil {
		return
	}
	tr := lv.tr
	state := ""
	switch {
	case lv.paused:
		state = "  [paused: space resumes]"
	case lv.finished:
		state = "  [done]"
	}
	loss := "-"
	if lv.loss >= 0 {
		loss = fmt.Sprintf("%.5f", lv.loss)
	}
	lv.lastTitle = time.Now()
	lv.win.SetTitle(fmt.Sprintf("ict train: step %d/%d  N %d  loss %s  %.1f img/s  %s%s",
		tr.Step, tr.Run.Recipe.TotalIters, tr.GridSize(), loss, lv.ips, lv.show.label(), state))
}

// detach runs before the device closes. After a finished run the window
// stays, showing the last samples (keys 1, 2, n, s still work), until it
// is closed or the process is interrupted; then it goes.
func (lv *liveView) detach() {
	if lv == nil {
		return
	}
	if lv.finished && !lv.quit && lv.active() {
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
}

// runView browses a checkpoint's samples in a window.
func runView(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("view", stderr)
	env, err := vk.OptionsFromEnv()
	if err != nil {
		return err
	}
	ckpt := fs.String("ckpt", "", "checkpoint to show samples of (a run's checkpoints/latest.safetensors)")
	steps := fs.Int("steps", 1, "sampling steps shown first: 1 or 2 (keys 1 and 2 switch)")
	student := fs.Bool("student", false, "sample from the student weights instead of the EMA")
	saveDir := fs.String("save-dir", ".", "folder where the s key writes the grid on screen")
	fs.IntVar(&env.Device, "device", env.Device, "Vulkan device index")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *ckpt == "" {
		fmt.Fprintln(stderr, "ict view: --ckpt is required")
		return errUsage
	}
	if *steps != 1 && *steps != 2 {
		return fmt.Errorf("--steps %d: want 1 or 2", *steps)
	}
	if _, err := os.Stat(*ckpt); err != nil {
		return fmt.Errorf("--ckpt: %w", err)
	}
	exts, err := initViewer()
	if err != nil {
		return err
	}
	defer viewer.Terminate()
	env.InstanceExtensions, env.Present = exts, true
	e, net, run, err := openCheckpoint(env, *ckpt, *student)
	if err != nil {
		return err
	}
	defer e.Close()
	chunk, err := ct.PassSize(e, net, ct.SamplePass, gridImages) // once, not per redraw
	if err != nil {
		return err
	}
	name := filepath.Base(filepath.Dir(filepath.Dir(*ckpt))) // the run folder's name
	w, err := viewer.Open(e.Dev, viewer.Options{Title: "ict view " + *ckpt, SaveDir: *saveDir,
		Logf: func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }})
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
		show := samples{steps: *steps, seed: sampleNoiseSeed}
		for redraw := true; ; {
			if redraw {
				w.SetTitle(fmt.Sprintf("ict view: %s  %s (sampling)", *ckpt, show.label()))
				vals, err := sampleGrid(e, net, run.Recipe, show.sigmas(run.Recipe), show.seed, chunk)
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
				w.SetTitle(fmt.Sprintf("ict view: %s  %s", *ckpt, show.label()))
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
