package ct

import (
	"math"
	"testing"

	"github.com/ictvk/ictvk/nn"
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

// TestTwoStepSamplingClampsEachStep recomputes two-step sampling on the
// host in float64 around the device's network: x1 = clamp(f(sigma_max z1,
// sigma_max)), x2 = clamp(f(x1 + sqrt(sigma_mid^2 - sigma_min^2) z2,
// sigma_mid)), with f = c_skip x + c_out F(c_in x, c_noise) and clamp to
// [-1, 1], as the consistency-models sampler does. The network's output
// convolution is scaled up so that most of f's first values leave [-1, 1]:
// a sampler that re-noised the unclamped first step, or returned an
// unclamped last one, fails.
func TestTwoStepSamplingClampsEachStep(t *testing.T) {
	e := nntest.Open(t, true)
	run := tinyRun()
	r := run.Recipe
	net, err := unet.NewFrozen(e, run.Net, run.Seed)
	if err != nil {
		t.Fatal(err)
	}
	randomizeWeights(net, 300, 0.3)
	out := net.Params()[len(net.Params())-2].Tensor // the output convolution's weights
	out.Upload(scaled(batchOf(400, out.Len()), 6))

	const n, seed = 5, 11
	c := run.Net
	per := c.ImageChannels * c.ImageSize * c.ImageSize
	shape := []int{n, c.ImageChannels, c.ImageSize, c.ImageSize}
	sigmas := r.TwoStepSigmas()
	if sigmas[0] != 80 || sigmas[1] != 0.821 {
		t.Fatalf("two-step sigmas %v, want iCT's 80 and 0.821", sigmas)
	}
	clamp := func(v float64) float64 { return math.Min(1, math.Max(-1, v)) }
	var x []float64 // the last step's clamped images
	outside := 0
	for j, sigma := range sigmas {
		z := deviceNormals(t, e, nn.RNGKey{Seed: seed, Step: uint32(j)}, shape...)
		xn := make([]float64, len(z))
		for i := range z {
			if j == 0 {
				xn[i] = sigma * z[i]
			} else {
				xn[i] = x[i] + math.Sqrt(sigma*sigma-r.SigmaMin*r.SigmaMin)*z[i]
			}
		}
		skip, cOut, cIn := paperScalings(r, sigma)
		F := hostForward(t, e, net, xn, repeated(cIn, n), repeated(r.CNoise(sigma), n), nil)
		x = make([]float64, len(xn))
		for i := range xn {
			f := skip*xn[i] + cOut*F[i]
			if j == 0 && math.Abs(f) > 1.1 {
				outside++
			}
			x[i] = clamp(f)
		}
	}
	// Without values well outside [-1, 1] the test could not fail.
	if outside < len(x)/4 {
		t.Fatalf("only %d of %d first-step values leave [-1.1, 1.1]: scale the network up", outside, len(x))
	}
	t.Logf("%d of %d first-step values leave [-1.1, 1.1]", outside, len(x))

	check := func(what string, got []float32) {
		t.Helper()
		if len(got) != n*per {
			t.Fatalf("%s: %d values, want %d", what, len(got), n*per)
		}
		worst, at := 0.0, 0
		for i, v := range got {
			if d := math.Abs(float64(v) - x[i]); d > worst || math.IsNaN(d) {
				worst, at = d, i
			}
		}
		// float32 on the device, float64 here: only rounding differs
		if !(worst <= 1e-4) {
			t.Errorf("%s: value %d of image %d is %v, the float64 chain gives %v (difference %g)", what, at%per, at/per, got[at], x[at], worst)
		}
		t.Logf("%s: largest difference from the float64 chain %g", what, worst)
	}
	y, err := Sample(e, net, r, n, sigmas, seed)
	if err != nil {
		t.Fatal(err)
	}
	got, err := y.Download()
	if err != nil {
		t.Fatal(err)
	}
	e.Release()
	check("Sample", got)
	// In chunks of 2: the images cross a Release between the steps.
	got, err = SampleImages(e, net, r, n, sigmas, seed, 2)
	if err != nil {
		t.Fatal(err)
	}
	check("SampleImages in chunks of 2", got)
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
