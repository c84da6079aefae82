package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ictvk/ictvk/vk"
)

// optTrial is a few optimizer steps over several parameters of odd sizes,
// run once with arenas (a dispatch per chunk) and once per tensor (the
// step as it was before arenas), which must agree bit for bit.
type optTrial struct {
	name     string
	cfg      AdamConfig
	sizes    []int
	decays   []float64 // averages updated inside the step
	given    bool      // averages in tensors the caller made (a frozen network's), else NewEMA's own
	emaFirst bool      // averages made before the optimizer, as ct.Trainer does
	steps    int
	limit    uint64 // arena chunk cap in bytes (0: the device's maxStorageBufferRange)
}

// optState is what a trial leaves: every value of every kind of state.
type optState struct {
	params, grads, m, v [][]float32
	avgs                [][][]float32
	snaps               [][][]float32 // the parameters after each step, copied per tensor
	adamDispatches      int
	emaDispatches       int // averages past the two the step takes update on their own
	chunks              int // chunks of the parameters' layout; 0 per tensor
}

var oddSizes = []int{1, 7, 33, 130, 1003, 17, 2}

var optTrials = []optTrial{
	{name: "adam", cfg: AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, sizes: oddSizes, steps: 3},
	{name: "adam/l2 clipped, 1 average", cfg: AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, ClipNorm: 1},
		sizes: oddSizes, decays: []float64{0.9}, steps: 3},
	{name: "adamw/warm-up, clipping off by the norm", cfg: AdamConfig{LR: 0.01, Beta1: 0.8, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.05, Decoupled: true, WarmupSteps: 3, ClipNorm: 1e6},
		sizes: oddSizes, decays: []float64{0.5}, given: true, steps: 4},
	// RAdam's first steps are unrectified (rho_t <= 5), the later ones adaptive.
	{name: "radam/early and rectified, 2 given averages made first", cfg: AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Rectified: true},
		sizes: oddSizes, decays: []float64{0.9, 0.0}, given: true, emaFirst: true, steps: 8},
	{name: "radam/clipped, 2 own averages", cfg: AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, Rectified: true, ClipNorm: 2},
		sizes: oddSizes, decays: []float64{0.99, 0.5}, steps: 8},
	{name: "radam/chunks of 1 KiB, 2 averages", cfg: AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, Rectified: true, WeightDecay: 0.01},
		sizes: oddSizes, decays: []float64{0.9, 0.5}, emaFirst: true, steps: 7, limit: 1024},
	{name: "radam/3 averages, the third by Update", cfg: AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, Rectified: true},
		sizes: oddSizes, decays: []float64{0.9, 0.5, 0.99}, given: true, steps: 7, limit: 1024},
	{name: "adam/chunks of 256 B, clipped, 1 average", cfg: AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, ClipNorm: 1},
		sizes: []int{64, 3, 61, 1, 64, 5}, decays: []float64{0.9}, given: true, steps: 3, limit: 256},
}

// TestAdamArenaMatchesPerTensor: the step over whole chunks leaves the
// parameters, gradients (zeroed), moments, averages and every step's
// parameters bit-identical to the step per tensor, in one adam dispatch
// per chunk instead of one per tensor (and averages past the two the
// kernel takes, in one ema dispatch per chunk). The gaps between tensors are
// poisoned with NaN first: a step that mixed elements across slots, or
// kinds of state laid out differently, would spread it.
func TestAdamArenaMatchesPerTensor(t *testing.T) {
	for _, gpu := range []bool{false, true} {
		for _, tr := range optTrials {
			t.Run(fmt.Sprintf("%s/gpu paths %v", tr.name, gpu), func(t *testing.T) {
				e := engine(t)
				if gpu {
					e = gpuEngine(t)
				}
				if tr.cfg.Rectified {
					checkRAdamPhases(t, tr.cfg, tr.steps)
				}
				want := runTrial(t, e, tr, false)
				got := runTrial(t, e, tr, true)
				if want.chunks != 0 || want.adamDispatches != tr.steps*len(tr.sizes) {
					t.Fatalf("per tensor: %d chunks, %d adam dispatches, want 0 and %d", want.chunks, want.adamDispatches, tr.steps*len(tr.sizes))
				}
				if got.chunks == 0 || got.adamDispatches != tr.steps*got.chunks {
					t.Fatalf("arenas: %d chunks, %d adam dispatches, want %d per step", got.chunks, got.adamDispatches, got.chunks)
				}
				if extra := max(len(tr.decays)-2, 0); want.emaDispatches != extra*tr.steps*len(tr.sizes) || got.emaDispatches != extra*tr.steps*got.chunks {
					t.Fatalf("ema dispatches: %d per tensor, %d with arenas; want %d and %d", want.emaDispatches, got.emaDispatches, extra*tr.steps*len(tr.sizes), extra*tr.steps*got.chunks)
				}
				if tr.limit > 0 && got.chunks < 2 {
					t.Fatalf("a chunk limit of %d bytes made %d chunk", tr.limit, got.chunks)
				}
				sameBits(t, "parameters", got.params, want.params)
				sameBits(t, "first moments", got.m, want.m)
				sameBits(t, "second moments", got.v, want.v)
				for j := range tr.decays {
					sameBits(t, fmt.Sprintf("average %d", j), got.avgs[j], want.avgs[j])
				}
				for s := range got.snaps {
					sameBits(t, fmt.Sprintf("parameters after step %d", s+1), got.snaps[s], want.snaps[s])
				}
				for _, st := range []optState{want, got} {
					for i, g := range st.grads {
						for k, x := range g {
							if x != 0 {
								t.Fatalf("gradient %d [%d] = %v after the step, want 0", i, k, x)
							}
						}
					}
				}
			})
		}
	}
}

