//go:build !noviewer

package viewer

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/ictvk/ictvk/ct/report"
	"github.com/ictvk/ictvk/internal/xvfb"
	"github.com/ictvk/ictvk/vk"
)

// GLFW wants the main OS thread: TestMain keeps it and runs what tests
// hand it through onMain.
func init() { runtime.LockOSThread() }

var (
	mainCalls = make(chan func())
	server    *xvfb.Server
)

func TestMain(m *testing.M) {
	var err error
	// A missing Xvfb fails the tests: CI installs it (make deps).
	if server, err = xvfb.Start(1024, 768); err != nil {
		fmt.Fprintln(os.Stderr, "viewer tests:", err)
		os.Exit(1)
	}
	os.Setenv("DISPLAY", server.Display)
	os.Unsetenv("WAYLAND_DISPLAY")
	if err := Init(); err != nil {
		fmt.Fprintln(os.Stderr, "viewer tests: Init under Xvfb:", err)
		server.Stop()
		os.Exit(1)
	}
	code := make(chan int)
	go func() { code <- m.Run() }()
	for {
		select {
		case f := <-mainCalls:
			f()
		case c := <-code:
			Terminate()
			server.Stop()
			os.Exit(c)
		}
	}
}

func onMain(f func()) {
	done := make(chan struct{})
	mainCalls <- func() {
		defer close(done)
		f()
	}
	<-done
}

// openDevice opens the validated default device with what windows need.
func openDevice(t *testing.T) *vk.Device {
	t.Helper()
	var exts []string
	var err error
	onMain(func() { exts, err = InstanceExtensions() })
	if err != nil {
		t.Fatal(err)
	}
	dev, err := vk.Open(vk.Options{Device: -1, Validate: vk.ValidateInTests(), CacheDir: "off", InstanceExtensions: exts, Present: true})
	if err != nil {
		t.Fatalf("opening the device: %v", err)
	}
	t.Cleanup(func() {
		msgs := dev.TakeMessages()
		if err := dev.Close(); err != nil {
			t.Errorf("closing the device: %v", err)
		}
		if len(msgs) > 0 {
			t.Errorf("validation layer:\n%s", strings.Join(msgs, "\n"))
		}
	})
	return dev
}

// testGrid draws 64 random 32x32 images as ict hands them to the viewer
// (report.Grid, one pixel per pixel; the run's PNG files enlarge the same
// grid) and writes it as a PNG; it returns the PNG's decoded pixels.
func testGrid(t *testing.T, dir string, seed uint64) (*image.RGBA, string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	vals := make([]float32, 64*3*32*32)
	for i := range vals {
		vals[i] = rng.Float32()*2.2 - 1.1 // some clamp
	}
	img, err := report.Grid(vals, 64, 3, 32, 32, 8)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("grid%d.png", seed))
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return readPNG(t, path), path
}

func readPNG(t *testing.T, path string) *image.RGBA {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	rgba := image.NewRGBA(img.Bounds())
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			rgba.Set(x, y, img.At(x, y))
		}
	}
	return rgba
}

// pump runs the window's loop on the main thread until cond holds (or 5 s).
func pump(t *testing.T, w *Window, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var ok bool
		var err error
		onMain(func() {
			glfw.WaitEventsTimeout(0.02)
			err = w.update()
			ok = cond()
		})
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
	}
}

