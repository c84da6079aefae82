package ct

import (
	"errors"
	"fmt"
	"math"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/unet"
	"github.com/ictvk/ictvk/vk"
)

// Multistep consistency sampling (CM Algorithm 1) with noise levels
// sigma_1 > sigma_2 > ... : x = clamp(f(sigma_1 z, sigma_1)), then for each
// later sigma, x = clamp(f(x + RenoiseStd(sigma) z', sigma)) with fresh
// noise z', where clamp limits values to the data range [-1, 1].
//
// Every step's output is clamped, the last one included, as the
// consistency-models code does (karras_sample's denoiser clamps each
// denoised image when clip_denoised, and its multistep sampler re-noises
// that clamped image): an estimate of a clean image outside the data range
// is wrong by at least its excess, and the next step would otherwise start
// from noise around a point no training image is near. The last step's
// clamp is what a saved image needs anyway.

// dataLo and dataHi bound the values of a clean image: ct/data scales
// every dataset to [-1, 1].
const dataLo, dataHi = -1, 1

// OneStepSigmas returns the noise levels of one-step sampling: sigma_max.
func (r Recipe) OneStepSigmas() []float64 {
	return []float64{r.SigmaMax}
}

// TwoStepSigmas returns the noise levels of iCT's two-step sampling:
// sigma_max, then SigmaMid (0.821 by default).
func (r Recipe) TwoStepSigmas() []float64 {
	return []float64{r.SigmaMax, r.SigmaMid}
}

// RenoiseStd returns the standard deviation sqrt(sigma^2 - sigma_min^2)
// of the noise added to a clean estimate before evaluating f at sigma:
// the estimate already sits at sigma_min, so this brings the total to
// sigma. Levels at or below sigma_min give 0.
func (r Recipe) RenoiseStd(sigma float64) float64 {
	return math.Sqrt(math.Max(sigma*sigma-r.SigmaMin*r.SigmaMin, 0))
}

// CheckSamplerSigmas reports whether sigmas is a usable list of sampling
// noise levels: non-empty, strictly decreasing, within
// (sigma_min, sigma_max].
func (r Recipe) CheckSamplerSigmas(sigmas []float64) error {
	if len(sigmas) == 0 {
		return fmt.Errorf("ct: sampler needs at least one noise level")
	}
	for j, s := range sigmas {
		if !(s > r.SigmaMin && s <= r.SigmaMax) {
			return fmt.Errorf("ct: sampler noise level %d = %v is outside (sigma_min, sigma_max] = (%v, %v]", j+1, s, r.SigmaMin, r.SigmaMax)
		}
		if j > 0 && !(s < sigmas[j-1]) {
			return fmt.Errorf("ct: sampler noise levels must decrease, but level %d = %v follows %v", j+1, s, sigmas[j-1])
		}
	}
	return nil
}

// Sample runs multistep consistency sampling (CM Algorithm 1) with net:
// images 0..n-1 of the draw noiseSeed names, in one pass. It returns a
// step tensor [n, C, H, W] of values in [-1, 1]: read it before the next
// Release.
func Sample(e *nn.Engine, net *unet.Net, r Recipe, n int, sigmas []float64, noiseSeed uint64) (*nn.Tensor, error) {
	return SampleAt(e, net, r, 0, n, sigmas, noiseSeed)
}

// SampleAt is Sample for images first..first+n-1 of the draw: image i
// starts from row i of each step's noise over all images, so a set of
// images drawn in chunks of any size, or one at a time, is the same set.
func SampleAt(e *nn.Engine, net *unet.Net, r Recipe, first, n int, sigmas []float64, noiseSeed uint64) (*nn.Tensor, error) {
	if err := r.CheckSamplerSigmas(sigmas); err != nil {
		return nil, err
	}
	if first < 0 || n < 1 {
		return nil, fmt.Errorf("ct: sampling images %d..%d", first, first+n-1)
	}
	var x *nn.Tensor
	e.NoGrad(func() {
		for j, sigma := range sigmas {
			x = sampleStep(e, net, r, x, first, n, j, sigma, noiseSeed)
		}
	})
	return x, e.Err()
}

