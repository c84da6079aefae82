// Package nn holds tensors on a Vulkan device, the autodiff tape that
// records ops and replays their backward passes as shader dispatches, and
// the op library the U-Net and the iCT loss are built from.
//
// Errors are sticky, as in bufio.Scanner: an op that fails (a shape
// mismatch, memory exhausted) records the first error on the Engine and
// later ops do nothing, so model code reads as straight-line math and
// checks Engine.Err once per step.
//
// Memory: tensors made by ops come from a caching pool. Each lives while
// something holds it: model code inside an Engine.Tidy scope, a recorded
// op that saved it for the backward pass, or a gradient slot; outside
// every Tidy, until Engine.Release, which a training loop calls once per
// step. Parameters, gradients and optimizer state are persistent. After
// the first step a step with the same shapes allocates no new device
// memory.
package nn

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ictvk/ictvk/nn/internal/kern"
	"github.com/ictvk/ictvk/shaders"
	"github.com/ictvk/ictvk/vk"
)

// Engine is the device, its command stream, the tensor pool and the tape.
type Engine struct {
	Dev *vk.Device
	S   *vk.Stream

	pool   pool
	tape   tape
	scopes []*scope // open Tidy scopes, innermost last
	pipes  map[pipeKey]*vk.Pipeline
	gemm   *kern.Kernels
	err    error
	// Tune holds the per-device launch shapes ops use.
	Tune Tuning
	// unpackedAttention runs one-head attention on three projections, as
	// every other head count (tests compare the two).
	unpackedAttention bool

	// For tests: noArenas keeps every parameter in memory of its own (the
	// optimizer then dispatches per tensor), arenaLimit, when non-zero,
	// caps an arena's chunk below maxStorageBufferRange.
	noArenas   bool
	arenaLimit uint64
}

// Tuning holds launch parameters chosen from the device's type and limits.
type Tuning struct {
	// For is the kind of device the shapes suit: TuneCPU on CPU devices,
	// TuneGPU otherwise, unless Options.Tuning says.
	For TuningClass
	// Local is the workgroup size of one-dimensional (elementwise) kernels.
	Local uint32
	// MaxTile caps the GEMM kernels' register tiles on CPU devices, in
	// floats. Measured on lavapipe (1024^3 matmul, cold compile): 16x32
	// tiles 1.8 s to compile and 23 GFLOP/s, 32x32 5 s and 30 GFLOP/s,
	// 32x64 48 s and 30-44 GFLOP/s. The first run on a machine (make
	// run's ten minutes) gains more from the short compile than it loses
	// per step; ICT_MAX_TILE=1024 raises the cap for long runs of large
	// networks (Mesa caches the compiled pipelines on disk). Products too
	// small to gain from large tiles get at most 16x8 whatever the cap
	// (kern's bigTileWork).
	MaxTile int
	// MaxLoopIterations, where non-zero, bounds the loop iterations one
	// invocation may run in all. Lavapipe (llvmpipe's gallivm) counts
	// every loop of an invocation against one limiter of 65535 and leaves
	// the loops silently when it runs out: a softmax over rows of 300,000
	// values summed a third of each row. Row kernels widen their
	// workgroups to stay below it, and refuse what they cannot.
	MaxLoopIterations int
}

// TuningClass is the kind of device the engine's launch shapes are chosen
// for: workgroup sizes, GEMM tilings, row reductions.
type TuningClass int

const (
	// TuneAuto follows the device's type (ICT_TUNING may override it).
	TuneAuto TuningClass = iota
	// TuneCPU suits lavapipe: GEMM register tiles without shared memory,
	// workgroups of 64 (one subgroup for row reductions).
	TuneCPU
	// TuneGPU suits GPUs: shared-memory GEMM tiles, workgroups of 256.
	// On a CPU device it runs a GPU's code paths, for tests.
	TuneGPU
)

func (c TuningClass) String() string {
	switch c {
	case TuneCPU:
		return "cpu"
	case TuneGPU:
		return "gpu"
	}
	return "auto"
}

// ParseTuning reads "auto", "cpu" or "gpu" ("" is auto).
func ParseTuning(s string) (TuningClass, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return TuneAuto, nil
	case "cpu":
		return TuneCPU, nil
	case "gpu":
		return TuneGPU, nil
	}
	return TuneAuto, fmt.Errorf("tuning %q: want auto, cpu or gpu", s)
}

