package nn

import (
	"testing"
)

// TestPackUnpack packs tensors of odd sizes into one and back, on the
// default paths and a discrete GPU's (staging copies).
func TestPackUnpack(t *testing.T) {
	testPackUnpack(t, engine(t))
	testPackUnpack(t, gpuEngine(t))
}

func testPackUnpack(t *testing.T, e *Engine) {
	sizes := []int{3, 1, 7, 5}
	var ts []*Tensor
	total := 0
	for i, n := range sizes {
		v := make([]float32, n)
		for j := range v {
			v[j] = float32(10*i + j)
		}
		ts = append(ts, e.Persistent(n))
		ts[i].Upload(v)
		total += n
	}
	flat := e.Persistent(total)
	e.Pack(flat, ts)
	got, err := flat.Download()
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 1, 2, 10, 20, 21, 22, 23, 24, 25, 26, 30, 31, 32, 33, 34}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("packed %v, want %v", got, want)
		}
	}
	for i := range got {
		got[i] = -got[i]
	}
	flat.Upload(got)
	e.Unpack(ts, flat)
	for i, x := range ts {
		v, err := x.Download()
		if err != nil {
			t.Fatal(err)
		}
		for j := range v {
			if v[j] != -float32(10*i+j) {
				t.Errorf("tensor %d unpacked %v", i, v)
				break
			}
		}
	}
	wrong := e.Persistent(total + 1)
	e.Pack(wrong, ts)
	if e.Err() == nil {
		t.Error("packing into a tensor of the wrong size did not fail")
	}
	e.ClearErr()
	for _, x := range append(ts, flat, wrong) {
		x.Free()
	}
}
