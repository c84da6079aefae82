package main

import (
	"bufio"
	"image"
	"image/draw"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ictvk/ictvk/ct/report"
	"github.com/ictvk/ictvk/internal/xvfb"
	"github.com/ictvk/ictvk/viewer"
)

// liveICT is the real binary running in the background, its output
// collected line by line.
type liveICT struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	out   strings.Builder
	lines chan string
	exit  chan int
}

func startICT(t *testing.T, bin string, env []string, args ...string) *liveICT {
	t.Helper()
	l := &liveICT{cmd: exec.Command(bin, args...), lines: make(chan string, 1000), exit: make(chan int, 1)}
	l.cmd.Env = append(os.Environ(), env...)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	l.cmd.Stdout, l.cmd.Stderr = w, w
	if err := l.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.out.WriteString(sc.Text() + "\n")
			l.mu.Unlock()
			select {
			case l.lines <- sc.Text():
			default:
			}
		}
		r.Close()
		err := l.cmd.Wait()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		l.exit <- code
	}()
	t.Cleanup(func() { l.cmd.Process.Kill() })
	return l
}

func (l *liveICT) output() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.out.String()
}

// waitLine waits for a line that contains s.
func (l *liveICT) waitLine(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line := <-l.lines:
			if strings.Contains(line, s) {
				return
			}
		case code := <-l.exit:
			l.exit <- code
			t.Fatalf("ict exited %d before printing %q:\n%s", code, s, l.output())
		case <-deadline:
			t.Fatalf("no line with %q within %v:\n%s", s, timeout, l.output())
		}
	}
}

// interrupt sends SIGINT and wants a clean exit.
func (l *liveICT) interrupt(t *testing.T) {
	t.Helper()
	l.cmd.Process.Signal(syscall.SIGINT)
	select {
	case code := <-l.exit:
		if code != 0 {
			t.Fatalf("after SIGINT ict exited %d:\n%s", code, l.output())
		}
	case <-time.After(time.Minute):
		t.Fatalf("ict did not exit within a minute of SIGINT:\n%s", l.output())
	}
	if out := l.output(); strings.Contains(out, "validation") || strings.Contains(out, "panic") {
		t.Fatalf("validation messages or a panic:\n%s", out)
	}
}

// expectOnScreen screenshots the X screen until the grid of a run's PNG
// (mnist-tiny's 16x16 images) appears on it at a whole scale, pixel for
// pixel.
func expectOnScreen(t *testing.T, srv *xvfb.Server, pngPath string) {
	t.Helper()
	grid := viewerGrid(readRGBA(t, pngPath), 16, 16)
	var shot *image.RGBA
	for try := 0; try < 50; try++ {
		var err error
		if shot, err = srv.Screenshot(0); err != nil {
			t.Fatal(err)
		}
		if x, y, s, ok := xvfb.Find(shot, grid, 1, 2, 3, 4); ok {
			t.Logf("%s is on screen at (%d, %d), scaled %dx", filepath.Base(pngPath), x, y, s)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the screen never showed %s (%dx%d) at a whole scale", pngPath, grid.Rect.Dx(), grid.Rect.Dy())
}

// viewerGrid is the picture the viewer shows for a run's PNG grid of h x w
// images: the PNG enlarges it (report.EnlargedLayout), so one pixel of
// each block, and white one-pixel borders, give it back.
func viewerGrid(enlarged *image.RGBA, h, w int) *image.RGBA {
	big := report.EnlargedLayout(report.GridImages, h, w, report.GridColumns)
	one := report.GridLayout{N: report.GridImages, H: h, W: w, Cols: report.GridColumns, Scale: 1, Sep: 1}
	width, height := one.Size()
	out := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	for k := 0; k < report.GridImages; k++ {
		from, to := big.Cell(k), one.Cell(k)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Set(to.X+x, to.Y+y, enlarged.At(from.X+x*big.Scale, from.Y+y*big.Scale))
			}
		}
	}
	return out
}

func readRGBA(t *testing.T, path string) *image.RGBA {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := image.NewRGBA(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			out.Set(x, y, img.At(x, y))
		}
	}
	return out
}

// TestTrainViewShowsTheRunsGrid trains with --view under Xvfb: when the run
// is done, the window shows exactly the pixels of the run's last one-step
// PNG; SIGINT closes it and ict exits 0. Then 'ict view' on the checkpoint
// shows the same grid, sampled again from the loaded EMA network.
func TestTrainViewShowsTheRunsGrid(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for real")
	}
	srv, err := xvfb.Start(1024, 768)
	if err != nil {
		t.Fatal(err) // CI installs Xvfb (make deps): missing is a failure
	}
	defer srv.Stop()
	bin := buildICT(t)
	dir := filepath.Join(t.TempDir(), "run")
	env := []string{"DISPLAY=" + srv.Display, "WAYLAND_DISPLAY=", "ICT_VALIDATE=1"}
	run := startICT(t, bin, env, "train", "--preset", "mnist-tiny", "--total", "6", "--out", dir,
		"--log-every", "3", "--sample-every", "6", "--ckpt-every", "6", "--view")
	run.waitLine(t, "the viewer stays open", 5*time.Minute)
	expectOnScreen(t, srv, filepath.Join(dir, "samples", "latest_1step.png"))
	run.interrupt(t)

	view := startICT(t, bin, env, "view", "--ckpt", filepath.Join(dir, "checkpoints", "latest.safetensors"))
	view.waitLine(t, "Esc or q closes", 2*time.Minute)
	expectOnScreen(t, srv, filepath.Join(dir, "samples", "latest_1step.png"))
	view.interrupt(t)
}

