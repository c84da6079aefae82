package ct

import (
	"math"
	"testing"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/unet"
)

// Host recomputations for the tests that check the trainer's loss and the
// sampler against the paper's formulas. The network F runs on the device
// (it has its own tests in nn/unet); everything around it is recomputed
// here in float64 from the formulas, not from the package's own helpers.

// paperScalings are the consistency-model scalings (CM Appendix C; iCT
// §3.1) written out again:
//
//	c_skip = sd^2/((s-smin)^2 + sd^2), c_out = sd (s-smin)/sqrt(s^2 + sd^2),
//	c_in = 1/sqrt(s^2 + sd^2).
func paperScalings(r Recipe, sigma float64) (skip, out, in float64) {
	sd, smin := r.SigmaData, r.SigmaMin
	skip = sd * sd / ((sigma-smin)*(sigma-smin) + sd*sd)
	out = sd * (sigma - smin) / math.Sqrt(sigma*sigma+sd*sd)
	in = 1 / math.Sqrt(sigma*sigma+sd*sd)
	return skip, out, in
}

// hostForward runs net on the device on host values: F(cIn_b x_b,
// cNoise_b) for each sample b of x [B, C, H, W], under NoGrad with the
// given dropout key (nil: no dropout), and returns F in float64.
func hostForward(t *testing.T, e *nn.Engine, net *unet.Net, x []float64, cIn, cNoise []float64, key *nn.RNGKey) []float64 {
	t.Helper()
	c := net.Config
	b := len(cIn)
	per := len(x) / b
	in := make([]float32, len(x))
	for i, v := range x {
		in[i] = float32(cIn[i/per] * v)
	}
	noise := make([]float32, b)
	for i, v := range cNoise {
		noise[i] = float32(v)
	}
	var F []float32
	e.NoGrad(func() {
		y := net.Forward(e.FromData(in, b, c.ImageChannels, c.ImageSize, c.ImageSize), e.FromData(noise, b), key)
		var err error
		if F, err = y.Download(); err != nil {
			t.Fatal(err)
		}
	})
	e.Release()
	return f64(F)
}

// deviceNormals reads back the standard normals the device draws with key
// for a tensor of the given shape.
func deviceNormals(t *testing.T, e *nn.Engine, key nn.RNGKey, shape ...int) []float64 {
	t.Helper()
	z, err := e.RandNormal(key, shape...).Download()
	if err != nil {
		t.Fatal(err)
	}
	e.Release()
	return f64(z)
}

func f64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func repeated(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// randomizeWeights gives every parameter of net random values in
// [-scale, scale]: at initialization every block's last convolution is
// zero, so the network would ignore its input's details and dropout.
func randomizeWeights(net *unet.Net, seed uint64, scale float32) {
	for i, p := range net.Params() {
		p.Tensor.Upload(scaled(batchOf(seed+uint64(i), p.Tensor.Len()), scale))
	}
}
