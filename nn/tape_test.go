package nn

import (
	"strings"
	"testing"
)

func TestNoGradRecordsNothing(t *testing.T) {
	e := engine(t)
	w := e.NewParam([]float32{1, 2, 3}, 3)
	defer w.Free()
	var y *Tensor
	e.NoGrad(func() { y = e.SiLU(e.Scale(w, 2)) })
	if y.Tracks() || len(e.tape.nodes) != 0 {
		t.Fatalf("ops under NoGrad were recorded (%d nodes)", len(e.tape.nodes))
	}
	if err := e.Backward(y); err == nil || !strings.Contains(err.Error(), "NoGrad") {
		t.Fatalf("backward from a no-grad tensor: %v", err)
	}
	if !e.GradEnabled() {
		t.Fatal("NoGrad did not restore recording")
	}
}

// TestTeacherPathGetsNoGradient mixes a tracked and an untracked path, as
// the iCT loss does: only the student path may reach the parameter.
func TestTeacherPathGetsNoGradient(t *testing.T) {
	e := engine(t)
	w := e.NewParam([]float32{0.5, -1, 2}, 3)
	defer w.Free()
	var teacher *Tensor
	e.NoGrad(func() { teacher = e.Scale(w, 3) })
	student := e.Scale(w, 2)
	loss := e.Mul(student, teacher) // d/dw = 2 * teacher = 6w, not 12w
	if err := e.Backward(loss); err != nil {
		t.Fatal(err)
	}
	g, err := w.Grad().Download()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float32{3, -6, 12} {
		if g[i] != want {
			t.Errorf("grad[%d] = %v, want %v", i, g[i], want)
		}
	}
}

// TestParamGradientsAccumulate: gradients stay and add up over backward
// passes until ZeroGrad (the optimizer takes them).
func TestParamGradientsAccumulate(t *testing.T) {
	e := engine(t)
	w := e.NewParam([]float32{1, 2}, 2)
	defer w.Free()
	for i := 0; i < 3; i++ {
		if err := e.Backward(e.Scale(w, 5)); err != nil {
			t.Fatal(err)
		}
		e.Release()
	}
	g, _ := w.Grad().Download()
	if g[0] != 15 || g[1] != 15 {
		t.Fatalf("after three passes grad = %v, want 15s", g)
	}
	e.ZeroGrad([]*Tensor{w})
	g, _ = w.Grad().Download()
	if g[0] != 0 || g[1] != 0 {
		t.Fatalf("after ZeroGrad grad = %v", g)
	}
}

// TestStepAllocatesNothingAfterTheFirst runs the same forward and backward
// three times: after the first, the pool serves every tensor and no device
// memory is allocated.
func TestStepAllocatesNothingAfterTheFirst(t *testing.T) {
	e := engine(t)
	w := e.NewParam(make([]float32, 2*3*7*9), 2, 3, 7, 9)
	defer w.Free()
	x := e.Persistent(2, 3, 7, 9)
	defer x.Free()
	step := func() {
		h := e.SiLU(e.Mul(x, w))
		loss := e.Add(e.Scale(h, 0.5), e.Mul(h, h))
		if err := e.Backward(loss); err != nil {
			t.Fatal(err)
		}
		if err := e.Wait(); err != nil {
			t.Fatal(err)
		}
		e.Release()
	}
	step()
	allocs, misses := e.Dev.AllocStats().DeviceAllocs, e.PoolStats().Misses
	step()
	step()
	if a := e.Dev.AllocStats().DeviceAllocs; a != allocs {
		t.Errorf("steps 2-3 made %d device allocations", a-allocs)
	}
	if m := e.PoolStats().Misses; m != misses {
		t.Errorf("steps 2-3 missed the pool %d times", m-misses)
	}
}

func TestSizeClass(t *testing.T) {
	for _, c := range []struct{ in, want uint64 }{
		{1, 256}, {256, 256}, {257, 320}, {512, 512}, {513, 640}, {1000, 1024}, {1025, 1280}, {1 << 20, 1 << 20}, {1<<20 + 1, 9 << 17},
		{4 << 20, 4 << 20}, {4<<20 + 1, 9 << 19}, {65 << 20, 72 << 20}, {100 << 20, 104 << 20},
	} {
		if got := sizeClass(c.in); got != c.want {
			t.Errorf("sizeClass(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

// TestWriteIsOrderedWithKernels writes a tensor between two dispatches that
// read it: each must see the value current at its place in the stream.
func TestWriteIsOrderedWithKernels(t *testing.T) {
	e := engine(t)
	x := e.Persistent(5)
	defer x.Free()
	x.Write([]float32{1, 2, 3, 4, 5})
	a := e.Scale(x, 2)
	x.Write([]float32{10, 20, 30, 40, 50})
	b := e.Scale(x, 2)
	ga, _ := a.Download()
	gb, _ := b.Download()
	if ga[4] != 10 || gb[4] != 100 {
		t.Fatalf("got %v and %v", ga, gb)
	}
}

// TestBackwardReportsFinishedParams: each parameter is reported once the
// backward of its earliest reader is recorded, in the order they finish,
// with its gradient then final (a copy taken at the report equals the
// gradient at the end); an unused parameter is not reported.
func TestBackwardReportsFinishedParams(t *testing.T) {
	e := engine(t)
	w1 := e.NewParam([]float32{1, 2, 3}, 3)
	w2 := e.NewParam([]float32{-1, 0.5, 2}, 3)
	unused := e.NewParam([]float32{7, 7, 7}, 3)
	x := e.Persistent(3)
	x.Upload([]float32{0.5, -2, 4})
	snaps := map[*Tensor]*Tensor{}
	for _, p := range []*Tensor{w1, w2, unused, x} {
		defer p.Free()
	}
	// w1 is read first and last: its gradient has two terms.
	loss := func() *Tensor { return e.Mul(e.Mul(w2, e.Mul(w1, x)), w1) }
	if err := e.Backward(loss()); err != nil { // an earlier pass: gradients accumulate
		t.Fatal(err)
	}
	e.Release()
	var order []string
	names := map[*Tensor]string{w1: "w1", w2: "w2", unused: "unused"}
	err := e.BackwardReporting(loss(), func(ps []*Tensor) {
		for _, p := range ps {
			order = append(order, names[p])
			s := e.Persistent(3)
			e.CopyInto(s, p.Grad())
			snaps[p] = s
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	e.Release()
	if got := strings.Join(order, " "); got != "w2 w1" {
		t.Errorf("reported %q, want \"w2 w1\"", got)
	}
	for p, s := range snaps {
		defer s.Free()
		at, _ := s.Download()
		final, _ := p.Grad().Download()
		for i := range final {
			if at[i] != final[i] {
				t.Errorf("%s's gradient when reported %v, at the end %v", names[p], at, final)
				break
			}
		}
	}
}
