package vk

import "testing"

// Benchmarks run without the validation layer, which slows lavapipe
// dispatches by an order of magnitude.
func benchDevice(b *testing.B) *Device {
	b.Helper()
	d, err := Open(Options{Device: -1, CacheDir: "off"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

// BenchmarkDispatchOverhead records and runs a chain of tiny dispatches:
// the fixed cost of one op of the tape.
func BenchmarkDispatchOverhead(b *testing.B) {
	d := benchDevice(b)
	p, err := d.Pipeline(affine, 64)
	if err != nil {
		b.Fatal(err)
	}
	s, _ := d.NewStream(StreamOptions{})
	x, _ := d.Alloc(256)
	y, _ := d.Alloc(256)
	push := Push(uint32(64), float32(1), float32(1))
	const chain = 256
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < chain; j++ {
			if j%2 == 0 {
				s.Dispatch(p, [3]uint32{1, 1, 1}, push, x, y)
			} else {
				s.Dispatch(p, [3]uint32{1, 1, 1}, push, y, x)
			}
		}
		if err := s.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*chain), "ns/dispatch")
}

// BenchmarkAffineBandwidth streams 64 MiB through the affine kernel.
func BenchmarkAffineBandwidth(b *testing.B) {
	d := benchDevice(b)
	p, err := d.Pipeline(affine, 256)
	if err != nil {
		b.Fatal(err)
	}
	s, _ := d.NewStream(StreamOptions{})
	const n = 8 << 20
	x, _ := d.Alloc(4 * n)
	y, _ := d.Alloc(4 * n)
	push := Push(uint32(n), float32(2), float32(1))
	groups := [3]uint32{n / 256 / 16, 16, 1}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Dispatch(p, groups, push, x, y)
		if err := s.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(8*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
}
