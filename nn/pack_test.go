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

// TestPackIntoHostMemory: a pack into a host tensor is read through
// Mapped once a submission after it is done, and what the host writes
// there unpacks, without a download or upload (ct's gradient buckets).
func TestPackIntoHostMemory(t *testing.T) {
	for _, e := range []*Engine{engine(t), gpuEngine(t)} {
		a, b := e.Persistent(3), e.Persistent(2)
		a.Upload([]float32{1, 2, 3})
		b.Upload([]float32{4, 5})
		host := e.PersistentHost(5)
		e.Pack(host, []*Tensor{a, b})
		sub, err := e.S.Submit()
		if err != nil {
			t.Fatal(err)
		}
		if err := sub.Release(); err != nil { // waits
			t.Fatal(err)
		}
		m := host.Mapped()
		if m == nil {
			t.Fatal("a host tensor is not mapped")
		}
		for i, want := range []float32{1, 2, 3, 4, 5} {
			if m[i] != want {
				t.Fatalf("the host reads %v, want [1 2 3 4 5]", m)
			}
			m[i] = -want
		}
		e.Unpack([]*Tensor{a, b}, host)
		got, err := b.Download()
		if err != nil {
			t.Fatal(err)
		}
		if got[0] != -4 || got[1] != -5 {
			t.Errorf("unpacked %v from the host's writes, want [-4 -5]", got)
		}
		for _, x := range []*Tensor{a, b, host} {
			x.Free()
		}
	}
}
