package vk

/*
#include <stdlib.h>
#include <string.h>
#include "shim.h"
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unsafe"

	"github.com/ictvk/ictvk/internal/atomicfile"
	"github.com/ictvk/ictvk/vk/internal/spirv"
	vk "github.com/vulkan-go/vulkan"
)

// Access says how a shader uses one of its buffers; the recorder derives
// barriers from it.
type Access uint8

const (
	Read Access = 1 << iota
	Write
	// Texel, always with Read, marks a uniform texel buffer: the shader
	// reads vec4s through texelFetch of a textureBuffer, and the binding
	// is viewed as RGBA32F texels (its offset a multiple of
	// minTexelBufferOffsetAlignment, its size of 16 bytes, at most
	// maxTexelBufferElements texels). On lavapipe a texel fetch is a
	// vector gather, where a storage-buffer load is a loop over the
	// invocations with a bounds check and a branch each.
	Texel
	ReadWrite = Read | Write
)

// descriptorType is how a binding of access a is bound.
func descriptorType(a Access) vk.DescriptorType {
	if a&Texel != 0 {
		return vk.DescriptorTypeUniformTexelBuffer
	}
	return vk.DescriptorTypeStorageBuffer
}

// newDescriptorPool makes a pool of sets descriptor sets, each of up to 16
// bindings of either kind (storage or uniform texel buffer), for devices
// without push descriptors.
func newDescriptorPool(dev vk.Device, sets uint32, dp *vk.DescriptorPool) error {
	return check(vk.CreateDescriptorPool(dev, &vk.DescriptorPoolCreateInfo{
		SType:         vk.StructureTypeDescriptorPoolCreateInfo,
		MaxSets:       sets,
		PoolSizeCount: 2,
		PPoolSizes: []vk.DescriptorPoolSize{
			{Type: vk.DescriptorTypeStorageBuffer, DescriptorCount: 16 * sets},
			{Type: vk.DescriptorTypeUniformTexelBuffer, DescriptorCount: 16 * sets},
		},
	}, nil, dp), "creating a descriptor pool")
}

// Kernel declares a compute shader: its SPIR-V, how it uses each buffer
// (binding i of set 0 is Buffers[i]) and the size of its push constants.
// KernelFromSPIRV reads the last two from the SPIR-V.
type Kernel struct {
	Name     string
	SPIRV    []byte
	Buffers  []Access
	PushSize uint32
}

// KernelFromSPIRV declares the compute shader name as its SPIR-V states
// it: its buffers, which must be bindings 0 to n-1 of set 0; how it uses
// each (GLSL readonly: Read, writeonly: Write, neither: ReadWrite, a
// textureBuffer: Read|Texel),
// from which the recorder places barriers; and the bytes its push-constant
// block spans, which every dispatch must pass.
func KernelFromSPIRV(name string, code []byte) (Kernel, error) {
	in, err := spirv.Reflect(code)
	if err != nil {
		return Kernel{}, fmt.Errorf("kernel %s: %w", name, err)
	}
	k := Kernel{Name: name, SPIRV: code, PushSize: in.PushSize, Buffers: make([]Access, len(in.Buffers))}
	for i, b := range in.Buffers {
		if b.Set != 0 || b.Binding != uint32(i) {
			return Kernel{}, fmt.Errorf("kernel %s: a buffer at set %d, binding %d: want bindings 0 to %d of set 0, each used by the shader (the optimizer drops unused ones)", name, b.Set, b.Binding, len(in.Buffers)-1)
		}
		if b.Texel {
			k.Buffers[i] |= Texel
		}
		if b.Readable {
			k.Buffers[i] |= Read
		}
		if b.Writable {
			k.Buffers[i] |= Write
		}
		if k.Buffers[i] == 0 {
			return Kernel{}, fmt.Errorf("kernel %s: binding %d is both readonly and writeonly", name, i)
		}
	}
	return k, nil
}

// Pipeline is a Kernel built for this device with fixed specialization
// constants (constant_id i takes Spec[i]).
type Pipeline struct {
	Kernel Kernel
	Spec   []uint32

	handle    vk.Pipeline
	layout    vk.PipelineLayout
	setLayout vk.DescriptorSetLayout
	module    vk.ShaderModule
	build     int // index in the cache's builds
	// compiled is set once the pipeline's code is known to exist: on a
	// driver that compiles at the first dispatch, after its first submit
	// (see precompile.go).
	compiled bool
	pending  bool // in a frame's list of pipelines to compile
}

type pipelineKey struct {
	name string
	spec string
}

// pipelineCache keeps built pipelines in memory and the driver's compiled
// code in a VkPipelineCache persisted under the user's cache folder.
type pipelineCache struct {
	dev     *Device
	built   map[pipelineKey]*Pipeline
	handle  vk.PipelineCache
	path    string // "" when the file is disabled
	loaded  int    // bytes read from the file at open
	created int    // pipelines built this run
	builds  []PipelineBuild
	// compiled counts pipelines compiled ahead of their first submit, in
	// compileSeconds of wall-clock time.
	compiled       int
	compileSeconds float64
	byHelpers      int
	maxPush        uint32
	maxInvoc       uint32
	maxGroupX      uint32
}

// PipelineStats reports the pipeline cache's work.
type PipelineStats struct {
	Path        string // the cache file, "" if disabled
	LoadedBytes int    // read from the file when the device opened
	Built       int    // pipelines created by this process
	// CreateSeconds is the time spent creating them (shader modules,
	// layouts, vkCreateComputePipelines).
	CreateSeconds float64
	// Compiled counts the pipelines compiled ahead of their first submit
	// on a driver that compiles at the first dispatch (lavapipe), and
	// CompileSeconds is the wall-clock time that took, on CompileThreads
	// threads. CompileNote says why fewer threads were used, if so.
	Compiled       int
	CompileSeconds float64
	CompileThreads int
	CompileNote    string
	// ByHelpers counts those compiled by helper devices, which this
	// device then loaded from Mesa's shader cache.
	ByHelpers int
	// Builds lists the pipelines created, by creation plus compile time,
	// slowest first.
	Builds []PipelineBuild
}

// PipelineBuild is one pipeline this process built and how long it took.
type PipelineBuild struct {
	Kernel        string
	Spec          []uint32
	CreateSeconds float64
	// CompileSeconds is the time its compile ahead of the first submit
	// took on whichever thread compiled it (0 where none was needed).
	CompileSeconds float64
}

func (b PipelineBuild) String() string {
	return fmt.Sprintf("%s%v created in %.2f s, compiled in %.2f s", b.Kernel, b.Spec, b.CreateSeconds, b.CompileSeconds)
}

func newPipelineCache(d *Device, dir string) (*pipelineCache, error) {
	pc := &pipelineCache{dev: d, built: map[pipelineKey]*Pipeline{}, maxPush: d.Info.Limits.MaxPushConstantsSize}
	if dir != "off" {
		if dir == "" {
			base, err := os.UserCacheDir()
			if err == nil {
				dir = filepath.Join(base, "ictvk")
			}
		}
		if dir != "" {
			pc.path = filepath.Join(dir, fmt.Sprintf("pipelines-%04x-%04x.bin", d.Info.VendorID, d.Info.DeviceID))
		}
	}
	var initial []byte
	if pc.path != "" {
		// A cache from another driver version is rejected by the driver
		// itself (its header carries the pipelineCacheUUID); a damaged
		// file only costs a recompile.
		if b, err := os.ReadFile(pc.path); err == nil && len(b) >= 32 {
			initial = b
		}
	}
	info := vk.PipelineCacheCreateInfo{SType: vk.StructureTypePipelineCacheCreateInfo}
	var cdata unsafe.Pointer
	if len(initial) > 0 {
		cdata = C.CBytes(initial)
		defer C.free(cdata)
		info.InitialDataSize = uint(len(initial))
		info.PInitialData = cdata
	}
	var h vk.PipelineCache
	if r := vk.CreatePipelineCache(d.handle, &info, nil, &h); r != vk.Success {
		// A file the driver dislikes: start empty rather than fail.
		info.InitialDataSize, info.PInitialData = 0, nil
		if err := check(vk.CreatePipelineCache(d.handle, &info, nil, &h), "creating the pipeline cache"); err != nil {
			return nil, err
		}
		initial = nil
	}
	pc.handle = h
	pc.loaded = len(initial)
	return pc, nil
}

// PipelineStats reports what the pipeline cache did.
func (d *Device) PipelineStats() PipelineStats {
	pc := d.pipelines
	st := PipelineStats{Path: pc.path, LoadedBytes: pc.loaded, Built: pc.created,
		Compiled: pc.compiled, CompileSeconds: pc.compileSeconds, ByHelpers: pc.byHelpers, Builds: append([]PipelineBuild(nil), pc.builds...)}
	for _, b := range st.Builds {
		st.CreateSeconds += b.CreateSeconds
	}
	if c := d.compiler; c != nil {
		st.CompileThreads, st.CompileNote = c.threads, c.off
		if c.off != "" {
			st.CompileThreads = 1
		}
	}
	sort.SliceStable(st.Builds, func(i, j int) bool {
		return st.Builds[i].CreateSeconds+st.Builds[i].CompileSeconds > st.Builds[j].CreateSeconds+st.Builds[j].CompileSeconds
	})
	return st
}

// noteCompiled records that ps were compiled ahead of their first submit,
// each taking seconds[i], in wall seconds all together, byHelpers of them
// on helper devices.
func (pc *pipelineCache) noteCompiled(ps []*Pipeline, seconds []float64, wall float64, byHelpers int) {
	pc.compiled += len(ps)
	pc.byHelpers += byHelpers
	pc.compileSeconds += wall
	for i, p := range ps {
		if p.build >= 0 && p.build < len(pc.builds) {
			pc.builds[p.build].CompileSeconds = seconds[i]
			if os.Getenv("ICT_PIPELINE_LOG") != "" {
				fmt.Fprintf(os.Stderr, "compiled %v\n", pc.builds[p.build])
			}
		}
	}
}

// Pipeline returns the pipeline for k with the given specialization
// constants, building it on first use. On a driver that compiles at the
// first dispatch (lavapipe) the code is compiled before the first submit
// that runs it (precompile.go).
func (d *Device) Pipeline(k Kernel, spec ...uint32) (*Pipeline, error) {
	key := pipelineKey{k.Name, specKey(spec)}
	if p, ok := d.pipelines.built[key]; ok {
		return p, nil
	}
	p, err := d.pipelines.build(k, spec)
	if err != nil {
		return nil, fmt.Errorf("kernel %s: %w", k.Name, err)
	}
	d.pipelines.built[key] = p
	return p, nil
}

func specKey(spec []uint32) string {
	var sb strings.Builder
	for _, v := range spec {
		fmt.Fprintf(&sb, "%d,", v)
	}
	return sb.String()
}

func (pc *pipelineCache) build(k Kernel, spec []uint32) (*Pipeline, error) {
	dev := pc.dev.handle
	if len(k.SPIRV) == 0 || len(k.SPIRV)%4 != 0 || binary.LittleEndian.Uint32(k.SPIRV) != 0x07230203 {
		return nil, errors.New("not SPIR-V (run 'make shaders')")
	}
	if k.PushSize > pc.maxPush {
		return nil, fmt.Errorf("needs %d bytes of push constants, the device allows %d", k.PushSize, pc.maxPush)
	}
	if len(k.Buffers) > 16 {
		return nil, fmt.Errorf("binds %d buffers, the recorder allows 16", len(k.Buffers))
	}
	p := &Pipeline{Kernel: k, Spec: append([]uint32(nil), spec...), compiled: pc.dev.compiler == nil}
	start := time.Now()
	ok := false
	defer func() {
		if !ok {
			p.destroy(dev)
		}
	}()

	code := make([]uint32, len(k.SPIRV)/4)
	for i := range code {
		code[i] = binary.LittleEndian.Uint32(k.SPIRV[4*i:])
	}
	var mod vk.ShaderModule
	if err := check(vk.CreateShaderModule(dev, &vk.ShaderModuleCreateInfo{
		SType:    vk.StructureTypeShaderModuleCreateInfo,
		CodeSize: uint(len(k.SPIRV)),
		PCode:    code,
	}, nil, &mod), "creating the shader module"); err != nil {
		return nil, err
	}
	p.module = mod

	bindings := make([]vk.DescriptorSetLayoutBinding, len(k.Buffers))
	for i := range bindings {
		bindings[i] = vk.DescriptorSetLayoutBinding{
			Binding:         uint32(i),
			DescriptorType:  descriptorType(k.Buffers[i]),
			DescriptorCount: 1,
			StageFlags:      vk.ShaderStageFlags(vk.ShaderStageComputeBit),
		}
	}
	setInfo := vk.DescriptorSetLayoutCreateInfo{
		SType:        vk.StructureTypeDescriptorSetLayoutCreateInfo,
		BindingCount: uint32(len(bindings)),
		PBindings:    bindings,
	}
	if pc.dev.pushDesc {
		setInfo.Flags = vk.DescriptorSetLayoutCreateFlags(vk.DescriptorSetLayoutCreatePushDescriptorBit)
	}
	var setLayout vk.DescriptorSetLayout
	if err := check(vk.CreateDescriptorSetLayout(dev, &setInfo, nil, &setLayout), "creating the descriptor set layout"); err != nil {
		return nil, err
	}
	p.setLayout = setLayout

	layoutInfo := vk.PipelineLayoutCreateInfo{
		SType:          vk.StructureTypePipelineLayoutCreateInfo,
		SetLayoutCount: 1,
		PSetLayouts:    []vk.DescriptorSetLayout{setLayout},
	}
	if k.PushSize > 0 {
		layoutInfo.PushConstantRangeCount = 1
		layoutInfo.PPushConstantRanges = []vk.PushConstantRange{{
			StageFlags: vk.ShaderStageFlags(vk.ShaderStageComputeBit),
			Size:       k.PushSize,
		}}
	}
	var layout vk.PipelineLayout
	if err := check(vk.CreatePipelineLayout(dev, &layoutInfo, nil, &layout), "creating the pipeline layout"); err != nil {
		return nil, err
	}
	p.layout = layout

	var cspec *C.uint32_t
	if len(spec) > 0 {
		data := C.malloc(C.size_t(4 * len(spec)))
		defer C.free(data)
		copy(unsafe.Slice((*uint32)(data), len(spec)), spec)
		cspec = (*C.uint32_t)(data)
	}
	var handle C.VkPipeline
	if err := check(vk.Result(C.ict_create_compute_pipeline(&pc.dev.fns, C.VkPipelineCache(unsafe.Pointer(pc.handle)),
		C.VkShaderModule(unsafe.Pointer(mod)), C.VkPipelineLayout(unsafe.Pointer(layout)), cspec, C.uint32_t(len(spec)), &handle)),
		"creating the compute pipeline"); err != nil {
		return nil, err
	}
	pipes := []vk.Pipeline{vk.Pipeline(unsafe.Pointer(handle))}
	p.handle = pipes[0]
	pc.created++
	p.build = len(pc.builds)
	pc.builds = append(pc.builds, PipelineBuild{Kernel: k.Name, Spec: p.Spec, CreateSeconds: time.Since(start).Seconds()})
	if os.Getenv("ICT_PIPELINE_LOG") != "" {
		fmt.Fprintf(os.Stderr, "pipeline %d: %v\n", pc.created, pc.builds[len(pc.builds)-1])
	}
	ok = true
	return p, nil
}

func (p *Pipeline) destroy(dev vk.Device) {
	if p.handle != nil {
		vk.DestroyPipeline(dev, p.handle, nil)
	}
	if p.layout != nil {
		vk.DestroyPipelineLayout(dev, p.layout, nil)
	}
	if p.setLayout != nil {
		vk.DestroyDescriptorSetLayout(dev, p.setLayout, nil)
	}
	if p.module != nil {
		vk.DestroyShaderModule(dev, p.module, nil)
	}
}

// destroy saves the cache file when this run built pipelines, then frees
// everything.
func (pc *pipelineCache) destroy() error {
	dev := pc.dev.handle
	var err error
	if pc.path != "" && pc.created > 0 {
		err = pc.save()
	}
	for _, p := range pc.built {
		p.destroy(dev)
	}
	pc.built = nil
	vk.DestroyPipelineCache(dev, pc.handle, nil)
	return err
}

func (pc *pipelineCache) save() error {
	var n uint
	if r := vk.GetPipelineCacheData(pc.dev.handle, pc.handle, &n, nil); r != vk.Success || n == 0 {
		return nil
	}
	buf := C.malloc(C.size_t(n))
	defer C.free(buf)
	if r := vk.GetPipelineCacheData(pc.dev.handle, pc.handle, &n, buf); r != vk.Success {
		return nil
	}
	data := C.GoBytes(buf, C.int(n))
	if err := os.MkdirAll(filepath.Dir(pc.path), 0o755); err != nil {
		return fmt.Errorf("saving the pipeline cache: %w", err)
	}
	if err := atomicfile.Write(pc.path, data); err != nil {
		return fmt.Errorf("saving the pipeline cache: %w", err)
	}
	return nil
}
