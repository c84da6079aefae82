package vk

import (
	"errors"
	"fmt"
	"math"
	"sync"

	vk "github.com/vulkan-go/vulkan"
)

// Submission is a point in a device's queue that any goroutine may wait
// for while the stream's own goroutine goes on recording: the data-
// parallel trainer hands one to the goroutine that sums a bucket of
// gradients once the device has packed them. A stream's frames cannot
// serve: the recording goroutine resets a frame's fence when it reuses
// the frame, possibly while another goroutine waits on it. A Submission
// has a fence of its own until Release, which must come before the
// device closes (Close destroys every fence).
type Submission struct {
	dev   *Device
	fence vk.Fence
	mu    sync.Mutex // Wait and Release may come from different goroutines
	done  bool
}

// fencePool keeps the fences of released Submissions for reuse.
type fencePool struct {
	mu   sync.Mutex
	free []vk.Fence
	all  []vk.Fence // destroyed by Device.Close
}

// Submit submits what has been recorded, as Flush does, and returns a
// Submission that is done once the device has finished everything
// submitted to its queue so far (this stream's work and any other's).
func (s *Stream) Submit() (*Submission, error) {
	if err := s.Flush(); err != nil {
		return nil, err
	}
	d := s.dev
	fence, err := d.tokens.get(d)
	if err != nil {
		return nil, err
	}
	// A submit of no command buffers signals its fence once all work
	// submitted before it to the queue has completed.
	d.queueMu.Lock()
	r := vk.QueueSubmit(d.queue, 0, nil, fence)
	d.queueMu.Unlock()
	if err := check(r, "submitting a fence"); err != nil {
		d.tokens.put(d, fence)
		return nil, err
	}
	return &Submission{dev: d, fence: fence}, nil
}

// Wait blocks until the device has done the submitted work. The device's
// writes to host-visible memory (a Buffer whose Mapped is not nil) are
// then visible to the caller.
func (x *Submission) Wait() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.fence == nil {
		return errors.New("vulkan: waiting for a released submission")
	}
	if x.done {
		return nil
	}
	r := vk.WaitForFences(x.dev.handle, 1, []vk.Fence{x.fence}, vk.True, math.MaxUint64)
	if r != vk.Success {
		return fmt.Errorf("vulkan: waiting for a submission: %v", vk.Error(r))
	}
	x.done = true
	return nil
}

// Release gives the submission's fence back for reuse, after waiting for
// it (a fence still pending may not be reset). Calling it twice is harmless.
func (x *Submission) Release() error {
	err := x.Wait()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.fence != nil {
		if err == nil {
			x.dev.tokens.put(x.dev, x.fence)
		}
		x.fence = nil
	}
	return err
}

func (p *fencePool) get(d *Device) (vk.Fence, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		f := p.free[n-1]
		p.free = p.free[:n-1]
		return f, nil
	}
	var f vk.Fence
	if err := check(vk.CreateFence(d.handle, &vk.FenceCreateInfo{SType: vk.StructureTypeFenceCreateInfo}, nil, &f), "creating a fence"); err != nil {
		return nil, err
	}
	p.all = append(p.all, f)
	return f, nil
}

// put resets a signalled fence and keeps it for the next Submit.
func (p *fencePool) put(d *Device, f vk.Fence) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if vk.ResetFences(d.handle, 1, []vk.Fence{f}) == vk.Success {
		p.free = append(p.free, f)
	}
}

// destroy destroys every fence, once the device is idle.
func (p *fencePool) destroy(d *Device) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.all {
		vk.DestroyFence(d.handle, f, nil)
	}
	p.all, p.free = nil, nil
}

// AllocHost returns a buffer in host-visible, coherent memory: Mapped
// reads and writes it. Shaders and copies use it as any other buffer
// (slower on a discrete GPU, whose own memory it is not).
func (d *Device) AllocHost(size uint64) (*Buffer, error) { return d.allocStaging(size) }

// Mapped is the buffer's memory in this process, or nil when it is not
// host-visible. The host may read what the device wrote once a
// Submission after the writes is done, and the device sees what the host
// wrote before the work that reads it was submitted.
func (b *Buffer) Mapped() []byte {
	if b == nil || b.blk == nil || !b.Host() {
		return nil
	}
	return b.bytes()
}
