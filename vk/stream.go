package vk

/*
#include "shim.h"
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"runtime"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// StreamOptions tune a Stream.
type StreamOptions struct {
	// MaxDispatches caps the dispatches recorded into one submit, so that a
	// long step does not hit a driver's watchdog; 0 means 512.
	MaxDispatches int
	// Timestamps records a GPU timestamp around every dispatch (see Timings).
	Timestamps bool
}

// Timing is the GPU time of one dispatch or transfer.
type Timing struct {
	Name string
	// Phase is what SetPhase last named when the command was recorded.
	Phase   string
	Seconds float64
}

// StreamStats count what a Stream recorded.
type StreamStats struct {
	Dispatches int
	Transfers  int
	Barriers   int
	Submits    int
	Waits      int
}

// Stream records commands into command buffers and submits them to the
// device's queue in order. Barriers are placed only where a command touches
// a range that an earlier, unordered command wrote (or, for writes, read).
type Stream struct {
	dev           *Device
	pool          vk.CommandPool
	frames        []*frame
	cur           int
	maxDispatches int
	timestamps    bool
	hazards       hazards
	timings       []Timing
	phase         string
	stats         StreamStats
	byKernel      map[string]int // dispatches recorded, by kernel name
	noBarriers    bool           // tests only: drop barriers to prove they matter
	discard       bool           // see SetDiscard

	// scratch slices reused by every command
	reads, writes []byteRange
	cbufs         []C.VkBuffer
	rangeScratch  []Range
	coffs, csizes []C.VkDeviceSize
	cviews        []C.VkBufferView
}

// frame is one command buffer with what it needs until its fence signals.
type frame struct {
	cmd        vk.CommandBuffer
	fence      vk.Fence
	descPool   vk.DescriptorPool // nil with push descriptors
	queries    vk.QueryPool      // nil without timestamps
	labels     []string
	phases     []string
	commands   int
	recording  bool
	inFlight   bool
	hostWrites bool // wrote device memory the host may read
	staging    []*Buffer
	// fresh lists the pipelines this frame runs for the first time, on a
	// driver that compiles them then (see precompile.go).
	fresh []*Pipeline
}

const framesInFlight = 3

// NewStream creates a stream on d. Streams are destroyed by Device.Close.
func (d *Device) NewStream(opt StreamOptions) (*Stream, error) {
	s := &Stream{dev: d, maxDispatches: opt.MaxDispatches, byKernel: map[string]int{}}
	if s.maxDispatches <= 0 {
		s.maxDispatches = 512
	}
	s.timestamps = opt.Timestamps && d.Info.Limits.TimestampValidBits > 0
	var pool vk.CommandPool
	if err := check(vk.CreateCommandPool(d.handle, &vk.CommandPoolCreateInfo{
		SType:            vk.StructureTypeCommandPoolCreateInfo,
		Flags:            vk.CommandPoolCreateFlags(vk.CommandPoolCreateResetCommandBufferBit),
		QueueFamilyIndex: uint32(d.Info.ComputeFamily),
	}, nil, &pool), "creating a command pool"); err != nil {
		return nil, err
	}
	s.pool = pool
	d.streams = append(d.streams, s)
	for i := 0; i < framesInFlight; i++ {
		f, err := s.newFrame()
		if err != nil {
			return nil, err
		}
		s.frames = append(s.frames, f)
	}
	return s, nil
}

func (s *Stream) newFrame() (*frame, error) {
	dev := s.dev.handle
	f := &frame{}
	cmds := make([]vk.CommandBuffer, 1)
	if err := check(vk.AllocateCommandBuffers(dev, &vk.CommandBufferAllocateInfo{
		SType:              vk.StructureTypeCommandBufferAllocateInfo,
		CommandPool:        s.pool,
		Level:              vk.CommandBufferLevelPrimary,
		CommandBufferCount: 1,
	}, cmds), "allocating a command buffer"); err != nil {
		return nil, err
	}
	f.cmd = cmds[0]
	var fence vk.Fence
	if err := check(vk.CreateFence(dev, &vk.FenceCreateInfo{SType: vk.StructureTypeFenceCreateInfo}, nil, &fence), "creating a fence"); err != nil {
		return nil, err
	}
	f.fence = fence
	if !s.dev.pushDesc {
		var dp vk.DescriptorPool
		if err := newDescriptorPool(dev, uint32(s.maxDispatches), &dp); err != nil {
			return nil, err
		}
		f.descPool = dp
	}
	if s.timestamps {
		var qp vk.QueryPool
		if err := check(vk.CreateQueryPool(dev, &vk.QueryPoolCreateInfo{
			SType:      vk.StructureTypeQueryPoolCreateInfo,
			QueryType:  vk.QueryTypeTimestamp,
			QueryCount: uint32(2 * s.maxDispatches),
		}, nil, &qp), "creating a timestamp query pool"); err != nil {
			return nil, err
		}
		f.queries = qp
	}
	return f, nil
}

func (s *Stream) destroy() {
	dev := s.dev.handle
	for _, f := range s.frames {
		if f.inFlight {
			vk.WaitForFences(dev, 1, []vk.Fence{f.fence}, vk.True, math.MaxUint64)
		}
		for _, b := range f.staging {
			s.dev.Free(b)
		}
		vk.DestroyFence(dev, f.fence, nil)
		if f.descPool != nil {
			vk.DestroyDescriptorPool(dev, f.descPool, nil)
		}
		if f.queries != nil {
			vk.DestroyQueryPool(dev, f.queries, nil)
		}
	}
	s.frames = nil
	vk.DestroyCommandPool(dev, s.pool, nil)
}

// Stats reports the counters so far.
func (s *Stream) Stats() StreamStats { return s.stats }

// KernelDispatches returns how many dispatches of each kernel, by name,
// the stream has recorded: which shaders a piece of work ran (the op
// harness checks that its cases run every kernel).
func (s *Stream) KernelDispatches() map[string]int {
	return maps.Clone(s.byKernel)
}

// SetPhase names the part of the work the commands recorded from now on
// belong to (forward, backward, ...); Timings reports it with each command.
func (s *Stream) SetPhase(name string) { s.phase = name }

// SetDiscard turns dropping on or off. While on, commands are checked
// and then dropped rather than recorded: no shader runs, uploads change
// nothing, downloads read zeros. Work whose only purpose is to be recorded
// (the memory a pass allocates, the pipelines it builds) costs no device
// time then, and a driver that compiles pipelines at their first dispatch
// compiles none. Turning it on submits what was recorded before.
func (s *Stream) SetDiscard(on bool) error {
	if on && !s.discard {
		if err := s.Flush(); err != nil {
			return err
		}
	}
	s.discard = on
	return nil
}

// Discarding reports whether SetDiscard is on.
func (s *Stream) Discarding() bool { return s.discard }

// Timings returns and clears the GPU times of completed commands (only with
// StreamOptions.Timestamps on a device that supports them).
func (s *Stream) Timings() []Timing {
	t := s.timings
	s.timings = nil
	return t
}

// frame returns the frame being recorded, starting one if needed.
func (s *Stream) frame() (*frame, error) {
	f := s.frames[s.cur]
	if f.recording {
		return f, nil
	}
	if err := s.retire(f); err != nil {
		return nil, err
	}
	dev := s.dev.handle
	if err := check(vk.ResetFences(dev, 1, []vk.Fence{f.fence}), "resetting a fence"); err != nil {
		return nil, err
	}
	if f.descPool != nil {
		if err := check(vk.ResetDescriptorPool(dev, f.descPool, 0), "resetting a descriptor pool"); err != nil {
			return nil, err
		}
	}
	if err := check(vk.BeginCommandBuffer(f.cmd, &vk.CommandBufferBeginInfo{
		SType: vk.StructureTypeCommandBufferBeginInfo,
		Flags: vk.CommandBufferUsageFlags(vk.CommandBufferUsageOneTimeSubmitBit),
	}), "beginning a command buffer"); err != nil {
		return nil, err
	}
	if f.queries != nil {
		vk.CmdResetQueryPool(f.cmd, f.queries, 0, uint32(2*s.maxDispatches))
	}
	f.recording = true
	f.commands = 0
	f.labels = f.labels[:0]
	f.phases = f.phases[:0]
	return f, nil
}

// retire waits for a submitted frame and collects what it leaves behind.
func (s *Stream) retire(f *frame) error {
	if !f.inFlight {
		return nil
	}
	dev := s.dev.handle
	r := vk.WaitForFences(dev, 1, []vk.Fence{f.fence}, vk.True, math.MaxUint64)
	s.stats.Waits++
	f.inFlight = false
	for _, b := range f.staging {
		s.dev.Free(b)
	}
	f.staging = f.staging[:0]
	if r != vk.Success {
		return fmt.Errorf("vulkan: waiting for the device: %v (a device lost here usually means a shader ran too long or out of bounds)", vk.Error(r))
	}
	if f.queries != nil && len(f.labels) > 0 {
		n := 2 * len(f.labels)
		data := make([]uint64, n)
		if err := check(vk.GetQueryPoolResults(dev, f.queries, 0, uint32(n), uint(8*n), unsafe.Pointer(&data[0]), 8,
			vk.QueryResultFlags(vk.QueryResult64Bit|vk.QueryResultWaitBit)), "reading timestamps"); err != nil {
			return err
		}
		runtime.KeepAlive(data)
		bits := s.dev.Info.Limits.TimestampValidBits
		mask := uint64(math.MaxUint64)
		if bits < 64 {
			mask = 1<<bits - 1
		}
		period := float64(s.dev.Info.Limits.TimestampPeriod)
		for i, name := range f.labels {
			ticks := (data[2*i+1] - data[2*i]) & mask
			s.timings = append(s.timings, Timing{Name: name, Phase: f.phases[i], Seconds: float64(ticks) * period * 1e-9})
		}
	}
	return nil
}

// Flush submits what has been recorded, without waiting.
func (s *Stream) Flush() error {
	f := s.frames[s.cur]
	if !f.recording {
		return nil
	}
	if f.hostWrites {
		// Make device writes visible to the host once the fence signals.
		C.ict_barrier(&s.dev.fns, s.cmd(f),
			C.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT|C.VK_PIPELINE_STAGE_TRANSFER_BIT,
			C.VK_ACCESS_SHADER_WRITE_BIT|C.VK_ACCESS_TRANSFER_WRITE_BIT,
			C.VK_PIPELINE_STAGE_HOST_BIT, C.VK_ACCESS_HOST_READ_BIT)
		f.hostWrites = false
	}
	if len(f.fresh) > 0 {
		if err := s.dev.precompile(f.fresh); err != nil {
			return err
		}
		for _, p := range f.fresh {
			p.compiled, p.pending = true, false
		}
		f.fresh = f.fresh[:0]
	}
	if err := check(vk.EndCommandBuffer(f.cmd), "ending a command buffer"); err != nil {
		return err
	}
	f.recording = false
	s.dev.queueMu.Lock()
	r := vk.QueueSubmit(s.dev.queue, 1, []vk.SubmitInfo{{
		SType:              vk.StructureTypeSubmitInfo,
		CommandBufferCount: 1,
		PCommandBuffers:    []vk.CommandBuffer{f.cmd},
	}}, f.fence)
	s.dev.queueMu.Unlock()
	if err := check(r, "submitting work"); err != nil {
		return err
	}
	f.inFlight = true
	s.stats.Submits++
	s.cur = (s.cur + 1) % len(s.frames)
	return nil
}

// Wait submits what has been recorded and waits until the device has done
// all of it.
func (s *Stream) Wait() error {
	if err := s.Flush(); err != nil {
		return err
	}
	var errs []error
	for i := 1; i <= len(s.frames); i++ {
		// Oldest first, so timings stay in submission order.
		if err := s.retire(s.frames[(s.cur+i)%len(s.frames)]); err != nil {
			errs = append(errs, err)
		}
	}
	if s.dev.idle() {
		s.dev.mem.releaseDeferred()
	}
	return errors.Join(errs...)
}

// busy reports whether the stream has recorded or submitted unfinished work.
func (s *Stream) busy() bool {
	for _, f := range s.frames {
		if f.recording || f.inFlight {
			return true
		}
	}
	return false
}

func (d *Device) idle() bool {
	for _, s := range d.streams {
		if s.busy() {
			return false
		}
	}
	return true
}

func (s *Stream) cmd(f *frame) C.VkCommandBuffer {
	return C.VkCommandBuffer(unsafe.Pointer(f.cmd))
}

// prepare places a barrier if the access conflicts with earlier commands,
// and starts a new submit when the current one is full.
func (s *Stream) prepare(label string) (*frame, error) {
	f, err := s.frame()
	if err != nil {
		return nil, err
	}
	if f.commands >= s.maxDispatches {
		if err := s.Flush(); err != nil {
			return nil, err
		}
		if f, err = s.frame(); err != nil {
			return nil, err
		}
	}
	if s.hazards.conflicts(s.reads, s.writes) {
		if !s.noBarriers {
			C.ict_barrier(&s.dev.fns, s.cmd(f),
				C.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT|C.VK_PIPELINE_STAGE_TRANSFER_BIT,
				C.VK_ACCESS_SHADER_WRITE_BIT|C.VK_ACCESS_TRANSFER_WRITE_BIT,
				C.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT|C.VK_PIPELINE_STAGE_TRANSFER_BIT,
				C.VK_ACCESS_SHADER_READ_BIT|C.VK_ACCESS_SHADER_WRITE_BIT|C.VK_ACCESS_TRANSFER_READ_BIT|C.VK_ACCESS_TRANSFER_WRITE_BIT)
			s.stats.Barriers++
		}
		s.hazards.barrier()
	}
	s.hazards.record(s.reads, s.writes)
	if len(s.writes) > 0 {
		f.hostWrites = true
	}
	if f.queries != nil {
		C.ict_timestamp(&s.dev.fns, s.cmd(f), C.VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, C.VkQueryPool(unsafe.Pointer(f.queries)), C.uint32_t(2*len(f.labels)))
	}
	f.commands++
	return f, nil
}

// finish closes the timestamp pair that prepare opened.
func (s *Stream) finish(f *frame, label string) {
	if f.queries != nil {
		C.ict_timestamp(&s.dev.fns, s.cmd(f), C.VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, C.VkQueryPool(unsafe.Pointer(f.queries)), C.uint32_t(2*len(f.labels)+1))
		f.labels = append(f.labels, label)
		f.phases = append(f.phases, s.phase)
	}
}

func whole(b *Buffer) byteRange {
	return byteRange{b.blk.buf, b.offset, b.offset + b.Size}
}

// Range is the part of a buffer that a shader binding sees. Its offset must
// be a multiple of the device's MinStorageBufferOffsetAlignment.
type Range struct {
	Buf          *Buffer
	Offset, Size uint64
}

// All is the whole buffer as a Range.
func (b *Buffer) All() Range { return Range{b, 0, b.Size} }

// Dispatch records one run of p over groups workgroups with the given push
// constants (exactly Kernel.PushSize bytes) and buffers (one per binding).
func (s *Stream) Dispatch(p *Pipeline, groups [3]uint32, push []byte, bufs ...*Buffer) error {
	rs := s.rangeScratch[:0]
	for _, b := range bufs {
		if b == nil {
			rs = append(rs, Range{})
		} else {
			rs = append(rs, b.All())
		}
	}
	s.rangeScratch = rs
	return s.DispatchRanges(p, groups, push, rs...)
}

// DispatchRanges is Dispatch with parts of buffers bound.
func (s *Stream) DispatchRanges(p *Pipeline, groups [3]uint32, push []byte, bufs ...Range) error {
	k := &p.Kernel
	if len(bufs) != len(k.Buffers) {
		return fmt.Errorf("kernel %s takes %d buffers, got %d", k.Name, len(k.Buffers), len(bufs))
	}
	if uint32(len(push)) != k.PushSize {
		return fmt.Errorf("kernel %s takes %d bytes of push constants, got %d", k.Name, k.PushSize, len(push))
	}
	// A grid past the device's limits is refused, never cut: the caller
	// must fold or split it (nn's groups1D, kern's grid).
	lim := s.dev.Info.Limits.MaxComputeWorkGroupCount
	for i, g := range groups {
		if g > lim[i] {
			return fmt.Errorf("kernel %s: a grid of %v workgroups exceeds %s's maxComputeWorkGroupCount %v (%d along %c, limit %d)",
				k.Name, groups, s.dev.Info.Name, lim, g, "xyz"[i], lim[i])
		}
	}
	if groups[0] == 0 || groups[1] == 0 || groups[2] == 0 || s.discard {
		return nil // nothing to do
	}
	limits := &s.dev.Info.Limits
	s.reads, s.writes = s.reads[:0], s.writes[:0]
	s.cbufs, s.coffs, s.csizes, s.cviews = s.cbufs[:0], s.coffs[:0], s.csizes[:0], s.cviews[:0]
	texels := false
	for i, r := range bufs {
		b := r.Buf
		if b == nil || b.blk == nil {
			return fmt.Errorf("kernel %s: buffer %d is nil or freed", k.Name, i)
		}
		align := limits.MinStorageBufferOffsetAlignment
		if k.Buffers[i]&Texel != 0 {
			align = limits.MinTexelBufferOffsetAlignment
		}
		// The allocator aligns b.offset for every kind of binding.
		if r.Size == 0 || r.Offset+r.Size > b.Size || (align > 0 && r.Offset%align != 0) {
			return fmt.Errorf("kernel %s: binding %d covers bytes [%d, %d) of a %d-byte buffer (offsets must be multiples of %d)", k.Name, i, r.Offset, r.Offset+r.Size, b.Size, align)
		}
		var view C.VkBufferView
		bound := r.Size // the bytes the descriptor covers, for hazards
		if k.Buffers[i]&Texel != 0 {
			// The view takes whole texels, and may reach past the range
			// (see texelViewSize) into the rest of the buffer's
			// allocation or the block's slack: the shader never uses
			// those floats.
			size := texelViewSize(r.Size)
			if b.offset+r.Offset+size > b.blk.bufSize || size/16 > limits.MaxTexelBufferElements {
				return fmt.Errorf("kernel %s: texel binding %d covers %d bytes: past its allocation or %s's maxTexelBufferElements of %d vec4s", k.Name, i, r.Size, s.dev.Info.Name, limits.MaxTexelBufferElements)
			}
			v, err := b.blk.texelView(s.dev.handle, b.offset+r.Offset, size)
			if err != nil {
				return fmt.Errorf("kernel %s: binding %d: %w", k.Name, i, err)
			}
			view = C.VkBufferView(unsafe.Pointer(v))
			texels = true
			bound = size
		}
		s.cviews = append(s.cviews, view)
		br := byteRange{b.blk.buf, b.offset + r.Offset, b.offset + r.Offset + bound}
		if k.Buffers[i]&Read != 0 {
			s.reads = append(s.reads, br)
		}
		if k.Buffers[i]&Write != 0 {
			s.writes = append(s.writes, br)
		}
		s.cbufs = append(s.cbufs, C.VkBuffer(unsafe.Pointer(b.blk.buf)))
		s.coffs = append(s.coffs, C.VkDeviceSize(b.offset+r.Offset))
		s.csizes = append(s.csizes, C.VkDeviceSize(r.Size))
	}
	f, err := s.prepare(k.Name)
	if err != nil {
		return err
	}
	var pool C.VkDescriptorPool
	if f.descPool != nil {
		pool = C.VkDescriptorPool(unsafe.Pointer(f.descPool))
	}
	var pushPtr unsafe.Pointer
	var cpush [128]byte // C-side copy: push constants must not point into Go memory held by C
	if len(push) > 0 {
		if len(push) > len(cpush) {
			return fmt.Errorf("kernel %s: %d bytes of push constants exceed 128", k.Name, len(push))
		}
		copy(cpush[:], push)
		pushPtr = unsafe.Pointer(&cpush[0])
	}
	var bp *C.VkBuffer
	var op, sp *C.VkDeviceSize
	var vp *C.VkBufferView
	if len(bufs) > 0 {
		bp, op, sp = &s.cbufs[0], &s.coffs[0], &s.csizes[0]
	}
	if texels {
		vp = &s.cviews[0]
	}
	r := C.ict_dispatch(&s.dev.fns, s.cmd(f),
		C.VkPipeline(unsafe.Pointer(p.handle)), C.VkPipelineLayout(unsafe.Pointer(p.layout)),
		C.VkDescriptorSetLayout(unsafe.Pointer(p.setLayout)), pool,
		C.uint32_t(len(bufs)), bp, op, sp, vp,
		pushPtr, C.uint32_t(len(push)), C.uint32_t(groups[0]), C.uint32_t(groups[1]), C.uint32_t(groups[2]))
	if err := check(vk.Result(r), "recording kernel "+k.Name); err != nil {
		return err
	}
	s.finish(f, k.Name)
	if !p.compiled && !p.pending {
		p.pending = true
		f.fresh = append(f.fresh, p)
	}
	s.stats.Dispatches++
	s.byKernel[k.Name]++
	return nil
}

// Fill records setting every 32-bit word of b to value (0x7fc00000 is a
// float32 NaN, handy to poison outputs in tests).
func (s *Stream) Fill(b *Buffer, value uint32) error {
	return s.FillRange(Range{b, 0, roundUp(b.Size, 4)}, value)
}

// FillRange is Fill over part of a buffer (offset and size in whole words).
func (s *Stream) FillRange(r Range, value uint32) error {
	b := r.Buf
	if b == nil || b.blk == nil {
		return errors.New("vulkan: fill of a nil or freed buffer")
	}
	if r.Offset%4 != 0 || r.Size%4 != 0 || r.Offset+r.Size > roundUp(b.Size, 4) {
		return fmt.Errorf("vulkan: fill of bytes [%d, %d) of a %d-byte buffer", r.Offset, r.Offset+r.Size, b.Size)
	}
	if s.discard {
		return nil
	}
	s.reads = s.reads[:0]
	s.writes = append(s.writes[:0], byteRange{b.blk.buf, b.offset + r.Offset, b.offset + r.Offset + r.Size})
	f, err := s.prepare("fill")
	if err != nil {
		return err
	}
	vk.CmdFillBuffer(f.cmd, b.blk.buf, vk.DeviceSize(b.offset+r.Offset), vk.DeviceSize(r.Size), value)
	s.finish(f, "fill")
	s.stats.Transfers++
	return nil
}

// Update records writing data (at most 64 KiB, a multiple of 4 bytes) into
// b at offset off. The bytes are copied into the command buffer now, so it
// suits the small per-step arrays of a training step: no staging, no wait.
func (s *Stream) Update(b *Buffer, off uint64, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	if len(data) > 65536 || len(data)%4 != 0 || off%4 != 0 {
		return fmt.Errorf("vulkan: Update takes at most 64 KiB in whole words at a word offset, got %d bytes at %d", len(data), off)
	}
	if off+uint64(len(data)) > b.Size {
		return fmt.Errorf("vulkan: Update of %d bytes at %d overruns a %d-byte buffer", len(data), off, b.Size)
	}
	if s.discard {
		return nil
	}
	s.reads = s.reads[:0]
	s.writes = append(s.writes[:0], byteRange{b.blk.buf, b.offset + off, b.offset + off + uint64(len(data))})
	f, err := s.prepare("update")
	if err != nil {
		return err
	}
	words := make([]uint32, len(data)/4)
	for i := range words {
		words[i] = binary.LittleEndian.Uint32(data[4*i:])
	}
	vk.CmdUpdateBuffer(f.cmd, b.blk.buf, vk.DeviceSize(b.offset+off), vk.DeviceSize(len(data)), &words[0])
	s.finish(f, "update")
	s.stats.Transfers++
	return nil
}

// Copy records copying size bytes from src at srcOff to dst at dstOff.
func (s *Stream) Copy(dst *Buffer, dstOff uint64, src *Buffer, srcOff uint64, size uint64) error {
	if size == 0 {
		return nil
	}
	if srcOff+size > src.Size || dstOff+size > dst.Size {
		return fmt.Errorf("vulkan: copy of %d bytes overruns a buffer (source %d bytes from %d, destination %d bytes from %d)", size, src.Size, srcOff, dst.Size, dstOff)
	}
	if s.discard {
		return nil
	}
	s.reads = append(s.reads[:0], byteRange{src.blk.buf, src.offset + srcOff, src.offset + srcOff + size})
	s.writes = append(s.writes[:0], byteRange{dst.blk.buf, dst.offset + dstOff, dst.offset + dstOff + size})
	f, err := s.prepare("copy")
	if err != nil {
		return err
	}
	vk.CmdCopyBuffer(f.cmd, src.blk.buf, dst.blk.buf, 1, []vk.BufferCopy{{
		SrcOffset: vk.DeviceSize(src.offset + srcOff),
		DstOffset: vk.DeviceSize(dst.offset + dstOff),
		Size:      vk.DeviceSize(size),
	}})
	s.finish(f, "copy")
	s.stats.Transfers++
	return nil
}

// Upload writes data into b from offset 0. On a unified-memory device it
// waits for recorded work and copies directly; otherwise it stages the
// bytes and records a copy, without waiting.
func (s *Stream) Upload(b *Buffer, data []byte) error {
	if uint64(len(data)) > b.Size {
		return fmt.Errorf("vulkan: uploading %d bytes into a %d-byte buffer", len(data), b.Size)
	}
	if len(data) == 0 || s.discard {
		return nil
	}
	if b.Host() {
		if s.dev.busy() {
			if err := s.dev.waitAll(); err != nil {
				return err
			}
		}
		copy(b.bytes(), data)
		return nil
	}
	st, err := s.dev.allocStaging(uint64(len(data)))
	if err != nil {
		return err
	}
	copy(st.bytes(), data)
	if err := s.Copy(b, 0, st, 0, uint64(len(data))); err != nil {
		s.dev.Free(st)
		return err
	}
	f := s.frames[s.cur]
	f.staging = append(f.staging, st)
	return nil
}

// Download reads len(out) bytes of b from offset 0, after all recorded work.
func (s *Stream) Download(b *Buffer, out []byte) error {
	if uint64(len(out)) > b.Size {
		return fmt.Errorf("vulkan: downloading %d bytes from a %d-byte buffer", len(out), b.Size)
	}
	if len(out) == 0 {
		return nil
	}
	if s.discard {
		clear(out)
		return nil
	}
	if b.Host() {
		if err := s.dev.waitAll(); err != nil {
			return err
		}
		copy(out, b.bytes())
		return nil
	}
	st, err := s.dev.allocStaging(uint64(len(out)))
	if err != nil {
		return err
	}
	defer s.dev.Free(st)
	if err := s.Copy(st, 0, b, 0, uint64(len(out))); err != nil {
		return err
	}
	if err := s.dev.waitAll(); err != nil {
		return err
	}
	copy(out, st.bytes())
	return nil
}

func (d *Device) busy() bool { return !d.idle() }

func (d *Device) waitAll() error {
	var errs []error
	for _, s := range d.streams {
		errs = append(errs, s.Wait())
	}
	return errors.Join(errs...)
}

// Push packs push-constant values (int, int32, uint32, float32, float64 as
// float32) into little-endian 32-bit words, in order.
func Push(values ...any) []byte {
	out := make([]byte, 0, 4*len(values))
	for _, v := range values {
		var w uint32
		switch x := v.(type) {
		case int:
			w = uint32(int32(x))
		case int32:
			w = uint32(x)
		case uint32:
			w = x
		case float32:
			w = math.Float32bits(x)
		case float64:
			w = math.Float32bits(float32(x))
		default:
			panic(fmt.Sprintf("vk.Push: unsupported %T", v))
		}
		out = binary.LittleEndian.AppendUint32(out, w)
	}
	return out
}
