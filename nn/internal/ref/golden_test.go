package ref

import (
	"bytes"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ictvk/ictvk/internal/approx"
)

// goldenTol bounds the error per element (approx.PerElement) against the
// golden cases. They were computed
// in float64 by PyTorch and stored as float32, and we recompute from the
// float32-rounded inputs, so agreement is limited by float32 rounding
// (about 6e-8 relative) amplified by each op's conditioning; 1e-5 leaves
// room for that while catching any wrong formula.
const goldenTol = 1e-5

func shape4(s []int) [4]int { return [4]int{s[0], s[1], s[2], s[3]} }
func shape2(s []int) [2]int { return [2]int{s[0], s[1]} }

// checkGolden compares got against golden array name and logs the error,
// so the margin under goldenTol is visible with -v.
func checkGolden(t *testing.T, g *Golden, name string, got []float64) {
	t.Helper()
	want, _ := g.Array(name)
	err, _ := approx.Error(got, want, approx.PerElement(1))
	t.Logf("%s/%s: max error %.3g", g.Name, name, err)
	approx.Check(t, g.Name+"/"+name, got, want, approx.PerElement(goldenTol))
}

func TestGoldenConv(t *testing.T) {
	for _, name := range []string{"conv3x3_s1", "conv3x3_s2", "conv1x1"} {
		t.Run(name, func(t *testing.T) {
			g := LoadGolden(t, name)
			x, xs := g.Array("x")
			w, ws := g.Array("w")
			b, _ := g.Array("b")
			gy, _ := g.Array("gy")
			stride, pad := g.Int("stride"), g.Int("pad")
			y, ys := Conv2d(x, shape4(xs), w, shape4(ws), b, stride, pad)
			if want := g.Shapes["y"]; ys != shape4(want) {
				t.Fatalf("output shape %v, golden %v", ys, want)
			}
			checkGolden(t, g, "y", y)
			gx, gw, gb := Conv2dBackward(x, shape4(xs), w, shape4(ws), gy, stride, pad)
			checkGolden(t, g, "g_x", gx)
			checkGolden(t, g, "g_w", gw)
			checkGolden(t, g, "g_b", gb)
		})
	}
}

func TestGoldenGroupNorm(t *testing.T) {
	g := LoadGolden(t, "groupnorm")
	x, xs := g.Array("x")
	gamma, _ := g.Array("g")
	beta, _ := g.Array("b")
	gy, _ := g.Array("gy")
	groups, eps := g.Int("groups"), g.Float("eps")
	checkGolden(t, g, "y", GroupNorm(x, shape4(xs), gamma, beta, groups, eps))
	gx, gg, gb := GroupNormBackward(x, shape4(xs), gamma, groups, eps, gy)
	checkGolden(t, g, "g_x", gx)
	checkGolden(t, g, "g_g", gg)
	checkGolden(t, g, "g_b", gb)
}

func TestGoldenLinear(t *testing.T) {
	g := LoadGolden(t, "linear")
	x, xs := g.Array("x")
	w, ws := g.Array("w")
	b, _ := g.Array("b")
	gy, _ := g.Array("gy")
	y, _ := Linear(x, shape2(xs), w, shape2(ws), b)
	checkGolden(t, g, "y", y)
	gx, gw, gb := LinearBackward(x, shape2(xs), w, shape2(ws), gy)
	checkGolden(t, g, "g_x", gx)
	checkGolden(t, g, "g_w", gw)
	checkGolden(t, g, "g_b", gb)
}

func TestGoldenSiLU(t *testing.T) {
	g := LoadGolden(t, "silu")
	x, _ := g.Array("x")
	gy, _ := g.Array("gy")
	checkGolden(t, g, "y", SiLU(x))
	checkGolden(t, g, "g_x", SiLUBackward(x, gy))
}

func TestGoldenSoftmax(t *testing.T) {
	g := LoadGolden(t, "softmax_lastdim")
	x, xs := g.Array("x")
	gy, _ := g.Array("gy")
	n := xs[len(xs)-1]
	y := Softmax(x, n)
	checkGolden(t, g, "y", y)
	checkGolden(t, g, "g_x", SoftmaxBackward(y, n, gy))
}

