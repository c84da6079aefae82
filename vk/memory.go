package vk

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// ErrOutOfMemory is wrapped by every allocation failure for lack of memory.
var ErrOutOfMemory = errors.New("out of device memory")

// Buffer is a range of device memory that shaders can bind as a storage
// buffer. Buffers are sub-allocated from large blocks; Size is what was
// asked for, the reservation behind it may be larger.
type Buffer struct {
	Size   uint64
	blk    *block
	offset uint64
	span   uint64
}

// Host reports whether the buffer's memory is mapped into this process.
func (b *Buffer) Host() bool { return b.blk.mapped != nil }

// bytes is the mapped memory of a host-visible buffer.
func (b *Buffer) bytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Add(b.blk.mapped, b.offset)), b.Size)
}

// block is one VkDeviceMemory with one VkBuffer spanning it.
type block struct {
	kind      *memKind
	mem       vk.DeviceMemory
	buf       vk.Buffer
	size      uint64
	mapped    unsafe.Pointer
	free      []span // sorted by offset, never adjacent
	dedicated bool
	bufSize   uint64 // buf's size: size and the slack texel views may reach into
	// views are the texel views of ranges of buf that dispatches bound
	// (see texelView), kept until the block is released: ranges recur
	// step after step, and a view may not go while a frame uses it.
	viewMu sync.Mutex
	views  map[span]vk.BufferView
}

// Lavapipe (llvmpipe) compiles a shader once for every combination of
// two facts about each texel buffer bound, taken from the pipe resource
// and view it makes of our VkBuffer and view: whether the buffer's size is
// a power of two, and whether bits 8-15 of the view's size are zero (they
// alias a texture's last mip level). A kernel whose views varied in these
// would compile up to four times per binding, at its first dispatches
// (the pipeline primer compiles only one combination). So every block's
// VkBuffer is sized off powers of two (texelBufferSize) and every view's
// size has a bit among 8-15 set (texelViewSize), reaching into the slack
// past the block's usable size where it must.
const texelSlack = 512

// texelBufferSize is the size of a VkBuffer that holds size usable bytes:
// at least texelSlack more, and not a power of two.
func texelBufferSize(size uint64) uint64 {
	s := size + texelSlack/2
	if s&(s-1) == 0 {
		s += texelSlack / 2
	}
	return s
}

// texelViewSize is the size of the view of a binding of size bytes:
// whole vec4s, with a bit among 8-15 set.
func texelViewSize(size uint64) uint64 {
	s := roundUp(size, 16)
	if (s>>8)&0xff == 0 {
		s += 256
	}
	return s
}

// texelView returns a view of bytes [off, off+size) of blk's buffer as
// RGBA32F texels (a shader's textureBuffer of vec4s), made on first use.
func (blk *block) texelView(dev vk.Device, off, size uint64) (vk.BufferView, error) {
	blk.viewMu.Lock()
	defer blk.viewMu.Unlock()
	key := span{off, size}
	if v, ok := blk.views[key]; ok {
		return v, nil
	}
	v, err := newTexelView(dev, blk.buf, off, size)
	if err != nil {
		return nil, err
	}
	if blk.views == nil {
		blk.views = map[span]vk.BufferView{}
	}
	blk.views[key] = v
	return v, nil
}

// newTexelView views bytes [off, off+size) of buf as RGBA32F texels.
func newTexelView(dev vk.Device, buf vk.Buffer, off, size uint64) (vk.BufferView, error) {
	var v vk.BufferView
	err := check(vk.CreateBufferView(dev, &vk.BufferViewCreateInfo{
		SType:  vk.StructureTypeBufferViewCreateInfo,
		Buffer: buf,
		Format: vk.FormatR32g32b32a32Sfloat,
		Offset: vk.DeviceSize(off),
		Range:  vk.DeviceSize(size),
	}, nil, &v), "creating a texel buffer view")
	return v, err
}

type span struct{ off, size uint64 }

// memKind is a pool of blocks of one memory type.
type memKind struct {
	name      string
	typeIndex uint32
	host      bool
	blockSize uint64
	blocks    []*block
}

// AllocStats describe what the allocator holds.
type AllocStats struct {
	Blocks        int    // VkDeviceMemory objects alive
	ReservedBytes uint64 // their total size
	InUseBytes    uint64 // bytes handed out to live Buffers
	DeviceAllocs  int    // vkAllocateMemory calls so far
	// The largest ReservedBytes and InUseBytes since the device opened or
	// ResetPeakMemory: what a step needed at its fullest.
	PeakReservedBytes, PeakInUseBytes uint64
}

