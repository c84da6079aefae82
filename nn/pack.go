package nn

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
