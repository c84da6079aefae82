package nn

import (
	"math"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/vk"
)

// stepPeak runs f and returns the most bytes of step tensors held at once
// beyond what was held before it; f runs with liveness on, or with every
// step tensor held until Release (holdAll, the behaviour before liveness).
func stepPeak(t *testing.T, e *Engine, holdAll bool, f func()) uint64 {
	t.Helper()
	e.Release()
	was := e.pool.holdAll
	e.pool.holdAll = holdAll
	defer func() { e.pool.holdAll = was }()
	e.ResetPeakMemory()
	before := e.PoolStats().LentBytes
	f()
	if err := e.Wait(); err != nil {
		t.Fatal(err)
	}
	peak := e.PoolStats().PeakLentBytes - before
	e.Release()
	return peak
}

// A chain of 20 ops whose backward passes need no activation (Scale) peaks
// at a few tensors with liveness, forward and backward, and at all of them
// when every step tensor is held until Release; the gradient is the same.
func TestChainPeaksAtConstantMemory(t *testing.T) {
	e := engine(t)
	const n, links = 4096, 20 // 16 KiB tensors, exactly a size class
	size := uint64(4 * n)
	ones := make([]float32, n)
	for i := range ones {
		ones[i] = 1
	}
	w := e.NewParam(ones, n)
	defer w.Free()
	run := func() {
		e.ZeroGrad([]*Tensor{w})
		h := w
		for i := 0; i < links; i++ {
			next := e.Scale(h, 1.01)
			if h != w {
				h.Free()
			}
			h = next
		}
		loss := e.Sum(h)
		h.Free()
		if err := e.Backward(loss); err != nil {
			t.Fatal(err)
		}
	}
	grad := func() []float32 {
		g, err := w.Grad().Download()
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	live := stepPeak(t, e, false, run)
	gLive := grad()
	held := stepPeak(t, e, true, run)
	gHeld := grad()
	t.Logf("peak of a %d-link chain: %d KiB with liveness, %d KiB holding everything", links, live>>10, held>>10)
	if live > 3*size {
		t.Errorf("with liveness the chain peaks at %d bytes, want at most 3 tensors (%d)", live, 3*size)
	}
	if held < 2*links*size {
		t.Errorf("holding every tensor the chain peaks at %d bytes, want at least %d (20 activations and 20 gradients): is the measure broken?", held, 2*links*size)
	}
	want := float32(math.Pow(1.01, links))
	for i := range gLive {
		if gLive[i] != gHeld[i] || math.Abs(float64(gLive[i]-want)) > 1e-5 {
			t.Fatalf("gradient %d: %v with liveness, %v holding everything, want %v", i, gLive[i], gHeld[i], want)
		}
	}
}

// Under NoGrad a Tidy scope keeps only what it returns: a chain of SiLU
// (whose backward would need every input) peaks at three tensors: x, the
// link before and the link after.
func TestTidyUnderNoGradKeepsOnlyTheResult(t *testing.T) {
	e := engine(t)
	const n = 4096
	size := uint64(4 * n)
	peak := stepPeak(t, e, false, func() {
		x := e.FromData(make([]float32, n), n)
		e.NoGrad(func() {
			e.Tidy(func() *Tensor {
				h := x
				for i := 0; i < 20; i++ {
					next := e.SiLU(h)
					if h != x {
						h.Free()
					}
					h = next
				}
				return h
			})
		})
		if lent := e.PoolStats().LentBytes; lent != 2*size { // x and y
			t.Errorf("after the scope %d bytes are lent, want %d (x and y)", lent, 2*size)
		}
	})
	if peak > 3*size {
		t.Errorf("NoGrad chain peaks at %d bytes, want at most %d", peak, 2*size)
	}
}

// With the tape on, what a backward pass needs survives its scope and is
// let go once that backward has run: after Backward only the tensors held
// outside every scope remain.
func TestBackwardLetsGoOfSavedTensors(t *testing.T) {
	e := engine(t)
	e.Release()
	w := e.NewParam([]float32{0.5, -1, 2, 3}, 4)
	defer w.Free()
	e.ZeroGrad([]*Tensor{w})
	loss := e.Tidy(func() *Tensor {
		return e.Sum(e.Mul(e.SiLU(e.Scale(w, 2)), e.SiLU(w)))
	})
	before := e.PoolStats().LentBytes
	if err := e.Backward(loss); err != nil {
		t.Fatal(err)
	}
	if after := e.PoolStats().LentBytes; after != 256 || before <= after {
		t.Errorf("%d bytes lent before Backward, %d after: want only the loss (256) left", before, after)
	}
	if loss.Grad() != nil {
		t.Errorf("the loss keeps a gradient after Backward; an op's output gradient should be let go")
	}
	if _, err := w.Grad().Download(); err != nil {
		t.Fatal(err)
	}
}

// mustPanic fails t unless f panics with a message containing want.
func mustPanic(t *testing.T, what, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic", what)
			return
		}
		if msg, _ := r.(string); !strings.Contains(msg, want) {
			t.Errorf("%s: panic %v, want one mentioning %q", what, r, want)
		}
	}()
	f()
}