// checkScreen screenshots the window until it shows grid at the
// placement that the window's size calls for, with background around it.
// Presents finish asynchronously, so it retries for a while.
func checkScreen(t *testing.T, w *Window, grid *image.RGBA, wantScale int) {
	t.Helper()
	var id uint64
	var fw, fh int
	onMain(func() {
		id = uint64(w.win.GetX11Window())
		fw, fh = w.win.GetFramebufferSize()
	})
	pl := Place(grid.Rect.Dx(), grid.Rect.Dy(), fw, fh)
	if pl.Scale != wantScale {
		t.Fatalf("a %dx%d grid in a %dx%d window: scale %d, want %d", grid.Rect.Dx(), grid.Rect.Dy(), fw, fh, pl.Scale, wantScale)
	}
	big := xvfb.Upscale(grid, pl.Scale)
	var last string
	for try := 0; try < 30; try++ {
		shot, err := server.Screenshot(id)
		if err != nil {
			t.Fatal(err)
		}
		if shot.Rect.Dx() != fw || shot.Rect.Dy() != fh {
			last = fmt.Sprintf("the window is %dx%d on screen, its framebuffer %dx%d", shot.Rect.Dx(), shot.Rect.Dy(), fw, fh)
		} else if n, first := xvfb.Diff(shot, big, pl.X, pl.Y); n > 0 {
			last = fmt.Sprintf("%d of %d grid pixels differ from the PNG scaled %dx at (%d, %d); %s", n, big.Rect.Dx()*big.Rect.Dy(), pl.Scale, pl.X, pl.Y, first)
		} else if n := countBackground(shot, pl); n != fw*fh-pl.Width*pl.Height {
			last = fmt.Sprintf("%d pixels around the grid are not the background, of %d", fw*fh-pl.Width*pl.Height-n, fw*fh-pl.Width*pl.Height)
		} else {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the window does not show the grid: %s", last)
}

func countBackground(shot *image.RGBA, pl Placement) int {
	n := 0
	for y := 0; y < shot.Rect.Dy(); y++ {
		for x := 0; x < shot.Rect.Dx(); x++ {
			if image.Pt(x, y).In(image.Rect(pl.X, pl.Y, pl.X+pl.Width, pl.Y+pl.Height)) {
				continue
			}
			c := shot.RGBAAt(x, y)
			if [3]uint8{c.R, c.G, c.B} == Background {
				n++
			}
		}
	}
	return n
}

func openWindow(t *testing.T, dev *vk.Device, opt Options) *Window {
	t.Helper()
	var w *Window
	var err error
	onMain(func() { w, err = Open(dev, opt) })
	if err != nil {
		t.Fatalf("opening the window: %v", err)
	}
	t.Cleanup(func() {
		onMain(func() {
			if err := w.Close(); err != nil {
				t.Errorf("closing the window: %v", err)
			}
		})
	})
	return w
}

// TestWindowShowsTheGridPNG shows a grid, screenshots the window with xwd
// and compares it pixel by pixel with the PNG written for the same
// values; then resizes the window and checks that the swapchain was
// recreated and the grid is redrawn at the new scale, without validation
// messages. It runs on the training device's queue and on a device of the
// viewer's own, fed by a copy.
func TestWindowShowsTheGridPNG(t *testing.T) {
	for _, separate := range []bool{false, true} {
		t.Run(fmt.Sprintf("separate=%v", separate), func(t *testing.T) {
			dev := openDevice(t)
			dir := t.TempDir()
			w := openWindow(t, dev, Options{Title: "ict test", Width: 600, Height: 600, SaveDir: dir, Present: vk.PresentOptions{SeparateDevice: separate}})
			if w.pres.Shared() == separate {
				t.Fatalf("presents from %s: shared %v, want %v", w.pres.DeviceName(), w.pres.Shared(), !separate)
			}
			grid, _ := testGrid(t, dir, 1)
			// The grid as ict hands it over: report.Grid of the same values.
			w.Show(Picture{Image: grid, Name: "shown"})
			pump(t, w, "first frame", func() bool { return w.Stats().Frames > 0 && !w.dirty })
			if fw, fh := w.pres.Extent(); fw != 600 || fh != 600 {
				t.Fatalf("swapchain extent %dx%d, want 600x600", fw, fh)
			}
			checkScreen(t, w, grid, 2)

			// A resize recreates the swapchain; the grid is drawn at 1x.
			before := w.Stats().Swapchains
			onMain(func() { w.win.SetSize(400, 300) })
			pump(t, w, "resize to 400x300", func() bool {
				fw, fh := w.pres.Extent()
				return fw == 400 && fh == 300 && !w.dirty
			})
			if got := w.Stats().Swapchains; got <= before {
				t.Errorf("swapchains created: %d before the resize, %d after", before, got)
			}
			checkScreen(t, w, grid, 1)

			// Smaller than the grid: it shrinks to fit, nothing fails.
			onMain(func() { w.win.SetSize(200, 150) })
			pump(t, w, "resize to 200x150", func() bool {
				fw, fh := w.pres.Extent()
				return fw == 200 && fh == 150 && !w.dirty
			})
			// A new picture replaces the old.
			onMain(func() { w.win.SetSize(600, 600) })
			grid2, _ := testGrid(t, dir, 2)
			w.Show(Picture{Image: grid2, Name: "second"})
			pump(t, w, "back to 600x600", func() bool {
				fw, fh := w.pres.Extent()
				return fw == 600 && fh == 600 && !w.dirty && w.current.Name == "second"
			})
			checkScreen(t, w, grid2, 2)
			if msgs := dev.TakeMessages(); len(msgs) > 0 {
				t.Fatalf("validation layer:\n%s", strings.Join(msgs, "\n"))
			}
		})
	}
}

// TestKeys checks what each key does: commands for the program, PNG saving,
// closing.
func TestKeys(t *testing.T) {
	dev := openDevice(t)
	dir := t.TempDir()
	var logged []string
	w := openWindow(t, dev, Options{SaveDir: dir, Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }})

	onMain(func() { w.key(glfw.KeyS) }) // nothing shown yet
	if len(logged) != 1 || !strings.Contains(logged[0], "no samples") {
		t.Errorf("s before any picture logged %q", logged)
	}
	grid, _ := testGrid(t, dir, 3)
	w.Show(Picture{Image: grid, Name: "step0000042_1step"})
	pump(t, w, "first frame", func() bool { return w.current != nil && !w.dirty })
	onMain(func() { w.key(glfw.KeyS) })
	saved := filepath.Join(dir, "step0000042_1step.png")
	if got := readPNG(t, saved); xvfbDiff(got, grid) != 0 {
		t.Errorf("s saved %s with other pixels than shown", saved)
	}
	// A picture with a Saved image of its own saves that instead.
	big := image.NewRGBA(image.Rect(0, 0, 2*grid.Rect.Dx(), 2*grid.Rect.Dy()))
	draw.Draw(big, big.Bounds(), image.NewUniform(color.RGBA{200, 10, 10, 255}), image.Point{}, draw.Src)
	w.Show(Picture{Image: grid, Name: "step0000043_1step", Saved: big})
	pump(t, w, "second picture", func() bool { return w.current != nil && w.current.Name == "step0000043_1step" && !w.dirty })
	onMain(func() { w.key(glfw.KeyS) })
	saved = filepath.Join(dir, "step0000043_1step.png")
	if got := readPNG(t, saved); xvfbDiff(got, big) != 0 {
		t.Errorf("s saved %s with other pixels than the picture's Saved image", saved)
	}

	for _, c := range []struct {
		key  glfw.Key
		want Command
	}{{glfw.KeySpace, Pause}, {glfw.Key1, OneStep}, {glfw.Key2, TwoStep}, {glfw.KeyN, NewNoise}} {
		onMain(func() { w.key(c.key) })
		select {
		case got := <-w.Commands():
			if got != c.want {
				t.Errorf("key %v gave %v, want %v", c.key, got, c.want)
			}
		default:
			t.Errorf("key %v gave no command", c.key)
		}
	}

	// q sends Quit and closes the window; Run returns.
	onMain(func() { w.key(glfw.KeyQ) })
	if got := <-w.Commands(); got != Quit {
		t.Errorf("q gave %v", got)
	}
	var err error
	onMain(func() { err = w.Run(nil) })
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.Closed():
	default:
		t.Error("after q and Run, Closed is not closed")
	}
}

