package nn

import (
	"fmt"
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// Convolutions sum Cin·kh·kw products per output (and B·Ho·Wo for the
// weight gradient): 1e-5 of the largest value for these small shapes.
const convTol = 1e-5

func convCase(b, cin, h, w, cout, k, stride, pad int, bias bool) opCase {
	xs, ws := [4]int{b, cin, h, w}, [4]int{cout, cin, k, k}
	inputs := []input{{shape: xs[:]}, {shape: ws[:]}}
	if bias {
		inputs = append(inputs, input{shape: []int{cout}})
	}
	return opCase{
		name:   fmt.Sprintf("conv2d %v*%v s%d p%d bias=%v", xs, ws, stride, pad, bias),
		inputs: inputs,
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			var bt *Tensor
			if bias {
				bt = in[2]
			}
			return e.Conv2d(in[0], in[1], bt, stride, pad)
		},
		ref: func(in [][]float64) []float64 {
			var bv []float64
			if bias {
				bv = in[2]
			}
			y, _ := ref.Conv2d(in[0], xs, in[1], ws, bv, stride, pad)
			return y
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gw, gb := ref.Conv2dBackward(in[0], xs, in[1], ws, gy, stride, pad)
			if bias {
				return [][]float64{gx, gw, gb}
			}
			return [][]float64{gx, gw}
		},
		tol: convTol,
	}
}

// convPadCase is a convolution with a kh x kw kernel and padding per axis
// (Inception's 1x7 / 7x1 and 1x3 / 3x1 layers).
func convPadCase(xs, ws [4]int, stride, padH, padW int) opCase {
	return opCase{
		name:   fmt.Sprintf("conv2d %v*%v s%d p(%d,%d)", xs, ws, stride, padH, padW),
		inputs: []input{{shape: xs[:]}, {shape: ws[:]}, {shape: []int{ws[0]}}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			return e.Conv2dPad(in[0], in[1], in[2], stride, padH, padW)
		},
		ref: func(in [][]float64) []float64 {
			y, _ := ref.Conv2dPad(in[0], xs, in[1], ws, in[2], stride, padH, padW)
			return y
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gw, gb := ref.Conv2dPadBackward(in[0], xs, in[1], ws, gy, stride, padH, padW)
			return [][]float64{gx, gw, gb}
		},
		tol: convTol,
	}
}

// twoConvCase sums two stride-s convolutions of one x: x's gradient comes
// from both, the second (first in the backward) adding into the first's.
func twoConvCase(b, cin, h, w, cout, k, stride, pad int) opCase {
	xs, ws := [4]int{b, cin, h, w}, [4]int{cout, cin, k, k}
	return opCase{
		name:   fmt.Sprintf("conv2d %v*%v + conv2d %v*%v s%d p%d", xs, ws, xs, ws, stride, pad),
		inputs: []input{{shape: xs[:]}, {shape: ws[:]}, {shape: ws[:]}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			return e.Add(e.Conv2d(in[0], in[1], nil, stride, pad), e.Conv2d(in[0], in[2], nil, stride, pad))
		},
		ref: func(in [][]float64) []float64 {
			y1, _ := ref.Conv2d(in[0], xs, in[1], ws, nil, stride, pad)
			y2, _ := ref.Conv2d(in[0], xs, in[2], ws, nil, stride, pad)
			for i := range y1 {
				y1[i] += y2[i]
			}
			return y1
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gw1, _ := ref.Conv2dBackward(in[0], xs, in[1], ws, gy, stride, pad)
			gx2, gw2, _ := ref.Conv2dBackward(in[0], xs, in[2], ws, gy, stride, pad)
			for i := range gx {
				gx[i] += gx2[i]
			}
			return [][]float64{gx, gw1, gw2}
		},
		tol: convTol,
	}
}

var _ = addCases(
	convPadCase([4]int{2, 3, 7, 9}, [4]int{5, 3, 1, 7}, 1, 0, 3),
	convPadCase([4]int{1, 4, 9, 5}, [4]int{3, 4, 7, 1}, 1, 3, 0),
	convPadCase([4]int{2, 3, 5, 6}, [4]int{4, 3, 3, 1}, 2, 1, 0),
	convCase(1, 3, 7, 9, 5, 3, 1, 1, true),
	convCase(2, 5, 9, 7, 3, 3, 1, 1, false),
	convCase(3, 4, 9, 9, 7, 3, 2, 1, true),
	convCase(2, 3, 8, 7, 5, 3, 2, 1, true),
	convCase(2, 6, 7, 7, 3, 1, 1, 0, true),
	convCase(1, 2, 5, 6, 3, 5, 1, 2, true),
	convCase(1, 4, 3, 3, 4, 1, 1, 0, false),
	convCase(1, 8, 3, 3, 8, 1, 1, 0, false),
	convCase(1, 4, 4, 4, 4, 1, 1, 0, false),
	twoConvCase(2, 3, 8, 7, 4, 3, 2, 1),
	twoConvCase(1, 2, 5, 5, 3, 3, 1, 1),
	// A same convolution with rows of whole vec4s and 8 channels: the CPU
	// tiling's conv_same_cpu and conv_same_weight_cpu kernels.
	convCase(2, 8, 5, 8, 12, 3, 1, 1, true),
	// Strided convolutions whose gradients the CPU tiling runs as a same
	// convolution's of gy spread over x's pixels (conv_dilate): input and
	// weight gradients, and the input gradient alone (4 output channels)
	// accumulated into x's.
	convCase(2, 8, 7, 8, 8, 3, 2, 1, true),
	twoConvCase(1, 8, 6, 8, 4, 3, 2, 1),
)

func TestConvGolden(t *testing.T) {
	for _, name := range []string{"conv3x3_s1", "conv3x3_s2", "conv1x1"} {
		t.Run(name, func(t *testing.T) {
			e := engine(t)
			g := ref.LoadGolden(t, name)
			stride, pad := g.Int("stride"), g.Int("pad")
			x, xs := g.Array("x")
			w, ws := g.Array("w")
			b, bs := g.Array("b")
			px, pw, pb := e.NewParam(toF32(x), xs...), e.NewParam(toF32(w), ws...), e.NewParam(toF32(b), bs...)
			defer px.Free()
			defer pw.Free()
			defer pb.Free()
			y := e.Conv2d(px, pw, pb, stride, pad)
			checkGolden(t, e, g, y, convTol, map[string]*Tensor{"g_x": px, "g_w": pw, "g_b": pb})
		})
	}
}
