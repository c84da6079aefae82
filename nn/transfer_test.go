package nn

import (
	"fmt"
	"testing"
)

// TestTransfers moves data in and out of tensors on both engines: the
// default one (host-mapped memory on lavapipe) and the discrete-GPU paths
// (staging copies): odd sizes, views at offsets, a tensor past half a
// staging block (a dedicated staging buffer), and an upload recorded
// between two dispatches that read the tensor.
func TestTransfers(t *testing.T) {
	for _, c := range []struct {
		name string
		open func(*testing.T) *Engine
	}{{"default", engine}, {"gpu-paths", gpuEngine}} {
		t.Run(c.name, func(t *testing.T) {
			e := c.open(t)
			t.Run("odd sizes", func(t *testing.T) {
				for _, n := range []int{1, 3, 5, 17, 1001} {
					x := e.FromData(ramp(n, 1), n)
					checkDownload(t, fmt.Sprintf("%d floats", n), x, ramp(n, 1))
				}
			})
			t.Run("views", func(t *testing.T) {
				// Rows of 16 floats (64 bytes) suit any binding alignment up
				// to 64, so Slice returns views into base.
				base := e.FromData(ramp(6*16, 0), 6, 16)
				mid := base.Slice(2, 5)
				if mid.off == 0 {
					t.Fatalf("slice [2:5] of %v is not a view", base)
				}
				checkDownload(t, "view", mid, ramp(6*16, 0)[32:80])
				mid.Upload(ramp(48, 1000))
				last := base.Slice(5, 6)
				last.Write(ramp(16, 2000))
				want := ramp(6*16, 0)
				copy(want[32:80], ramp(48, 1000))
				copy(want[80:], ramp(16, 2000))
				checkDownload(t, "base after writes into views", base, want)
				checkDownload(t, "the last row", last, ramp(16, 2000))
			})
			t.Run("past half a staging block", func(t *testing.T) {
				n := 4<<20 + 3 // 16 MiB and 12 bytes
				x := e.FromData(ramp(n, 7), n)
				checkDownload(t, "large", x, ramp(n, 7))
			})
			t.Run("upload between readers", func(t *testing.T) {
				x := e.FromData(ramp(33, 1), 33)
				before := e.Scale(x, 2)
				x.Upload(ramp(33, 100))
				after := e.Scale(x, 3)
				want := ramp(33, 1)
				for i := range want {
					want[i] *= 2
				}
				checkDownload(t, "read before the upload", before, want)
				want = ramp(33, 100)
				for i := range want {
					want[i] *= 3
				}
				checkDownload(t, "read after the upload", after, want)
			})
		})
	}
}

// ramp is from, from+1, ... (n values, exact in float32 below 2^24).
func ramp(n int, from float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = from + float32(i%(1<<20))
	}
	return v
}

func checkDownload(t *testing.T, what string, x *Tensor, want []float32) {
	t.Helper()
	got, err := x.Download()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: value %d is %v, want %v", what, i, got[i], want[i])
		}
	}
}
