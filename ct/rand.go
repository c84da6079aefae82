package ct

import (
	"errors"
	"math/bits"
)

// Rand is xoshiro256** (Blackman & Vigna, 2018), a small, fast generator
// whose whole state is four words. Unlike math/rand, that state can be
// written to a checkpoint and restored, so a resumed run draws exactly the
// noise indices the uninterrupted run would have drawn. It is not safe for
// concurrent use.
type Rand struct {
	s RandState
}

// RandState is the complete state of a Rand. The all-zero state is
// invalid (the generator would emit only zeros).
type RandState [4]uint64

// NewRand returns a generator seeded from seed by SplitMix64, as the
// xoshiro authors recommend; every seed, 0 included, gives a valid state.
func NewRand(seed uint64) *Rand {
	var r Rand
	for i := range r.s {
		seed += 0x9e3779b97f4a7c15
		z := seed
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		r.s[i] = z ^ (z >> 31)
	}
	return &r
}

// State returns the generator's state for a checkpoint.
func (r *Rand) State() RandState { return r.s }

// SetState restores a state returned by State.
func (r *Rand) SetState(s RandState) error {
	if s == (RandState{}) {
		return errors.New("ct: random generator state is all zeros (not a saved state)")
	}
	r.s = s
	return nil
}

// Uint64 returns 64 uniformly random bits.
func (r *Rand) Uint64() uint64 {
	s := &r.s
	result := bits.RotateLeft64(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = bits.RotateLeft64(s[3], 45)
	return result
}

// Float64 returns a uniform number in [0, 1) with 53 random bits.
func (r *Rand) Float64() float64 {
	return float64(r.Uint64()>>11) * 0x1p-53
}

// Uint64n returns a uniform integer in [0, n) without modulo bias
// (Lemire, "Fast random integer generation in an interval", 2019).
// It panics if n is 0.
func (r *Rand) Uint64n(n uint64) uint64 {
	if n == 0 {
		panic("ct: Uint64n with n = 0")
	}
	hi, lo := bits.Mul64(r.Uint64(), n)
	if lo < n {
		threshold := -n % n
		for lo < threshold {
			hi, lo = bits.Mul64(r.Uint64(), n)
		}
	}
	return hi
}
