package nn

import (
	"fmt"

	"github.com/ictvk/ictvk/vk"
)

// node is one recorded op: the tensor it made and how to send that
// tensor's gradient back to its inputs.
type node struct {
	op       string
	out      *Tensor
	inputs   []*Tensor
	saves    []*Tensor // tensors whose values backward reads
	backward func(g *Tensor)
	done     bool // saves and the output's gradient were let go
}

// tape records ops in the order they ran; reversed, that order is a valid
// order for the backward pass.
type tape struct {
	nodes []*node
	grad  bool // recording is on (off inside NoGrad)
}

// resetTape forgets every node, letting go of what they held.
func (e *Engine) resetTape() {
	for _, n := range e.tape.nodes {
		e.letGo(n)
		n.out.node = nil
	}
	e.tape.nodes = e.tape.nodes[:0]
}

// letGo drops what a node held once its backward pass ran (or never
// will): the tensors it saved and its output's gradient.
func (e *Engine) letGo(n *node) {
	if n.done {
		return
	}
	n.done = true
	for _, t := range n.saves {
		if t != nil {
			e.unref(t)
		}
	}
	if o := n.out; !o.param && o.grad != nil {
		g := o.grad
		o.grad, o.owned = nil, false
		e.unref(g)
	}
}

// NoGrad runs f with recording off: ops inside compute values only. The
// iCT teacher runs here.
func (e *Engine) NoGrad(f func()) {
	was := e.tape.grad
	e.tape.grad = false
	defer func() { e.tape.grad = was }()
	f()
}

// GradEnabled reports whether ops are being recorded.
func (e *Engine) GradEnabled() bool { return e.tape.grad }

// recording reports whether an op on these inputs must be recorded.
func (e *Engine) recording(inputs ...*Tensor) bool {
	if !e.tape.grad || e.err != nil {
		return false
	}
	for _, t := range inputs {
		if t != nil && t.tracks {
			return true
		}
	}
	return false
}

// record appends an op to the tape; out then carries gradients. saves
// lists every tensor whose values backward reads (nil entries are
// skipped): they stay alive until it has run. Tensors backward only
// routes gradients to (calling accumulate or gradTarget) need not be
// listed.
func (e *Engine) record(op string, out *Tensor, inputs []*Tensor, saves []*Tensor, backward func(g *Tensor)) {
	for _, t := range saves {
		if t != nil {
			e.ref(t)
		}
	}
	n := &node{op: op, out: out, inputs: inputs, saves: saves, backward: backward}
	out.node = n
	out.tracks = true
	e.tape.nodes = append(e.tape.nodes, n)
}

// Tracks reports whether gradients flow to t.
func (t *Tensor) Tracks() bool { return t.tracks }

// needsGrad reports whether a backward function should compute the
// gradient of input t.
func needsGrad(t *Tensor) bool { return t != nil && t.tracks }

// Detach returns a view of t that gradients do not flow through.
func (t *Tensor) Detach() *Tensor { return t.view(t.shape, 0) }

// Backward runs the reverse pass from loss, whose gradient is taken as one
// everywhere (a scalar loss, usually). Parameters accumulate into their
// persistent gradients; the gradient of a tensor an op made lives only
// until its op's backward has used it (as PyTorch's non-leaf .grad), and
// what an op saved for its backward is let go as soon as that has run.
func (e *Engine) Backward(loss *Tensor) error {
	return e.BackwardReporting(loss, nil)
}

// BackwardReporting is Backward that also says, as the reverse pass is
// recorded, which parameters' gradients are final: once the backward of
// the earliest op that read a parameter is recorded, nothing more adds
// to its gradient, and ready gets it, with any others that op's backward
// finished, in the order they finish. A data-parallel trainer starts
// summing those gradients over its replicas while the rest of the pass
// is recorded (ct's buckets). Parameters the loss does not depend on are
// not reported.
func (e *Engine) BackwardReporting(loss *Tensor, ready func(params []*Tensor)) error {
	var err error
	e.scoped(func() {
		seed := e.newTensor(loss.shape...)
		seed.Fill(1)
		err = e.backward(loss, seed, ready)
	})
	return err
}

// BackwardWith runs the reverse pass with the given gradient of out.
func (e *Engine) BackwardWith(out, grad *Tensor) error {
	return e.backward(out, grad, nil)
}

