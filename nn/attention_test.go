package nn

import (
	"fmt"
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// Attention chains five products and a softmax: 1e-5 of the largest value.
const attentionTol = 1e-5

func attentionCase(b, c, h, w, heads int) opCase {
	xs := [4]int{b, c, h, w}
	return opCase{
		name:   fmt.Sprintf("attention %v heads %d", xs, heads),
		inputs: []input{{shape: xs[:]}, {shape: []int{3 * c, c}}, {shape: []int{c, c}}},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			return e.Add(in[0], e.Attention(in[0], in[1], in[2], heads))
		},
		ref: func(in [][]float64) []float64 { return ref.Attention(in[0], xs, in[1], in[2], heads) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			gx, gq, gw := ref.AttentionBackward(in[0], xs, in[1], in[2], heads, gy)
			return [][]float64{gx, gq, gw}
		},
		tol: attentionTol,
	}
}

var _ = addCases(
	attentionCase(1, 4, 3, 3, 1),
	attentionCase(2, 4, 3, 3, 1),
	attentionCase(1, 6, 3, 5, 2),
	attentionCase(1, 4, 3, 3, 2),
	attentionCase(1, 8, 3, 3, 1),
	attentionCase(2, 6, 3, 5, 2),
	attentionCase(2, 9, 2, 3, 3),
)

func TestAttentionGolden(t *testing.T) {
	e := engine(t)
	g := ref.LoadGolden(t, "attention_2heads")
	heads := g.Int("heads")
	x, xs := g.Array("x")
	wqkv, qs := g.Array("wqkv")
	wo, os := g.Array("wo")
	px, pq, po := e.NewParam(toF32(x), xs...), e.NewParam(toF32(wqkv), qs...), e.NewParam(toF32(wo), os...)
	defer px.Free()
	defer pq.Free()
	defer po.Free()
	y := e.Add(px, e.Attention(px, pq, po, heads)) // the golden op includes the residual
	checkGolden(t, e, g, y, attentionTol, map[string]*Tensor{"g_x": px, "g_wqkv": pq, "g_wo": po})
}
