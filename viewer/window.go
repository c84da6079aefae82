//go:build !noviewer

package viewer

/*
#include <stdint.h>
#include <vulkan/vulkan.h>

// GLFW's own declarations, from the C library that go-gl/glfw compiles in:
// called directly to get a plain success flag from glfwInit and the
// surface handle itself from glfwCreateWindowSurface.
typedef struct GLFWwindow GLFWwindow;
int glfwInit(void);
const char **glfwGetRequiredInstanceExtensions(uint32_t *count);
VkResult glfwCreateWindowSurface(VkInstance instance, GLFWwindow *window,
                                 const VkAllocationCallbacks *allocator, VkSurfaceKHR *surface);

static VkResult ict_window_surface(uintptr_t inst, void *win, uint64_t *out) {
  VkSurfaceKHR s = VK_NULL_HANDLE;
  VkResult r = glfwCreateWindowSurface((VkInstance)inst, (GLFWwindow *)win, NULL, &s);
  *out = (uint64_t)(uintptr_t)s;
  return r;
}

static const char *ict_string_at(const char **list, uint32_t i) { return list[i]; }
*/
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"sync"

	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/ictvk/ictvk/internal/atomicfile"
	"github.com/ictvk/ictvk/vk"
)

// ErrNoDisplay says there is no window system to open a window on.
var ErrNoDisplay = errors.New("no display")

// Init starts GLFW on the main OS thread. It fails with ErrNoDisplay when
// DISPLAY is unset or names a server that does not answer: GLFW's own
// init would report success there and crash on the next call.
func Init() error {
	display := os.Getenv("DISPLAY")
	if display == "" {
		if os.Getenv("WAYLAND_DISPLAY") != "" {
			return fmt.Errorf("%w (DISPLAY is not set; this viewer speaks X11, so a Wayland session needs XWayland)", ErrNoDisplay)
		}
		return fmt.Errorf("%w (DISPLAY is not set)", ErrNoDisplay)
	}
	if C.glfwInit() == 0 {
		return fmt.Errorf("%w (the X server DISPLAY=%s does not answer)", ErrNoDisplay, display)
	}
	if !glfw.VulkanSupported() {
		glfw.Terminate()
		return errors.New("GLFW finds no Vulkan loader (libvulkan.so.1) to make window surfaces with")
	}
	return nil
}

// Terminate closes GLFW, after every window is closed.
func Terminate() { glfw.Terminate() }

// InstanceExtensions lists the Vulkan instance extensions a window surface
// needs (VK_KHR_surface and the window system's), for vk.Options.
func InstanceExtensions() ([]string, error) {
	var n C.uint32_t
	list := C.glfwGetRequiredInstanceExtensions(&n)
	if n == 0 {
		return nil, errors.New("the Vulkan driver offers no window-surface extensions (VK_KHR_surface with VK_KHR_xcb_surface or VK_KHR_xlib_surface)")
	}
	exts := make([]string, n)
	for i := range exts {
		exts[i] = C.GoString(C.ict_string_at(list, C.uint32_t(i)))
	}
	return exts, nil
}

// Window is a GLFW window that presents the latest Picture.
type Window struct {
	opt  Options
	win  *glfw.Window
	pres *vk.Presenter
	cmds chan Command

	closed    chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex // guards what other goroutines hand over
	open     bool
	pending  *Picture
	title    string
	newTitle bool

	current   *Picture // main thread only from here on
	dirty     bool
	iconified bool
}

// Open creates a window on the main OS thread with a surface on dev's
// instance; dev must have been opened with InstanceExtensions and
// Options.Present. Close it before closing dev.
func Open(dev *vk.Device, opt Options) (*Window, error) {
	if opt.Width <= 0 || opt.Height <= 0 {
		opt.Width, opt.Height = 600, 600
	}
	if opt.Title == "" {
		opt.Title = "ict"
	}
	glfw.WindowHint(glfw.ClientAPI, glfw.NoAPI)
	glfw.WindowHint(glfw.Resizable, glfw.True)
	win, err := glfw.CreateWindow(opt.Width, opt.Height, opt.Title, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("opening a %dx%d window: %v", opt.Width, opt.Height, err)
	}
	var surface C.uint64_t
	if r := C.ict_window_surface(C.uintptr_t(dev.InstanceHandle()), win.Handle(), &surface); r != C.VK_SUCCESS {
		win.Destroy()
		return nil, fmt.Errorf("creating a Vulkan surface for the window: VkResult %d (was the device opened with viewer.InstanceExtensions?)", int(r))
	}
	pres, err := dev.NewPresenter(uint64(surface), opt.Present)
	if err != nil {
		win.Destroy()
		return nil, err
	}
	w := &Window{opt: opt, win: win, pres: pres, cmds: make(chan Command, 64), closed: make(chan struct{}), open: true, dirty: true}
	win.SetKeyCallback(func(_ *glfw.Window, key glfw.Key, _ int, action glfw.Action, _ glfw.ModifierKey) {
		if action == glfw.Press {
			w.key(key)
		}
	})
	win.SetFramebufferSizeCallback(func(*glfw.Window, int, int) {
		w.pres.Invalidate()
		w.dirty = true
	})
	win.SetRefreshCallback(func(*glfw.Window) { w.dirty = true })
	win.SetIconifyCallback(func(_ *glfw.Window, iconified bool) {
		w.iconified = iconified
		w.dirty = true
	})
	return w, nil
}

