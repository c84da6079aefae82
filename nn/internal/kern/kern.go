package kern

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"

	"github.com/ictvk/ictvk/shaders"
	"github.com/ictvk/ictvk/vk"
)

// Variant is how the kernels split their work.
type Variant int

const (
	// Auto picks CPU for CPU devices (lavapipe) and GPU otherwise.
	Auto Variant = iota
	// CPU gives each invocation a large register tile and uses neither
	// shared memory nor barriers: lavapipe runs a workgroup on one thread
	// and pays for every storage-buffer load per SIMD lane, so the fewer
	// loads per multiply-add the better.
	CPU
	// GPU stages tiles of both operands in shared memory and gives each
	// thread a small register tile.
	GPU
)

func (v Variant) String() string {
	switch v {
	case CPU:
		return "cpu"
	case GPU:
		return "gpu"
	}
	return "auto"
}

// Options tune New.
type Options struct {
	// Variant forces a tiling; Auto chooses from the device type.
	Variant Variant
	// Threads is how many workgroups a CPU device runs at once, used to
	// size tiles; 0 means LP_NUM_THREADS where set, else runtime.NumCPU()
	// (lavapipe starts one worker per CPU).
	Threads int
	// MaxTile caps the CPU variant's register tile, in floats (0: no cap).
	// LLVM takes a minute to compile the largest tiles the first time a
	// machine sees them (the Mesa and pipeline caches keep them after), so
	// interactive runs cap them; benchmarks do not.
	MaxTile int
}

// Kernels launches the GEMM-family kernels on one device. It holds no
// buffers: every launcher records into the caller's stream and allocates
// nothing. Pipelines are built on first use and cached by the device.
// Like the device, it is not safe for concurrent use.
type Kernels struct {
	dev     *vk.Device
	variant Variant
	threads int
	lanes   int // CPU variant: invocations per workgroup, one SIMD vector
	gpu     gpuShape
	// cpuSizes are the register tiles the CPU variant chooses from (tests
	// narrow it to reach every code path on small shapes).
	cpuSizes [][2]int
	// groupLimit, where non-zero, lowers the device's workgroup-count
	// limits (tests use it to exercise the splitting of large grids).
	groupLimit [3]int
	// maxDepth, where non-zero, is the most depths one dispatch sums;
	// longer products run as slices added up in C (see depthSlices).
	maxDepth int
	// gemmOnly turns the CPU variant's same-convolution kernels off, so
	// that benchmarks can compare them with the implicit GEMM.
	gemmOnly bool
}

// CPU drivers get depth slices: lavapipe (llvmpipe's gallivm) counts the
// iterations of every loop of an invocation against one limiter of 65535
// and silently leaves the loops when it runs out, so a product deeper than
// 4 x 65535 (a convolution's weight gradient over 1024 images of 32x32)
// summed only its first 262140 depths. A slice of 2^16 depths takes 16384
// iterations of the CPU variant's loop (four depths each), or 4096 of the
// GPU variant's (BK depths, a few staging loops each).
const (
	cpuVariantMaxDepth = 1 << 16
	gpuVariantMaxDepth = 1 << 12
)

// gpuShape is the GPU variant's workgroup: lx x ly threads, each with an
// rm x rn register tile, over slices of bk depths.
type gpuShape struct{ lx, ly, rm, rn, bk int }

// New prepares launchers for dev, choosing the variant and tile shapes from
// dev.Info.
func New(dev *vk.Device, opt Options) (*Kernels, error) {
	k := &Kernels{dev: dev, variant: opt.Variant, threads: opt.Threads, cpuSizes: cpuTileSizes}
	if opt.MaxTile > 0 {
		var sizes [][2]int
		for _, s := range cpuTileSizes {
			if s[0]*s[1] <= opt.MaxTile {
				sizes = append(sizes, s)
			}
		}
		if len(sizes) > 0 {
			k.cpuSizes = sizes
		}
	}
	if k.variant == Auto {
		k.variant = GPU
		if dev.Info.Type == vk.TypeCPU {
			k.variant = CPU
		}
	}
	if k.threads <= 0 {
		k.threads = runtime.NumCPU()
		if n, err := strconv.Atoi(os.Getenv("LP_NUM_THREADS")); err == nil && n > 0 {
			k.threads = n
		}
	}
	lim := dev.Info.Limits
	// 16 x 16 threads with 4 x 4 tiles (64 x 64 blocks) where the device
	// allows 256 invocations and the 8 KiB of staging; 8 x 8 otherwise.
	k.gpu = gpuShape{lx: 16, ly: 16, rm: 4, rn: 4, bk: 16}
	for k.gpu.lx*k.gpu.ly > int(lim.MaxComputeWorkGroupInvocations) ||
		k.gpu.lx > int(lim.MaxComputeWorkGroupSize[0]) || k.gpu.ly > int(lim.MaxComputeWorkGroupSize[1]) ||
		4*k.gpu.bk*(k.gpu.lx*k.gpu.rn+k.gpu.ly*k.gpu.rm) > int(lim.MaxComputeSharedMemorySize) {
		if k.gpu.lx == 1 {
			return nil, fmt.Errorf("kern: %s allows too few invocations (%d) or too little shared memory (%d bytes) for the GPU tiles",
				dev.Info.Name, lim.MaxComputeWorkGroupInvocations, lim.MaxComputeSharedMemorySize)
		}
		k.gpu.lx /= 2
		k.gpu.ly /= 2
	}
	// A CPU workgroup is one subgroup (lavapipe runs it as one SIMD
	// vector): 8 lanes where the device cannot say or names an odd size.
	k.lanes = 8
	if sg := int(lim.SubgroupSize); sg >= 4 && sg <= 64 && sg&(sg-1) == 0 {
		k.lanes = sg
	}
	for k.lanes > int(lim.MaxComputeWorkGroupInvocations) || k.lanes > int(lim.MaxComputeWorkGroupSize[0]) || k.lanes > int(lim.MaxComputeWorkGroupSize[1]) {
		k.lanes /= 2
	}
	if k.variant == CPU && k.lanes < 1 {
		return nil, fmt.Errorf("kern: %s allows no workgroup for the CPU tiles", dev.Info.Name)
	}
	if dev.Info.Type == vk.TypeCPU {
		k.maxDepth = cpuVariantMaxDepth
		if k.variant == GPU {
			k.maxDepth = gpuVariantMaxDepth
		}
	}
	return k, nil
}

