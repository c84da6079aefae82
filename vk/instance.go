package vk

/*
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// Errors a caller may want to tell apart.
var (
	ErrNoLoader   = errors.New("vulkan: the Vulkan loader libvulkan.so.1 is not installed (apt-get install libvulkan1 mesa-vulkan-drivers, or install your GPU vendor's driver)")
	ErrNoDriver   = errors.New("vulkan: no Vulkan driver answered (install mesa-vulkan-drivers for the lavapipe CPU device, or your GPU vendor's Vulkan driver)")
	ErrNoValidate = errors.New("vulkan: validation was asked for but the layer VK_LAYER_KHRONOS_validation is missing (apt-get install vulkan-validationlayers)")
)

var loadOnce struct {
	sync.Once
	err error
}

// load opens the Vulkan loader once per process and hands its
// vkGetInstanceProcAddr to vulkan-go.
func load() error {
	loadOnce.Do(func() {
		var buf [512]C.char
		// ICT_VULKAN_LIB names another loader (a custom build, or a
		// missing file in the tests of this very error).
		path := C.CString(os.Getenv("ICT_VULKAN_LIB"))
		defer C.free(unsafe.Pointer(path))
		p := C.ict_load(path, &buf[0], C.int(len(buf)))
		if p == nil {
			loadOnce.err = fmt.Errorf("%w: %s", ErrNoLoader, C.GoString(&buf[0]))
			return
		}
		vk.SetGetInstanceProcAddr(p)
		if err := vk.Init(); err != nil {
			loadOnce.err = fmt.Errorf("vulkan: initializing the loader: %v", err)
		}
	})
	return loadOnce.err
}

// instance is a VkInstance with the physical devices it sees.
type instance struct {
	handle    vk.Instance
	messenger C.VkDebugUtilsMessengerEXT // this instance's, with validation
	validate  bool
	physical  []vk.PhysicalDevice
	infos     []DeviceInfo
}

const apiVersion = 1<<22 | 1<<12 // Vulkan 1.1: subgroup properties are core

func newInstance(validate bool, extensions []string) (*instance, error) {
	if err := load(); err != nil {
		return nil, err
	}
	if validate && !haveLayer("VK_LAYER_KHRONOS_validation") {
		return nil, ErrNoValidate
	}
	var h C.VkInstance
	var messenger C.VkDebugUtilsMessengerEXT
	v := C.int(0)
	if validate {
		v = 1
	}
	cexts := make([]*C.char, len(extensions)+1) // never empty: &cexts[0] is passed
	for i, e := range extensions {
		cexts[i] = C.CString(e)
		defer C.free(unsafe.Pointer(cexts[i]))
	}
	r := vk.Result(C.ict_create_instance(v, apiVersion, &cexts[0], C.uint32_t(len(extensions)), &h, &messenger))
	switch r {
	case vk.Success:
	case vk.ErrorIncompatibleDriver:
		return nil, ErrNoDriver
	case vk.ErrorLayerNotPresent:
		return nil, ErrNoValidate
	case vk.ErrorExtensionNotPresent:
		return nil, fmt.Errorf("vulkan: the driver lacks an instance extension of %v", extensions)
	default:
		return nil, fmt.Errorf("vulkan: vkCreateInstance: %v", vk.Error(r))
	}
	inst := &instance{handle: vk.Instance(unsafe.Pointer(h)), messenger: messenger, validate: validate}
	// Without InitInstance the first EnumeratePhysicalDevices calls address 0.
	if err := vk.InitInstance(inst.handle); err != nil {
		inst.destroy()
		return nil, fmt.Errorf("vulkan: loading instance functions: %v", err)
	}
	if err := inst.enumerate(); err != nil {
		inst.destroy()
		return nil, err
	}
	return inst, nil
}

func (in *instance) destroy() {
	if in.handle != nil {
		C.ict_destroy_instance(C.VkInstance(unsafe.Pointer(in.handle)), in.messenger)
		in.handle = nil
	}
}

func haveLayer(name string) bool {
	var n uint32
	if vk.EnumerateInstanceLayerProperties(&n, nil) != vk.Success || n == 0 {
		return false
	}
	props := make([]vk.LayerProperties, n)
	if vk.EnumerateInstanceLayerProperties(&n, props) != vk.Success {
		return false
	}
	for _, p := range props[:n] {
		p.Deref()
		if cstr(p.LayerName[:]) == name {
			return true
		}
	}
	return false
}

func (in *instance) enumerate() error {
	var n uint32
	if r := vk.EnumeratePhysicalDevices(in.handle, &n, nil); r != vk.Success {
		return fmt.Errorf("vulkan: listing devices: %v", vk.Error(r))
	}
	if n == 0 {
		return ErrNoDriver
	}
	in.physical = make([]vk.PhysicalDevice, n)
	if r := vk.EnumeratePhysicalDevices(in.handle, &n, in.physical); r != vk.Success && r != vk.Incomplete {
		return fmt.Errorf("vulkan: listing devices: %v", vk.Error(r))
	}
	in.physical = in.physical[:n]
	for i, pd := range in.physical {
		in.infos = append(in.infos, in.describe(i, pd))
	}
	return nil
}

func (in *instance) describe(index int, pd vk.PhysicalDevice) DeviceInfo {
	var props vk.PhysicalDeviceProperties
	vk.GetPhysicalDeviceProperties(pd, &props)
	props.Deref()
	props.Limits.Deref()
	lim := props.Limits
	info := DeviceInfo{
		Index:         index,
		Name:          cstr(props.DeviceName[:]),
		VendorID:      props.VendorID,
		DeviceID:      props.DeviceID,
		APIVersion:    props.ApiVersion,
		DriverVersion: props.DriverVersion,
		ComputeFamily: -1,
		Limits: Limits{
			MaxStorageBufferRange:           uint64(lim.MaxStorageBufferRange),
			MinStorageBufferOffsetAlignment: uint64(lim.MinStorageBufferOffsetAlignment),
			MaxTexelBufferElements:          uint64(lim.MaxTexelBufferElements),
			MinTexelBufferOffsetAlignment:   uint64(lim.MinTexelBufferOffsetAlignment),
			MaxComputeSharedMemorySize:      lim.MaxComputeSharedMemorySize,
			MaxComputeWorkGroupInvocations:  lim.MaxComputeWorkGroupInvocations,
			MaxComputeWorkGroupSize:         lim.MaxComputeWorkGroupSize,
			MaxComputeWorkGroupCount:        lim.MaxComputeWorkGroupCount,
			MaxPushConstantsSize:            lim.MaxPushConstantsSize,
			TimestampPeriod:                 lim.TimestampPeriod,
		},
	}
	switch props.DeviceType {
	case vk.PhysicalDeviceTypeDiscreteGpu:
		info.Type = TypeDiscrete
	case vk.PhysicalDeviceTypeIntegratedGpu:
		info.Type = TypeIntegrated
	case vk.PhysicalDeviceTypeVirtualGpu:
		info.Type = TypeVirtual
	case vk.PhysicalDeviceTypeCpu:
		info.Type = TypeCPU
	}
	if props.ApiVersion >= 1<<22|2<<12 {
		var buf [512]C.char
		C.ict_driver_name(C.VkInstance(unsafe.Pointer(in.handle)), C.VkPhysicalDevice(unsafe.Pointer(pd)), &buf[0], C.int(len(buf)))
		info.Driver = strings.TrimSpace(C.GoString(&buf[0]))
	}
	if props.ApiVersion >= apiVersion {
		var ops C.uint32_t
		info.Limits.SubgroupSize = uint32(C.ict_subgroup_props(C.VkInstance(unsafe.Pointer(in.handle)), C.VkPhysicalDevice(unsafe.Pointer(pd)), &ops))
		info.Limits.SubgroupShuffle = ops&C.VK_SUBGROUP_FEATURE_SHUFFLE_BIT != 0
	}

	// Prefer a compute queue without graphics: on GPUs it is the async
	// compute family, which does not share time with a display.
	var nq uint32
	vk.GetPhysicalDeviceQueueFamilyProperties(pd, &nq, nil)
	families := make([]vk.QueueFamilyProperties, nq)
	vk.GetPhysicalDeviceQueueFamilyProperties(pd, &nq, families)
	bestScore := -1
	for i, f := range families[:nq] {
		f.Deref()
		if vk.QueueFlagBits(f.QueueFlags)&vk.QueueComputeBit == 0 {
			continue
		}
		score := 1
		if vk.QueueFlagBits(f.QueueFlags)&vk.QueueGraphicsBit == 0 {
			score = 2
		}
		if score > bestScore {
			bestScore = score
			info.ComputeFamily = i
			info.Limits.TimestampValidBits = f.TimestampValidBits
		}
	}

	var mem vk.PhysicalDeviceMemoryProperties
	vk.GetPhysicalDeviceMemoryProperties(pd, &mem)
	mem.Deref()
	for i := uint32(0); i < mem.MemoryHeapCount; i++ {
		h := mem.MemoryHeaps[i]
		h.Deref()
		info.Heaps = append(info.Heaps, Heap{Size: uint64(h.Size), DeviceLocal: vk.MemoryHeapFlagBits(h.Flags)&vk.MemoryHeapDeviceLocalBit != 0})
	}
	if info.Type == TypeIntegrated || info.Type == TypeCPU {
		want := vk.MemoryPropertyDeviceLocalBit | vk.MemoryPropertyHostVisibleBit | vk.MemoryPropertyHostCoherentBit
		for i := uint32(0); i < mem.MemoryTypeCount; i++ {
			t := mem.MemoryTypes[i]
			t.Deref()
			if vk.MemoryPropertyFlagBits(t.PropertyFlags)&want == want {
				info.UMA = true
			}
		}
	}
	info.PushDescriptor = hasDeviceExtension(pd, "VK_KHR_push_descriptor")
	info.Swapchain = hasDeviceExtension(pd, "VK_KHR_swapchain")
	return info
}

func hasDeviceExtension(pd vk.PhysicalDevice, name string) bool {
	var n uint32
	if vk.EnumerateDeviceExtensionProperties(pd, "", &n, nil) != vk.Success {
		return false
	}
	exts := make([]vk.ExtensionProperties, n)
	if vk.EnumerateDeviceExtensionProperties(pd, "", &n, exts) != vk.Success {
		return false
	}
	for _, e := range exts[:n] {
		e.Deref()
		if cstr(e.ExtensionName[:]) == name {
			return true
		}
	}
	return false
}

// ListDevices describes every Vulkan device on this machine and which one
// Open would choose for opt.Device (-1: automatic). With opt.Validate, any
// message of the validation layer is returned as an error.
func ListDevices(opt Options) (devices []DeviceInfo, chosen int, err error) {
	in, err := newInstance(opt.Validate, opt.InstanceExtensions)
	if err != nil {
		return nil, -1, err
	}
	chosen, err = ChooseDevice(in.infos, opt.Device)
	in.destroy()
	if opt.Validate && err == nil {
		if msgs := takeValidationMessages(); len(msgs) > 0 {
			err = fmt.Errorf("validation layer:\n%s", strings.Join(msgs, "\n"))
		}
	}
	return in.infos, chosen, err
}

// takeValidationMessages returns and clears what the validation layer said.
func takeValidationMessages() []string {
	buf := make([]byte, 1<<16)
	var count C.int
	n := C.ict_take_messages((*C.char)(unsafe.Pointer(&buf[0])), C.int(len(buf)), &count)
	if count == 0 {
		return nil
	}
	msgs := strings.Split(strings.TrimRight(string(buf[:n]), "\n"), "\n")
	if dropped := int(count) - len(msgs); dropped > 0 {
		msgs = append(msgs, fmt.Sprintf("validation: %d more messages did not fit the buffer", dropped))
	}
	return msgs
}

func cstr(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
