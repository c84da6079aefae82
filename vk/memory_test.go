package vk

import (
	"errors"
	"testing"
)

// Freed sub-allocations stay in their blocks until Trim, which hands empty
// blocks back to the driver; the peak counters remember the fullest point
// until ResetPeakMemory.
func TestTrimAndPeak(t *testing.T) {
	opt := configs[0].opt
	opt.MemoryLimit = 64 << 20 // 16 MiB blocks
	d := openTest(t, opt)
	var held []*Buffer
	for i := 0; i < 12; i++ { // three blocks' worth
		b, err := d.Alloc(4 << 20)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, b)
	}
	full := d.AllocStats()
	if full.PeakInUseBytes != 48<<20 || full.PeakReservedBytes != 48<<20 {
		t.Fatalf("peaks after 48 MiB: %+v", full)
	}
	for _, b := range held {
		d.Free(b)
	}
	if _, err := d.Alloc(40 << 20); !errors.Is(err, ErrOutOfMemory) {
		t.Fatalf("40 MiB beside 48 MiB of empty blocks under a 64 MiB limit: %v, want out of memory", err)
	}
	if err := d.Trim(); err != nil {
		t.Fatal(err)
	}
	st := d.AllocStats()
	if st.ReservedBytes != 0 || st.Blocks != 0 || st.PeakReservedBytes != 48<<20 {
		t.Fatalf("after Trim: %+v, want no blocks and the peak kept", st)
	}
	b, err := d.Alloc(40 << 20)
	if err != nil {
		t.Fatalf("40 MiB after Trim: %v", err)
	}
	d.ResetPeakMemory()
	if st := d.AllocStats(); st.PeakReservedBytes != st.ReservedBytes || st.PeakInUseBytes != st.InUseBytes {
		t.Errorf("after ResetPeakMemory: %+v", st)
	}
	d.Free(b)
}