// Show hands the window a new picture; the latest one wins. Any goroutine.
func (w *Window) Show(p Picture) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = &p
	if w.open {
		glfw.PostEmptyEvent() // wakes Run's wait
	}
}

// SetTitle sets the window's title. Any goroutine.
func (w *Window) SetTitle(title string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.title, w.newTitle = title, true
	if w.open {
		glfw.PostEmptyEvent()
	}
}

// Commands delivers the keys the user pressed (see Command).
func (w *Window) Commands() <-chan Command { return w.cmds }

// Closed is closed when the window goes: Esc, q, its close button, or Close.
func (w *Window) Closed() <-chan struct{} { return w.closed }

// Stats says what the window's swapchain did.
func (w *Window) Stats() vk.PresentStats { return w.pres.Stats() }

// Run shows pictures as they come until the user closes the window or
// done is closed. It runs on the main OS thread.
func (w *Window) Run(done <-chan struct{}) error {
	for {
		select {
		case <-done:
			return nil
		default:
		}
		if w.win.ShouldClose() {
			w.markClosed()
			return nil
		}
		if err := w.update(); err != nil {
			return err
		}
		// Woken early by Show, SetTitle and window events; the timeout
		// bounds how late done is noticed.
		glfw.WaitEventsTimeout(0.1)
	}
}

// update takes what other goroutines handed over and draws if needed.
func (w *Window) update() error {
	w.mu.Lock()
	pic, title, newTitle := w.pending, w.title, w.newTitle
	w.pending, w.newTitle = nil, false
	w.mu.Unlock()
	if newTitle {
		w.win.SetTitle(title)
	}
	if pic != nil {
		w.current, w.dirty = pic, true
	}
	if !w.dirty || w.iconified {
		return nil
	}
	presented, err := w.draw()
	if err != nil {
		return err
	}
	w.dirty = !presented
	return nil
}

// draw presents the current picture at the framebuffer's size.
func (w *Window) draw() (bool, error) {
	fw, fh := w.win.GetFramebufferSize()
	var img = w.current
	return w.pres.Present(fw, fh, func(c vk.Canvas) {
		if img == nil {
			paint(c, nil)
		} else {
			paint(c, img.Image)
		}
	})
}

func (w *Window) key(k glfw.Key) {
	switch k {
	case glfw.KeySpace:
		w.send(Pause)
	case glfw.Key1, glfw.KeyKP1:
		w.send(OneStep)
	case glfw.Key2, glfw.KeyKP2:
		w.send(TwoStep)
	case glfw.KeyN:
		w.send(NewNoise)
	case glfw.KeyS:
		w.save()
	case glfw.KeyQ:
		w.send(Quit)
		w.win.SetShouldClose(true)
	case glfw.KeyEscape:
		w.win.SetShouldClose(true)
	}
}

// send never blocks the window: when the program behind it lags, the
// oldest command goes.
func (w *Window) send(c Command) {
	for {
		select {
		case w.cmds <- c:
			return
		default:
		}
		select {
		case <-w.cmds:
		default:
		}
	}
}

// save writes the picture on screen as a PNG file in SaveDir.
func (w *Window) save() {
	logf := w.opt.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if w.current == nil {
		logf("viewer: no samples to save yet")
		return
	}
	path := filepath.Join(w.opt.SaveDir, w.current.Name+".png")
	img := w.current.Image
	if w.current.Saved != nil {
		img = w.current.Saved
	}
	var buf bytes.Buffer
	err := png.Encode(&buf, img)
	if err == nil {
		err = atomicfile.Write(path, buf.Bytes())
	}
	if err != nil {
		logf("viewer: saving the grid: %v", err)
		return
	}
	logf("viewer: saved %s", path)
}

func (w *Window) markClosed() {
	w.closeOnce.Do(func() {
		w.mu.Lock()
		w.open = false
		w.mu.Unlock()
		close(w.closed)
	})
}

// Close destroys the swapchain and the window, on the main OS thread.
func (w *Window) Close() error {
	w.markClosed()
	if w.win == nil {
		return nil
	}
	err := w.pres.Destroy()
	w.win.Destroy()
	w.win = nil
	return err
}
