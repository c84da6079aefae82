package data

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// BatchOptions configures a Batcher.
type BatchOptions struct {
	Size int    // images per batch; may exceed the dataset (batches then span epochs)
	Seed uint64 // the run's seed: equal seeds draw equal batches
	Flip bool   // mirror each drawn image horizontally with probability 1/2
}

// Batch is what one draw chose. Its slices belong to the Batcher and are
// overwritten by the next draw.
type Batch struct {
	Index []int  // dataset index of each image, in batch order
	Flip  []bool // whether each image is mirrored (all false without BatchOptions.Flip)
}

// Batcher draws batches from a Dataset without replacement within an
// epoch: each epoch visits the images in a fresh random permutation, and a
// batch that reaches the end of one epoch continues into the next, so
// every batch is full and no image is skipped. Permutations and flips come
// from one PCG generator per epoch (math/rand/v2's PCG, seeded from the
// run's seed and the epoch number), whose state State returns and Restore
// sets, so a resumed run draws exactly the batches of the uninterrupted
// one. The shuffle (Fisher-Yates with Lemire's bounded integers) is
// written here rather than taken from math/rand/v2's Shuffle so that the
// draws stay the same across Go versions. Not safe for concurrent use.
type Batcher struct {
	ds    *Dataset
	opt   BatchOptions
	epoch uint64
	pos   int     // images of perm already drawn this epoch
	perm  []int32 // this epoch's order
	rng   *rand.PCG
	batch Batch
}

// NewBatcher returns a Batcher at the start of epoch 0.
func NewBatcher(ds *Dataset, opt BatchOptions) (*Batcher, error) {
	if ds == nil || ds.N() == 0 {
		return nil, errors.New("data: batcher needs a dataset with at least one image")
	}
	if ds.N() > 1<<31-1 {
		return nil, fmt.Errorf("data: %s has %d images, more than a batcher indexes", ds.Name(), ds.N())
	}
	if opt.Size <= 0 {
		return nil, fmt.Errorf("data: batch size %d is not positive", opt.Size)
	}
	b := &Batcher{
		ds:    ds,
		opt:   opt,
		perm:  make([]int32, ds.N()),
		batch: Batch{Index: make([]int, opt.Size), Flip: make([]bool, opt.Size)},
	}
	b.startEpoch(0)
	return b, nil
}

// Options returns the options the Batcher was made with.
func (b *Batcher) Options() BatchOptions { return b.opt }

// Epoch returns the current epoch (from 0) and how many of its images
// have been drawn.
func (b *Batcher) Epoch() (epoch uint64, drawn int) { return b.epoch, b.pos }

// startEpoch seeds epoch e's generator and draws its permutation.
func (b *Batcher) startEpoch(e uint64) {
	b.epoch, b.pos = e, 0
	b.rng = rand.NewPCG(splitmix64(b.opt.Seed), splitmix64(b.opt.Seed^splitmix64(e)))
	for i := range b.perm {
		b.perm[i] = int32(i)
	}
	for i := len(b.perm) - 1; i > 0; i-- {
		j := boundedUint(b.rng, uint64(i)+1)
		b.perm[i], b.perm[j] = b.perm[j], b.perm[i]
	}
}

// Draw chooses the next batch, its indices and then its flips, without
// touching pixels (for a trainer that gathers from a copy of the dataset
// on the device).
func (b *Batcher) Draw() Batch {
	for k := range b.batch.Index {
		if b.pos == len(b.perm) {
			b.startEpoch(b.epoch + 1)
		}
		b.batch.Index[k] = int(b.perm[b.pos])
		b.pos++
	}
	var word uint64
	for k := range b.batch.Flip {
		if !b.opt.Flip {
			b.batch.Flip[k] = false
			continue
		}
		if k%64 == 0 {
			word = b.rng.Uint64()
		}
		b.batch.Flip[k] = word&1 == 1
		word >>= 1
	}
	return b.batch
}

// Next draws the next batch and writes its images, mirrored where drawn,
// into dst, which must hold exactly Size x channels x height x width
// values (NCHW).
func (b *Batcher) Next(dst []float32) (Batch, error) {
	per := b.ds.ImageElements()
	if len(dst) != b.opt.Size*per {
		c, h, w := b.ds.Shape()
		return Batch{}, fmt.Errorf("data: batch buffer holds %d values; a batch of %d images of %dx%dx%d needs %d",
			len(dst), b.opt.Size, c, h, w, b.opt.Size*per)
	}
	batch := b.Draw()
	_, _, w := b.ds.Shape()
	for k, i := range batch.Index {
		out, img := dst[k*per:(k+1)*per], b.ds.Image(i)
		if !batch.Flip[k] {
			copy(out, img)
			continue
		}
		for r := 0; r < per; r += w {
			row, src := out[r:r+w], img[r:r+w]
			for x := range row {
				row[x] = src[w-1-x]
			}
		}
	}
	return batch, nil
}