// sampleStep records step j of multistep sampling at noise level sigma:
// clamp(f(sigma z)) for the first step, clamp(f(x + RenoiseStd(sigma) z))
// after it.
func sampleStep(e *nn.Engine, net *unet.Net, r Recipe, x *nn.Tensor, first, n, j int, sigma float64, noiseSeed uint64) *nn.Tensor {
	c := net.Config
	key := nn.RNGKey{Seed: noiseSeed, Step: uint32(j), FirstSample: first}
	z := e.RandNormal(key, n, c.ImageChannels, c.ImageSize, c.ImageSize)
	var xn *nn.Tensor
	if x == nil {
		xn = e.Scale(z, float32(sigma))
	} else {
		xn = e.Add(x, e.Scale(z, float32(r.RenoiseStd(sigma))))
	}
	sc := r.Scalings(sigma)
	perSample := func(v float64) *nn.Tensor {
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = float32(v)
		}
		t := e.Empty(n)
		t.Write(vals)
		return t
	}
	F := net.Forward(e.MulSample(xn, perSample(sc.In)), perSample(sc.Noise), nil)
	return e.Clamp(e.Add(e.Scale(xn, float32(sc.Skip)), e.Scale(F, float32(sc.Out))), dataLo, dataHi)
}

// SampleChunks draws images 0..n-1 of the draw noiseSeed names, chunk
// images per pass, and hands each pass's images to fn in order, on the
// host (clamped to [-1, 1] on the device, as every step is): images holds
// images first, first+1, ... as C*H*W values each. The images do not
// depend on chunk (see SampleAt); chunk <= 0 takes the largest sampling
// pass of at most n images that fits the device (PassSize).
//
// Only one pass's tensors are on the device at a time: SampleChunks calls
// e.Release after each sampling step, so the caller must hold no step
// tensors across it.
func SampleChunks(e *nn.Engine, net *unet.Net, r Recipe, n int, sigmas []float64, noiseSeed uint64, chunk int, fn func(first int, images []float32) error) error {
	if err := r.CheckSamplerSigmas(sigmas); err != nil {
		return err
	}
	c := net.Config
	perImage := c.ImageChannels * c.ImageSize * c.ImageSize
	if err := CheckSampleCount(n, perImage); err != nil {
		return err
	}
	if chunk <= 0 {
		var err error
		if chunk, err = PassSize(e, net, SamplePass, n); err != nil {
			return err
		}
	}
	chunk = min(chunk, n)
	// carry keeps a pass's images from one sampling step to the next, so
	// that the step's other tensors can go back to the pool.
	var carry *nn.Tensor
	if len(sigmas) > 1 {
		carry = e.Persistent(chunk, c.ImageChannels, c.ImageSize, c.ImageSize)
		defer carry.Free()
	}
	for first := 0; first < n; {
		b := min(chunk, n-first)
		var x *nn.Tensor
		e.NoGrad(func() {
			for j, sigma := range sigmas {
				if j > 0 {
					held := carry
					if b < carry.Shape()[0] {
						held = carry.Slice(0, b)
					}
					e.CopyInto(held, x)
					e.Release()
					x = held
				}
				x = sampleStep(e, net, r, x, first, b, j, sigma, noiseSeed)
			}
		})
		if err := e.Err(); err != nil {
			if errors.Is(err, vk.ErrOutOfMemory) && b > 1 {
				// The fit is an estimate, and the allocator's blocks can
				// be fragmented: halve the chunk and draw the same images
				// again (each image's noise is keyed by its index, so the
				// images do not change with the chunk).
				e.ClearErr()
				e.Release()
				e.TrimPool()
				chunk = b / 2
				continue
			}
			return fmt.Errorf("ct: sampling images %d..%d: %w", first, first+b-1, err)
		}
		vals, err := x.Download()
		e.Release()
		if err != nil {
			return fmt.Errorf("ct: sampling images %d..%d: %w", first, first+b-1, err)
		}
		if err := fn(first, vals); err != nil {
			return err
		}
		first += b
	}
	return nil
}

// SampleImages is SampleChunks gathering all n images on the host:
// n*C*H*W values.
func SampleImages(e *nn.Engine, net *unet.Net, r Recipe, n int, sigmas []float64, noiseSeed uint64, chunk int) ([]float32, error) {
	c := net.Config
	perImage := c.ImageChannels * c.ImageSize * c.ImageSize
	if err := CheckSampleCount(n, perImage); err != nil {
		return nil, err
	}
	out := make([]float32, 0, n*perImage)
	err := SampleChunks(e, net, r, n, sigmas, noiseSeed, chunk, func(_ int, images []float32) error {
		out = append(out, images...)
		return nil
	})
	return out, err
}

// CheckSampleCount says whether n images of perImage values can be drawn
// with one noise seed: each sampling step's noise over all images is one
// random stream of at most 2^32 values.
func CheckSampleCount(n, perImage int) error {
	if n < 1 {
		return fmt.Errorf("ct: cannot sample %d images", n)
	}
	if most := (1 << 32) / perImage; n > most {
		return fmt.Errorf("ct: %d images of %d values each pass the 2^32 noise values of one seed's stream: draw at most %d per seed", n, perImage, most)
	}
	return nil
}
