package vk

import (
	"fmt"
	"strings"
)

// DeviceType orders physical devices by how much we prefer them for
// training: a higher value is chosen first.
type DeviceType int

const (
	TypeOther DeviceType = iota
	TypeCPU
	TypeVirtual
	TypeIntegrated
	TypeDiscrete
)

func (t DeviceType) String() string {
	switch t {
	case TypeDiscrete:
		return "discrete GPU"
	case TypeIntegrated:
		return "integrated GPU"
	case TypeVirtual:
		return "virtual GPU"
	case TypeCPU:
		return "CPU"
	}
	return "other"
}

// Limits are the device properties the engine plans with. They are read from
// the device, never assumed.
type Limits struct {
	MaxStorageBufferRange           uint64
	MinStorageBufferOffsetAlignment uint64
	// A uniform texel buffer binding holds at most MaxTexelBufferElements
	// texels, from an offset aligned to MinTexelBufferOffsetAlignment.
	MaxTexelBufferElements         uint64
	MinTexelBufferOffsetAlignment  uint64
	MaxComputeSharedMemorySize     uint32
	MaxComputeWorkGroupInvocations uint32
	MaxComputeWorkGroupSize        [3]uint32
	MaxComputeWorkGroupCount       [3]uint32
	MaxPushConstantsSize           uint32
	SubgroupSize                   uint32 // 0 when the device cannot say (Vulkan 1.0)
	// SubgroupShuffle: compute shaders may shuffle values within a
	// subgroup (VK_SUBGROUP_FEATURE_SHUFFLE_BIT), which the reductions
	// (shaders/rowreduce.glsl, reduce.glsl) and the CPU convolutions use.
	SubgroupShuffle    bool
	TimestampPeriod    float32
	TimestampValidBits uint32 // of the chosen compute queue; 0: no timestamps
}

// BindingAlignment is the alignment an offset needs to be bound to any
// kernel: as a storage buffer or as a uniform texel buffer.
func (l Limits) BindingAlignment() uint64 {
	return max(l.MinStorageBufferOffsetAlignment, l.MinTexelBufferOffsetAlignment)
}

// Heap is one memory heap of a device.
type Heap struct {
	Size        uint64
	DeviceLocal bool
}

// DeviceInfo describes one physical device.
type DeviceInfo struct {
	Index          int
	Name           string
	Type           DeviceType
	Driver         string // driver name and version, where the device says (Vulkan 1.2)
	VendorID       uint32
	DeviceID       uint32
	APIVersion     uint32
	DriverVersion  uint32
	ComputeFamily  int // -1: no queue family supports compute
	PushDescriptor bool
	Swapchain      bool // has VK_KHR_swapchain: a window can present from it
	// UMA is set when tensors can live in memory that is both device-local
	// and host-visible, so transfers need no staging copy.
	UMA    bool
	Heaps  []Heap
	Limits Limits
}

// DeviceLocalBytes is the size of the largest device-local heap.
func (d DeviceInfo) DeviceLocalBytes() uint64 {
	var best uint64
	for _, h := range d.Heaps {
		if h.DeviceLocal && h.Size > best {
			best = h.Size
		}
	}
	return best
}

// APIString formats the Vulkan API version as major.minor.patch.
func (d DeviceInfo) APIString() string {
	v := d.APIVersion
	return fmt.Sprintf("%d.%d.%d", v>>22&0x7f, v>>12&0x3ff, v&0xfff)
}

// ChooseDevice picks the device to train on: the one at index want when
// want >= 0, otherwise the best by type (discrete > integrated > virtual >
// CPU), then by device-local memory, then by lowest index. Devices without
// a compute queue are never chosen.
func ChooseDevice(devices []DeviceInfo, want int) (int, error) {
	if len(devices) == 0 {
		return -1, fmt.Errorf("no Vulkan device found: install a driver (mesa-vulkan-drivers gives the lavapipe CPU device, or your GPU vendor's Vulkan driver)")
	}
	if want >= 0 {
		if want >= len(devices) {
			return -1, fmt.Errorf("device %d does not exist: there are %d Vulkan devices (%s); run 'ict devices' to list them", want, len(devices), deviceNames(devices))
		}
		if why := devices[want].Unusable(); why != "" {
			return -1, fmt.Errorf("device %d (%s) %s; choose another with --device or ICT_DEVICE", want, devices[want].Name, why)
		}
		return want, nil
	}
	best := -1
	for i, d := range devices {
		if d.Unusable() != "" {
			continue
		}
		if best < 0 || better(d, devices[best]) {
			best = i
		}
	}
	if best < 0 {
		why := make([]string, len(devices))
		for i, d := range devices {
			why[i] = fmt.Sprintf("%d: %s %s", i, d.Name, d.Unusable())
		}
		return -1, fmt.Errorf("none of the %d Vulkan devices can run ictvk's kernels, which need a compute queue and subgroup shuffles in compute shaders (%s)", len(devices), strings.Join(why, "; "))
	}
	return best, nil
}

// Unusable says why the engine cannot run on d, or "" when it can.
func (d DeviceInfo) Unusable() string {
	switch {
	case d.ComputeFamily < 0:
		return "has no compute queue"
	case !d.Limits.SubgroupShuffle:
		return "has no subgroup shuffles in compute shaders (Vulkan 1.1's VK_SUBGROUP_FEATURE_SHUFFLE_BIT), which ictvk's reductions use"
	}
	return ""
}

func better(a, b DeviceInfo) bool {
	if a.Type != b.Type {
		return a.Type > b.Type
	}
	return a.DeviceLocalBytes() > b.DeviceLocalBytes()
}

func deviceNames(devices []DeviceInfo) string {
	names := make([]string, len(devices))
	for i, d := range devices {
		names[i] = fmt.Sprintf("%d: %s", i, d.Name)
	}
	return strings.Join(names, ", ")
}
