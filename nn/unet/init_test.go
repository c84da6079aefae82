package unet

import (
	"math"
	"strings"
	"testing"
)

// TestInitialization checks every parameter's initial distribution
// against NCSN++'s (openai/consistency_models_cifar10, jcm/models):
// convolutions and dense layers U(-l, l) with l = sqrt(3 / fan_avg)
// (default_init: variance scaling 1, fan_avg, uniform), the attention's
// q, k, v as NIN layers of scale 0.1 (l = sqrt(0.3 / C)), zeros for the
// residual blocks' last convolutions, the attention's output projection
// and the output convolution (init_scale 0), zero biases, GroupNorm
// scales 1 and shifts 0, and Fourier frequencies N(0, scale^2).
func TestInitialization(t *testing.T) {
	e := openEngine(t)
	c := mnistNet()
	c.FourierScale = 16 // large enough that float32 rounding is no concern
	n, err := New(e, c, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Free()
	for _, p := range n.Params() {
		v, err := p.Tensor.Download()
		if err != nil {
			t.Fatal(err)
		}
		shape := p.Tensor.Shape()
		name := p.Name
		switch {
		case strings.HasSuffix(name, ".g"):
			checkConstant(t, name, v, 1)
		case strings.HasSuffix(name, ".b"), strings.HasSuffix(name, ".conv2.w"),
			strings.HasSuffix(name, ".attn.out"), name == "out.conv.w":
			checkConstant(t, name, v, 0)
		case strings.HasSuffix(name, ".qkv"):
			ch := shape[1]
			checkUniform(t, name, v, math.Sqrt(0.3/float64(ch)))
		case strings.HasSuffix(name, ".w"):
			rf := 1
			for _, d := range shape[2:] {
				rf *= d
			}
			fanAvg := float64(shape[0]*rf+shape[1]*rf) / 2
			checkUniform(t, name, v, math.Sqrt(3/fanAvg))
		default:
			t.Errorf("%s %v: the test does not know this parameter's initialization", name, shape)
		}
	}
	if len(n.Buffers()) != 1 || n.Buffers()[0].Name != "embed.freqs" {
		t.Fatalf("buffers %v, want embed.freqs only", n.Buffers())
	}
	f, err := n.Buffers()[0].Tensor.Download()
	if err != nil {
		t.Fatal(err)
	}
	var ss float64
	for _, x := range f {
		ss += float64(x) * float64(x)
	}
	// sum x^2 / scale^2 is chi-squared with len(f) = 16 degrees of
	// freedom: [3, 40] holds all but about 1e-4 of it.
	if q := ss / (c.FourierScale * c.FourierScale); q < 3 || q > 40 {
		t.Errorf("Fourier frequencies: sum of squares / scale^2 = %.1f over %d, not N(0, %v^2)", q, len(f), c.FourierScale)
	}
}

func checkConstant(t *testing.T, name string, v []float32, want float32) {
	t.Helper()
	for i, x := range v {
		if x != want {
			t.Errorf("%s[%d] = %v, want %v everywhere", name, i, x, want)
			return
		}
	}
}

// checkUniform checks that v looks drawn from U(-limit, limit): no value
// outside, the largest near the limit, and the standard deviation
// limit/sqrt(3) within five standard errors (the variance of x^2 under
// U(-l, l) is 4 l^4 / 45).
func checkUniform(t *testing.T, name string, v []float32, limit float64) {
	t.Helper()
	var most, ss float64
	for _, x := range v {
		most = math.Max(most, math.Abs(float64(x)))
		ss += float64(x) * float64(x)
	}
	nv := float64(len(v))
	meanSq, want := ss/nv, limit*limit/3
	se := math.Sqrt(4 * limit * limit * limit * limit / 45 / nv)
	if most > limit*(1+1e-6) || most < limit*(1-20/nv) || math.Abs(meanSq-want) > 5*se {
		t.Errorf("%s: %d values, largest |x| %.4g, rms %.4g; want U(-%.4g, %.4g): largest near %.4g, rms %.4g",
			name, len(v), most, math.Sqrt(meanSq), limit, limit, limit, math.Sqrt(want))
	}
}
