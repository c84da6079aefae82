// Package nntest opens engines for tests of packages built on nn: on the
// default device, with the Khronos validation layer on, failing the test on
// any message the layer prints (teardown included).
package nntest

import (
	"strings"
	"testing"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/vk"
)

// Open returns a validated engine closed when t ends. With poison, every
// tensor the pool hands out starts as NaN.
func Open(t testing.TB, poison bool) *nn.Engine {
	t.Helper()
	return OpenWith(t, nn.Options{Poison: poison})
}

// OpenWith is Open with more engine options; the device options are
// always the default device with validation.
func OpenWith(t testing.TB, opt nn.Options) *nn.Engine {
	t.Helper()
	opt.Device = vk.Options{Device: -1, Validate: true, CacheDir: "off"}
	e, err := nn.NewEngine(opt)
	if err != nil {
		t.Fatalf("opening the engine: %v", err)
	}
	t.Cleanup(func() {
		msgs := e.Dev.TakeMessages()
		if err := e.Close(); err != nil {
			t.Errorf("closing the engine: %v", err)
		}
		if len(msgs) > 0 {
			t.Errorf("validation layer:\n%s", strings.Join(msgs, "\n"))
		}
	})
	return e
}