// depthSlices splits depths [0, depth) into the slices that one dispatch
// each sums, every one starting at a multiple of step (the depths one
// iteration of the kernel's loop takes: 4, or the GPU variant's BK).
func (k *Kernels) depthSlices(depth, step int) [][2]int { return slices(depth, k.maxDepth, step) }

// sliceFlags returns whether depth slice i adds into C (the caller asked
// to accumulate, or an earlier slice wrote it) and its flag bits: only the
// first slice adds the bias.
func sliceFlags(i int, accumulate bool, biasFlag int) (bool, int) {
	acc := accumulate || i > 0
	flags := 0
	if acc {
		flags |= flagAccumulate
	}
	if i == 0 {
		flags |= biasFlag
	}
	return acc, flags
}

// slices splits [0, n) into slices of at most size (rounded down to a
// multiple of step, at least step); size 0 means one slice.
func slices(n, size, step int) [][2]int {
	if size <= 0 || n <= size {
		return [][2]int{{0, n}}
	}
	size = max(size/step*step, step)
	var out [][2]int
	for i := 0; i < n; i += size {
		out = append(out, [2]int{i, min(i+size, n)})
	}
	return out
}

// depthStep is how many depths one iteration of the variant's loop takes.
func (k *Kernels) depthStep() int {
	if k.variant == CPU {
		return 4
	}
	return k.gpu.bk
}

// Variant reports the tiling in use.
func (k *Kernels) Variant() Variant { return k.variant }

// pipeline returns the pipeline of kern with the given specialization
// constants, built on first use and cached by the device.
func (k *Kernels) pipeline(kern vk.Kernel, spec ...uint32) (*vk.Pipeline, error) {
	return k.dev.Pipeline(kern, spec...)
}

// declared maps each shader of this package to the variant that
// dispatches it (Auto: both).
var declared = map[string]Variant{}

// kernel declares a shader of this package, dispatched by variant v (Auto:
// by both); its bindings and push size come from its SPIR-V. A shader
// missing or unreadable is a build error ('make shaders'): it panics.
func kernel(name string, v Variant) vk.Kernel {
	k, err := vk.KernelFromSPIRV(name, shaders.SPIRV(name))
	if err != nil {
		panic("kern: " + err.Error())
	}
	declared[name] = v
	return k
}

// Shaders lists by name, sorted, the shaders that Kernels of variant v
// dispatch, so that tests can check each one is run.
func Shaders(v Variant) []string {
	var names []string
	for name, by := range declared {
		if by == Auto || by == v {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// checkRange fails when r cannot hold elems float32 values.
func checkRange(op, name string, r vk.Range, elems int) error {
	if r.Buf == nil {
		return fmt.Errorf("%s: %s is not bound", op, name)
	}
	if need := 4 * uint64(elems); r.Size < need {
		return fmt.Errorf("%s: %s holds %d bytes, the shape needs %d (%d floats)", op, name, r.Size, need, elems)
	}
	return nil
}

// gridPart is one dispatch of a split launch: the workgroups [x0, x0+nx)
// x [y0, y0+ny) x [z0, z0+nz) of the whole grid. Shaders add the offsets
// (push constants tileX, tileY, batch0) to gl_WorkGroupID.
type gridPart struct{ x0, nx, y0, ny, z0, nz int }

func (g gridPart) groups() [3]uint32 { return [3]uint32{uint32(g.nx), uint32(g.ny), uint32(g.nz)} }

// grid splits a launch of gx x gy x gz workgroups into dispatches the
// device accepts (maxComputeWorkGroupCount on every axis), calling launch
// for each part.
func (k *Kernels) grid(gx, gy, gz int, launch func(gridPart) error) error {
	var lim [3]int
	for i, l := range k.dev.Info.Limits.MaxComputeWorkGroupCount {
		lim[i] = int(l)
		if k.groupLimit[i] > 0 {
			lim[i] = k.groupLimit[i]
		}
	}
	for z0 := 0; z0 < gz; z0 += lim[2] {
		for y0 := 0; y0 < gy; y0 += lim[1] {
			for x0 := 0; x0 < gx; x0 += lim[0] {
				part := gridPart{x0, min(gx-x0, lim[0]), y0, min(gy-y0, lim[1]), z0, min(gz-z0, lim[2])}
				if err := launch(part); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
