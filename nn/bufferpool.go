package nn

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/ictvk/ictvk/vk"
)

// pool recycles device buffers of step tensors. Sizes are rounded up to
// classes a quarter-octave apart (an eighth past 1 MiB), so steps with
// slightly different shapes still reuse memory, at most 25% (12.5%) of it
// idle.
type pool struct {
	e       *Engine
	free    map[uint64][]*vk.Buffer
	lent    []*Tensor // step tensors that hold a buffer now
	poison  bool
	holdAll bool // Options.HoldStepTensors
	stats   PoolStats
}

// PoolStats count the pool's work since the Engine opened.
type PoolStats struct {
	Hits, Misses int    // buffers reused / newly allocated
	LentBytes    uint64 // held by step tensors now
	// PeakLentBytes is the most LentBytes has been since the Engine
	// opened or ResetPeakMemory: a step's working memory at its fullest.
	// It depends only on the ops recorded, not on timing.
	PeakLentBytes uint64
	// LargestBytes is the largest step tensor asked for since the Engine
	// opened or ResetPeakMemory (ct.FitPass keeps every tensor of a pass
	// under maxStorageBufferRange with it).
	LargestBytes uint64
	// FreeBytes are buffers the pool keeps for reuse; HeldBytes is
	// LentBytes + FreeBytes, the device memory the pool holds now.
	FreeBytes, HeldBytes uint64
	// Trims counts the times an allocation failed for lack of memory and
	// the pool gave its idle buffers back to retry.
	Trims int
}

// PoolStats reports the tensor pool's counters.
func (e *Engine) PoolStats() PoolStats {
	s := e.pool.stats
	s.HeldBytes = s.LentBytes + s.FreeBytes
	return s
}

// TrimPool returns the pool's cached buffers to the device allocator, so
// that memory held for tensors of one shape can serve others.
func (e *Engine) TrimPool() { e.pool.releaseIdle(true) }

// sizeClass rounds n up to 2^k * {4,5,6,7}/4 (and at least 256 bytes),
// past 1 MiB to 2^k * {8,...,15}/8: a batch of 65 images would otherwise
// take the memory of 80. Classes that turn out idle cost little, as the
// pool gives idle buffers back before reserving more.
func sizeClass(n uint64) uint64 {
	if n <= 256 {
		return 256
	}
	k := 63 - bits.LeadingZeros64(n-1) // 2^k < n <= 2^(k+1)
	step := uint64(1) << (k - 2)
	if n > 1<<20 {
		step >>= 1
	}
	return (n + step - 1) / step * step
}

func (p *pool) get(size uint64) *vk.Buffer {
	// The class may not pass the device's binding limit (a tensor that
	// fits must not be refused for its rounding).
	c := max(size, min(sizeClass(size), p.e.Dev.Info.Limits.MaxStorageBufferRange))
	var b *vk.Buffer
	if list := p.free[c]; len(list) > 0 {
		b = list[len(list)-1]
		p.free[c] = list[:len(list)-1]
		p.stats.Hits++
		p.stats.FreeBytes -= c
	} else {
		// Before reserving more memory, give the idle buffers of other
		// sizes back to the allocator, where free neighbours merge, and
		// look again in the blocks already held: a step's tensors come in
		// many sizes, and idle buffers of the wrong ones held a third
		// more than the step's peak in a U-Net.
		b = p.e.Dev.AllocInBlocks(c)
		if b == nil && p.stats.FreeBytes > 0 {
			p.releaseIdle(false)
			b = p.e.Dev.AllocInBlocks(c)
		}
		var err error
		if b == nil {
			b, err = p.e.Dev.Alloc(c)
		}
		if errors.Is(err, vk.ErrOutOfMemory) {
			// Empty blocks, and idle buffers with blocks of their own:
			// return them to the driver (after the device is idle) and
			// try again.
			p.trim()
			b, err = p.e.Dev.Alloc(c)
		}
		if err != nil {
			p.e.fail(fmt.Errorf("nn: allocating a step tensor of %d bytes: %w", size, err))
			return nil
		}
		p.stats.Misses++
	}
	p.stats.LentBytes += c
	p.stats.PeakLentBytes = max(p.stats.PeakLentBytes, p.stats.LentBytes)
	p.stats.LargestBytes = max(p.stats.LargestBytes, size)
	if p.poison {
		if err := p.e.S.Fill(b, 0x7fc00000); err != nil {
			p.e.fail(err)
		}
	}
	return b
}

// lend notes that step tensor t holds the buffer get gave it.
func (p *pool) lend(t *Tensor) {
	t.lentAt = len(p.lent)
	p.lent = append(p.lent, t)
	if p.holdAll {
		t.refs++ // a holder that only Release lets go of
	}
}

// put takes t's buffer back; t is dead from now on. Work already recorded
// on the buffer stays correct: the stream orders its reuse after the
// commands that used it.
func (p *pool) put(t *Tensor) {
	last := p.lent[len(p.lent)-1]
	p.lent[t.lentAt], last.lentAt = last, t.lentAt
	p.lent = p.lent[:len(p.lent)-1]
	p.giveBack(t)
}

func (p *pool) giveBack(t *Tensor) {
	b := t.buf
	p.free[b.Size] = append(p.free[b.Size], b)
	p.stats.LentBytes -= b.Size
	p.stats.FreeBytes += b.Size
	t.buf, t.freed, t.refs = nil, true, 0
}

// Release ends a step: every step tensor's memory returns to the pool, and
// the tape is cleared. Tensors made during the step must not be used
// afterwards (using one panics). Work already recorded stays correct: the
// stream orders reuse of a buffer after the commands that used it.
func (e *Engine) Release() {
	e.resetTape()
	for _, t := range e.pool.lent {
		e.pool.giveBack(t)
	}
	e.pool.lent = e.pool.lent[:0]
}

// ResetPeakMemory starts the peak counters of PoolStats (and its
// LargestBytes) and of the
// device's AllocStats afresh from what is held now.
func (e *Engine) ResetPeakMemory() {
	e.pool.stats.PeakLentBytes = e.pool.stats.LentBytes
	e.pool.stats.LargestBytes = 0
	e.Dev.ResetPeakMemory()
}

// releaseIdle gives the pool's idle buffers back to the allocator: all of
// them, or only those sub-allocated from shared blocks. Recorded work on
// them stays correct: the stream tracks hazards on memory ranges.
func (p *pool) releaseIdle(dedicatedToo bool) {
	for c, list := range p.free {
		keep := list[:0]
		for _, b := range list {
			if b.Dedicated() && !dedicatedToo {
				keep = append(keep, b)
				continue
			}
			p.e.Dev.Free(b)
			p.stats.FreeBytes -= c
		}
		if len(keep) == 0 {
			delete(p.free, c)
		} else {
			p.free[c] = keep
		}
	}
}

// trim frees the pool's idle buffers and returns unused device memory to
// the driver (waiting for the device to finish recorded work first).
func (p *pool) trim() {
	p.releaseIdle(true)
	p.stats.Trims++
	if err := p.e.Dev.Trim(); err != nil {
		p.e.fail(err)
	}
}

func (p *pool) destroy() {
	for _, t := range p.lent {
		p.e.Dev.Free(t.buf)
		t.buf, t.freed = nil, true
	}
	p.lent = nil
	for _, list := range p.free {
		for _, b := range list {
			p.e.Dev.Free(b)
		}
	}
	p.free = nil
}
