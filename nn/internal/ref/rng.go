package ref

import (
	"fmt"
	"math"
	"math/bits"
)

// The Philox4x32 constants from Random123's philox.h.
const (
	philoxM0 = 0xD2511F53
	philoxM1 = 0xCD9E8D57
	philoxW0 = 0x9E3779B9 // golden ratio
	philoxW1 = 0xBB67AE85 // sqrt(3) - 1
)

// Philox4x32 is the Philox4x32-10 block function: ten rounds of the
// multiply-xor mix with the key bumped by the Weyl constants between
// rounds. It matches Random123's philox4x32(ctr, key) known answers.
func Philox4x32(counter [4]uint32, key [2]uint32) [4]uint32 {
	c, k := counter, key
	for r := 0; r < 10; r++ {
		if r > 0 {
			k[0] += philoxW0
			k[1] += philoxW1
		}
		hi0, lo0 := bits.Mul32(philoxM0, c[0])
		hi1, lo1 := bits.Mul32(philoxM1, c[2])
		c = [4]uint32{hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0}
	}
	return c
}

// Streams keep dropout and noise for the same key apart (counter word 3).
const (
	StreamDropout uint32 = 0
	StreamNormal  uint32 = 1
)

// RNGKey names one draw of random numbers: the run's seed, the training
// step, and the layer (a dropout site's index, or an index reserved for
// the noise draw).
type RNGKey struct {
	Seed  uint64
	Step  uint32
	Layer uint32
}

// Block returns the Philox output for element block b (elements 4b..4b+3)
// of the given stream.
func (k RNGKey) Block(stream, b uint32) [4]uint32 {
	return Philox4x32(
		[4]uint32{b, k.Step, k.Layer, stream},
		[2]uint32{uint32(k.Seed), uint32(k.Seed >> 32)},
	)
}

// word returns element e's 32 random bits from the stream, and its block.
func (k RNGKey) word(stream uint32, e int) (uint32, [4]uint32) {
	if e < 0 || e>>2 > math.MaxUint32 {
		panic(fmt.Sprintf("ref: element index %d outside [0, 2^34)", e))
	}
	blk := k.Block(stream, uint32(e>>2))
	return blk[e&3], blk
}

// Uniform maps 32 random bits to (u>>8)*2^-24 + 2^-25, in (0,1).
func Uniform(u uint32) float64 {
	return float64(u>>8)*0x1p-24 + 0x1p-25
}

// BoxMuller turns two words into two independent standard normals,
// r cos(2 pi U(u2)) and r sin(2 pi U(u2)) with r = sqrt(-2 ln U(u1)).
func BoxMuller(u1, u2 uint32) (z0, z1 float64) {
	r := math.Sqrt(-2 * math.Log(Uniform(u1)))
	a := 2 * math.Pi * Uniform(u2)
	return r * math.Cos(a), r * math.Sin(a)
}

// DropThreshold returns T such that, for every word u,
// (u>>8) < T exactly when U(u) < p: element dropped. It is the number of
// 24-bit values k with (k + 0.5) 2^-24 < p.
func DropThreshold(p float64) uint32 {
	t := math.Ceil(p*0x1p24 - 0.5)
	return uint32(min(max(t, 0), 0x1p24))
}

// DropoutKeep reports whether dropout with drop probability p keeps
// element e under key k.
func DropoutKeep(k RNGKey, e int, p float64) bool {
	w, _ := k.word(StreamDropout, e)
	return w>>8 >= DropThreshold(p)
}

// DropoutMask returns the keep mask (1 kept, 0 dropped) of n elements.
func DropoutMask(k RNGKey, n int, p float64) []float64 {
	mask := make([]float64, n)
	for e := range mask {
		if DropoutKeep(k, e, p) {
			mask[e] = 1
		}
	}
	return mask
}

// Normal returns element e's standard normal under key k.
func Normal(k RNGKey, e int) float64 {
	_, blk := k.word(StreamNormal, e)
	pair := (e % 4) / 2 // words (0,1) serve e%4 in {0,1}, words (2,3) serve {2,3}
	z0, z1 := BoxMuller(blk[2*pair], blk[2*pair+1])
	if e&1 == 0 {
		return z0
	}
	return z1
}

// Normals returns the first n standard normals under key k.
func Normals(k RNGKey, n int) []float64 {
	z := make([]float64, n)
	for e := range z {
		z[e] = Normal(k, e)
	}
	return z
}

// Dropout returns x*mask/(1-p), the inverted dropout that keeps the
// expected activation unchanged; mask holds 1 (kept) or 0 (dropped) and p
// must be below 1.
func Dropout(x, mask []float64, p float64) []float64 {
	checkLen("Dropout", "mask", mask, len(x))
	y := make([]float64, len(x))
	for i := range x {
		y[i] = x[i] * mask[i] / (1 - p)
	}
	return y
}

// DropoutBackward returns gy*mask/(1-p).
func DropoutBackward(mask []float64, p float64, gy []float64) []float64 {
	return Dropout(gy, mask, p)
}
