package vk

/*
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// Lavapipe (Mesa's llvmpipe) turns a pipeline into machine code at its
// first dispatch, not in vkCreateComputePipelines, on the one thread that
// executes the queue's submits: the first step of a network compiles its
// fifty-odd GEMM and convolution variants one after another while the
// other cores wait, most of a minute on two cores.
//
// So before a submit runs pipelines for the first time, the device
// compiles them on several threads: its own queue and helper devices on
// the same physical device (each with its own queue thread) take pipelines
// from one list and dispatch each over zero workgroups, which builds the
// code and runs nothing. A helper's code reaches this device through
// Mesa's on-disk shader cache, which every device of the process shares
// (llvmpipe looks a shader up there before compiling it). Where that cache
// is off (MESA_SHADER_CACHE_DISABLE) or does not answer, the helpers are
// dropped and this device's queue compiles alone, as before.
//
// ICT_COMPILE_THREADS sets the threads (default: the CPUs; 1 turns the
// helpers off).

// compiler builds pipelines ahead of their first submit.
type compiler struct {
	threads int
	helpers []*Device // opened on first use
	primer  *primer   // this device's
	// off says why helpers are not used ("" while they may be).
	off string
}

// lazyCompile reports whether the driver compiles pipelines at their first
// dispatch rather than when they are created.
func lazyCompile(info DeviceInfo) bool {
	return info.Type == TypeCPU && strings.Contains(info.Driver+" "+info.Name, "llvmpipe")
}

func newCompiler(d *Device) (*compiler, error) {
	if !lazyCompile(d.Info) {
		return nil, nil
	}
	c := &compiler{threads: runtime.NumCPU()}
	if v := os.Getenv("ICT_COMPILE_THREADS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 256 {
			return nil, fmt.Errorf("ICT_COMPILE_THREADS=%q: want a number of threads from 1 to 256", v)
		}
		c.threads = n
	}
	switch {
	case c.threads < 2:
		c.off = "one compile thread"
	case mesaCacheDisabled():
		c.off = "Mesa's shader cache is off (MESA_SHADER_CACHE_DISABLE)"
	}
	return c, nil
}

// mesaCacheDisabled reads the variables with which Mesa turns its on-disk
// shader cache off (util/disk_cache.c, env_var_as_boolean).
func mesaCacheDisabled() bool {
	for _, name := range []string{"MESA_SHADER_CACHE_DISABLE", "MESA_GLSL_CACHE_DISABLE"} {
		switch strings.ToLower(strings.TrimSpace(os.Getenv(name))) {
		case "1", "true", "yes", "y":
			return true
		}
	}
	return false
}

// precompile builds ps (pipelines of d that have never run) on all compile
// threads and makes d load the helpers' code, so that the submit that
// follows finds every one compiled.
func (d *Device) precompile(ps []*Pipeline) error {
	c := d.compiler
	start := time.Now()
	if c.primer == nil {
		pr, err := newPrimer(d)
		if err != nil {
			return err
		}
		c.primer = pr
	}
	// Helpers live for one call: lavapipe gives each a queue thread and a
	// pool of worker threads, and keeps what they compiled in memory.
	defer c.closeHelpers()
	if c.off == "" && len(ps) > 1 {
		for len(c.helpers) < min(c.threads, len(ps))-1 {
			h, err := d.openHelper()
			if err != nil {
				// Not worth failing the run for: compile on this queue.
				c.off = "a helper device failed: " + err.Error()
				break
			}
			c.helpers = append(c.helpers, h)
		}
	}
	if len(c.helpers) == 0 {
		// This queue would compile them at the submit anyway; priming them
		// here only times them.
		return d.primeTimed(ps, start)
	}

	// Each worker takes the next pipeline; this device's queue is worker 0,
	// and loads from the cache those a helper compiled. Longest first, so
	// that no long one starts last: creating a pipeline (its NIR,
	// specialized and unrolled) takes time in proportion to the code LLVM
	// will compile, the best estimate at hand.
	ps = slices.Clone(ps)
	created := func(p *Pipeline) float64 { return d.pipelines.builds[p.build].CreateSeconds }
	sort.SliceStable(ps, func(i, j int) bool { return created(ps[i]) > created(ps[j]) })
	next := make(chan int, len(ps))
	for i := range ps {
		next <- i
	}
	close(next)
	seconds := make([]float64, len(ps))
	byHelper := make([]bool, len(ps))
	errs := make([]error, 1+len(c.helpers))
	var wg sync.WaitGroup
	for w := range errs {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				var err error
				if w == 0 {
					err = c.primer.prime(ps[i : i+1])
				} else {
					err = c.helpers[w-1].primeCopy(ps[i])
				}
				if err != nil {
					// A helper's failure leaves the pipeline to this
					// device's submit; this device's is the run's.
					errs[w] = fmt.Errorf("compiling %s%v: %w", ps[i].Kernel.Name, ps[i].Spec, err)
					return
				}
				seconds[i], byHelper[i] = time.Since(t0).Seconds(), w > 0
			}
		}(w)
	}
	wg.Wait()
	if errs[0] != nil {
		return errs[0]
	}
	if err := errors.Join(errs[1:]...); err != nil {
		c.off = "a helper device failed: " + err.Error()
	}
	var fromHelpers []*Pipeline
	helperSeconds := 0.0
	for i, p := range ps {
		if byHelper[i] {
			fromHelpers = append(fromHelpers, p)
			helperSeconds += seconds[i]
		}
	}
	t0 := time.Now()
	if err := c.primer.prime(fromHelpers); err != nil {
		return err
	}
	load := time.Since(t0).Seconds()
	if os.Getenv("ICT_PIPELINE_LOG") != "" {
		fmt.Fprintf(os.Stderr, "precompile: %d pipelines on %d threads in %.1f s; %d by helpers (%.1f s summed), loaded from the cache in %.2f s\n",
			len(ps), len(errs), time.Since(start).Seconds(), len(fromHelpers), helperSeconds, load)
	}
	// Loading from the cache takes milliseconds a pipeline; taking about
	// as long as compiling means the cache did not answer.
	if helperSeconds > 1 && load > helperSeconds/2 {
		c.off = fmt.Sprintf("Mesa's shader cache did not answer (loading %d pipelines compiled by helpers took %.1f s, compiling them %.1f s)",
			len(fromHelpers), load, helperSeconds)
	}
	d.pipelines.noteCompiled(ps, seconds, time.Since(start).Seconds(), len(fromHelpers))
	return nil
}

// primeTimed compiles ps on this device's queue alone, one at a time.
func (d *Device) primeTimed(ps []*Pipeline, start time.Time) error {
	seconds := make([]float64, len(ps))
	for i, p := range ps {
		t0 := time.Now()
		if err := d.compiler.primer.prime([]*Pipeline{p}); err != nil {
			return fmt.Errorf("compiling %s%v: %w", p.Kernel.Name, p.Spec, err)
		}
		seconds[i] = time.Since(t0).Seconds()
	}
	d.pipelines.noteCompiled(ps, seconds, time.Since(start).Seconds(), 0)
	return nil
}

// primeCopy builds p's kernel with p's constants on helper device h and
// compiles it there.
func (h *Device) primeCopy(p *Pipeline) error {
	hp, err := h.Pipeline(p.Kernel, p.Spec...)
	if err != nil {
		return err
	}
	if h.compiler.primer == nil {
		pr, err := newPrimer(h)
		if err != nil {
			return err
		}
		h.compiler.primer = pr
	}
	return h.compiler.primer.prime([]*Pipeline{hp})
}

// openHelper opens another logical device on d's physical device with d's
// extensions, so that its shaders compile to the same code.
func (d *Device) openHelper() (*Device, error) {
	h := &Device{Info: d.Info, inst: d.inst, sharedInst: true, physical: d.physical,
		pushDesc: d.pushDesc, uma: d.uma, swapchain: d.swapchain}
	if err := h.create(); err != nil {
		return nil, err
	}
	var err error
	if h.pipelines, err = newPipelineCache(h, "off"); err != nil {
		h.Close()
		return nil, err
	}
	// Helpers only prime: their compiler has no helpers of its own.
	h.compiler = &compiler{threads: 1, off: "a helper"}
	return h, nil
}

func (c *compiler) closeHelpers() {
	for _, h := range c.helpers {
		h.Close()
	}
	c.helpers = nil
}

func (c *compiler) destroy(dev vk.Device) {
	c.closeHelpers()
	if c.primer != nil {
		c.primer.destroy(dev)
		c.primer = nil
	}
}

// primer dispatches pipelines over zero workgroups from a command buffer
// of its own, with a 256-byte buffer bound to every binding.
type primer struct {
	dev      *Device
	pool     vk.CommandPool
	cmd      vk.CommandBuffer
	fence    vk.Fence
	descPool vk.DescriptorPool // nil with push descriptors
	buf      vk.Buffer
	mem      vk.DeviceMemory
	view     vk.BufferView // buf as texels, bound to texel bindings
}

const primerBytes = 256

func newPrimer(d *Device) (pr *primer, err error) {
	dev := d.handle
	pr = &primer{dev: d}
	defer func() {
		if err != nil {
			pr.destroy(dev)
		}
	}()
	var pool vk.CommandPool
	if err := check(vk.CreateCommandPool(dev, &vk.CommandPoolCreateInfo{
		SType:            vk.StructureTypeCommandPoolCreateInfo,
		Flags:            vk.CommandPoolCreateFlags(vk.CommandPoolCreateResetCommandBufferBit),
		QueueFamilyIndex: uint32(d.Info.ComputeFamily),
	}, nil, &pool), "creating a command pool"); err != nil {
		return nil, err
	}
	pr.pool = pool
	cmds := make([]vk.CommandBuffer, 1)
	if err := check(vk.AllocateCommandBuffers(dev, &vk.CommandBufferAllocateInfo{
		SType:              vk.StructureTypeCommandBufferAllocateInfo,
		CommandPool:        pool,
		Level:              vk.CommandBufferLevelPrimary,
		CommandBufferCount: 1,
	}, cmds), "allocating a command buffer"); err != nil {
		return nil, err
	}
	pr.cmd = cmds[0]
	var fence vk.Fence
	if err := check(vk.CreateFence(dev, &vk.FenceCreateInfo{SType: vk.StructureTypeFenceCreateInfo}, nil, &fence), "creating a fence"); err != nil {
		return nil, err
	}
	pr.fence = fence
	var buf vk.Buffer
	if err := check(vk.CreateBuffer(dev, &vk.BufferCreateInfo{
		SType:       vk.StructureTypeBufferCreateInfo,
		Size:        vk.DeviceSize(texelBufferSize(primerBytes)),
		Usage:       vk.BufferUsageFlags(bufferUsage),
		SharingMode: vk.SharingModeExclusive,
	}, nil, &buf), "creating a buffer"); err != nil {
		return nil, err
	}
	pr.buf = buf
	var req vk.MemoryRequirements
	vk.GetBufferMemoryRequirements(dev, buf, &req)
	req.Deref()
	var mp vk.PhysicalDeviceMemoryProperties
	vk.GetPhysicalDeviceMemoryProperties(d.physical, &mp)
	mp.Deref()
	typeIndex := -1
	for i := uint32(0); i < mp.MemoryTypeCount; i++ {
		if req.MemoryTypeBits&(1<<i) != 0 {
			typeIndex = int(i)
			break
		}
	}
	if typeIndex < 0 {
		return nil, errors.New("vulkan: no memory type for a storage buffer")
	}
	var mem vk.DeviceMemory
	if err := check(vk.AllocateMemory(dev, &vk.MemoryAllocateInfo{
		SType:           vk.StructureTypeMemoryAllocateInfo,
		AllocationSize:  req.Size,
		MemoryTypeIndex: uint32(typeIndex),
	}, nil, &mem), "allocating memory"); err != nil {
		return nil, err
	}
	pr.mem = mem
	if err := check(vk.BindBufferMemory(dev, buf, mem, 0), "binding buffer memory"); err != nil {
		return nil, err
	}
	if pr.view, err = newTexelView(dev, buf, 0, texelViewSize(primerBytes)); err != nil {
		return nil, err
	}
	if !d.pushDesc {
		var dp vk.DescriptorPool
		if err := newDescriptorPool(dev, primerBatch, &dp); err != nil {
			return nil, err
		}
		pr.descPool = dp
	}
	return pr, nil
}

// primerBatch is the most pipelines one submit of the primer dispatches.
const primerBatch = 64

// prime dispatches each of ps over zero workgroups and waits: on llvmpipe
// that compiles them (or loads them from Mesa's cache).
func (pr *primer) prime(ps []*Pipeline) error {
	for len(ps) > 0 {
		n := min(len(ps), primerBatch)
		if err := pr.submit(ps[:n]); err != nil {
			return err
		}
		ps = ps[n:]
	}
	return nil
}

func (pr *primer) submit(ps []*Pipeline) error {
	d := pr.dev
	dev := d.handle
	if err := check(vk.ResetFences(dev, 1, []vk.Fence{pr.fence}), "resetting a fence"); err != nil {
		return err
	}
	var pool C.VkDescriptorPool
	if pr.descPool != nil {
		if err := check(vk.ResetDescriptorPool(dev, pr.descPool, 0), "resetting a descriptor pool"); err != nil {
			return err
		}
		pool = C.VkDescriptorPool(unsafe.Pointer(pr.descPool))
	}
	if err := check(vk.BeginCommandBuffer(pr.cmd, &vk.CommandBufferBeginInfo{
		SType: vk.StructureTypeCommandBufferBeginInfo,
		Flags: vk.CommandBufferUsageFlags(vk.CommandBufferUsageOneTimeSubmitBit),
	}), "beginning a command buffer"); err != nil {
		return err
	}
	cmd := C.VkCommandBuffer(unsafe.Pointer(pr.cmd))
	var bufs [16]C.VkBuffer
	var offs, sizes [16]C.VkDeviceSize
	var views [16]C.VkBufferView
	for i := range bufs {
		bufs[i] = C.VkBuffer(unsafe.Pointer(pr.buf))
		sizes[i] = primerBytes
	}
	var push [128]byte // zeros: no invocation runs
	for i, p := range ps {
		if i > 0 {
			// The shaders run nothing, but tools that track accesses
			// (synchronization validation) count the bound buffer.
			C.ict_barrier(&d.fns, cmd, C.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, C.VK_ACCESS_SHADER_WRITE_BIT,
				C.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, C.VK_ACCESS_SHADER_READ_BIT|C.VK_ACCESS_SHADER_WRITE_BIT)
		}
		for i, a := range p.Kernel.Buffers {
			views[i] = nil
			if a&Texel != 0 {
				views[i] = C.VkBufferView(unsafe.Pointer(pr.view))
			}
		}
		var pushPtr unsafe.Pointer
		if p.Kernel.PushSize > 0 {
			pushPtr = unsafe.Pointer(&push[0])
		}
		r := C.ict_dispatch(&d.fns, cmd,
			C.VkPipeline(unsafe.Pointer(p.handle)), C.VkPipelineLayout(unsafe.Pointer(p.layout)),
			C.VkDescriptorSetLayout(unsafe.Pointer(p.setLayout)), pool,
			C.uint32_t(len(p.Kernel.Buffers)), &bufs[0], &offs[0], &sizes[0], &views[0],
			pushPtr, C.uint32_t(p.Kernel.PushSize), 0, 0, 0)
		if err := check(vk.Result(r), "recording kernel "+p.Kernel.Name); err != nil {
			vk.EndCommandBuffer(pr.cmd)
			return err
		}
	}
	if err := check(vk.EndCommandBuffer(pr.cmd), "ending a command buffer"); err != nil {
		return err
	}
	d.queueMu.Lock()
	r := vk.QueueSubmit(d.queue, 1, []vk.SubmitInfo{{
		SType:              vk.StructureTypeSubmitInfo,
		CommandBufferCount: 1,
		PCommandBuffers:    []vk.CommandBuffer{pr.cmd},
	}}, pr.fence)
	d.queueMu.Unlock()
	if err := check(r, "submitting work"); err != nil {
		return err
	}
	return check(vk.WaitForFences(dev, 1, []vk.Fence{pr.fence}, vk.True, math.MaxUint64), "waiting for the device")
}

func (pr *primer) destroy(dev vk.Device) {
	if pr.fence != nil {
		vk.DestroyFence(dev, pr.fence, nil)
	}
	if pr.descPool != nil {
		vk.DestroyDescriptorPool(dev, pr.descPool, nil)
	}
	if pr.pool != nil {
		vk.DestroyCommandPool(dev, pr.pool, nil)
	}
	if pr.view != nil {
		vk.DestroyBufferView(dev, pr.view, nil)
	}
	if pr.buf != nil {
		vk.DestroyBuffer(dev, pr.buf, nil)
	}
	if pr.mem != nil {
		vk.FreeMemory(dev, pr.mem, nil)
	}
}