type allocator struct {
	dev      *Device
	limit    uint64
	align    uint64
	maxRange uint64
	tensors  *memKind
	staging  *memKind
	deferred []*block
	stats    AllocStats
}

// Any buffer may be bound as a storage buffer or viewed as a uniform texel
// buffer (CPU kernels read through texel fetches, see Texel).
const bufferUsage = vk.BufferUsageStorageBufferBit | vk.BufferUsageUniformTexelBufferBit | vk.BufferUsageTransferSrcBit | vk.BufferUsageTransferDstBit

func newAllocator(d *Device, limit uint64) (*allocator, error) {
	heap := d.Info.DeviceLocalBytes()
	if limit == 0 || limit > heap {
		limit = heap
	}
	a := &allocator{
		dev:      d,
		limit:    limit,
		align:    max(d.Info.Limits.BindingAlignment(), 64),
		maxRange: d.Info.Limits.MaxStorageBufferRange,
	}
	// A probe buffer tells which memory types can back our buffers.
	probe, err := a.createBuffer(4096)
	if err != nil {
		return nil, err
	}
	var req vk.MemoryRequirements
	vk.GetBufferMemoryRequirements(d.handle, probe, &req)
	req.Deref()
	vk.DestroyBuffer(d.handle, probe, nil)
	a.align = max(a.align, uint64(req.Alignment))

	var mp vk.PhysicalDeviceMemoryProperties
	vk.GetPhysicalDeviceMemoryProperties(d.physical, &mp)
	mp.Deref()
	find := func(want, avoid vk.MemoryPropertyFlagBits) int {
		for i := uint32(0); i < mp.MemoryTypeCount; i++ {
			t := mp.MemoryTypes[i]
			t.Deref()
			f := vk.MemoryPropertyFlagBits(t.PropertyFlags)
			if req.MemoryTypeBits&(1<<i) != 0 && f&want == want && f&avoid == 0 {
				return int(i)
			}
		}
		return -1
	}
	hostFlags := vk.MemoryPropertyHostVisibleBit | vk.MemoryPropertyHostCoherentBit
	stagingType := find(hostFlags|vk.MemoryPropertyHostCachedBit, 0)
	if stagingType < 0 {
		stagingType = find(hostFlags, 0)
	}
	if stagingType < 0 {
		return nil, fmt.Errorf("vulkan: %s offers no host-visible coherent memory for transfers", d.Info.Name)
	}
	var tensorType int
	if d.uma {
		tensorType = find(vk.MemoryPropertyDeviceLocalBit|hostFlags, 0)
	} else {
		if tensorType = find(vk.MemoryPropertyDeviceLocalBit, vk.MemoryPropertyHostVisibleBit); tensorType < 0 {
			tensorType = find(vk.MemoryPropertyDeviceLocalBit, 0)
		}
	}
	if tensorType < 0 {
		return nil, fmt.Errorf("vulkan: %s offers no device-local memory for its storage buffers", d.Info.Name)
	}
	// Blocks of a sixteenth of what may be allocated: of the heap, or of
	// a smaller MemoryLimit (a block larger than the limit never fits).
	blockSize := min(max(limit/16, 16<<20), 256<<20)
	a.tensors = &memKind{name: "device", typeIndex: uint32(tensorType), host: d.uma, blockSize: blockSize}
	a.staging = &memKind{name: "staging", typeIndex: uint32(stagingType), host: true, blockSize: min(32<<20, blockSize)}
	return a, nil
}

func (a *allocator) createBuffer(size uint64) (vk.Buffer, error) {
	info := vk.BufferCreateInfo{
		SType:       vk.StructureTypeBufferCreateInfo,
		Size:        vk.DeviceSize(size),
		Usage:       vk.BufferUsageFlags(bufferUsage),
		SharingMode: vk.SharingModeExclusive,
	}
	var buf vk.Buffer
	if err := check(vk.CreateBuffer(a.dev.handle, &info, nil, &buf), "creating a buffer"); err != nil {
		return nil, err
	}
	return buf, nil
}

// Alloc returns a buffer for tensors (device memory, host-mapped on UMA
// devices). It refuses sizes beyond the device's maxStorageBufferRange
// rather than splitting them: a shader binds each buffer as one range.
func (d *Device) Alloc(size uint64) (*Buffer, error) { return d.mem.alloc(d.mem.tensors, size) }

// AllocInBlocks is Alloc without reserving more device memory: it returns
// nil when no block already held has room (or the size needs a block of
// its own).
func (d *Device) AllocInBlocks(size uint64) *Buffer {
	a, k := d.mem, d.mem.tensors
	need := roundUp(size, a.align)
	if size == 0 || size > a.maxRange || need > k.blockSize/2 {
		return nil
	}
	for _, blk := range k.blocks {
		if off, ok := blk.take(need); ok {
			a.use(need)
			return &Buffer{Size: size, blk: blk, offset: off, span: need}
		}
	}
	return nil
}

