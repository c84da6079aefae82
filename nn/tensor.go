package nn

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/ictvk/ictvk/vk"
)

// Tensor is a float32 array on the device, row-major (NCHW for images).
// Tensors made by ops belong to the current step: their memory goes back
// to the pool when nothing needs it any more (see Engine.Tidy) and at the
// latest at Engine.Release; persistent ones (parameters, optimizer state)
// live until the Engine closes. Using a step tensor whose memory went back
// to the pool panics.
type Tensor struct {
	e      *Engine
	shape  []int
	n      int
	buf    *vk.Buffer
	off    uint64 // byte offset of a view into buf, or of a tensor in an arena
	arena  *arena // the shared buffer buf is, for persistent tensors laid out together (arena.go)
	host   bool   // host-visible memory (PersistentHost)
	lasts  lifetime
	base   *Tensor // the tensor a view shares memory with
	param  bool    // a leaf whose gradient persists until the optimizer takes it
	grad   *Tensor
	owned  bool // grad was allocated for this tensor and may be added into
	tracks bool // gradients flow to it (a parameter, or computed from one)
	node   *node

	// Liveness of step memory (see live.go). refs counts the holders of
	// a step tensor that owns a buffer: Tensor values in a scope (held),
	// ops that saved it for the backward pass, gradient slots.
	refs   int
	held   bool // this value holds a reference on its memory
	freed  bool // its memory went back to the pool
	lentAt int  // index in pool.lent while it holds a buffer
}

type lifetime uint8

const (
	stepLife lifetime = iota
	persistentLife
)

// Shape returns the tensor's dimensions (do not modify).
func (t *Tensor) Shape() []int { return t.shape }

// Len is the number of elements.
func (t *Tensor) Len() int { return t.n }

// Grad returns the gradient accumulated for t, or nil. A parameter's
// persists; that of a tensor an op made exists only during Backward, which
// lets it go once the op's backward has used it (PyTorch's non-leaf .grad).
func (t *Tensor) Grad() *Tensor { return t.grad }

// Param reports whether t is a parameter.
func (t *Tensor) Param() bool { return t.param }

func (t *Tensor) String() string { return fmt.Sprintf("tensor%v", t.shape) }

