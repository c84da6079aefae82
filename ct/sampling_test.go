package ct

import (
	"math"
	"testing"

	"github.com/ictvk/ictvk/nn/nntest"
	"github.com/ictvk/ictvk/nn/unet"
)

// TestSampleChunksDrawTheSameImages: n images drawn in chunks of 7, in one
// chunk, and each alone at its index are the same images, with one and
// two sampling steps (two carry each chunk across a Release).
func TestSampleChunksDrawTheSameImages(t *testing.T) {
	e := nntest.Open(t, true)
	run := tinyRun()
	tr, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	// Two steps move the output convolutions off zero, so the network's
	// part of each image depends on its chunk's batch, not only the noise.
	for i := 0; i < 2; i++ {
		if err := tr.TrainStep(batchOf(uint64(40+i), 3*64)); err != nil {
			t.Fatal(err)
		}
	}
	const n = 17
	per := 64
	for _, sigmas := range [][]float64{run.Recipe.OneStepSigmas(), run.Recipe.TwoStepSigmas()} {
		whole, err := SampleImages(e, tr.EMA, run.Recipe, n, sigmas, 9, n)
		if err != nil {
			t.Fatal(err)
		}
		by7, err := SampleImages(e, tr.EMA, run.Recipe, n, sigmas, 9, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(whole) != n*per || len(by7) != n*per {
			t.Fatalf("%d and %d values, want %d", len(whole), len(by7), n*per)
		}
		d, at := maxDiff(whole, by7)
		if d > 1e-6 {
			t.Errorf("%d steps: chunks of 7 differ from one chunk by %g at image %d", len(sigmas), d, at/per)
		}
		t.Logf("%d steps: chunks of 7 vs one chunk: largest difference %g", len(sigmas), d)
		for _, i := range []int{0, 6, 7, 13, 16} {
			x, err := SampleAt(e, tr.EMA, run.Recipe, i, 1, sigmas, 9)
			if err != nil {
				t.Fatal(err)
			}
			one, err := x.Download()
			if err != nil {
				t.Fatal(err)
			}
			e.Release()
			for j, v := range one {
				one[j] = min(1, max(-1, v))
			}
			if d, _ := maxDiff(one, whole[i*per:(i+1)*per]); d > 1e-6 {
				t.Errorf("%d steps: image %d drawn alone differs by %g", len(sigmas), i, d)
			}
		}
		// Distinct images: each chunk starts at its own rows of the noise.
		if d, _ := maxDiff(whole[:per], whole[7*per:8*per]); d < 1e-3 {
			t.Errorf("%d steps: images 0 and 7 are the same", len(sigmas))
		}
	}
}

func maxDiff(a, b []float32) (float64, int) {
	d, at := 0.0, -1
	for i := range a {
		if v := math.Abs(float64(a[i] - b[i])); v > d || math.IsNaN(v) {
			d, at = v, i
			if math.IsNaN(v) {
				return math.Inf(1), i
			}
		}
	}
	return d, at
}

// TestSampleCountLimit: one seed's noise stream holds 2^32 values.
func TestSampleCountLimit(t *testing.T) {
	if err := CheckSampleCount(1<<24, 256); err != nil {
		t.Errorf("2^24 images of 256 values: %v", err)
	}
	if err := CheckSampleCount(1<<24+1, 256); err == nil {
		t.Error("2^24+1 images of 256 values pass")
	}
	if err := CheckSampleCount(0, 256); err == nil {
		t.Error("0 images pass")
	}
}

// TestSampleChunksUnderAMemoryLimit samples two and three-quarter chunks of
// the size the device allows under a 48 MiB limit, two steps each: the
// smaller last chunk must not need memory beside the full chunks' pool (the
// pool gives idle buffers of other sizes back before reserving more).
func TestSampleChunksUnderAMemoryLimit(t *testing.T) {
	e := nntest.OpenLimited(t, 48<<20)
	run := tinyRun()
	net, err := unet.NewFrozen(e, run.Net, run.Seed)
	if err != nil {
		t.Fatal(err)
	}
	chunk, err := PassSize(e, net, SamplePass, 100000)
	if err != nil {
		t.Fatal(err)
	}
	n := 2*chunk + 3*chunk/4
	t.Logf("chunks of %d, %d images", chunk, n)
	vals, err := SampleImages(e, net, run.Recipe, n, run.Recipe.TwoStepSigmas(), 5, 0)
	if err != nil {
		t.Fatalf("sampling %d images in chunks of %d: %v", n, chunk, err)
	}
	for i, v := range vals {
		if !(v >= -1 && v <= 1) {
			t.Fatalf("value %d of image %d is %v", i%64, i/64, v)
		}
	}
}
