package vk

import vk "github.com/vulkan-go/vulkan"

// byteRange is a range [lo, hi) of one VkBuffer.
type byteRange struct {
	buf    vk.Buffer
	lo, hi uint64
}

func (a byteRange) overlaps(b byteRange) bool {
	return a.buf == b.buf && a.lo < b.hi && b.lo < a.hi
}

// hazards tracks which ranges were read and written since the last barrier.
// A barrier orders everything before it against everything after it, so
// only accesses since the last one can conflict with a new command:
// read-after-write, write-after-write and write-after-read each need one.
// The state outlives submits (a barrier also orders earlier submits on the
// same queue), and it is never cleared by a host wait, which would be
// correct only for the host's view of memory.
type hazards struct {
	reads, writes []byteRange
}

// conflicts reports whether an access with the given reads and writes must
// wait for earlier commands.
func (h *hazards) conflicts(reads, writes []byteRange) bool {
	for _, r := range reads {
		for _, w := range h.writes {
			if r.overlaps(w) {
				return true
			}
		}
	}
	for _, w := range writes {
		for _, o := range h.writes {
			if w.overlaps(o) {
				return true
			}
		}
		for _, o := range h.reads {
			if w.overlaps(o) {
				return true
			}
		}
	}
	return false
}

// record notes an access placed after the last barrier.
func (h *hazards) record(reads, writes []byteRange) {
	h.reads = append(h.reads, reads...)
	h.writes = append(h.writes, writes...)
}

// barrier forgets every access: a barrier now orders them.
func (h *hazards) barrier() {
	h.reads = h.reads[:0]
	h.writes = h.writes[:0]
}

// forget drops the ranges of a VkBuffer that is being destroyed.
func (h *hazards) forget(buf vk.Buffer) {
	keep := func(rs []byteRange) []byteRange {
		out := rs[:0]
		for _, r := range rs {
			if r.buf != buf {
				out = append(out, r)
			}
		}
		return out
	}
	h.reads = keep(h.reads)
	h.writes = keep(h.writes)
}