func (t *Tensor) rng() vk.Range {
	t.mustLive()
	return vk.Range{Buf: t.buf, Offset: t.off, Size: 4 * uint64(t.n)}
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// newTensor allocates an uninitialized tensor from the pool for this step.
// After an error it returns a placeholder so callers need not check.
func (e *Engine) newTensor(shape ...int) *Tensor {
	t := &Tensor{e: e, shape: append([]int(nil), shape...), n: numel(shape)}
	for _, d := range shape {
		if d <= 0 {
			e.failf("nn: tensor shape %v has a dimension <= 0", shape)
			return t
		}
	}
	if e.err != nil || !e.fits(shape) {
		return t
	}
	t.buf = e.pool.get(4 * uint64(t.n))
	if t.buf != nil {
		e.pool.lend(t)
		e.hold(t)
	}
	return t
}

// fits fails, naming the shape, when a tensor of shape would not fit one
// storage-buffer binding: shaders bind each tensor as one range of at
// most maxStorageBufferRange bytes, and ops do not split tensors.
func (e *Engine) fits(shape []int) bool {
	size := 4 * uint64(numel(shape))
	if lim := e.Dev.Info.Limits.MaxStorageBufferRange; size > lim {
		e.failf("nn: tensor %v is %s (%d bytes), past this device's storage buffer range of %s (%d bytes, %s's maxStorageBufferRange); use a smaller batch or micro-batch",
			shape, vk.HumanBytes(size), size, vk.HumanBytes(lim), lim, e.Dev.Info.Name)
		return false
	}
	return true
}

// Empty returns an uninitialized step tensor, held like an op's output: by
// the enclosing Tidy scope, or until Release outside every scope.
func (e *Engine) Empty(shape ...int) *Tensor { return e.newTensor(shape...) }

// Persistent returns a zeroed tensor that lives until the Engine closes or
// Free is called: optimizer state, EMA weights, fixed noise.
func (e *Engine) Persistent(shape ...int) *Tensor {
	return e.persistent(shape, e.Dev.Alloc, "a persistent tensor")
}

// persistent makes a zeroed persistent tensor in memory from alloc; what
// names it in an allocation error.
func (e *Engine) persistent(shape []int, alloc func(uint64) (*vk.Buffer, error), what string) *Tensor {
	t := &Tensor{e: e, shape: append([]int(nil), shape...), n: numel(shape), lasts: persistentLife}
	if e.err != nil {
		return t
	}
	if t.n <= 0 {
		e.failf("nn: tensor shape %v has a dimension <= 0", shape)
		return t
	}
	if !e.fits(shape) {
		return t
	}
	b, err := alloc(4 * uint64(t.n))
	if err != nil {
		e.fail(fmt.Errorf("nn: allocating %s %v: %w", what, shape, err))
		return t
	}
	t.buf = b
	if err := e.S.Fill(b, 0); err != nil {
		e.fail(err)
	}
	return t
}

// NewParam returns a persistent parameter holding data; its gradient is a
// persistent zeroed tensor of the same shape.
func (e *Engine) NewParam(data []float32, shape ...int) *Tensor {
	t := e.Persistent(shape...)
	t.param, t.tracks = true, true
	t.grad = e.Persistent(shape...)
	t.owned = true
	if data != nil {
		t.Upload(data)
	}
	return t
}

// Free releases a persistent tensor (and a parameter's gradient) now. On
// a step tensor (or a view of one) it says the caller is done with this
// value: its memory returns to the pool once nothing else holds it (a
// recorded op that saved it for the backward pass, another view, a
// scope's other values). Use it for what a Tidy scope would hold too long,
// such as each link of a long chain.
func (t *Tensor) Free() {
	if t.lasts == stepLife {
		t.e.unhold(t)
		return
	}
	if t.buf == nil || t.base != nil {
		return
	}
	if t.arena != nil {
		t.arena.leave(t.e)
		t.arena = nil
	} else {
		t.e.Dev.Free(t.buf)
	}
	t.buf = nil
	if t.param && t.grad != nil {
		t.grad.Free()
	}
}

// FromData returns a step tensor holding data.
func (e *Engine) FromData(data []float32, shape ...int) *Tensor {
	t := e.newTensor(shape...)
	t.Upload(data)
	return t
}

// Upload copies data (exactly Len() values) into the tensor.
func (t *Tensor) Upload(data []float32) {
	e := t.e
	if e.err != nil {
		return
	}
	if len(data) != t.n {
		e.failf("nn: uploading %d values into %v", len(data), t)
		return
	}
	t.mustLive()
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	if t.off == 0 {
		if err := e.S.Upload(t.buf, raw); err != nil {
			e.fail(err)
		}
		return
	}
	tmp := e.newTensor(t.n)
	if err := e.S.Upload(tmp.buf, raw); err != nil {
		e.fail(err)
		return
	}
	if err := e.S.Copy(t.buf, t.off, tmp.buf, 0, 4*uint64(t.n)); err != nil {
		e.fail(err)
	}
	e.recycle(tmp)
}

// Write records copying data (exactly Len() values) into the tensor
// inside the command stream, without waiting for the device: the way to
// pass a training step its small per-sample arrays. Past 64 KiB it falls
// back to Upload.
func (t *Tensor) Write(data []float32) {
	e := t.e
	if e.err != nil {
		return
	}
	if len(data) != t.n {
		e.failf("nn: writing %d values into %v", len(data), t)
		return
	}
	t.mustLive()
	if 4*len(data) > 65536 {
		t.Upload(data)
		return
	}
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	if err := e.S.Update(t.buf, t.off, raw); err != nil {
		e.fail(err)
	}
}

// Download waits for the device and returns the tensor's values.
func (t *Tensor) Download() ([]float32, error) {
	e := t.e
	if e.err != nil {
		return nil, e.err
	}
	t.mustLive()
	src := t
	if t.off != 0 {
		src = e.newTensor(t.n)
		if err := e.S.Copy(src.buf, 0, t.buf, t.off, 4*uint64(t.n)); err != nil {
			e.fail(err)
			return nil, err
		}
	}
	raw := make([]byte, 4*t.n)
	err := e.S.Download(src.buf, raw)
	if src != t {
		e.recycle(src)
	}
	if err != nil {
		e.fail(err)
		return nil, err
	}
	out := make([]float32, t.n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out, nil
}

// Fill sets every element to v.
func (t *Tensor) Fill(v float32) {
	if t.e.err != nil {
		return
	}
	if err := t.e.S.FillRange(t.rng(), math.Float32bits(v)); err != nil {
		t.e.fail(err)
	}
}

// Reshape returns a view of t with another shape of the same size. Its
// gradient flows back to t.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	e := t.e
	if numel(shape) != t.n {
		e.failf("nn: reshape of %v to %v changes the element count", t.shape, shape)
		return e.placeholder(shape...)
	}
	v := t.view(shape, 0)
	if e.recording(t) {
		e.record("reshape", v, []*Tensor{t}, nil, func(g *Tensor) {
			e.accumulate(t, g.Reshape(t.shape...))
		})
	}
	return v
}

// view shares t's memory from element offset off.
func (t *Tensor) view(shape []int, off int) *Tensor {
	base := t
	if t.base != nil {
		base = t.base
	}
	v := &Tensor{e: t.e, shape: append([]int(nil), shape...), n: numel(shape), buf: t.buf, off: t.off + 4*uint64(off), lasts: t.lasts, base: base}
	t.e.hold(v)
	return v
}

// bindingAlignment is the alignment a tensor's offset needs to be bound
// to any kernel (vk.Limits.BindingAlignment).
func (e *Engine) bindingAlignment() uint64 { return e.Dev.Info.Limits.BindingAlignment() }

// Slice returns rows [from, to) of the first dimension: a view when the
// offset suits the device's binding alignment, a copy otherwise.
func (t *Tensor) Slice(from, to int) *Tensor {
	e := t.e
	if len(t.shape) == 0 || from < 0 || to > t.shape[0] || from >= to {
		e.failf("nn: slice [%d:%d] of %v", from, to, t.shape)
		return e.placeholder(1)
	}
	shape := append([]int{to - from}, t.shape[1:]...)
	row := t.n / t.shape[0]
	align := e.bindingAlignment()
	var out *Tensor
	if byteOff := t.off + 4*uint64(from*row); align == 0 || byteOff%align == 0 {
		out = t.view(shape, from*row)
	} else {
		out = e.newTensor(shape...)
		if e.err == nil {
			t.mustLive()
			if err := e.S.Copy(out.buf, 0, t.buf, t.off+4*uint64(from*row), 4*uint64(out.n)); err != nil {
				e.fail(err)
			}
		}
	}
	if e.recording(t) {
		e.record("slice", out, []*Tensor{t}, nil, func(g *Tensor) {
			full := e.newTensor(t.shape...)
			full.Fill(0)
			if e.err == nil {
				g.mustLive()
				if err := e.S.Copy(full.buf, full.off+4*uint64(from*row), g.buf, g.off, 4*uint64(g.n)); err != nil {
					e.fail(err)
				}
			}
			e.accumulate(t, full)
		})
	}
	return out
}

// placeholder is returned by an op that failed: shaped as asked, no memory.
func (e *Engine) placeholder(shape ...int) *Tensor {
	return &Tensor{e: e, shape: append([]int(nil), shape...), n: numel(shape)}
}
