package vk

/*
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// Options say how to open a device. The zero value picks the best device
// with validation off and the default pipeline-cache folder.
type Options struct {
	// Device is the index of the device to use, as 'ict devices' lists
	// them; -1 chooses automatically.
	Device int
	// Validate enables VK_LAYER_KHRONOS_validation with synchronization
	// validation; every message it prints is recorded (see Device.TakeMessages).
	Validate bool
	// NoPushDescriptors uses pooled descriptor sets even where the device
	// has VK_KHR_push_descriptor (for tests of the fallback path).
	NoPushDescriptors bool
	// NoUMA keeps tensors in device memory behind staging copies even on a
	// unified-memory device (for tests of the discrete-GPU path).
	NoUMA bool
	// CacheDir holds the pipeline cache; "" means the user's cache folder
	// ($XDG_CACHE_HOME/ictvk), "off" disables the file.
	CacheDir string
	// MemoryLimit caps the device memory this process allocates, in bytes;
	// 0 means the size of the device-local heap.
	MemoryLimit uint64
	// InstanceExtensions are enabled on the instance besides ict's own:
	// a window system's surface extensions, for presenting.
	InstanceExtensions []string
	// Present enables VK_KHR_swapchain on the device where it has it, so
	// that a window can present from the training queue (see NewPresenter).
	Present bool
}

// OptionsFromEnv reads the device's environment variables:
//
//	ICT_DEVICE=N               the device index (see 'ict devices')
//	ICT_VALIDATE=1             the Khronos validation layer
//	ICT_NO_UMA=1               staging copies even on a unified-memory device
//	ICT_NO_PUSH_DESCRIPTORS=1  pooled descriptor sets even with push descriptors
//
// The last two force a discrete GPU's paths on any device, for tests and
// for telling a driver's bug from ours.
func OptionsFromEnv() (Options, error) {
	opt := Options{Device: -1}
	if s := strings.TrimSpace(os.Getenv("ICT_DEVICE")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return opt, fmt.Errorf("ICT_DEVICE=%q: want a device index such as 0 (see 'ict devices')", s)
		}
		opt.Device = n
	}
	for _, v := range []struct {
		name string
		to   *bool
	}{
		{"ICT_VALIDATE", &opt.Validate},
		{"ICT_NO_UMA", &opt.NoUMA},
		{"ICT_NO_PUSH_DESCRIPTORS", &opt.NoPushDescriptors},
	} {
		on, err := envFlag(v.name)
		if err != nil {
			return opt, err
		}
		*v.to = on
	}
	return opt, nil
}

// envFlag reads a 0/1 environment variable; unset is 0.
func envFlag(name string) (bool, error) {
	switch s := strings.TrimSpace(os.Getenv(name)); s {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: want 1 or 0", name, s)
	}
}

// Device is an opened logical device with one compute queue.
type Device struct {
	Info DeviceInfo

	inst       *instance
	sharedInst bool // a helper device: the instance is another's
	physical   vk.PhysicalDevice
	handle     vk.Device
	queue      vk.Queue
	fns        C.ict_device_fns
	pushDesc   bool
	uma        bool
	swapchain  bool // VK_KHR_swapchain is enabled

	// queueMu serializes vkQueueSubmit, vkQueuePresentKHR and the waits
	// on the queue: Vulkan wants a queue externally synchronized, and a
	// window may present from another thread than the one that trains.
	queueMu    sync.Mutex
	presentMu  sync.Mutex // guards presenters
	presenters []*Presenter

	mem       *allocator
	pipelines *pipelineCache
	compiler  *compiler // nil where pipelines compile when created
	streams   []*Stream
	tokens    fencePool // the fences of Submissions
	closed    bool
}

// Open creates the instance and the logical device that opt names.
func Open(opt Options) (*Device, error) {
	in, err := newInstance(opt.Validate, opt.InstanceExtensions)
	if err != nil {
		return nil, err
	}
	idx, err := ChooseDevice(in.infos, opt.Device)
	if err != nil {
		in.destroy()
		return nil, err
	}
	d := &Device{Info: in.infos[idx], inst: in, physical: in.physical[idx]}
	d.pushDesc = d.Info.PushDescriptor && !opt.NoPushDescriptors
	d.uma = d.Info.UMA && !opt.NoUMA
	d.swapchain = d.Info.Swapchain && opt.Present
	if err := d.create(); err != nil {
		d.Close()
		return nil, err
	}
	if d.mem, err = newAllocator(d, opt.MemoryLimit); err != nil {
		d.Close()
		return nil, err
	}
	if d.compiler, err = newCompiler(d); err != nil {
		d.Close()
		return nil, err
	}
	if d.pipelines, err = newPipelineCache(d, opt.CacheDir); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (d *Device) create() error {
	queue := vk.DeviceQueueCreateInfo{
		SType:            vk.StructureTypeDeviceQueueCreateInfo,
		QueueFamilyIndex: uint32(d.Info.ComputeFamily),
		QueueCount:       1,
		PQueuePriorities: []float32{1},
	}
	info := vk.DeviceCreateInfo{
		SType:                vk.StructureTypeDeviceCreateInfo,
		QueueCreateInfoCount: 1,
		PQueueCreateInfos:    []vk.DeviceQueueCreateInfo{queue},
	}
	var exts []string
	if d.pushDesc {
		exts = append(exts, "VK_KHR_push_descriptor\x00")
	}
	if d.swapchain {
		exts = append(exts, "VK_KHR_swapchain\x00")
	}
	if len(exts) > 0 {
		info.EnabledExtensionCount = uint32(len(exts))
		info.PpEnabledExtensionNames = exts
	}
	var dev vk.Device
	if r := vk.CreateDevice(d.physical, &info, nil, &dev); r != vk.Success {
		return fmt.Errorf("vulkan: creating the device on %s: %v", d.Info.Name, vk.Error(r))
	}
	d.handle = dev
	var q vk.Queue
	vk.GetDeviceQueue(d.handle, uint32(d.Info.ComputeFamily), 0, &q)
	d.queue = q
	pd := C.int(0)
	if d.pushDesc {
		pd = 1
	}
	if C.ict_load_device_fns(C.VkInstance(unsafe.Pointer(d.inst.handle)), C.VkDevice(unsafe.Pointer(d.handle)), pd, &d.fns) != 0 {
		return fmt.Errorf("vulkan: %s lacks a core command-recording entry point", d.Info.Name)
	}
	return nil
}

// UMA reports whether tensors live in host-visible device memory, so that
// uploads and downloads are plain copies.
func (d *Device) UMA() bool { return d.uma }

// PushDescriptors reports whether dispatches bind buffers through
// VK_KHR_push_descriptor rather than pooled descriptor sets.
func (d *Device) PushDescriptors() bool { return d.pushDesc }

// Validating reports whether the validation layer is on.
func (d *Device) Validating() bool { return d.inst != nil && d.inst.validate }

// TakeMessages returns and clears the validation layer's messages so far.
func (d *Device) TakeMessages() []string { return takeValidationMessages() }

// Close waits for the device, saves the pipeline cache, destroys every
// object and the instance. With validation on, it returns an error listing
// any message the layer printed during teardown (a leaked object, say).
func (d *Device) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	var errs []error
	if d.handle != nil {
		// A window left open: its swapchain goes before the device.
		d.presentMu.Lock()
		left := append([]*Presenter(nil), d.presenters...)
		d.presentMu.Unlock()
		for _, p := range left {
			p.Destroy()
		}
		d.queueMu.Lock()
		vk.DeviceWaitIdle(d.handle)
		d.queueMu.Unlock()
		for _, s := range d.streams {
			s.destroy()
		}
		d.streams = nil
		d.tokens.destroy(d)
		if d.compiler != nil {
			d.compiler.destroy(d.handle)
		}
		if d.pipelines != nil {
			if err := d.pipelines.destroy(); err != nil {
				errs = append(errs, err)
			}
		}
		if d.mem != nil {
			d.mem.destroy()
		}
		vk.DestroyDevice(d.handle, nil)
		d.handle = nil
	}
	validating := d.Validating()
	if d.sharedInst {
		return errors.Join(errs...)
	}
	if d.inst != nil {
		d.inst.destroy()
		d.inst = nil
	}
	if validating {
		if msgs := takeValidationMessages(); len(msgs) > 0 {
			errs = append(errs, fmt.Errorf("validation layer at teardown:\n%s", strings.Join(msgs, "\n")))
		}
	}
	return errors.Join(errs...)
}

func check(r vk.Result, what string) error {
	if r == vk.Success {
		return nil
	}
	return fmt.Errorf("vulkan: %s: %v", what, vk.Error(r))
}

// ValidateInTests says whether a test should turn the validation layer on:
// always, unless ICT_VALIDATE is set to 0 or false, for a GPU machine
// without the layer (scripts/gpu-check.sh). CI never sets it.
func ValidateInTests() bool {
	on, err := envFlag("ICT_VALIDATE")
	return on || err != nil || strings.TrimSpace(os.Getenv("ICT_VALIDATE")) == ""
}
