package vk

/*
#include <stdlib.h>
#include "present.h"

// Non-dispatchable handles are pointers on 64-bit hosts and integers on
// 32-bit ones; window systems hand them over as 64-bit integers.
static inline VkSurfaceKHR ict_surface(uint64_t h) { return (VkSurfaceKHR)(uintptr_t)h; }
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// PresentOptions tune NewPresenter.
type PresentOptions struct {
	// SeparateDevice presents from a device of its own, fed by a host
	// copy, even where the training queue could present (tests of the
	// path that GPUs whose compute queue cannot present take).
	SeparateDevice bool
}

// Canvas is the frame to paint: Width x Height pixels of 4 bytes, rows
// packed, in the channel order the swapchain took.
type Canvas struct {
	Pix           []byte
	Width, Height int
	// BGRA is set when the bytes of a pixel are blue, green, red, alpha;
	// otherwise red, green, blue, alpha.
	BGRA bool
}

// PresentStats count what a Presenter did.
type PresentStats struct {
	Frames     int // images presented
	Swapchains int // swapchains created: the first one and every re-creation
	OutOfDate  int // acquires or presents the surface turned down as out of date or suboptimal
}

// Presenter shows frames in a window through a swapchain. Each frame is
// painted on the host into a staging buffer and copied into the acquired
// image, so any device that can present can show what any other device
// computed. A Presenter is used from one goroutine at a time (the
// window's); it shares the training queue under the device's queue lock.
type Presenter struct {
	dev     *Device
	c       *C.ict_presenter
	surface C.VkSurfaceKHR
	queueMu *sync.Mutex // the training device's, or own
	ownMu   sync.Mutex
	shared  bool
	name    string

	width, height int // the window size the swapchain was made for
	stale         bool
	stats         PresentStats
}

// InstanceHandle is the VkInstance, for a window system to make a
// surface with (glfwCreateWindowSurface).
func (d *Device) InstanceHandle() uintptr { return uintptr(unsafe.Pointer(d.inst.handle)) }

// NewPresenter takes a surface made for d's instance and presents to it:
// from d's own queue when it can present there and d was opened with
// Options.Present, otherwise from a device of its own on the first
// device and queue family that can. The Presenter owns the surface.
func (d *Device) NewPresenter(surface uint64, opt PresentOptions) (*Presenter, error) {
	inst := C.VkInstance(unsafe.Pointer(d.inst.handle))
	sf := C.ict_surface(C.uint64_t(surface))
	p := &Presenter{dev: d, surface: sf, stale: true}
	p.c = (*C.ict_presenter)(C.calloc(1, C.size_t(unsafe.Sizeof(C.ict_presenter{}))))
	fail := func(err error) (*Presenter, error) {
		C.ict_presenter_destroy(p.c)
		C.free(unsafe.Pointer(p.c))
		C.ict_destroy_surface(inst, sf)
		return nil, err
	}
	support := func(pd vk.PhysicalDevice, family int) int {
		return int(C.ict_surface_support(inst, C.VkPhysicalDevice(unsafe.Pointer(pd)), C.uint32_t(family), sf))
	}
	if support(d.physical, d.Info.ComputeFamily) < 0 {
		return fail(errors.New("vulkan: presenting needs the instance extension VK_KHR_surface (open the device with the window system's InstanceExtensions)"))
	}
	if d.swapchain && !opt.SeparateDevice && support(d.physical, d.Info.ComputeFamily) == 1 {
		p.shared, p.queueMu, p.name = true, &d.queueMu, d.Info.Name
		r := vk.Result(C.ict_presenter_init(p.c, inst, C.VkPhysicalDevice(unsafe.Pointer(d.physical)),
			C.VkDevice(unsafe.Pointer(d.handle)), C.VkQueue(unsafe.Pointer(d.queue)), C.uint32_t(d.Info.ComputeFamily), sf, 0))
		if r != vk.Success {
			return fail(fmt.Errorf("vulkan: preparing to present on %s: %v", d.Info.Name, vk.Error(r)))
		}
	} else {
		pd, family, ok := d.presentTarget(support)
		if !ok {
			return fail(fmt.Errorf("vulkan: none of the %d Vulkan devices (%s) can present to this window", len(d.inst.infos), deviceNames(d.inst.infos)))
		}
		var dev C.VkDevice
		var queue C.VkQueue
		cpd := C.VkPhysicalDevice(unsafe.Pointer(d.inst.physical[pd]))
		if r := vk.Result(C.ict_present_device(inst, cpd, C.uint32_t(family), &dev, &queue)); r != vk.Success {
			return fail(fmt.Errorf("vulkan: creating a device to present on %s: %v", d.inst.infos[pd].Name, vk.Error(r)))
		}
		p.queueMu, p.name = &p.ownMu, d.inst.infos[pd].Name+" (its own device)"
		if r := vk.Result(C.ict_presenter_init(p.c, inst, cpd, dev, queue, C.uint32_t(family), sf, 1)); r != vk.Success {
			return fail(fmt.Errorf("vulkan: preparing to present on %s: %v", p.name, vk.Error(r)))
		}
	}
	d.presentMu.Lock()
	d.presenters = append(d.presenters, p)
	d.presentMu.Unlock()
	return p, nil
}

// presentTarget finds a device and queue family that can present, the
// training device first.
func (d *Device) presentTarget(support func(vk.PhysicalDevice, int) int) (device, family int, ok bool) {
	order := []int{d.Info.Index}
	for i := range d.inst.physical {
		if i != d.Info.Index {
			order = append(order, i)
		}
	}
	for _, i := range order {
		pd := d.inst.physical[i]
		if !hasDeviceExtension(pd, "VK_KHR_swapchain") {
			continue
		}
		var n uint32
		vk.GetPhysicalDeviceQueueFamilyProperties(pd, &n, nil)
		for f := 0; f < int(n); f++ {
			if support(pd, f) == 1 {
				return i, f, true
			}
		}
	}
	return 0, 0, false
}

// Shared reports whether frames go through the training device's queue
// (rather than a device of the Presenter's own).
func (p *Presenter) Shared() bool { return p.shared }

// DeviceName names where frames are presented from.
func (p *Presenter) DeviceName() string { return p.name }

// Stats says what the Presenter did so far.
func (p *Presenter) Stats() PresentStats { return p.stats }

// Extent is the size of the current swapchain's images (0x0 before the
// first frame and while the window is minimized).
func (p *Presenter) Extent() (width, height int) {
	return int(p.c.extent.width), int(p.c.extent.height)
}

// Format is the swapchain's pixel format (a VkFormat).
func (p *Presenter) Format() int { return int(p.c.format) }

// Invalidate makes the next Present recreate the swapchain (call it when
// the window was resized).
func (p *Presenter) Invalidate() { p.stale = true }

// waitIdle waits until the queue has done the presenter's work, so the
// swapchain and its semaphores can go.
func (p *Presenter) waitIdle() error {
	p.queueMu.Lock()
	r := vk.Result(C.ict_presenter_wait_idle(p.c))
	p.queueMu.Unlock()
	return check(r, "waiting for the presenting queue")
}

func (p *Presenter) configure(width, height int) error {
	if err := p.waitIdle(); err != nil {
		return err
	}
	r := vk.Result(C.ict_presenter_configure(p.c, C.uint32_t(width), C.uint32_t(height)))
	switch r {
	case vk.Success:
	case vk.ErrorFeatureNotPresent:
		return fmt.Errorf("vulkan: the window's surface on %s does not take transfer writes", p.name)
	case vk.ErrorFormatNotSupported:
		return fmt.Errorf("vulkan: the window's surface on %s offers no 8-bit RGBA or BGRA format", p.name)
	default:
		return fmt.Errorf("vulkan: creating a %dx%d swapchain on %s: %v", width, height, p.name, vk.Error(r))
	}
	p.width, p.height, p.stale = width, height, false
	if p.c.swapchain != nil {
		p.stats.Swapchains++
	}
	return nil
}

// acquireTimeoutNs bounds a wait for a swapchain image: a window system
// that never hands one back must not hang the window loop.
const acquireTimeoutNs = 2_000_000_000

// Present paints a frame for a window whose framebuffer is width x height
// and presents it. It recreates the swapchain when the size changed, after
// Invalidate, and when the surface reports it out of date. It returns
// false, with no error, when there is nothing to present to (a minimized
// window).
func (p *Presenter) Present(width, height int, paint func(Canvas)) (bool, error) {
	if p.c == nil {
		return false, errors.New("vulkan: Present after Destroy")
	}
	if width <= 0 || height <= 0 {
		return false, nil
	}
	for attempt := 0; attempt < 3; attempt++ {
		if p.stale || p.c.swapchain == nil || width != p.width || height != p.height {
			if err := p.configure(width, height); err != nil {
				return false, err
			}
		}
		if p.c.swapchain == nil {
			return false, nil
		}
		var index C.uint32_t
		r := vk.Result(C.ict_presenter_acquire(p.c, acquireTimeoutNs, &index))
		switch r {
		case vk.Success, vk.Suboptimal:
		case vk.ErrorOutOfDate:
			p.stats.OutOfDate++
			p.stale = true
			continue
		case vk.Timeout, vk.NotReady:
			return false, fmt.Errorf("vulkan: no swapchain image within %v s on %s", acquireTimeoutNs/1e9, p.name)
		default:
			return false, fmt.Errorf("vulkan: acquiring a swapchain image on %s: %v", p.name, vk.Error(r))
		}
		w, h := p.Extent()
		paint(Canvas{
			Pix:    unsafe.Slice((*byte)(p.c.mapped), w*h*4),
			Width:  w,
			Height: h,
			BGRA:   p.c.format == C.VK_FORMAT_B8G8R8A8_UNORM || p.c.format == C.VK_FORMAT_B8G8R8A8_SRGB,
		})
		p.queueMu.Lock()
		rp := vk.Result(C.ict_presenter_submit(p.c, index))
		p.queueMu.Unlock()
		switch rp {
		case vk.Success:
		case vk.Suboptimal, vk.ErrorOutOfDate:
			// Shown or not, the next frame needs a new swapchain.
			p.stats.OutOfDate++
			p.stale = true
		default:
			return false, fmt.Errorf("vulkan: presenting on %s: %v", p.name, vk.Error(rp))
		}
		if r == vk.Suboptimal {
			p.stats.OutOfDate++
			p.stale = true
		}
		p.stats.Frames++
		return rp != vk.ErrorOutOfDate, nil
	}
	return false, nil
}

// Destroy waits for the last frame and destroys the swapchain, the
// surface, and the Presenter's own device if it has one.
func (p *Presenter) Destroy() error {
	if p.c == nil {
		return nil
	}
	err := p.waitIdle()
	C.ict_presenter_destroy(p.c)
	C.ict_destroy_surface(C.VkInstance(unsafe.Pointer(p.dev.inst.handle)), p.surface)
	C.free(unsafe.Pointer(p.c))
	p.c = nil
	d := p.dev
	d.presentMu.Lock()
	for i, q := range d.presenters {
		if q == p {
			d.presenters = append(d.presenters[:i], d.presenters[i+1:]...)
			break
		}
	}
	d.presentMu.Unlock()
	return err
}
