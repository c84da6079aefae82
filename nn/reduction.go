package nn

// Helpers of the kernels that give one workgroup to one row (softmax) or
// one (sample, group) (GroupNorm) and reduce it in shared memory with the
// tree of shaders/rowreduce.glsl.

// reductionLocal is the workgroup size for reducing rows of n values.
// Under CPU tuning it is one SIMD batch (the subgroup): lavapipe runs a
// larger workgroup as several batches that switch at every barrier, which
// made GroupNorm's forward and backward at a U-Net shape twice as slow at
// 64 invocations as at 8. Under GPU tuning it is Tune.Local, shrunk to a
// power of two near n for short rows so that most invocations have work,
// but never below 32 invocations.
func (e *Engine) reductionLocal(n int) uint32 {
	local := e.Tune.Local
	if e.Tune.For == TuneCPU {
		s := e.Dev.Info.Limits.SubgroupSize
		if s == 0 {
			s = 8
		}
		return min(local, s)
	}
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