// Using a step tensor whose memory went back to the pool panics: one a
// Tidy scope did not return, one after Release, and one an op's backward
// reads without having saved it.
func TestFreedTensorUseFails(t *testing.T) {
	e := engine(t)
	var inner *Tensor
	out := e.Tidy(func() *Tensor {
		inner = e.FromData([]float32{1, 2, 3}, 3)
		return e.Scale(inner, 2)
	})
	mustPanic(t, "reading a tensor its scope let go of", "used after", func() { inner.Download() })
	mustPanic(t, "an op on it", "used after", func() { e.Add(inner, out) })
	mustPanic(t, "a view of it", "used after", func() { inner.Reshape(1, 3) })
	if _, err := out.Download(); err != nil {
		t.Fatalf("the returned tensor: %v", err)
	}
	e.Release()
	mustPanic(t, "reading a tensor after Release", "used after", func() { out.Download() })

	// An op that reads x in its backward but does not declare it saved.
	w := e.NewParam([]float32{1, 2}, 2)
	defer w.Free()
	y := e.Tidy(func() *Tensor {
		x := e.Copy(w)
		y := e.Scale(x, 1)
		e.record("careless", y, []*Tensor{x}, nil, func(g *Tensor) { e.accumulate(x, e.Mul(g, x)) })
		return y
	})
	mustPanic(t, "a backward reading an unsaved input", "used after", func() { e.Backward(e.Sum(y)) })
	e.resetTape()
	e.ClearErr()
}

// Idle buffers of other sizes do not make a step that fits run out of
// memory: the pool gives them back to the allocator before reserving more,
// and, for buffers with blocks of their own, when an allocation fails.
func TestPoolGivesIdleBuffersBack(t *testing.T) {
	for name, e := range testEngines { // one device at a time
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		delete(testEngines, name)
	}
	// 64 MiB: 16 MiB blocks, buffers past 8 MiB get blocks of their own.
	e, err := NewEngine(Options{Device: vk.Options{Device: -1, Validate: vk.ValidateInTests(), CacheDir: "off", MemoryLimit: 64 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
		if msgs := e.Dev.TakeMessages(); len(msgs) > 0 {
			t.Errorf("validation layer:\n%s", strings.Join(msgs, "\n"))
		}
	}()
	fill := func(n, floats int) {
		t.Helper()
		for i := 0; i < n; i++ {
			e.Empty(floats).Fill(1)
		}
		if err := e.Wait(); err != nil {
			t.Fatal(err)
		}
		e.Release()
	}
	fill(40, 1<<18) // 40 MiB of 1 MiB buffers, idle in the pool after Release
	fill(12, 3<<18) // 36 MiB of 3 MiB buffers: fits only if those go back
	if st := e.Dev.AllocStats(); st.PeakReservedBytes > 48<<20 {
		t.Errorf("the device held %d MiB at its peak; 48 MiB of blocks suffice", st.PeakReservedBytes>>20)
	}
	fill(4, 3<<20) // 48 MiB in blocks of their own: after the empty blocks go
	fill(2, 5<<20) // 40 MiB: after the 12 MiB buffers go
	if st := e.PoolStats(); st.Trims == 0 {
		t.Errorf("pool stats %+v: no trim", st)
	}
}

// A dry run takes the same step tensors as the real one and leaves the
// device as it was: a parameter's gradient stays what it was, and what
// runs afterwards computes as usual.
func TestDryRunMeasuresWithoutRunning(t *testing.T) {
	e := engine(t)
	const n = 1000
	ones := make([]float32, n)
	for i := range ones {
		ones[i] = 1
	}
	w := e.NewParam(ones, n)
	defer w.Free()
	pass := func() error {
		e.ZeroGrad([]*Tensor{w})
		h := e.Scale(e.Mul(w, w), 3)
		return e.Backward(e.Sum(h))
	}
	grad := func() []float32 {
		t.Helper()
		g, err := w.Grad().Download()
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	real := stepPeak(t, e, false, func() {
		if err := pass(); err != nil {
			t.Fatal(err)
		}
	})
	if g := grad(); g[0] != 6 || g[n-1] != 6 {
		t.Fatalf("d/dw sum(3 w^2) at 1 = %v, want 6", g[0])
	}
	dispatches := e.S.Stats().Dispatches
	dry := stepPeak(t, e, false, func() {
		if err := e.DryRun(func() error {
			if err := pass(); err != nil {
				return err
			}
			if got, err := e.Sum(w).Download(); err != nil || got[0] != 0 {
				t.Errorf("a download in a dry run read %v, %v; want 0", got, err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
	if dry != real || real == 0 {
		t.Errorf("step tensors peaked at %d bytes in the dry run, %d in the real one", dry, real)
	}
	if d := e.S.Stats().Dispatches - dispatches; d != 0 {
		t.Errorf("the dry run recorded %d dispatches", d)
	}
	if g := grad(); g[0] != 6 {
		t.Errorf("the dry run changed the gradient to %v", g[0])
	}
	e.ZeroGrad([]*Tensor{w})
	if err := e.Backward(e.Sum(e.Scale(w, 2))); err != nil {
		t.Fatal(err)
	}
	if g := grad(); g[0] != 2 {
		t.Errorf("after the dry run, d/dw sum(2 w) = %v, want 2", g[0])
	}
	e.Release()
}