// TestViewWithoutDisplay: --view says there is no display and trains on;
// 'ict view' fails with the reason.
func TestViewWithoutDisplay(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for real")
	}
	bin := buildICT(t)
	dir := filepath.Join(t.TempDir(), "run")
	noDisplay := []string{"DISPLAY=", "WAYLAND_DISPLAY="}
	out, code := runICT(t, bin, noDisplay, "train", "--preset", "mnist-tiny", "--total", "2", "--out", dir, "--view")
	if code != 0 || !strings.Contains(out, "--view: no display (DISPLAY is not set); training continues without the viewer") || !strings.Contains(out, "done: 2 steps") {
		t.Fatalf("train --view without a display: exit %d\n%s", code, out)
	}
	ckpt := filepath.Join(dir, "checkpoints", "latest.safetensors")
	for _, c := range []struct {
		name, display, want string
	}{
		{"unset", "", "ict view: no display (DISPLAY is not set)"},
		{"no server", ":97", "ict view: no display (the X server DISPLAY=:97 does not answer)"},
	} {
		out, code := runICT(t, bin, []string{"DISPLAY=" + c.display, "WAYLAND_DISPLAY="}, "view", "--ckpt", ckpt)
		if code != 1 || !strings.Contains(out, c.want) || strings.Contains(out, "panic") {
			t.Errorf("view with DISPLAY %s: exit %d, want 1 and %q:\n%s", c.name, code, c.want, out)
		}
	}
	if out, code := runICT(t, bin, noDisplay, "view"); code != 2 || !strings.Contains(out, "--ckpt is required") {
		t.Errorf("view without --ckpt: exit %d\n%s", code, out)
	}
}

// TestNoViewerBuild builds ict with -tags noviewer: it links no X11 or
// GLFW, --view trains without a window and 'ict view' says why it fails.
func TestNoViewerBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and trains for real")
	}
	bin := filepath.Join(t.TempDir(), "ict")
	if out, err := exec.Command("go", "build", "-tags", "noviewer", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build -tags noviewer: %v\n%s", err, out)
	}
	libs, err := exec.Command("ldd", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("ldd: %v\n%s", err, libs)
	}
	if strings.Contains(string(libs), "libX11") || strings.Contains(string(libs), "libGL") {
		t.Errorf("the noviewer binary links X11 or GL:\n%s", libs)
	}
	if syms, err := exec.Command("go", "tool", "nm", bin).Output(); err != nil || strings.Contains(string(syms), "glfw") {
		t.Errorf("the noviewer binary holds GLFW symbols (nm: %v)", err)
	}
	const msg = "this ict was built with -tags noviewer: it has no viewer"
	env := []string{"DISPLAY=:0"} // a display does not matter
	if out, code := runICT(t, bin, env, "view", "--ckpt", bin); code != 1 || !strings.Contains(out, "ict view: "+msg) {
		t.Errorf("noviewer view: exit %d\n%s", code, out)
	}
	dir := filepath.Join(t.TempDir(), "run")
	out, code := runICT(t, bin, env, "train", "--preset", "mnist-tiny", "--total", "1", "--out", dir, "--view")
	if code != 0 || !strings.Contains(out, "--view: "+msg+"; training continues without the viewer") {
		t.Errorf("noviewer train --view: exit %d\n%s", code, out)
	}
}

func TestSamplesKeys(t *testing.T) {
	s := samples{steps: 1, seed: report.SampleNoiseSeed}
	for _, c := range []struct {
		cmd     viewer.Command
		changed bool
		label   string
	}{
		{viewer.OneStep, false, "1step"},
		{viewer.TwoStep, true, "2step"},
		{viewer.NewNoise, true, "2step_noise1"},
		{viewer.OneStep, true, "1step_noise1"},
		{viewer.NewNoise, true, "1step_noise2"},
		{viewer.Pause, false, "1step_noise2"},
	} {
		if got := s.apply(c.cmd); got != c.changed || s.label() != c.label {
			t.Errorf("%v: changed %v, label %q; want %v, %q", c.cmd, got, s.label(), c.changed, c.label)
		}
	}
	if s.seed != report.SampleNoiseSeed+2*newNoiseStride {
		t.Errorf("seed %#x after two new noises", s.seed)
	}
}
