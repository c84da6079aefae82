package nn

import (
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// Broadcast ops are one float32 operation per element forward; the
// gradient of the broadcast vector sums at most a few hundred products.
const broadcastTol = 1e-5

// sampleShape views x [B,...] as [B,1,per,1] so a per-sample scalar is
// ref's per-channel vector with C = 1.
func sampleShape(shape []int) [4]int {
	return [4]int{shape[0], 1, numel(shape) / shape[0], 1}
}

func shape4(s []int) [4]int { return [4]int{s[0], s[1], s[2], s[3]} }

func addChannelCase(name string, xs []int) opCase {
	return opCase{
		name:   name,
		inputs: []input{{shape: xs}, {shape: xs[:2]}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.AddChannel(in[0], in[1]) },
		ref:    func(in [][]float64) []float64 { return ref.AddChannel(in[0], shape4(xs), in[1]) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gv := ref.AddChannelBackward(shape4(xs), gy)
			return [][]float64{gx, gv}
		},
		tol: broadcastTol,
	}
}

func mulChannelCase(name string, xs []int) opCase {
	return opCase{
		name:   name,
		inputs: []input{{shape: xs}, {shape: xs[:2]}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.MulChannel(in[0], in[1]) },
		ref:    func(in [][]float64) []float64 { return ref.MulChannel(in[0], shape4(xs), in[1]) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gv := ref.MulChannelBackward(in[0], shape4(xs), in[1], gy)
			return [][]float64{gx, gv}
		},
		tol: broadcastTol,
	}
}

var _ = addCases(
	addChannelCase("add_channel", []int{2, 5, 7, 7}),
	addChannelCase("add_channel/b1", []int{1, 3, 9, 9}),
	mulChannelCase("mul_channel", []int{3, 7, 7, 9}),
	mulChannelCase("mul_channel/b1", []int{1, 5, 9, 7}),
	// Runs of a multiple of 4 elements: the broadcast kernel's vec4 path.
	addChannelCase("add_channel/vec4", []int{2, 3, 4, 4}),
	mulChannelCase("mul_channel/vec4", []int{2, 3, 4, 8}),
	parameterizationCase("c_skip*x+c_out*silu(c_in*x)/vec4", []int{2, 3, 4, 4}),
	opCase{
		name:   "add_sample",
		inputs: []input{{shape: []int{3, 5, 7, 7}}, {shape: []int{3}}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.AddSample(in[0], in[1]) },
		ref:    func(in [][]float64) []float64 { return ref.AddChannel(in[0], sampleShape([]int{3, 5, 7, 7}), in[1]) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gv := ref.AddChannelBackward(sampleShape([]int{3, 5, 7, 7}), gy)
			return [][]float64{gx, gv}
		},
		tol: broadcastTol,
	},
	opCase{
		name:   "mul_sample",
		inputs: []input{{shape: []int{2, 3, 9, 9}}, {shape: []int{2, 1}}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.MulSample(in[0], in[1]) },
		ref:    func(in [][]float64) []float64 { return ref.MulChannel(in[0], sampleShape([]int{2, 3, 9, 9}), in[1]) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gv := ref.MulChannelBackward(in[0], sampleShape([]int{2, 3, 9, 9}), in[1], gy)
			return [][]float64{gx, gv}
		},
		tol: broadcastTol,
	},
	parameterizationCase("c_skip*x+c_out*silu(c_in*x)", []int{3, 5, 7, 7}),
)

func TestBroadcastShapeErrors(t *testing.T) {
	e := engine(t)
	for _, c := range []struct {
		run  func()
		want string
	}{
		{func() { e.AddChannel(e.Empty(2, 3, 5, 5), e.Empty(2, 4)) }, "nn: add_channel: x [2 3 5 5] must be [B,C,H,W] and v [2 4] must be [B,C]"},
		{func() { e.MulChannel(e.Empty(2, 3, 5), e.Empty(2, 3)) }, "nn: mul_channel: x [2 3 5] must be [B,C,H,W] and v [2 3] must be [B,C]"},
		{func() { e.MulSample(e.Empty(2, 3, 5, 5), e.Empty(3)) }, "nn: mul_sample: x [2 3 5 5] needs one scalar per sample, s [2], got s [3]"},
	} {
		c.run()
		if err := e.Err(); err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %q", err, c.want)
		}
		e.ClearErr()
	}
}

var _ = addCases(
	opCase{
		name:   "add bias linear",
		inputs: []input{{shape: []int{5, 7}}, {shape: []int{7}}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.AddBias(in[0], in[1]) },
		ref:    func(in [][]float64) []float64 { return refAddBias(in[0], in[1], 5, 7, 1) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{gy, refBiasGrad(gy, 5, 7, 1)}
		},
		tol: 1e-5,
	},
	opCase{
		name:   "add bias conv",
		inputs: []input{{shape: []int{3, 5, 7, 9}}, {shape: []int{5}}},
		gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.AddBias(in[0], in[1]) },
		ref:    func(in [][]float64) []float64 { return refAddBias(in[0], in[1], 3, 5, 63) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{gy, refBiasGrad(gy, 3, 5, 63)}
		},
		tol: 1e-5,
	},
)

// refAddBias adds b[c] to x viewed as [n, c, inner].
func refAddBias(x, b []float64, n, c, inner int) []float64 {
	y := make([]float64, len(x))
	for i := range x {
		y[i] = x[i] + b[(i/inner)%c]
	}
	return y
}

func refBiasGrad(gy []float64, n, c, inner int) []float64 {
	g := make([]float64, c)
	for i, v := range gy {
		g[(i/inner)%c] += v
	}
	return g
}

// parameterizationCase is the consistency parameterization's shape,
// c_skip x + c_out F(c_in x) with F = SiLU: x reaches the output along two
// paths, and the per-sample scalars are constants as in training.
func parameterizationCase(name string, xs []int) opCase {
	b := xs[0]
	return opCase{
		name: name,
		inputs: []input{
			{shape: xs, lo: -2, hi: 2},
			{shape: []int{b}, lo: 0.1, hi: 1, noGrad: true},
			{shape: []int{b}, lo: 0.1, hi: 1, noGrad: true},
			{shape: []int{b}, lo: 0.1, hi: 1, noGrad: true},
		},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			x, cSkip, cOut, cIn := in[0], in[1], in[2], in[3]
			return e.Add(e.MulSample(x, cSkip), e.MulSample(e.SiLU(e.MulSample(x, cIn)), cOut))
		},
		ref: func(in [][]float64) []float64 {
			ss := sampleShape(xs)
			inner := ref.SiLU(ref.MulChannel(in[0], ss, in[3]))
			return ref.Add(ref.MulChannel(in[0], ss, in[1]), ref.MulChannel(inner, ss, in[2]))
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			ss := sampleShape(xs)
			scaled := ref.MulChannel(in[0], ss, in[3])
			gSkip, _ := ref.MulChannelBackward(in[0], ss, in[1], gy)
			gInner, _ := ref.MulChannelBackward(ref.SiLU(scaled), ss, in[2], gy)
			gScaled := ref.SiLUBackward(scaled, gInner)
			gIn, _ := ref.MulChannelBackward(in[0], ss, in[3], gScaled)
			return [][]float64{ref.Add(gSkip, gIn), nil, nil, nil}
		},
		tol: broadcastTol,
	}
}
