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

// treeIterations bounds the loop iterations of one workgroup reduction
// (rowreduce.glsl, reduce.glsl) at local invocations.
func treeIterations(local uint32) int {
	n := 2
	for p := uint32(1); p < local; p *= 2 {
		n += 2
	}
	return n
}

// rowLocal is reductionLocal(n) widened, where the device bounds the loop
// iterations of an invocation (Tuning.MaxLoopIterations), until
// iterations(local) fits; it fails naming op and shape when no workgroup
// size the device allows does.
func (e *Engine) rowLocal(op string, shape []int, n int, iterations func(local uint32) int) uint32 {
	local := e.reductionLocal(n)
	budget := e.Tune.MaxLoopIterations
	if budget <= 0 {
		return local
	}
	maxLocal := min(e.Dev.Info.Limits.MaxComputeWorkGroupInvocations, e.Dev.Info.Limits.MaxComputeWorkGroupSize[0])
	for iterations(local) > budget && 2*local <= maxLocal {
		local *= 2
	}
	e.checkLoops(op, shape, iterations(local))
	return local
}

// checkLoops fails when an invocation would run more loop iterations than
// the device completes (Tuning.MaxLoopIterations).
func (e *Engine) checkLoops(op string, shape []int, iterations int) {
	if budget := e.Tune.MaxLoopIterations; budget > 0 && iterations > budget {
		e.failf("nn: %s of %v needs %d loop iterations per invocation, past the %d that %s completes (its driver ends longer loops silently); split the tensor",
			op, shape, iterations, budget, e.Dev.Info.Name)
	}
}

func ceilDiv(a int, b uint32) int { return (a + int(b) - 1) / int(b) }

// reduceRows records k with one workgroup for each of count rows, each
// row reduced by a workgroup of local invocations (spec constant 0).
func (e *Engine) reduceRows(k *kernel, count int, local uint32, push []byte, ts ...*Tensor) {
	e.dispatch(k, []uint32{local}, e.groups1D(count, 1), push, ts...)
}

// reduceRowsVec is reduceRows for kernels that load and store vec4s when
// their spec constant 1 (VEC) is 4, which it sets where vec holds (see
// elementwiseVec).
func (e *Engine) reduceRowsVec(k *kernel, count int, local uint32, vec bool, push []byte, ts ...*Tensor) {
	if !vec {
		e.reduceRows(k, count, local, push, ts...)
		return
	}
	e.dispatch(k, []uint32{local, 4}, e.groups1D(count, 1), push, ts...)
}