// backward runs the reverse pass, calling ready (when not nil) with the
// parameters whose gradients each node's backward completed.
func (e *Engine) backward(out, grad *Tensor, ready func(params []*Tensor)) error {
	if e.err != nil {
		return e.err
	}
	if !sameShape(out.shape, grad.shape) {
		return fmt.Errorf("nn: backward: gradient %v for output %v", grad.shape, out.shape)
	}
	if !out.tracks {
		return fmt.Errorf("nn: backward from %v, which does not depend on any parameter (computed under NoGrad?)", out)
	}
	was := e.tape.grad
	e.tape.grad = false // backward ops are not themselves recorded
	defer func() { e.tape.grad = was }()
	e.scoped(func() { e.accumulate(out, grad) })
	nodes := e.tape.nodes
	var finishes [][]*Tensor
	if ready != nil {
		finishes = finishedParams(nodes)
	}
	for i := len(nodes) - 1; i >= 0 && e.err == nil; i-- {
		n := nodes[i]
		if g := n.out.grad; g != nil && !n.out.param {
			// Temporaries of the backward die with its scope; what it
			// passes on lives in gradient slots.
			e.scoped(func() { n.backward(g) })
		}
		e.letGo(n)
		if ready != nil && len(finishes[i]) > 0 && e.err == nil {
			ready(finishes[i])
		}
	}
	e.resetTape()
	return e.err
}

// finishedParams lists, for each node, the parameters whose gradient is
// complete once its backward has run: those it is the earliest reader of
// (an op adds to the gradients of its inputs only, and the reverse pass
// reaches the earliest reader last).
func finishedParams(nodes []*node) [][]*Tensor {
	out := make([][]*Tensor, len(nodes))
	seen := map[*Tensor]bool{}
	for i, n := range nodes {
		for _, t := range n.inputs {
			if t != nil && t.param && !seen[t] {
				seen[t] = true
				out[i] = append(out[i], t)
			}
		}
	}
	return out
}

// accumulate adds g to t's gradient. The first gradient of a non-parameter
// is kept as is (borrowed: another tensor may hold it too); a second one
// is added out of place, so shared gradients never change under a holder.
func (e *Engine) accumulate(t *Tensor, g *Tensor) {
	if t == nil || !t.tracks || e.err != nil {
		return
	}
	if !sameShape(t.shape, g.shape) && numel(t.shape) == numel(g.shape) {
		g = g.view(t.shape, 0)
	}
	if !sameShape(t.shape, g.shape) {
		e.failf("nn: backward: gradient %v for a tensor %v", g.shape, t.shape)
		return
	}
	switch {
	case t.grad == nil:
		e.ref(g)
		t.grad, t.owned = g, false
	case t.owned:
		e.addInto(t.grad, g)
	case e.solelyHeld(t.grad):
		// Borrowed, but every other holder let go of it since.
		e.addInto(t.grad, g)
		t.owned = true
	default:
		old := t.grad
		t.grad, t.owned = e.add(old, g), true
		e.ref(t.grad)
		e.unref(old)
	}
}

// solelyHeld reports whether g's memory has one holder, the gradient slot
// that refers to it: it may then be changed in place.
func (e *Engine) solelyHeld(g *Tensor) bool {
	s := g.storage()
	return s != nil && s.refs == 1 && !g.held
}

// gradTarget returns where a backward kernel may write (accumulate false)
// or add (accumulate true) t's gradient directly, saving a temporary.
func (e *Engine) gradTarget(t *Tensor) (dst *Tensor, accumulate bool) {
	switch {
	case t.grad == nil:
		t.grad, t.owned = e.newTensor(t.shape...), true
		e.ref(t.grad)
		return t.grad, false
	case t.owned:
		return t.grad, true
	case e.solelyHeld(t.grad):
		t.owned = true
		return t.grad, true
	default:
		own := e.newTensor(t.shape...)
		e.copyInto(own, t.grad)
		old := t.grad
		t.grad, t.owned = own, true
		e.ref(own)
		e.unref(old)
		return own, true
	}
}

// ZeroGrad clears the gradients of params.
func (e *Engine) ZeroGrad(params []*Tensor) {
	for _, p := range params {
		if p.grad != nil {
			p.grad.Fill(0)
		}
	}
}

// CopyInto records dst = src (same element count), outside the tape: for
// keeping a step's value (a loss) in a persistent tensor.
func (e *Engine) CopyInto(dst, src *Tensor) {
	if dst.n != src.n {
		e.failf("nn: copy of %v into %v", src, dst)
		return
	}
	e.copyInto(dst, src)
}

// copyInto records dst = src (same element count).
func (e *Engine) copyInto(dst, src *Tensor) {
	if e.err != nil {
		return
	}
	dst.mustLive()
	src.mustLive()
	if err := e.S.Copy(dst.buf, dst.off, src.buf, src.off, 4*uint64(src.n)); err != nil {
		e.fail(err)
	}
}

// Copy returns a new step tensor with t's values (recorded on the tape).
func (e *Engine) Copy(t *Tensor) *Tensor {
	out := e.newTensor(t.shape...)
	e.copyInto(out, t)
	if e.recording(t) {
		e.record("copy", out, []*Tensor{t}, nil, func(g *Tensor) { e.accumulate(t, g) })
	}
	return out
}

var _ = vk.Read
