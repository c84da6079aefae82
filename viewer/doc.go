// Package viewer shows sample grids in a window while a model trains: a
// GLFW window with no client API, a Vulkan surface and a swapchain on the
// training device (or on another device, fed by a host copy, where the
// training queue cannot present). The grid is scaled by whole factors
// where it fits, so each of its pixels appears as a block of identical
// pixels on screen, as in the run's PNG grids (which enlarge the same
// grid by a fixed factor, with thinner separators).
//
// GLFW wants its calls on the main OS thread: Init, Open, Run and Close
// must run there; Show, SetTitle and Commands may be used from any
// goroutine. A binary built with -tags noviewer (for batch nodes without a
// display) has no viewer: Init returns ErrNoViewer and links neither GLFW
// nor X11.
package viewer

import (
	"errors"
	"image"

	"github.com/ictvk/ictvk/vk"
)

// ErrNoViewer is what every entry point returns in a binary built with
// -tags noviewer.
var ErrNoViewer = errors.New("this ict was built with -tags noviewer: it has no viewer")

// Picture is what the window shows: a grid as report.Grid draws it, one
// pixel per image pixel (the PNG files of a run hold it enlarged), and the
// name 's' saves it under.
type Picture struct {
	Image *image.RGBA
	Name  string // file name without ".png", e.g. "step0000120_1step"
	// Saved is what the s key writes, when it differs from Image: the
	// enlarged grid of the run folder's PNGs, say. Nil: Image.
	Saved *image.RGBA
}

// Command is a key the user pressed, for the program behind the window.
type Command int

const (
	Pause    Command = iota + 1 // space: pause or resume training
	OneStep                     // 1: show one-step samples
	TwoStep                     // 2: show two-step samples
	NewNoise                    // n: draw new noise for the samples
	Quit                        // q: stop (training stops with a checkpoint); the window closes
)

func (c Command) String() string {
	switch c {
	case Pause:
		return "pause"
	case OneStep:
		return "one-step"
	case TwoStep:
		return "two-step"
	case NewNoise:
		return "new noise"
	case Quit:
		return "quit"
	}
	return "unknown command"
}

// Options configure a window.
type Options struct {
	Title         string // the first title, until SetTitle
	Width, Height int    // the window's first size in screen coordinates; 0: 600x600
	// SaveDir is where 's' writes the current grid ("" is the working
	// folder).
	SaveDir string
	// Logf reports what the window did for the user (a saved grid, say);
	// nil says nothing.
	Logf func(format string, args ...any)
	// Present tunes the swapchain (tests force the separate-device path).
	Present vk.PresentOptions
}