// checkRAdamPhases fails t unless the steps take both of RAdam's phases:
// unrectified (rho_t <= 5) and rectified.
func checkRAdamPhases(t *testing.T, c AdamConfig, steps int) {
	t.Helper()
	rhoInf := 2/(1-c.Beta2) - 1
	early, late := 0, 0
	for s := 1; s <= steps; s++ {
		bc2 := 1 - math.Pow(c.Beta2, float64(s))
		if rhoInf-2*float64(s)*math.Pow(c.Beta2, float64(s))/bc2 > 5 {
			late++
		} else {
			early++
		}
	}
	if early == 0 || late == 0 {
		t.Fatalf("%d steps take %d unrectified and %d rectified RAdam steps: want both", steps, early, late)
	}
}

// runTrial runs tr with arenas or per tensor and returns what it left.
func runTrial(t *testing.T, e *Engine, tr optTrial, arenas bool) optState {
	t.Helper()
	e.noArenas, e.arenaLimit = !arenas, tr.limit
	defer func() { e.noArenas, e.arenaLimit = false, 0 }()
	rng := rand.New(rand.NewPCG(7, seedOf(tr.name)))
	var persistent []*Tensor // freed at the end
	keep := func(ts ...*Tensor) { persistent = append(persistent, ts...) }
	params := make([]*Tensor, len(tr.sizes))
	for i, n := range tr.sizes {
		params[i] = e.NewParam(toF32(randomData(rng, input{shape: []int{n}})), n)
	}
	keep(params...)
	grads := make([][]*Tensor, tr.steps)
	for s := range grads {
		for _, n := range tr.sizes {
			g := e.Persistent(n)
			g.Upload(toF32(randomData(rng, input{shape: []int{n}})))
			grads[s] = append(grads[s], g)
		}
		keep(grads[s]...)
	}
	var avgs []*EMA
	newEMAs := func() {
		for _, d := range tr.decays {
			var given []*Tensor
			if tr.given {
				for _, n := range tr.sizes {
					given = append(given, e.Persistent(n))
				}
			}
			m, err := e.NewEMA(d, params, given)
			if err != nil {
				t.Fatal(err)
			}
			avgs = append(avgs, m)
			keep(m.Average...)
		}
	}
	if tr.emaFirst {
		newEMAs()
	}
	o, err := e.NewAdam(tr.cfg, params)
	if err != nil {
		t.Fatal(err)
	}
	keep(o.M...)
	keep(o.V...)
	keep(o.GradScale)
	if !tr.emaFirst {
		newEMAs()
	}
	var st optState
	if l := layoutOf(params); l != nil {
		st.chunks = len(l.chunkBytes)
		var kinds [][]*Tensor
		kinds = append(kinds, params, gradsOf(params), o.M, o.V)
		for _, m := range avgs {
			kinds = append(kinds, m.Average)
		}
		for _, ts := range kinds {
			poisonGaps(t, e, l, ts)
		}
	}
	var snaps [][]*Tensor
	before := e.S.KernelDispatches()
	// Recorded without waits: the per-tensor gradient writes, the step
	// and the per-tensor copies after it are ordered by barriers alone.
	for s := range tr.steps {
		for i, p := range params {
			e.copyInto(p.grad, grads[s][i])
		}
		o.StepAveraging(avgs...)
		var snap []*Tensor
		for _, p := range params {
			c := e.Persistent(p.n)
			e.copyInto(c, p)
			snap = append(snap, c)
		}
		keep(snap...)
		snaps = append(snaps, snap)
	}
	after := e.S.KernelDispatches()
	st.adamDispatches = after["adam"] - before["adam"]
	st.emaDispatches = after["ema"] - before["ema"]
	for _, snap := range snaps {
		st.snaps = append(st.snaps, downloadAll(t, snap))
	}
	st.params = downloadAll(t, params)
	st.grads = downloadAll(t, gradsOf(params))
	st.m, st.v = downloadAll(t, o.M), downloadAll(t, o.V)
	for _, m := range avgs {
		st.avgs = append(st.avgs, downloadAll(t, m.Average))
	}
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	for _, p := range persistent {
		p.Free()
	}
	return st
}

