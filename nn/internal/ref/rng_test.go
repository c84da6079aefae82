package ref

import (
	"math"
	"testing"
)

// Known answers for Philox4x32-10 from Random123's tests/kat_vectors
// (github.com/DEShawResearch/random123), the three "philox4x32 10" lines,
// columns counter[4] key[2] -> output[4]:
//
//	philox4x32 10 00000000 00000000 00000000 00000000 00000000 00000000   6627e8d5 e169c58d bc57ac4c 9b00dbd8
//	philox4x32 10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff   408f276d 41c83b0e a20bc7c6 6d5451fd
//	philox4x32 10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0   d16cfe09 94fdcceb 5001e420 24126ea1
func TestPhiloxKnownAnswers(t *testing.T) {
	cases := []struct {
		ctr  [4]uint32
		key  [2]uint32
		want [4]uint32
	}{
		{[4]uint32{0, 0, 0, 0}, [2]uint32{0, 0},
			[4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff},
			[4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0},
			[4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	}
	for _, c := range cases {
		if got := Philox4x32(c.ctr, c.key); got != c.want {
			t.Errorf("Philox4x32(%08x, %08x) = %08x, want %08x", c.ctr, c.key, got, c.want)
		}
	}
}

// The documented layout: key from the seed's halves, counter
// (e/4, step, layer, stream), word e%4.
func TestRNGLayout(t *testing.T) {
	k := RNGKey{Seed: 0x0123456789abcdef, Step: 77, Layer: 5}
	blk := Philox4x32([4]uint32{2, 77, 5, StreamDropout}, [2]uint32{0x89abcdef, 0x01234567})
	if got := k.Block(StreamDropout, 2); got != blk {
		t.Fatalf("Block = %08x, want %08x", got, blk)
	}
	th := DropThreshold(0.3)
	for j := 0; j < 4; j++ {
		if got, want := DropoutKeep(k, 8+j, 0.3), blk[j]>>8 >= th; got != want {
			t.Errorf("element %d: keep %v, want %v from word %d", 8+j, got, want, j)
		}
	}
	nb := Philox4x32([4]uint32{2, 77, 5, StreamNormal}, [2]uint32{0x89abcdef, 0x01234567})
	z0, z1 := BoxMuller(nb[0], nb[1])
	z2, z3 := BoxMuller(nb[2], nb[3])
	for j, want := range []float64{z0, z1, z2, z3} {
		if got := Normal(k, 8+j); got != want {
			t.Errorf("normal %d = %g, want %g", 8+j, got, want)
		}
	}
}

func TestUniformRange(t *testing.T) {
	if got := Uniform(0); got != 0x1p-25 {
		t.Errorf("Uniform(0) = %g, want 2^-25", got)
	}
	if got := Uniform(math.MaxUint32); got != 1-0x1p-25 {
		t.Errorf("Uniform(max) = %g, want 1-2^-25", got)
	}
	if got := Uniform(0x80000000); got != 0.5+0x1p-25 {
		t.Errorf("Uniform(2^31) = %g, want 0.5+2^-25", got)
	}
}

// DropThreshold must decide exactly as comparing the uniform with p does,
// over every 24-bit value, including p on and next to bin edges.
func TestDropThresholdExact(t *testing.T) {
	for _, p := range []float64{0, 0.1, 0.3, 0.5, 0.5 + 0x1p-25, 0.5 + 0x1p-26, 0x1p-25, 0.9999, 1} {
		th := DropThreshold(p)
		for k := uint32(0); k < 1<<24; k++ {
			if (k < th) != (Uniform(k<<8) < p) {
				t.Fatalf("p=%g: threshold %d disagrees with the uniform at 24-bit value %d", p, th, k)
			}
		}
	}
}

func TestDropoutStatistics(t *testing.T) {
	const n = 1 << 18
	for _, p := range []float64{0.1, 0.3, 0.5} {
		k := RNGKey{Seed: 12345, Step: 3, Layer: 7}
		mask := DropoutMask(k, n, p)
		kept := 0.0
		for _, m := range mask {
			kept += m
		}
		// Within 5 standard deviations of the binomial keep count.
		sd := math.Sqrt(n * p * (1 - p))
		if d := kept - n*(1-p); math.Abs(d) > 5*sd {
			t.Errorf("p=%g: kept %v of %d, %.1f sd from %v", p, kept, n, d/sd, n*(1-p))
		}
		// The same key redraws the same mask (teacher and student share
		// it); another step, layer or seed draws an independent one, which
		// disagrees on a fraction 2p(1-p).
		again := DropoutMask(k, n, p)
		for i := range mask {
			if mask[i] != again[i] {
				t.Fatalf("p=%g: one key gave two masks (element %d)", p, i)
			}
		}
		for _, other := range []RNGKey{{12345, 4, 7}, {12345, 3, 8}, {12346, 3, 7}, {12345 + 1<<32, 3, 7}} {
			om := DropoutMask(other, n, p)
			differ := 0.0
			for i := range mask {
				if mask[i] != om[i] {
					differ++
				}
			}
			q := 2 * p * (1 - p)
			if sd := math.Sqrt(n * q * (1 - q)); math.Abs(differ-n*q) > 5*sd {
				t.Errorf("p=%g: key %+v disagrees with %+v on %v of %d, want about %v", p, other, k, differ, n, n*q)
			}
		}
	}
}

func TestNormalStatistics(t *testing.T) {
	const n = 1 << 18
	z := Normals(RNGKey{Seed: 99, Step: 1}, n)
	var sum, sum2, sum4, lag float64
	for i, v := range z {
		sum += v
		sum2 += v * v
		sum4 += v * v * v * v
		if i > 0 {
			lag += v * z[i-1] // the cos/sin pair of one Box-Muller draw must be uncorrelated
		}
	}
	mean, vari, kurt := sum/n, sum2/n, sum4/n
	checks := []struct {
		name       string
		got, want  float64
		sdPerPoint float64 // standard deviation of one term
	}{
		{"mean", mean, 0, 1},
		{"variance", vari, 1, math.Sqrt(2)},
		{"fourth moment", kurt, 3, math.Sqrt(96)},
		{"lag-1 correlation", lag / n, 0, 1},
	}
	for _, c := range checks {
		if sd := c.sdPerPoint / math.Sqrt(n); math.Abs(c.got-c.want) > 5*sd {
			t.Errorf("normals: %s %.5f, want %v within %.5f", c.name, c.got, c.want, 5*sd)
		}
	}
	// Different streams: normals and dropout for one key must not share words.
	k := RNGKey{Seed: 1}
	if k.Block(StreamNormal, 0) == k.Block(StreamDropout, 0) {
		t.Error("normal and dropout streams gave the same block")
	}
}