func TestGoldenUpsample(t *testing.T) {
	g := LoadGolden(t, "upsample2x")
	x, xs := g.Array("x")
	gy, _ := g.Array("gy")
	y, ys := Upsample2x(x, shape4(xs))
	if want := g.Shapes["y"]; ys != shape4(want) {
		t.Fatalf("output shape %v, golden %v", ys, want)
	}
	checkGolden(t, g, "y", y)
	checkGolden(t, g, "g_x", Upsample2xBackward(shape4(xs), gy))
}

func TestGoldenAttention(t *testing.T) {
	g := LoadGolden(t, "attention_2heads")
	x, xs := g.Array("x")
	wqkv, _ := g.Array("wqkv")
	wo, _ := g.Array("wo")
	gy, _ := g.Array("gy")
	heads := g.Int("heads")
	checkGolden(t, g, "y", Attention(x, shape4(xs), wqkv, wo, heads))
	gx, gwqkv, gwo := AttentionBackward(x, shape4(xs), wqkv, wo, heads, gy)
	checkGolden(t, g, "g_x", gx)
	checkGolden(t, g, "g_wqkv", gwqkv)
	checkGolden(t, g, "g_wo", gwo)
}

func TestGoldenPseudoHuber(t *testing.T) {
	g := LoadGolden(t, "pseudo_huber_weighted_mean")
	s, ss := g.Array("s")
	tt, _ := g.Array("t")
	lam, _ := g.Array("lam")
	gy, _ := g.Array("gy")
	// meta.json states c as the formula "0.00054*sqrt(C*H*W)".
	if f, _ := g.Param("c").(string); f != "0.00054*sqrt(C*H*W)" {
		t.Fatalf("golden c is %q; this test evaluates 0.00054*sqrt(C*H*W)", f)
	}
	c := 0.00054 * math.Sqrt(float64(ss[1]*ss[2]*ss[3]))
	batch := ss[0]
	checkGolden(t, g, "y", []float64{PseudoHuberLoss(s, tt, lam, batch, c)})
	gs, gt, glam := PseudoHuberLossBackward(s, tt, lam, batch, c, gy[0])
	checkGolden(t, g, "g_s", gs)
	checkGolden(t, g, "g_t", gt)
	checkGolden(t, g, "g_lam", glam)
}

func TestGoldenRAdam(t *testing.T) {
	g := LoadGolden(t, "radam_8steps")
	betas := g.Floats("betas")
	cfg := AdamConfig{LR: g.Float("lr"), Beta1: betas[0], Beta2: betas[1], Eps: g.Float("eps")}
	p, _ := g.Array("p0")
	m := make([]float64, len(p))
	v := make([]float64, len(p))
	for step := 1; step <= 8; step++ {
		grad, _ := g.Array("g" + strconv.Itoa(step))
		RAdamStep(p, grad, m, v, step, cfg)
		// Each step's parameters, so a wrong rectification start shows up
		// at the step where it happens.
		checkGolden(t, g, "p"+strconv.Itoa(step), p)
	}
}

// The repository's testdata/golden must stay a verbatim copy of the team's
// shared/golden: checked wherever shared/ sits beside the repository (the
// team's machines and CI); a lone clone has only the copy.
func TestGoldenCopyIsVerbatim(t *testing.T) {
	shared, ok := SharedGoldenRoot()
	if !ok {
		t.Skip("no shared/golden beside the repository: nothing to compare the copy with")
	}
	copyRoot := GoldenRoot(t)
	seen := 0
	err := filepath.WalkDir(shared, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(shared, path)
		want, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(copyRoot, rel))
		if err != nil {
			t.Errorf("testdata/golden lacks %s: %v", rel, err)
			return nil
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/golden/%s differs from shared/golden/%s: copy it again", rel, rel)
		}
		seen++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Fatalf("no files in %s", shared)
	}
}
