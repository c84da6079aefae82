package kern

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/vk"
)

// openTest opens a validated device for one test; the test fails on any
// validation message, including those printed at teardown.
func openTest(t *testing.T) *vk.Device {
	t.Helper()
	d, err := vk.Open(vk.Options{Device: -1, Validate: vk.ValidateInTests(), CacheDir: "off"})
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

// openKernels opens a validated device (see openTest), a stream on it and
// kernels with opt.
func openKernels(t *testing.T, opt Options) (*vk.Device, *vk.Stream, *Kernels) {
	t.Helper()
	d := openTest(t)
	s, err := d.NewStream(vk.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k, err := New(d, opt)
	if err != nil {
		t.Fatal(err)
	}
	return d, s, k
}

// errorCase opens kernels with the default options and one buffer of size
// bytes, for tests that every call must refuse before recording.
func errorCase(t *testing.T, size uint64) (*vk.Stream, *Kernels, vk.Range) {
	t.Helper()
	d, s, k := openKernels(t, Options{})
	buf, err := d.Alloc(size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Free(buf) })
	return s, k, buf.All()
}

// variantSetup is one way of running the kernels under test.
type variantSetup struct {
	name    string
	variant Variant
	sizes   [][2]int // CPU tile sizes to choose from (nil: all)
}

// variants covers the GPU tiling and the CPU tiling with tiles larger
// than the test shapes and smaller ones, so that the vec4 and scalar load
// paths and every edge case run on small shapes. (The largest CPU tiles
// take LLVM a minute to compile; TestMatMulLargeTile runs them once.)
var variants = []variantSetup{
	{"gpu", GPU, nil},
	{"cpu-auto", CPU, nil},
	{"cpu-16x16", CPU, [][2]int{{16, 16}}},
	{"cpu-4x8", CPU, [][2]int{{4, 8}}},
}

// env is a validated device, one stream and the kernels of one variant.
type env struct {
	t   *testing.T
	dev *vk.Device
	s   *vk.Stream
	k   *Kernels
	rng *rand.Rand
}

func forEachVariant(t *testing.T, f func(e *env)) {
	d := openTest(t)
	s, err := d.NewStream(vk.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			k, err := New(d, Options{Variant: v.variant, Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			if v.sizes != nil {
				k.cpuSizes = v.sizes
			}
			f(&env{t: t, dev: d, s: s, k: k, rng: rand.New(rand.NewPCG(7, uint64(len(v.name))))})
		})
	}
	if msgs := d.TakeMessages(); len(msgs) > 0 {
		t.Errorf("validation layer:\n%s", strings.Join(msgs, "\n"))
	}
}

func (e *env) random(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(float32(e.rng.Float64()*2 - 1))
	}
	return v
}

// upload allocates a buffer holding v as float32 (at least 4 bytes).
func (e *env) upload(v []float64) vk.Range {
	e.t.Helper()
	b, err := e.dev.Alloc(uint64(4 * max(len(v), 1)))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { e.dev.Free(b) })
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(x)))
	}
	if err := e.s.Upload(b, raw); err != nil {
		e.t.Fatal(err)
	}
	return b.All()
}

// poisoned allocates n floats filled with NaN.
func (e *env) poisoned(n int) vk.Range {
	e.t.Helper()
	b, err := e.dev.Alloc(uint64(4 * n))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { e.dev.Free(b) })
	if err := e.s.Fill(b, 0x7fc00000); err != nil {
		e.t.Fatal(err)
	}
	return b.All()
}

func (e *env) download(r vk.Range, n int) []float64 {
	e.t.Helper()
	raw := make([]byte, r.Buf.Size)
	if err := e.s.Download(r.Buf, raw); err != nil {
		e.t.Fatal(err)
	}
	raw = raw[r.Offset:]
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
	}
	return v
}

func add(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] + b[i]
	}
	return out
}

func sub(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

func scale(a []float64, s float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = s * a[i]
	}
	return out
}
