package nn

// Named is a tensor with the name it is saved under: a network's
// parameter or buffer.
type Named struct {
	Name   string
	Tensor *Tensor
}

// TensorsOf returns the tensors of ps, in order.
func TensorsOf(ps []Named) []*Tensor {
	ts := make([]*Tensor, len(ps))
	for i, p := range ps {
		ts[i] = p.Tensor
	}
	return ts
}

// FreeAll releases the tensors of ps.
func FreeAll(ps []Named) {
	for _, p := range ps {
		p.Tensor.Free()
	}
}
