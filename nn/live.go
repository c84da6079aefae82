package nn

import "fmt"

// Liveness of step tensors. A step tensor's memory goes back to the pool
// as soon as nothing holds it any more, so that a step needs the memory of
// what is alive at once rather than of everything it made. Its holders:
//   - the Tensor values model code sees (the tensor and views of it), while
//     the scope they were made in lasts: Tidy ends a scope; outside every
//     Tidy they are held until Release, as before;
//   - recorded ops that saved it for their backward pass, until that
//     backward has run (or the tape is reset);
//   - gradient slots: a tensor's gradient until its node's backward pass
//     has consumed it.
// The count lives on the tensor that owns the buffer (a view's base).
// Persistent tensors are never counted.

// scope is the list of Tensor values made inside one Tidy.
type scope struct{ tensors []*Tensor }

// Tidy runs f and then lets go of every step tensor f made, except the one
// it returns: their memory returns to the pool at once, or, for tensors a
// recorded op saved for the backward pass, as soon as that backward has
// run. The tensor f returns (it may be nil) belongs to the enclosing
// scope. Tensors made inside f must not be used after Tidy returns unless
// f returned them: using one panics. Inside f, tensors live until the
// scope ends; nested scopes, or Tensor.Free, let go of them sooner (under
// NoGrad nothing is saved, so they return to the pool at once).
func (e *Engine) Tidy(f func() *Tensor) *Tensor {
	e.scopes = append(e.scopes, &scope{})
	var out *Tensor
	defer func() { e.endScope(out) }()
	out = f()
	return out
}

// scoped runs f in a scope that keeps nothing: for the backward pass,
// whose results live in gradient slots.
func (e *Engine) scoped(f func()) { e.Tidy(func() *Tensor { f(); return nil }) }

// endScope closes the innermost scope, handing keep to the enclosing one.
func (e *Engine) endScope(keep *Tensor) {
	s := e.scopes[len(e.scopes)-1]
	e.scopes = e.scopes[:len(e.scopes)-1]
	for _, t := range s.tensors {
		if t == keep && t.held {
			if n := len(e.scopes); n > 0 {
				e.scopes[n-1].tensors = append(e.scopes[n-1].tensors, t)
			}
			continue
		}
		e.unhold(t)
	}
}

// storage returns the step tensor that owns t's memory, or nil for
// persistent memory and for placeholders of failed ops.
func (t *Tensor) storage() *Tensor {
	if t == nil {
		return nil
	}
	s := t
	if t.base != nil {
		s = t.base
	}
	if s.lasts != stepLife || (s.buf == nil && !s.freed) {
		return nil
	}
	return s
}

// hold gives a new Tensor value (a step tensor or a view of one) its
// reference, owned by the innermost scope.
func (e *Engine) hold(t *Tensor) {
	if t.storage() == nil {
		return
	}
	e.ref(t)
	t.held = true
	if n := len(e.scopes); n > 0 {
		e.scopes[n-1].tensors = append(e.scopes[n-1].tensors, t)
	}
}

// unhold drops the reference of a Tensor value.
func (e *Engine) unhold(t *Tensor) {
	if t.held {
		t.held = false
		e.unref(t)
	}
}

// recycle lets go of an op's internal temporary now: its memory returns
// to the pool unless something else holds it.
func (e *Engine) recycle(t *Tensor) {
	if t != nil {
		e.unhold(t)
	}
}

// ref adds a holder to t's memory.
func (e *Engine) ref(t *Tensor) {
	if s := t.storage(); s != nil {
		t.mustLive()
		s.refs++
	}
}

// unref drops a holder of t's memory and frees it when none is left.
func (e *Engine) unref(t *Tensor) {
	s := t.storage()
	if s == nil || s.freed {
		return
	}
	if s.refs--; s.refs == 0 {
		e.pool.put(s)
	}
}

// mustLive panics when t's memory went back to the pool: reading it would
// see another tensor's data, a bug in the caller (or in an op that did not
// declare a tensor its backward pass reads).
func (t *Tensor) mustLive() {
	if t.freed || (t.base != nil && t.base.freed) {
		panic(fmt.Sprintf("nn: %v used after its memory went back to the pool (made in a Tidy that did not return it, or used after Release)", t))
	}
}

// when returns t if cond holds, else nil: for the saves of an op whose
// backward reads an operand only to give another one its gradient.
func when(cond bool, t *Tensor) *Tensor {
	if cond {
		return t
	}
	return nil
}
