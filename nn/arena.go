package nn

import (
	"fmt"

	"github.com/ictvk/ictvk/vk"
)

// Arenas: persistent tensors that share buffers, so that an elementwise
// kernel over all of them runs as one dispatch per buffer instead of one
// per tensor (#14: on lavapipe a dispatch costs 100-200 µs however small,
// and a U-Net has a hundred or more parameter tensors). A layout places
// each of a list of parameters at a byte offset in one of a few chunks,
// each at most the device's maxStorageBufferRange; the parameters, their
// gradients, Adam's moments and the EMA averages of them each live in
// arenas of that one layout, so element k of a chunk belongs to the same
// element of the same parameter in every kind of state, and the adam and
// ema kernels run over whole chunks. The gaps between tensors (offsets are
// aligned for binding) start at zero, and both kernels map zeros to zeros.
//
// Tensors in an arena stay ordinary tensors: ops bind their own ranges,
// and vk tracks hazards on byte ranges, so a per-tensor write to one
// gradient and a whole-chunk adam dispatch are ordered against each other
// while writes to different gradients are not.

// layout places tensors in chunks. The tensors it was made for are its
// identity: another list, even of the same shapes, has its own.
type layout struct {
	tensors    []*Tensor
	chunk      []int    // chunk of tensor i
	offset     []uint64 // byte offset of tensor i in its chunk
	chunkBytes []uint64
}

// arena is one chunk of a layout for one kind of state (the parameters,
// their gradients, a moment, an average).
type arena struct {
	buf   *vk.Buffer
	lay   *layout
	chunk int
	live  int // tensors in it not yet freed
}

// planLayout lays ts out in order: each at an offset aligned for binding,
// a new chunk where the next tensor would pass the limit.
func (e *Engine) planLayout(ts []*Tensor) *layout {
	limits := e.Dev.Info.Limits
	align := max(e.bindingAlignment(), 64)
	limit := limits.MaxStorageBufferRange
	if e.arenaLimit > 0 {
		limit = min(limit, e.arenaLimit)
	}
	l := &layout{tensors: append([]*Tensor(nil), ts...)}
	// A chunk ends at its last tensor's end rounded up to 16 bytes, so
	// that kernels may take it as vec4s (unless that passes the range a
	// binding may have).
	end := func(at uint64) uint64 {
		if r := roundUp64(at, 16); r <= limits.MaxStorageBufferRange {
			return r
		}
		return at
	}
	at := uint64(0) // the end of the last tensor placed
	for i, t := range ts {
		size := 4 * uint64(t.n)
		start := roundUp64(at, align)
		if i > 0 && start+size > limit {
			l.chunkBytes = append(l.chunkBytes, end(at))
			start = 0
		}
		l.chunk = append(l.chunk, len(l.chunkBytes))
		l.offset = append(l.offset, start)
		at = start + size
	}
	if len(ts) > 0 {
		l.chunkBytes = append(l.chunkBytes, end(at))
	}
	return l
}

func roundUp64(n, to uint64) uint64 { return (n + to - 1) / to * to }

// newArenas allocates one zeroed chunk of every size of l; nil after an
// error.
func (e *Engine) newArenas(l *layout, what string) []*arena {
	if e.err != nil {
		return nil
	}
	as := make([]*arena, len(l.chunkBytes))
	for c, size := range l.chunkBytes {
		b, err := e.Dev.Alloc(size)
		if err != nil {
			for _, a := range as[:c] {
				e.Dev.Free(a.buf)
			}
			e.fail(fmt.Errorf("nn: allocating %s (%d tensors in chunk %d of %d, %s): %w", what, l.count(c), c+1, len(l.chunkBytes), vk.HumanBytes(size), err))
			return nil
		}
		if err := e.S.Fill(b, 0); err != nil {
			e.fail(err)
		}
		as[c] = &arena{buf: b, lay: l, chunk: c}
	}
	return as
}

// count is how many tensors chunk c holds.
func (l *layout) count(c int) int {
	n := 0
	for _, ch := range l.chunk {
		if ch == c {
			n++
		}
	}
	return n
}

// place points t at slot i of the arenas as: its memory from now on.
func (l *layout) place(t *Tensor, as []*arena, i int) {
	a := as[l.chunk[i]]
	t.buf, t.off, t.arena = a.buf, l.offset[i], a
	a.live++
}