func downloadAll(t *testing.T, ts []*Tensor) [][]float32 {
	t.Helper()
	out := make([][]float32, len(ts))
	for i, x := range ts {
		v, err := x.Download()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = v
	}
	return out
}

// sameBits fails t unless got and want hold the same float32 bits.
func sameBits(t *testing.T, what string, got, want [][]float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d tensors, want %d", what, len(got), len(want))
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("%s %d: %d values, want %d", what, i, len(got[i]), len(want[i]))
		}
		for k := range got[i] {
			if math.Float32bits(got[i][k]) != math.Float32bits(want[i][k]) {
				t.Fatalf("%s %d [%d] = %v (%#08x), per tensor %v (%#08x)", what, i, k, got[i][k], math.Float32bits(got[i][k]), want[i][k], math.Float32bits(want[i][k]))
			}
		}
	}
}

// gaps returns the byte ranges of chunk c of l that no tensor covers.
func (l *layout) gaps(c int) [][2]uint64 {
	var out [][2]uint64
	at := uint64(0)
	for i, t := range l.tensors {
		if l.chunk[i] != c {
			continue
		}
		if l.offset[i] > at {
			out = append(out, [2]uint64{at, l.offset[i]})
		}
		at = l.offset[i] + 4*uint64(t.n)
	}
	if at < l.chunkBytes[c] {
		out = append(out, [2]uint64{at, l.chunkBytes[c]})
	}
	return out
}

