package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
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
	// One head packed with 35 positions; 5 channels of 9 positions, whose
	// k and v would start off the binding alignment: three projections.
	attentionCase(3, 12, 5, 7, 1),
	attentionCase(2, 5, 3, 3, 1),
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

// TestAttentionPacked runs one-head attention at the U-Nets' sizes (32
// samples of 8x8 with the mnist preset's 32 channels and the 1.6 M
// network's 64) on the packed path and on three projections, and checks
// that the two agree, forward and backward, and that the packed path ran.
func TestAttentionPacked(t *testing.T) {
	e := engine(t)
	for _, c := range []int{32, 64} {
		xs := []int{32, c, 8, 8}
		rng := rand.New(rand.NewPCG(uint64(c), 2))
		data := func(n int, scale float64) []float32 {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(scale * rng.NormFloat64())
			}
			return v
		}
		x := data(numel(xs), 1)
		wqkv, wo := data(3*c*c, 1/math.Sqrt(float64(c))), data(c*c, 1/math.Sqrt(float64(c)))
		gy := data(numel(xs), 1)
		run := func(unpacked bool) (y []float64, grads [3][]float64) {
			e.unpackedAttention = unpacked
			defer func() { e.unpackedAttention = false }()
			ins := []*Tensor{e.NewParam(x, xs...), e.NewParam(wqkv, 3*c, c), e.NewParam(wo, c, c)}
			for _, in := range ins {
				defer in.Free()
			}
			out := e.Attention(ins[0], ins[1], ins[2], 1)
			packed := false
			for _, n := range e.tape.nodes {
				packed = packed || n.op == "attention"
			}
			if packed == unpacked {
				t.Fatalf("%d channels, unpacked %v: the packed op ran: %v", c, unpacked, packed)
			}
			got, err := out.Download()
			if err != nil {
				t.Fatal(err)
			}
			if err := e.BackwardWith(out, e.FromData(gy, xs...)); err != nil {
				t.Fatal(err)
			}
			for i, in := range ins {
				g, err := in.Grad().Download()
				if err != nil {
					t.Fatal(err)
				}
				grads[i] = toF64(g)
			}
			return toF64(got), grads
		}
		y1, g1 := run(false)
		y3, g3 := run(true)
		checkClose(t, fmt.Sprintf("%d channels: y", c), y1, y3, attentionTol)
		for i, name := range []string{"x", "wqkv", "wo"} {
			checkClose(t, fmt.Sprintf("%d channels: gradient of %s", c, name), g1[i], g3[i], attentionTol)
		}
	}
}