// Dedicated reports whether the buffer has a block of its own, which
// returns to the driver only at an idle point (Trim, Stream.Wait).
func (b *Buffer) Dedicated() bool { return b.blk != nil && b.blk.dedicated }

// allocStaging returns a host-visible buffer for transfers.
func (d *Device) allocStaging(size uint64) (*Buffer, error) { return d.mem.alloc(d.mem.staging, size) }

// Free returns a buffer's memory for reuse. The buffer must not be used
// afterwards; work already recorded on it stays correct because hazards
// are tracked on memory ranges, not on Buffer values.
func (d *Device) Free(b *Buffer) {
	if b == nil || b.blk == nil {
		return
	}
	d.mem.free(b)
}

// AllocStats reports the allocator's counters.
func (d *Device) AllocStats() AllocStats { return d.mem.stats }

// MemoryLimit is the most device memory this process may reserve: the
// device-local heap, or Options.MemoryLimit when that is smaller.
func (d *Device) MemoryLimit() uint64 { return d.mem.limit }

// ResetPeakMemory starts the peak counters of AllocStats afresh from what
// is held now.
func (d *Device) ResetPeakMemory() {
	st := &d.mem.stats
	st.PeakReservedBytes, st.PeakInUseBytes = st.ReservedBytes, st.InUseBytes
}

// use counts n more bytes handed out.
func (a *allocator) use(n uint64) {
	a.stats.InUseBytes += n
	a.stats.PeakInUseBytes = max(a.stats.PeakInUseBytes, a.stats.InUseBytes)
}

func (a *allocator) alloc(k *memKind, size uint64) (*Buffer, error) {
	if size == 0 {
		return nil, errors.New("vulkan: cannot allocate a zero-size buffer")
	}
	if size > a.maxRange {
		return nil, fmt.Errorf("vulkan: a buffer of %s (%d bytes) exceeds %s's maxStorageBufferRange of %s (%d bytes) and is refused (use a smaller batch or image size)",
			HumanBytes(size), size, a.dev.Info.Name, HumanBytes(a.maxRange), a.maxRange)
	}
	need := roundUp(size, a.align)
	if need > k.blockSize/2 {
		blk, err := a.newBlock(k, need, true)
		if err != nil {
			return nil, err
		}
		blk.free = nil
		a.use(need)
		return &Buffer{Size: size, blk: blk, offset: 0, span: need}, nil
	}
	for _, blk := range k.blocks {
		if off, ok := blk.take(need); ok {
			a.use(need)
			return &Buffer{Size: size, blk: blk, offset: off, span: need}, nil
		}
	}
	blk, err := a.newBlock(k, k.blockSize, false)
	if err != nil {
		return nil, err
	}
	off, _ := blk.take(need)
	a.use(need)
	return &Buffer{Size: size, blk: blk, offset: off, span: need}, nil
}

func (a *allocator) newBlock(k *memKind, size uint64, dedicated bool) (*block, error) {
	if a.stats.ReservedBytes+size > a.limit {
		return nil, fmt.Errorf("vulkan: %w on %s: %s more would exceed the limit of %s (%s held by %d blocks, %s of it in use)",
			ErrOutOfMemory, a.dev.Info.Name, HumanBytes(size), HumanBytes(a.limit), HumanBytes(a.stats.ReservedBytes), a.stats.Blocks, HumanBytes(a.stats.InUseBytes))
	}
	bufSize := texelBufferSize(size)
	buf, err := a.createBuffer(bufSize)
	if err != nil {
		return nil, err
	}
	var req vk.MemoryRequirements
	vk.GetBufferMemoryRequirements(a.dev.handle, buf, &req)
	req.Deref()
	info := vk.MemoryAllocateInfo{
		SType:           vk.StructureTypeMemoryAllocateInfo,
		AllocationSize:  req.Size,
		MemoryTypeIndex: k.typeIndex,
	}
	var mem vk.DeviceMemory
	if r := vk.AllocateMemory(a.dev.handle, &info, nil, &mem); r != vk.Success {
		vk.DestroyBuffer(a.dev.handle, buf, nil)
		if r == vk.ErrorOutOfDeviceMemory || r == vk.ErrorOutOfHostMemory {
			return nil, fmt.Errorf("vulkan: %w on %s: the driver refused %s (%s already held)", ErrOutOfMemory, a.dev.Info.Name, HumanBytes(size), HumanBytes(a.stats.ReservedBytes))
		}
		return nil, check(r, "allocating device memory")
	}
	if err := check(vk.BindBufferMemory(a.dev.handle, buf, mem, 0), "binding buffer memory"); err != nil {
		vk.DestroyBuffer(a.dev.handle, buf, nil)
		vk.FreeMemory(a.dev.handle, mem, nil)
		return nil, err
	}
	blk := &block{kind: k, mem: mem, buf: buf, size: size, bufSize: bufSize, dedicated: dedicated, free: []span{{0, size}}}
	if k.host {
		var p unsafe.Pointer
		if err := check(vk.MapMemory(a.dev.handle, mem, 0, vk.DeviceSize(size), 0, &p), "mapping memory"); err != nil {
			a.release(blk)
			return nil, err
		}
		blk.mapped = p
	}
	k.blocks = append(k.blocks, blk)
	a.stats.Blocks++
	a.stats.DeviceAllocs++
	a.stats.ReservedBytes += size
	a.stats.PeakReservedBytes = max(a.stats.PeakReservedBytes, a.stats.ReservedBytes)
	return blk, nil
}

