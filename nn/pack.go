package nn

import (
	"unsafe"
)

// Packing tensors into one buffer and back, outside the tape: a
// data-parallel trainer packs every gradient into one tensor so that a
// single download and upload move them to the host and back, instead of
// a wait for each (ct.Trainer's all-reduce).

// Pack records copying each tensor of ts, in order, into flat (whose
// length must be their total).
func (e *Engine) Pack(flat *Tensor, ts []*Tensor) {
	e.packing(flat, ts, true)
}

// Unpack records copying flat's consecutive ranges back into ts.
func (e *Engine) Unpack(ts []*Tensor, flat *Tensor) {
	e.packing(flat, ts, false)
}

func (e *Engine) packing(flat *Tensor, ts []*Tensor, pack bool) {
	total := 0
	for _, t := range ts {
		total += t.n
	}
	if total != flat.n {
		e.failf("nn: packing %d values into a tensor of %d", total, flat.n)
		return
	}
	if e.err != nil {
		return
	}
	flat.mustLive()
	at := flat.off
	for _, t := range ts {
		t.mustLive()
		size := 4 * uint64(t.n)
		var err error
		if pack {
			err = e.S.Copy(flat.buf, at, t.buf, t.off, size)
		} else {
			err = e.S.Copy(t.buf, t.off, flat.buf, at, size)
		}
		if err != nil {
			e.fail(err)
			return
		}
		at += size
	}
}

// PersistentHost is Persistent in host-visible memory, which Mapped
// reads and writes without a download or upload: a data-parallel trainer
// packs a bucket of gradients into one, and another goroutine reads it
// once a vk.Submission after the pack is done (Engine.S.Submit), sums it
// with the other replicas' in place, and the trainer unpacks the sums.
func (e *Engine) PersistentHost(n int) *Tensor {
	t := e.persistent([]int{n}, e.Dev.AllocHost, "a host tensor")
	t.host = true
	return t
}

// Mapped is the tensor's memory as the host sees it, or nil unless the
// tensor came from PersistentHost (or is device memory the host maps, on
// a device that shares it). The host may read it once the work that wrote
// it is done, and write it before the work that reads it is submitted.
func (t *Tensor) Mapped() []float32 {
	if t.buf == nil {
		return nil
	}
	b := t.buf.Mapped()
	if b == nil {
		return nil
	}
	b = b[t.off : t.off+4*uint64(t.n)]
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), t.n)
}
