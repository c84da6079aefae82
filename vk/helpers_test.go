package vk

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/shaders"
)

// configs are the device setups the runtime's tests run under: the
// device's own fast paths, and the staging + pooled-descriptor paths that
// discrete GPUs without push descriptors take.
var configs = []struct {
	name string
	opt  Options
}{
	{"native", Options{Device: -1, Validate: ValidateInTests(), CacheDir: "off"}},
	{"staged-pooled", Options{Device: -1, Validate: ValidateInTests(), CacheDir: "off", NoUMA: true, NoPushDescriptors: true}},
}

// openTest opens a validated device for one test; the test fails on any
// validation message, including those printed at teardown.
func openTest(t *testing.T, opt Options) *Device {
	t.Helper()
	d, err := Open(opt)
	if err != nil {
		t.Fatalf("opening the device: %v", err)
	}
	t.Cleanup(func() {
		msgs := d.TakeMessages()
		if err := d.Close(); err != nil {
			t.Errorf("closing the device: %v", err)
		}
		if len(msgs) > 0 {
			t.Errorf("validation layer:\n%s", strings.Join(msgs, "\n"))
		}
	})
	return d
}

func forEachConfig(t *testing.T, f func(t *testing.T, d *Device)) {
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) { f(t, openTest(t, c.opt)) })
	}
}

var affine = mustKernel("affine")

func mustKernel(name string) Kernel {
	k, err := KernelFromSPIRV(name, shaders.SPIRV(name))
	if err != nil {
		panic(err)
	}
	return k
}

func affinePipeline(t *testing.T, d *Device) *Pipeline {
	t.Helper()
	p, err := d.Pipeline(affine, 64)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runAffine records y = a*x + b over n floats.
func runAffine(t *testing.T, s *Stream, p *Pipeline, x, y *Buffer, n int, a, b float32) {
	t.Helper()
	if err := s.Dispatch(p, [3]uint32{uint32((n + 63) / 64), 1, 1}, Push(uint32(n), a, b), x, y); err != nil {
		t.Fatal(err)
	}
}

func floatsBytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func bytesFloats(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

func upload(t *testing.T, s *Stream, b *Buffer, v []float32) {
	t.Helper()
	if err := s.Upload(b, floatsBytes(v)); err != nil {
		t.Fatal(err)
	}
}

func download(t *testing.T, s *Stream, b *Buffer, n int) []float32 {
	t.Helper()
	out := make([]byte, 4*n)
	if err := s.Download(b, out); err != nil {
		t.Fatal(err)
	}
	return bytesFloats(out)
}

func mustAlloc(t *testing.T, d *Device, size uint64) *Buffer {
	t.Helper()
	b, err := d.Alloc(size)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustStream(t *testing.T, d *Device, opt StreamOptions) *Stream {
	t.Helper()
	s, err := d.NewStream(opt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
