package nn

// Helpers of the kernels that give one workgroup to one row (softmax) or
// one (sample, group) (GroupNorm) and reduce it in shared memory with the
// tree of shaders/reduce.glsl.

// reductionLocal is the workgroup size for reducing rows of n values:
// Tune.Local, shrunk to a power of two near n for short rows so that most
// invocations have work, but never below 32 invocations.
func (e *Engine) reductionLocal(n int) uint32 {
	local := e.Tune.Local
	want := uint32(32)
	for want < local && int(want) < n {
		want *= 2
	}
	return min(local, want)
}

// reduceRows records k with one workgroup for each of count rows, each
// row reduced by a workgroup of local invocations (spec constant 0).
func (e *Engine) reduceRows(k *kernel, count int, local uint32, push []byte, ts ...*Tensor) {
	e.dispatch(k, []uint32{local}, e.groups1D(count, 1), push, ts...)
}
