//go:build headless

package viewer

import "github.com/ictvk/ictvk/vk"

// Window is absent from a headless build; every method is a no-op.
type Window struct{}

// ErrNoDisplay is never returned by a headless build (it says ErrHeadless).
var ErrNoDisplay = ErrHeadless

func Init() error                                { return ErrHeadless }
func Terminate()                                 {}
func InstanceExtensions() ([]string, error)      { return nil, ErrHeadless }
func Open(*vk.Device, Options) (*Window, error)  { return nil, ErrHeadless }
func (w *Window) Show(Picture)                   {}
func (w *Window) SetTitle(string)                {}
func (w *Window) Commands() <-chan Command       { return nil }
func (w *Window) Closed() <-chan struct{}        { return nil }
func (w *Window) Run(done <-chan struct{}) error { return ErrHeadless }
func (w *Window) Close() error                   { return nil }
func (w *Window) Stats() vk.PresentStats         { return vk.PresentStats{} }