// take reserves size bytes by first fit.
func (b *block) take(size uint64) (uint64, bool) {
	for i, s := range b.free {
		if s.size < size {
			continue
		}
		off := s.off
		if s.size == size {
			b.free = append(b.free[:i], b.free[i+1:]...)
		} else {
			b.free[i] = span{s.off + size, s.size - size}
		}
		return off, true
	}
	return 0, false
}

// give returns a range, merging it with free neighbours.
func (b *block) give(off, size uint64) {
	i := sort.Search(len(b.free), func(i int) bool { return b.free[i].off > off })
	b.free = append(b.free, span{})
	copy(b.free[i+1:], b.free[i:])
	b.free[i] = span{off, size}
	if i+1 < len(b.free) && b.free[i].off+b.free[i].size == b.free[i+1].off {
		b.free[i].size += b.free[i+1].size
		b.free = append(b.free[:i+1], b.free[i+2:]...)
	}
	if i > 0 && b.free[i-1].off+b.free[i-1].size == b.free[i].off {
		b.free[i-1].size += b.free[i].size
		b.free = append(b.free[:i], b.free[i+1:]...)
	}
}

func (a *allocator) free(buf *Buffer) {
	blk := buf.blk
	buf.blk = nil
	a.stats.InUseBytes -= buf.span
	if blk.dedicated {
		// Work in flight may still use it: release at the next idle point.
		a.deferred = append(a.deferred, blk)
		return
	}
	blk.give(buf.offset, buf.span)
}

// Trim waits until the device has done all recorded work, then returns to
// the driver every block no buffer uses: what a step's peak left behind,
// or room for an allocation that just failed. Blocks are otherwise kept
// for reuse.
func (d *Device) Trim() error {
	if err := d.waitAll(); err != nil {
		return err
	}
	a := d.mem
	a.releaseDeferred()
	for _, k := range []*memKind{a.tensors, a.staging} {
		for i := 0; i < len(k.blocks); {
			blk := k.blocks[i]
			if !blk.dedicated && len(blk.free) == 1 && blk.free[0].size == blk.size {
				a.release(blk) // removes it from k.blocks
				continue
			}
			i++
		}
	}
	return nil
}

// releaseDeferred frees dedicated blocks once no work can reference them.
func (a *allocator) releaseDeferred() {
	for _, blk := range a.deferred {
		a.release(blk)
	}
	a.deferred = a.deferred[:0]
}

func (a *allocator) release(blk *block) {
	k := blk.kind
	for i, b := range k.blocks {
		if b == blk {
			k.blocks = append(k.blocks[:i], k.blocks[i+1:]...)
			a.stats.Blocks--
			a.stats.ReservedBytes -= blk.size
			break
		}
	}
	for _, s := range a.dev.streams {
		s.hazards.forget(blk.buf)
	}
	if blk.mapped != nil {
		vk.UnmapMemory(a.dev.handle, blk.mem)
	}
	for _, v := range blk.views {
		vk.DestroyBufferView(a.dev.handle, v, nil)
	}
	vk.DestroyBuffer(a.dev.handle, blk.buf, nil)
	vk.FreeMemory(a.dev.handle, blk.mem, nil)
}

func (a *allocator) destroy() {
	a.releaseDeferred()
	for _, k := range []*memKind{a.tensors, a.staging} {
		if k == nil {
			continue
		}
		for len(k.blocks) > 0 {
			a.release(k.blocks[0])
		}
	}
}

func roundUp(n, to uint64) uint64 { return (n + to - 1) / to * to }

// HumanBytes writes a byte count for people: "128.0 MiB".
func HumanBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
