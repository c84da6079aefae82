//go:build noviewer

package viewer

import "github.com/ictvk/ictvk/vk"

// Window is absent from a noviewer build; every method is a no-op.
type Window struct{}

// ErrNoDisplay is never returned by a noviewer build (it says ErrNoViewer).
var ErrNoDisplay = ErrNoViewer

func Init() error                                { return ErrNoViewer }
func Terminate()                                 {}
func InstanceExtensions() ([]string, error)      { return nil, ErrNoViewer }
func Open(*vk.Device, Options) (*Window, error)  { return nil, ErrNoViewer }
func (w *Window) Show(Picture)                   {}
func (w *Window) SetTitle(string)                {}
func (w *Window) Commands() <-chan Command       { return nil }
func (w *Window) Closed() <-chan struct{}        { return nil }
func (w *Window) Run(done <-chan struct{}) error { return ErrNoViewer }
func (w *Window) Close() error                   { return nil }
func (w *Window) Stats() vk.PresentStats         { return vk.PresentStats{} }
