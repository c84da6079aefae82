package vk

import (
	"math"
	"testing"
)

// TestSubmissionWaitedFromAnotherGoroutine: a goroutine waits for a
// Submission and reads a host buffer the device wrote, while the
// recording goroutine goes on recording and submitting enough work to
// reuse (and reset the fences of) every frame of the stream.
func TestSubmissionWaitedFromAnotherGoroutine(t *testing.T) {
	forEachConfig(t, func(t *testing.T, d *Device) {
		p := affinePipeline(t, d)
		s := mustStream(t, d, StreamOptions{MaxDispatches: 4})
		const n, chain = 1 << 16, 120
		a, b := mustAlloc(t, d, 4*n), mustAlloc(t, d, 4*n)
		host, err := d.AllocHost(4 * n)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Free(host)
		mapped := host.Mapped()
		if mapped == nil {
			t.Fatal("AllocHost's buffer is not mapped")
		}
		if d.uma == false && a.Mapped() != nil {
			t.Error("a device-local buffer of a discrete setup is mapped")
		}
		copy(mapped, floatsBytes(nanFloats(n))) // poison: a read too early sees NaN
		upload(t, s, a, make([]float32, n))
		for i := range chain { // a -> b -> a ...: each adds 1
			if i%2 == 0 {
				runAffine(t, s, p, a, b, n, 1, 1)
			} else {
				runAffine(t, s, p, b, a, n, 1, 1)
			}
		}
		if err := s.Copy(host, 0, a, 0, 4*n); err != nil { // chain is even: a holds the last
			t.Fatal(err)
		}
		sub, err := s.Submit()
		if err != nil {
			t.Fatal(err)
		}
		read := make(chan []float32)
		go func() {
			if err := sub.Wait(); err != nil {
				t.Error(err)
			}
			read <- bytesFloats(mapped)
			if err := sub.Release(); err != nil {
				t.Error(err)
			}
		}()
		for i := range 4 * framesInFlight * 4 { // more submits than frames
			runAffine(t, s, p, b, b, n, 1, 0)
			if i%4 == 3 {
				if err := s.Flush(); err != nil {
					t.Fatal(err)
				}
			}
		}
		got := <-read
		for _, i := range []int{0, n / 2, n - 1} {
			if got[i] != chain {
				t.Errorf("the host read %v at %d once the submission was done, want %d", got[i], i, chain)
			}
		}
		// Released fences are reused; a second Submit still waits right.
		copy(mapped, floatsBytes(nanFloats(n)))
		runAffine(t, s, p, a, b, n, 2, 0)
		if err := s.Copy(host, 0, b, 0, 4*n); err != nil {
			t.Fatal(err)
		}
		sub2, err := s.Submit()
		if err != nil {
			t.Fatal(err)
		}
		if err := sub2.Release(); err != nil { // Release waits first
			t.Fatal(err)
		}
		if got := bytesFloats(mapped)[n-1]; got != 2*chain {
			t.Errorf("after the second submission the host read %v, want %d", got, 2*chain)
		}
		if err := sub2.Wait(); err == nil {
			t.Error("waiting for a released submission did not fail")
		}
		if err := s.Wait(); err != nil {
			t.Fatal(err)
		}
	})
}

func nanFloats(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(math.NaN())
	}
	return v
}