// tensorsIn returns new persistent tensors, zeroed, shaped like l's, in
// arenas of their own: Adam's moments.
func (e *Engine) tensorsIn(l *layout, what string) []*Tensor {
	as := e.newArenas(l, what)
	out := make([]*Tensor, len(l.tensors))
	for i, p := range l.tensors {
		out[i] = &Tensor{e: e, shape: append([]int(nil), p.shape...), n: p.n, lasts: persistentLife}
		if as != nil {
			l.place(out[i], as, i)
		}
	}
	return out
}

// movable reports whether t may move into an arena: persistent device
// memory of its own (not a view, not host memory, not in an arena).
func movable(t *Tensor) bool {
	return t != nil && t.lasts == persistentLife && t.base == nil && t.buf != nil && t.arena == nil && !t.host
}

// moveInto moves ts into new arenas of layout l (ts shaped like l's
// tensors), keeping their values: each Tensor keeps its identity, only its
// memory changes. The old memory is freed; work recorded on it stays
// correct (vk orders by memory ranges).
func (e *Engine) moveInto(l *layout, ts []*Tensor, what string) {
	as := e.newArenas(l, what)
	if as == nil {
		return
	}
	for i, t := range ts {
		old := t.buf
		if err := e.S.Copy(as[l.chunk[i]].buf, l.offset[i], old, t.off, 4*uint64(t.n)); err != nil {
			e.fail(err)
		}
		l.place(t, as, i)
		e.Dev.Free(old)
	}
}

// arrange returns the layout of params, laying them and their gradients
// out in arenas first unless a layout of exactly these tensors exists.
// It returns nil (callers then work per tensor) when the engine keeps no
// arenas, under DryRun (which would drop the copies), or when any of
// params cannot move: not a parameter, a view, listed twice, already in
// another layout (an optimizer over a subset).
//
// Moving changes where a tensor's memory is, not the Tensor: a view of a
// parameter made before (none outlives a step in this repository) keeps
// the old memory, and using it fails (the buffer is freed).
func (e *Engine) arrange(params []*Tensor) *layout {
	if e.noArenas || len(params) == 0 || e.err != nil {
		return nil
	}
	if a := params[0].arena; a != nil {
		if l := a.lay; len(l.tensors) == len(params) && l.arenas(params) != nil {
			for i, p := range params {
				if l.tensors[i] != p {
					return nil
				}
			}
			return l
		}
		return nil
	}
	if e.S.Discarding() {
		return nil
	}
	seen := map[*Tensor]bool{}
	for _, p := range params {
		if seen[p] || !p.param || !p.owned || !movable(p) || !movable(p.grad) || p.grad.n != p.n {
			return nil
		}
		seen[p] = true
	}
	l := e.planLayout(params)
	e.moveInto(l, params, "parameters")
	e.moveInto(l, gradsOf(params), "gradients")
	if e.err != nil {
		return nil
	}
	return l
}

// arenas returns the arena of each chunk when ts lie in l's slots in
// order (l's tensors themselves, their gradients, or state laid out
// alike), else nil.
func (l *layout) arenas(ts []*Tensor) []*arena {
	if l == nil || len(ts) != len(l.tensors) {
		return nil
	}
	as := make([]*arena, len(l.chunkBytes))
	for i, t := range ts {
		a := t.arena
		if a == nil || a.lay != l || a.chunk != l.chunk[i] || t.off != l.offset[i] || t.buf != a.buf || t.n != l.tensors[i].n {
			return nil
		}
		if c := as[a.chunk]; c != nil && c != a {
			return nil
		}
		as[a.chunk] = a
	}
	return as
}

// layoutOf returns the layout ts[0] lies in, if any (arenas says whether
// all of ts do).
func layoutOf(ts []*Tensor) *layout {
	if len(ts) == 0 || ts[0].arena == nil {
		return nil
	}
	return ts[0].arena.lay
}

// allMovable reports whether every one of ts may move into an arena, each
// listed once.
func allMovable(ts []*Tensor) bool {
	seen := map[*Tensor]bool{}
	for _, t := range ts {
		if seen[t] || !movable(t) {
			return false
		}
		seen[t] = true
	}
	return true
}

// gradsOf returns the gradients of params.
func gradsOf(params []*Tensor) []*Tensor {
	gs := make([]*Tensor, len(params))
	for i, p := range params {
		gs[i] = p.grad
	}
	return gs
}

// rng is the whole chunk as a binding.
func (a *arena) rng() vk.Range { return a.buf.All() }

// floats is the chunk's length in float32s.
func (a *arena) floats() int { return int(a.buf.Size / 4) }

// leave takes a freed tensor out of its arena; the chunk's memory goes
// back once no tensor is left in it.
func (a *arena) leave(e *Engine) {
	if a.live--; a.live == 0 {
		e.Dev.Free(a.buf)
		a.buf = nil
	}
}