// BatcherState is everything a checkpoint needs to resume a Batcher
// exactly: the seed and dataset size it ran with (checked on restore),
// the epoch, the position in the epoch's permutation and the generator's
// state. The permutation itself is recomputed from the seed and epoch.
type BatcherState struct {
	Seed  uint64
	N     int  // images in the dataset
	Flip  bool // whether flips were drawn
	Epoch uint64
	Pos   int    // images of this epoch already drawn
	RNG   []byte // math/rand/v2 PCG state, from its MarshalBinary
}

// State returns the Batcher's state after the batches drawn so far.
func (b *Batcher) State() BatcherState {
	rng, err := b.rng.MarshalBinary()
	if err != nil {
		panic("data: PCG state does not marshal: " + err.Error()) // cannot happen: PCG's MarshalBinary never fails
	}
	return BatcherState{Seed: b.opt.Seed, N: len(b.perm), Flip: b.opt.Flip, Epoch: b.epoch, Pos: b.pos, RNG: rng}
}

// Restore continues from a state State returned, for the same dataset,
// seed and flip setting (the batch size may differ).
func (b *Batcher) Restore(s BatcherState) error {
	if s.N != len(b.perm) {
		return fmt.Errorf("data: batcher state was saved for a dataset of %d images; %s has %d", s.N, b.ds.Name(), len(b.perm))
	}
	if s.Seed != b.opt.Seed {
		return fmt.Errorf("data: batcher state was drawn with seed %d; this batcher has seed %d", s.Seed, b.opt.Seed)
	}
	if s.Flip != b.opt.Flip {
		return fmt.Errorf("data: batcher state was drawn with flips %v; this batcher has flips %v", s.Flip, b.opt.Flip)
	}
	if s.Pos < 0 || s.Pos > s.N {
		return fmt.Errorf("data: batcher state's position %d is outside its epoch of %d images", s.Pos, s.N)
	}
	var rng rand.PCG
	if err := rng.UnmarshalBinary(s.RNG); err != nil {
		return fmt.Errorf("data: batcher state's generator state is corrupt: %v", err)
	}
	b.startEpoch(s.Epoch)
	b.pos = s.Pos
	*b.rng = rng
	return nil
}

// batcherStateTag starts a marshalled BatcherState; the digit is the
// layout's version.
const batcherStateTag = "ictvk-batcher-1\n"

// MarshalBinary encodes the state for a checkpoint: the tag, then Seed,
// N, Flip (0 or 1), Epoch, Pos as little-endian uint64s and the
// generator's state.
func (s BatcherState) MarshalBinary() ([]byte, error) {
	out := make([]byte, 0, len(batcherStateTag)+5*8+len(s.RNG))
	out = append(out, batcherStateTag...)
	flip := uint64(0)
	if s.Flip {
		flip = 1
	}
	for _, v := range []uint64{s.Seed, uint64(s.N), flip, s.Epoch, uint64(s.Pos)} {
		out = binary.LittleEndian.AppendUint64(out, v)
	}
	return append(out, s.RNG...), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (s *BatcherState) UnmarshalBinary(b []byte) error {
	head := len(batcherStateTag) + 5*8
	if len(b) < head || string(b[:len(batcherStateTag)]) != batcherStateTag {
		return errors.New("data: not a saved batcher state (wrong tag or too short)")
	}
	v := func(i int) uint64 { return binary.LittleEndian.Uint64(b[len(batcherStateTag)+8*i:]) }
	if v(1) > 1<<31-1 || v(2) > 1 || v(4) > v(1) {
		return errors.New("data: saved batcher state is corrupt (size, flip or position out of range)")
	}
	*s = BatcherState{
		Seed: v(0), N: int(v(1)), Flip: v(2) == 1, Epoch: v(3), Pos: int(v(4)),
		RNG: append([]byte(nil), b[head:]...),
	}
	return nil
}

// splitmix64 scrambles a seed (Steele, Lea & Flood's SplitMix64
// finalizer), so that neighboring seeds and epochs start unrelated
// generators.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// boundedUint returns a uniform integer in [0, n), n > 0, by Lemire's
// multiply-and-reject method ("Fast Random Integer Generation in an
// Interval", 2019).
func boundedUint(src *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		threshold := -n % n
		for lo < threshold {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}
