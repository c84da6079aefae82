package nn

import (
	"fmt"
	"math/bits"

	"github.com/ictvk/ictvk/vk"
)

// pool recycles device buffers of step tensors. Sizes are rounded up to
// classes a quarter-octave apart, so steps with slightly different shapes
// still reuse memory, at most 25% of it idle.
type pool struct {
	e      *Engine
	free   map[uint64][]*vk.Buffer
	lent   []*vk.Buffer
	poison bool
	stats  PoolStats
}

// PoolStats count the pool's work since the Engine opened.
type PoolStats struct {
	Hits, Misses int    // buffers reused / newly allocated
	LentBytes    uint64 // held by step tensors now

	// For sizing micro-batches and sampling chunks (ct.PassSize):
	// PeakLentBytes is the most LentBytes reached, and LargestBytes the
	// largest step tensor asked for, since ResetPoolPeaks (or since the
	// Engine opened). HeldBytes is the device memory the pool holds now,
	// lent or cached for reuse.
	PeakLentBytes, LargestBytes uint64
	HeldBytes                   uint64
}

// PoolStats reports the tensor pool's counters.
func (e *Engine) PoolStats() PoolStats {
	s := e.pool.stats
	s.HeldBytes = s.LentBytes
	for c, list := range e.pool.free {
		s.HeldBytes += c * uint64(len(list))
	}
	return s
}

// ResetPoolPeaks starts PoolStats' PeakLentBytes and LargestBytes afresh
// from what is lent now.
func (e *Engine) ResetPoolPeaks() {
	e.pool.stats.PeakLentBytes = e.pool.stats.LentBytes
	e.pool.stats.LargestBytes = 0
}

// TrimPool returns the pool's cached buffers to the device allocator, so
// that memory held for tensors of one shape can serve others.
func (e *Engine) TrimPool() {
	for c, list := range e.pool.free {
		for _, b := range list {
			e.Dev.Free(b)
		}
		delete(e.pool.free, c)
	}
}

// sizeClass rounds n up to 2^k * {4,5,6,7}/4 (and at least 256 bytes).
func sizeClass(n uint64) uint64 {
	if n <= 256 {
		return 256
	}
	k := 63 - bits.LeadingZeros64(n-1) // 2^k < n <= 2^(k+1)
	step := uint64(1) << (k - 2)
	return (n + step - 1) / step * step
}

func (p *pool) get(size uint64) *vk.Buffer {
	c := sizeClass(size)
	var b *vk.Buffer
	if list := p.free[c]; len(list) > 0 {
		b = list[len(list)-1]
		p.free[c] = list[:len(list)-1]
		p.stats.Hits++
	} else {
		var err error
		if b, err = p.e.Dev.Alloc(c); err != nil {
			p.e.fail(fmt.Errorf("nn: allocating a step tensor of %d bytes: %w", size, err))
			return nil
		}
		p.stats.Misses++
	}
	p.lent = append(p.lent, b)
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

// Release ends a step: every step tensor's memory returns to the pool, and
// the tape is cleared. Tensors made during the step must not be used
// afterwards. Work already recorded stays correct: the stream orders reuse
// of a buffer after the commands that used it.
func (e *Engine) Release() {
	e.tape.reset()
	for _, b := range e.pool.lent {
		c := b.Size
		e.pool.free[c] = append(e.pool.free[c], b)
	}
	e.pool.lent = e.pool.lent[:0]
	e.pool.stats.LentBytes = 0
}

func (p *pool) destroy() {
	for _, b := range p.lent {
		p.e.Dev.Free(b)
	}
	p.lent = nil
	for _, list := range p.free {
		for _, b := range list {
			p.e.Dev.Free(b)
		}
	}
	p.free = nil
}

// recycle returns a step tensor's memory to the pool before the step ends:
// for an op's internal temporaries. The stream orders any later reuse of
// the buffer after the commands already recorded on it.
func (e *Engine) recycle(t *Tensor) {
	if t == nil || t.buf == nil || t.lasts != stepLife || t.base != nil {
		return
	}
	p := &e.pool
	for i := len(p.lent) - 1; i >= 0; i-- {
		if p.lent[i] == t.buf {
			p.lent = append(p.lent[:i], p.lent[i+1:]...)
			p.free[t.buf.Size] = append(p.free[t.buf.Size], t.buf)
			p.stats.LentBytes -= t.buf.Size
			t.buf = nil
			return
		}
	}
}