// Options configure NewEngine.
type Options struct {
	Device vk.Options
	Stream vk.StreamOptions
	// Poison fills every tensor the pool hands out with NaN, so a kernel
	// that leaves part of its output unwritten shows up in tests.
	Poison bool
	// Tuning chooses the launch shapes for a kind of device; TuneAuto
	// takes ICT_TUNING where set, else the device's type.
	Tuning TuningClass
	// HoldStepTensors keeps every step tensor until Release, as before
	// tensors had lifetimes: to compare memory, or to rule liveness out
	// when hunting a bug. ICT_HOLD_STEP_TENSORS=1 sets it too.
	HoldStepTensors bool
}

// NewEngine opens the device and prepares the engine. Besides opt it reads
// ICT_TUNING (auto, cpu or gpu; only when opt.Tuning is TuneAuto) and
// ICT_MAX_TILE (see Tuning.MaxTile).
func NewEngine(opt Options) (*Engine, error) {
	class := opt.Tuning
	if class == TuneAuto {
		var err error
		v := os.Getenv("ICT_TUNING")
		if class, err = ParseTuning(v); err != nil {
			return nil, fmt.Errorf("ICT_TUNING=%q: want auto, cpu or gpu (the launch shapes of which kind of device)", v)
		}
	}
	maxTile := 0
	if v := os.Getenv("ICT_MAX_TILE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 16 || n > 32*64 {
			return nil, fmt.Errorf("ICT_MAX_TILE=%q: want a number of floats from 16 to 2048 (16x32 = 512 is the default)", v)
		}
		maxTile = n
	}
	dev, err := vk.Open(opt.Device)
	if err != nil {
		return nil, err
	}
	s, err := dev.NewStream(opt.Stream)
	if err != nil {
		dev.Close()
		return nil, err
	}
	e := &Engine{Dev: dev, S: s, pipes: map[pipeKey]*vk.Pipeline{}}
	e.pool = pool{e: e, free: map[uint64][]*vk.Buffer{}, poison: opt.Poison, holdAll: opt.HoldStepTensors || os.Getenv("ICT_HOLD_STEP_TENSORS") == "1"}
	e.tape.grad = true
	e.Tune = tuneFor(dev.Info, class)
	if maxTile > 0 {
		e.Tune.MaxTile = maxTile
	}
	return e, nil
}

// tuneFor chooses launch shapes for a device, as if it were of the given
// class (TuneAuto: its own type).
func tuneFor(info vk.DeviceInfo, class TuningClass) Tuning {
	if class == TuneAuto {
		class = TuneGPU
		if info.Type == vk.TypeCPU {
			class = TuneCPU
		}
	}
	t := Tuning{For: class, Local: 256, MaxTile: 16 * 32}
	if class == TuneCPU {
		// lavapipe runs a workgroup on one thread, SIMD across
		// invocations: small groups spread work over the cores.
		t.Local = 64
	}
	if m := info.Limits.MaxComputeWorkGroupInvocations; t.Local > m {
		t.Local = m
	}
	if info.Type == vk.TypeCPU {
		t.MaxLoopIterations = 60000 // 65535, less a margin for loops the estimates miss
	}
	return t
}

// Close waits for the device, frees every tensor and closes the device.
func (e *Engine) Close() error {
	var errs []error
	if e.S != nil {
		errs = append(errs, e.S.Wait())
	}
	e.resetTape()
	e.pool.destroy()
	errs = append(errs, e.Dev.Close())
	return errors.Join(errs...)
}

// Err returns the first error an op met, if any.
func (e *Engine) Err() error { return e.err }

// ClearErr forgets a recorded error (after the caller has handled it).
func (e *Engine) ClearErr() { e.err = nil }

// fail records err unless an earlier error is already recorded.
func (e *Engine) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

func (e *Engine) failf(format string, args ...any) { e.fail(fmt.Errorf(format, args...)) }

// Wait submits recorded work and waits for it.
func (e *Engine) Wait() error {
	if err := e.S.Wait(); err != nil {
		e.fail(err)
	}
	return e.err
}

// DryRun runs record with the stream dropping the device work it records
// (vk.Stream.SetDiscard): ops check their shapes, take their tensors from
// the pool and build their pipelines, but no shader runs and reads give
// zeros. Measuring the memory a pass needs takes no more (ct.FitPass), and
// on a driver that compiles pipelines at their first run (lavapipe) the
// pipelines only such a pass uses are never compiled. Device state is left
// as it was; tensors written inside hold garbage.
func (e *Engine) DryRun(record func() error) error {
	if e.S.Discarding() {
		return record()
	}
	if err := e.S.SetDiscard(true); err != nil {
		e.fail(err)
		return e.err
	}
	defer e.S.SetDiscard(false)
	return record()
}