// poisonGaps fills the gaps of the arenas ts lie in with NaN.
func poisonGaps(t *testing.T, e *Engine, l *layout, ts []*Tensor) {
	t.Helper()
	as := l.arenas(ts)
	if as == nil {
		t.Fatal("state not laid out like the parameters")
	}
	for c, a := range as {
		for _, g := range l.gaps(c) {
			if err := e.S.FillRange(vk.Range{Buf: a.buf, Offset: g[0], Size: g[1] - g[0]}, 0x7fc00000); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// arenaWords reads a whole chunk, gaps included.
func arenaWords(t *testing.T, e *Engine, a *arena) []float32 {
	t.Helper()
	n := a.floats()
	v, err := (&Tensor{e: e, shape: []int{n}, n: n, buf: a.buf, lasts: persistentLife}).Download()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestArenaGapsStayZero: arenas start zeroed even in memory that held
// NaNs before, and steps keep the gaps between tensors at zero.
func TestArenaGapsStayZero(t *testing.T) {
	e := engine(t)
	rng := rand.New(rand.NewPCG(11, 12))
	var params []*Tensor
	for _, n := range oddSizes {
		params = append(params, e.NewParam(toF32(randomData(rng, input{shape: []int{n}})), n))
	}
	// Dirty memory where the arenas will likely go (first fit).
	dirty, err := e.Dev.Alloc(1 << 16)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.S.Fill(dirty, 0x7fc00000); err != nil {
		t.Fatal(err)
	}
	if err := e.Wait(); err != nil {
		t.Fatal(err)
	}
	e.Dev.Free(dirty)
	o, err := e.NewAdam(AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, Rectified: true, WeightDecay: 0.1}, params)
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.NewEMA(0.9, params, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := layoutOf(params)
	if l == nil {
		t.Fatal("the parameters are not laid out")
	}
	for s := range 7 {
		for _, p := range params {
			p.grad.Upload(toF32(randomData(rng, input{shape: p.shape})))
		}
		o.StepAveraging(m)
		for k, ts := range [][]*Tensor{params, gradsOf(params), o.M, o.V, m.Average} {
			for c, a := range l.arenas(ts) {
				words := arenaWords(t, e, a)
				for _, g := range l.gaps(c) {
					for w := g[0] / 4; w < g[1]/4; w++ {
						if math.Float32bits(words[w]) != 0 {
							t.Fatalf("step %d: kind %d, chunk %d: gap word %d = %v, want 0", s+1, k, c, w, words[w])
						}
					}
				}
			}
		}
	}
	for _, ts := range [][]*Tensor{params, o.M, o.V, m.Average, {o.GradScale}} {
		for _, x := range ts {
			x.Free()
		}
	}
}

// TestArenaBarriers: a whole-chunk step is ordered after per-tensor
// writes to the gradients and before per-tensor writes after it (a
// barrier each time), while per-tensor writes to different gradients of
// one chunk need none between them.
func TestArenaBarriers(t *testing.T) {
	e := engine(t)
	a, b, c := e.NewParam(make([]float32, 5), 5), e.NewParam(make([]float32, 9), 9), e.NewParam(make([]float32, 3), 3)
	params := []*Tensor{a, b, c}
	o, err := e.NewAdam(AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8}, params)
	if err != nil {
		t.Fatal(err)
	}
	x, y := e.Persistent(5), e.Persistent(9)
	x.Fill(1)
	y.Fill(2)
	if l := layoutOf(params); l == nil || len(l.chunkBytes) != 1 {
		t.Fatal("the parameters are not laid out in one chunk")
	}
	barriers := func() int { return e.S.Stats().Barriers }
	o.Step()
	n := barriers()
	e.copyInto(b.grad, y) // the middle of the gradients' chunk, which the step wrote
	if barriers() == n {
		t.Error("no barrier between the step and a write to one gradient")
	}
	n = barriers()
	e.copyInto(a.grad, x)
	if barriers() != n {
		t.Error("a barrier between writes to two different gradients of one chunk")
	}
	n = barriers()
	o.Step()
	if barriers() == n {
		t.Error("no barrier between writes to the gradients and the step")
	}
	got, err := b.Download()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v >= 0 { // the second step saw gradient 2
			t.Fatalf("b[%d] = %v after a step down a positive gradient", i, v)
		}
	}
	for _, ts := range [][]*Tensor{params, o.M, o.V, {o.GradScale, x, y}} {
		for _, t := range ts {
			t.Free()
		}
	}
}

// TestArenaFree: freeing the tensors of arenas one by one keeps the
// others' memory until the last goes, then returns all of it.
func TestArenaFree(t *testing.T) {
	e := engine(t)
	if err := e.Wait(); err != nil {
		t.Fatal(err)
	}
	inUse := e.Dev.AllocStats().InUseBytes
	a, b := e.NewParam([]float32{1, 2, 3}, 3), e.NewParam([]float32{4, 5}, 2)
	o, err := e.NewAdam(AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8}, []*Tensor{a, b})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.NewEMA(0.5, []*Tensor{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if layoutOf(m.Average) == nil {
		t.Fatal("the average is not laid out")
	}
	a.Free()
	o.M[0].Free()
	o.V[0].Free()
	m.Average[0].Free()
	got, err := b.Download()
	if err != nil || got[0] != 4 || got[1] != 5 {
		t.Fatalf("b = %v, %v after a was freed, want [4 5]", got, err)
	}
	o.Step() // a is gone: the step fails, as it did per tensor
	if e.Err() == nil {
		t.Error("a step over a freed parameter did not fail")
	}
	e.ClearErr()
	for _, x := range []*Tensor{b, o.M[1], o.V[1], m.Average[1], o.GradScale} {
		x.Free()
	}
	if got := e.Dev.AllocStats().InUseBytes; got != inUse {
		t.Errorf("%d bytes in use after freeing everything, %d before", got, inUse)
	}
}

// TestAdamArenaFallbacks: what arenas cannot hold steps per tensor, as
// before: an optimizer over a subset of laid-out parameters, and averages
// in memory that cannot move (views of one tensor).
func TestAdamArenaFallbacks(t *testing.T) {
	e := engine(t)
	var params []*Tensor
	for _, n := range []int{4, 8, 12} {
		params = append(params, e.NewParam(make([]float32, n), n))
	}
	all, err := e.NewAdam(DefaultRAdam(), params)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := e.NewAdam(DefaultRAdam(), params[1:])
	if err != nil {
		t.Fatal(err)
	}
	store := e.Persistent(48) // three averages 16 floats apart: aligned views
	views := []*Tensor{store.Slice(0, 4), store.Slice(16, 24), store.Slice(32, 44)}
	avg, err := e.NewEMA(0.9, params, views)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		step func()
		want int
	}{
		{"all", func() { all.Step() }, 1},
		{"subset", func() { sub.Step() }, 2},
		{"average in views", func() { all.StepAveraging(avg) }, 3},
	} {
		before := e.S.KernelDispatches()["adam"]
		c.step()
		if got := e.S.KernelDispatches()["adam"] - before; got != c.want {
			t.Errorf("%s: %d adam dispatches, want %d", c.name, got, c.want)
		}
	}
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	for _, ts := range [][]*Tensor{params, all.M, all.V, sub.M, sub.V, {all.GradScale, sub.GradScale, store}} {
		for _, x := range ts {
			x.Free()
		}
	}
}

// TestClipSumsLikeAChainOfAdds: clipping's one kernel over the gradients'
// sums of squares gives the scale, bit for bit, that adding the sums with
// a chain of add ops (one dispatch each, as clipping did before) gives.
// Sizes include gradients long enough for reductions of several passes;
// the gradients' magnitudes vary so that adding the sums in the reverse
// order gives another scale (checked), which a kernel adding them in
// another order than the chain's would then show.
func TestClipSumsLikeAChainOfAdds(t *testing.T) {
	e := engine(t)
	rng := rand.New(rand.NewPCG(13, 14))
	var params []*Tensor
	for i := range 40 {
		n := []int{3, 1, 1003, 70001, 17, 64, 2500, 250000}[i%8]
		scale := math.Exp(4 * rng.Float64())
		params = append(params, e.NewParam(nil, n))
		params[i].grad.Upload(toF32(randomData(rng, input{shape: []int{n}, lo: -scale, hi: scale})))
	}
	o, err := e.NewAdam(AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, ClipNorm: 3}, params)
	if err != nil {
		t.Fatal(err)
	}
	// chain adds the sums of squares in the order of ps with add ops and
	// returns the scale of that total.
	chain := func(ps []*Tensor) float32 {
		var total *Tensor
		for _, p := range ps {
			ss := e.SumSquares(p.grad.Reshape(1, p.n))
			if total == nil {
				total = ss
			} else {
				total = e.add(total, ss)
			}
		}
		scale := e.newTensor(1)
		e.dispatch(clipKernel, nil, [3]uint32{1, 1, 1}, vk.Push(float32(o.Config.ClipNorm), 1, 1), total, scale)
		v, err := scale.Download()
		if err != nil {
			t.Fatal(err)
		}
		return v[0]
	}
	want := chain(params)
	reversed := make([]*Tensor, len(params))
	for i, p := range params {
		reversed[len(params)-1-i] = p
	}
	if r := chain(reversed); r == want {
		t.Fatalf("the sums added in reverse give the same scale %v: the gradients cannot tell orders apart", r)
	}
	before := e.S.KernelDispatches()
	o.clip()
	after := e.S.KernelDispatches()
	if adds, clips := after["add"]-before["add"], after["clip_scale"]-before["clip_scale"]; adds != 0 || clips != 1 {
		t.Errorf("clipping took %d adds and %d clip_scale dispatches, want 0 and 1", adds, clips)
	}
	got, err := o.GradScale.Download()
	if err != nil {
		t.Fatal(err)
	}
	if math.Float32bits(got[0]) != math.Float32bits(want) || !(got[0] < 1) {
		t.Errorf("gradient scale %v (%#08x), from a chain of adds %v (%#08x); want equal bits, below 1", got[0], math.Float32bits(got[0]), want, math.Float32bits(want))
	}
	for _, ts := range [][]*Tensor{params, o.M, o.V, {o.GradScale}} {
		for _, x := range ts {
			x.Free()
		}
	}
}
