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

// Options are a test engine's options: the device the environment names
// (vk.OptionsFromEnv, so ICT_DEVICE, ICT_NO_UMA and ICT_NO_PUSH_DESCRIPTORS
// reach every test), validation on, no pipeline cache file. With poison,
// every tensor the pool hands out starts as NaN.
func Options(t testing.TB, poison bool) nn.Options {
	t.Helper()
	dev, err := vk.OptionsFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	dev.Validate, dev.CacheDir = vk.ValidateInTests(), "off"
	return nn.Options{Device: dev, Poison: poison}
}

// GPUPaths changes opt to take a discrete GPU's code paths on any device:
// tensors behind staging copies (NoUMA), descriptor sets from pools
// (NoPushDescriptors), and GPU tunings (shared-memory GEMM tiles,
// workgroups of 256).
func GPUPaths(opt nn.Options) nn.Options {
	opt.Device.NoUMA = true
	opt.Device.NoPushDescriptors = true
	opt.Tuning = nn.TuneGPU
	return opt
}

// Open returns a validated engine closed when t ends. With poison, every
// tensor the pool hands out starts as NaN.
func Open(t testing.TB, poison bool) *nn.Engine {
	t.Helper()
	return OpenWith(t, Options(t, poison))
}

// OpenLimited is Open with the device memory capped at memoryLimit bytes
// (vk.Options.MemoryLimit): for tests of what fits.
func OpenLimited(t testing.TB, memoryLimit uint64) *nn.Engine {
	t.Helper()
	opt := Options(t, false)
	opt.Device.MemoryLimit = memoryLimit
	return OpenWith(t, opt)
}

// OpenWith returns an engine opened with opt, closed when t ends; any
// message of the validation layer (when opt turns it on) fails t.
func OpenWith(t testing.TB, opt nn.Options) *nn.Engine {
	t.Helper()
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
