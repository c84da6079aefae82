package data

import (
	"slices"
	"testing"
)

// testDataset makes n distinct 3-channel 4x5 images (non-square, so that a
// row flip is not a transpose) through the CIFAR-10 path's writer.
func testDataset(n int) *Dataset {
	const c, h, w = 3, 4, 5
	ds := &Dataset{name: "test", c: c, h: h, w: w, imageElements: c * h * w,
		pixels: make([]float32, n*c*h*w), labels: make([]uint8, n), classes: 10}
	for i := range ds.pixels {
		ds.pixels[i] = float32(i%251)/125 - 1
	}
	for i := range n {
		ds.labels[i] = uint8(i % 10)
	}
	return ds
}

type drawn struct {
	index  []int
	flip   []bool
	pixels []float32
}

func drawBatches(t *testing.T, b *Batcher, count int) []drawn {
	t.Helper()
	var out []drawn
	for range count {
		dst := make([]float32, b.Options().Size*b.ds.ImageElements())
		batch, err := b.Next(dst)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, drawn{slices.Clone(batch.Index), slices.Clone(batch.Flip), dst})
	}
	return out
}

func sameDraws(t *testing.T, what string, a, b []drawn) {
	t.Helper()
	for k := range a {
		if !slices.Equal(a[k].index, b[k].index) || !slices.Equal(a[k].flip, b[k].flip) || !slices.Equal(a[k].pixels, b[k].pixels) {
			t.Fatalf("%s: batch %d differs: %v %v vs %v %v", what, k, a[k].index, a[k].flip, b[k].index, b[k].flip)
		}
	}
}

func TestBatcherReproducible(t *testing.T) {
	ds := testDataset(23)
	opt := BatchOptions{Size: 5, Seed: 42, Flip: true}
	b1, err := NewBatcher(ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := NewBatcher(ds, opt)
	first := drawBatches(t, b1, 20)
	sameDraws(t, "same seed", first, drawBatches(t, b2, 20))

	b3, _ := NewBatcher(ds, BatchOptions{Size: 5, Seed: 43, Flip: true})
	other := drawBatches(t, b3, 2)
	if slices.Equal(first[0].index, other[0].index) && slices.Equal(first[1].index, other[1].index) {
		t.Fatal("seeds 42 and 43 drew the same batches")
	}

	// Each epoch visits every image once, in a new order.
	var stream []int
	for _, d := range first {
		stream = append(stream, d.index...)
	}
	var orders [][]int
	for e := 0; (e+1)*ds.N() <= len(stream); e++ {
		epoch := slices.Clone(stream[e*ds.N() : (e+1)*ds.N()])
		orders = append(orders, slices.Clone(epoch))
		slices.Sort(epoch)
		for i, v := range epoch {
			if v != i {
				t.Fatalf("epoch %d is not a permutation: %v", e, stream[e*ds.N():(e+1)*ds.N()])
			}
		}
	}
	if len(orders) < 2 || slices.Equal(orders[0], orders[1]) {
		t.Fatalf("epochs 0 and 1 have the same order")
	}
	if e, pos := b1.Epoch(); e != 4 || pos != 100-4*23 {
		t.Fatalf("after 100 images of 23: epoch %d, drawn %d", e, pos)
	}
}

func TestBatcherFlips(t *testing.T) {
	ds := testDataset(50)
	b, _ := NewBatcher(ds, BatchOptions{Size: 100, Seed: 7, Flip: true})
	_, h, w := ds.Shape()
	flips := 0
	for _, d := range drawBatches(t, b, 10) {
		for k, i := range d.index {
			img, out := ds.Image(i), d.pixels[k*ds.ImageElements():(k+1)*ds.ImageElements()]
			for r := range 3 * h {
				for x := range w {
					want := img[r*w+x]
					if d.flip[k] {
						want = img[r*w+w-1-x]
					}
					if out[r*w+x] != want {
						t.Fatalf("image %d (flip %v): row %d col %d = %v, want %v", i, d.flip[k], r, x, out[r*w+x], want)
					}
				}
			}
			if d.flip[k] {
				flips++
			}
		}
	}
	if flips < 430 || flips > 570 { // 1000 fair coins: 5 standard deviations
		t.Fatalf("%d of 1000 images flipped", flips)
	}
	nf, _ := NewBatcher(ds, BatchOptions{Size: 100, Seed: 7})
	for _, d := range drawBatches(t, nf, 3) {
		if slices.Contains(d.flip, true) {
			t.Fatal("a flip without BatchOptions.Flip")
		}
	}
}

// Saving the state after any number of batches (mid-epoch, at an epoch's
// end) and restoring it into a fresh Batcher continues exactly.
func TestBatcherResume(t *testing.T) {
	ds := testDataset(12)
	opt := BatchOptions{Size: 4, Seed: 99, Flip: true}
	for _, after := range []int{0, 1, 2, 3, 5, 7} {
		ref, _ := NewBatcher(ds, opt)
		drawBatches(t, ref, after)
		saved, err := ref.State().MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		want := drawBatches(t, ref, 8)

		var st BatcherState
		if err := st.UnmarshalBinary(saved); err != nil {
			t.Fatal(err)
		}
		resumed, _ := NewBatcher(ds, opt)
		drawBatches(t, resumed, 1) // a batcher that drew something else first
		if err := resumed.Restore(st); err != nil {
			t.Fatal(err)
		}
		sameDraws(t, "resumed", want, drawBatches(t, resumed, 8))
	}
}

func TestBatcherErrors(t *testing.T) {
	ds := testDataset(12)
	b, _ := NewBatcher(ds, BatchOptions{Size: 4, Seed: 1})
	_, err := b.Next(make([]float32, 5))
	wantErr(t, err, "holds 5 values", "needs 240")
	if _, err := NewBatcher(ds, BatchOptions{Size: 0}); err == nil {
		t.Fatal("batch size 0 accepted")
	}
	if _, err := NewBatcher(testDataset(0), BatchOptions{Size: 1}); err == nil {
		t.Fatal("empty dataset accepted")
	}
	st := b.State()
	other, _ := NewBatcher(testDataset(13), BatchOptions{Size: 4, Seed: 1})
	wantErr(t, other.Restore(st), "12 images", "has 13")
	other, _ = NewBatcher(ds, BatchOptions{Size: 4, Seed: 2})
	wantErr(t, other.Restore(st), "seed 1", "seed 2")
	other, _ = NewBatcher(ds, BatchOptions{Size: 4, Seed: 1, Flip: true})
	wantErr(t, other.Restore(st), "flips false")
	bad := st
	bad.RNG = []byte("junk")
	wantErr(t, b.Restore(bad), "generator state is corrupt")
	var s BatcherState
	wantErr(t, s.UnmarshalBinary([]byte("hello")), "not a saved batcher state")
}