// kernel is a compute shader of the op library, found by name in package
// shaders. Its storage buffers, how it uses each, and its push-constant
// size come from its SPIR-V (vk.KernelFromSPIRV): the shader's GLSL is the
// one place they are written. Ops declare their kernels as package
// variables.
type kernel struct {
	vk.Kernel
}

// declared holds every kernel of the op library by name, filled by
// declare as the package initializes and read-only afterwards: the op
// harness checks that its cases run each one.
var declared = map[string]*kernel{}

// declare reads shader name's interface from its SPIR-V. A shader missing
// or unreadable is a build error ('make shaders'): it panics.
func declare(name string) *kernel {
	k, err := vk.KernelFromSPIRV(name, shaders.SPIRV(name))
	if err != nil {
		panic("nn: " + err.Error())
	}
	if declared[name] != nil {
		panic("nn: kernel " + name + " is declared twice")
	}
	declared[name] = &kernel{k}
	return declared[name]
}

type pipeKey struct {
	k    *kernel
	spec [6]uint32
}

// pipeline returns k's pipeline for the given specialization constants.
func (e *Engine) pipeline(k *kernel, spec ...uint32) *vk.Pipeline {
	key := pipeKey{k: k}
	if len(spec) > len(key.spec) {
		panic("nn: too many specialization constants for " + k.Name)
	}
	copy(key.spec[:], spec)
	if p, ok := e.pipes[key]; ok {
		return p
	}
	p, err := e.Dev.Pipeline(k.Kernel, spec...)
	if err != nil {
		e.fail(err)
		return nil
	}
	e.pipes[key] = p
	return p
}

// dispatch records k over groups with the tensors bound in order.
func (e *Engine) dispatch(k *kernel, spec []uint32, groups [3]uint32, push []byte, ts ...*Tensor) {
	if e.err != nil {
		return
	}
	var rs [16]vk.Range
	for i, t := range ts {
		rs[i] = t.rng()
	}
	e.dispatchRanges(k, spec, groups, push, rs[:len(ts)]...)
}

// dispatchRanges is dispatch with memory ranges bound: an arena's chunk.
func (e *Engine) dispatchRanges(k *kernel, spec []uint32, groups [3]uint32, push []byte, rs ...vk.Range) {
	if e.err != nil {
		return
	}
	p := e.pipeline(k, spec...)
	if p == nil {
		return
	}
	if err := e.S.DispatchRanges(p, groups, push, rs...); err != nil {
		e.fail(err)
	}
}

// groups1D is the grid of every one-dimensional launch: n invocations in
// workgroups of local (elementwise kernels), or n workgroups with local 1
// (one workgroup per row: softmax, GroupNorm, reductions). Past the
// device's maxComputeWorkGroupCount along x it folds into rows of a second
// dimension; shaders recover the flat index with elementIndex() or
// workgroupIndex() from common.glsl and skip the few past n. Vulkan
// guarantees at least 65535 per axis, so two axes cover every index a
// uint32 can hold; a grid that still does not fit is returned as is, and
// vk refuses it naming the kernel.
func (e *Engine) groups1D(n int, local uint32) [3]uint32 {
	return fold1D(uint64(n), local, e.Dev.Info.Limits.MaxComputeWorkGroupCount)
}

func fold1D(n uint64, local uint32, lim [3]uint32) [3]uint32 {
	g := (n + uint64(local) - 1) / uint64(local)
	maxX := uint64(lim[0])
	if g <= maxX {
		return [3]uint32{uint32(g), 1, 1}
	}
	y := (g + maxX - 1) / maxX
	x := (g + y - 1) / y
	return [3]uint32{uint32(x), uint32(y), 1}
}

// elementwise dispatches a one-dimensional kernel over n elements.
func (e *Engine) elementwise(k *kernel, n int, push []byte, ts ...*Tensor) {
	e.dispatch(k, []uint32{e.Tune.Local}, e.groups1D(n, e.Tune.Local), push, ts...)
}

// elementwiseVec is elementwise for kernels that take 4 elements an
// invocation as vec4s when their spec constant 1 (VEC) is 4: it sets it
// where vec holds and n is a multiple of 4 (why: VEC in
// shaders/common.glsl).
func (e *Engine) elementwiseVec(k *kernel, n int, vec bool, push []byte, ts ...*Tensor) {
	if vec && n%4 == 0 {
		e.dispatch(k, []uint32{e.Tune.Local, 4}, e.groups1D(n/4, e.Tune.Local), push, ts...)
		return
	}
	e.elementwise(k, n, push, ts...)
}