func xvfbDiff(a, b *image.RGBA) int {
	if a.Rect.Dx() != b.Rect.Dx() || a.Rect.Dy() != b.Rect.Dy() {
		return -1
	}
	n, _ := xvfb.Diff(a, b, 0, 0)
	return n
}

// TestPresentWhileTraining presents frames on the main thread while
// another goroutine submits work to the same queue: the validation
// layer's thread checks fail the test if the queue lock is missing.
// It logs the frame rate.
func TestPresentWhileTraining(t *testing.T) {
	dev := openDevice(t)
	w := openWindow(t, dev, Options{Width: 640, Height: 480})
	grid, _ := testGrid(t, t.TempDir(), 4)
	w.Show(Picture{Image: grid, Name: "g"})
	s, err := dev.NewStream(vk.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	buf, err := dev.Alloc(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Free(buf)
	stop := make(chan struct{})
	trained := make(chan error)
	go func() {
		submits := 0
		for {
			select {
			case <-stop:
				if submits == 0 {
					trained <- fmt.Errorf("no work submitted")
				}
				trained <- nil
				return
			default:
			}
			if err := s.Fill(buf, uint32(submits)); err != nil {
				trained <- err
				return
			}
			if err := s.Wait(); err != nil {
				trained <- err
				return
			}
			submits++
		}
	}()
	const frames = 40
	start := time.Now()
	for i := 0; i < frames; i++ {
		var err error
		onMain(func() {
			w.dirty = true
			err = w.update()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	close(stop)
	if err := <-trained; err != nil {
		t.Fatal(err)
	}
	if got := w.Stats().Frames; got < frames {
		t.Errorf("%d frames presented, want %d", got, frames)
	}
	t.Logf("%d frames of 640x480 in %v: %.0f frames/s while another goroutine submits", frames, elapsed.Round(time.Millisecond), frames/elapsed.Seconds())
}

func TestPlace(t *testing.T) {
	for _, c := range []struct {
		gw, gh, fw, fh int
		want           Placement
	}{
		{265, 265, 600, 600, Placement{35, 35, 530, 530, 2}},
		{265, 265, 400, 300, Placement{67, 17, 265, 265, 1}},
		{265, 133, 800, 400, Placement{2, 0, 795, 399, 3}},
		{265, 265, 200, 150, Placement{25, 0, 150, 150, 0}},
		{300, 100, 150, 400, Placement{0, 175, 150, 50, 0}},
		{265, 265, 0, 0, Placement{}},
	} {
		if got := Place(c.gw, c.gh, c.fw, c.fh); got != c.want {
			t.Errorf("Place(%d, %d, %d, %d) = %+v, want %+v", c.gw, c.gh, c.fw, c.fh, got, c.want)
		}
	}
}

func TestInitWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	err := Init()
	if err == nil || !strings.Contains(err.Error(), "no display (DISPLAY is not set)") {
		t.Fatalf("Init without DISPLAY: %v", err)
	}
}
