package nn

import (
	"math"
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

func refKey(k RNGKey) ref.RNGKey { return ref.RNGKey{Seed: k.Seed, Step: k.Step, Layer: k.Layer} }

func dropoutCase(name string, xs []int, key RNGKey, p float64) opCase {
	mask := func() []float64 { return ref.DropoutMask(refKey(key), numel(xs), p) }
	return opCase{
		name:    name,
		inputs:  []input{{shape: xs}},
		gpu:     func(e *Engine, in []*Tensor) *Tensor { return e.Dropout(in[0], key, p) },
		ref:     func(in [][]float64) []float64 { return ref.Dropout(in[0], mask(), p) },
		refGrad: func(in [][]float64, gy []float64) [][]float64 { return [][]float64{ref.DropoutBackward(mask(), p, gy)} },
		tol:     elementwiseTol,
	}
}

var _ = addCases(
	dropoutCase("dropout", []int{2, 5, 7, 7}, RNGKey{Seed: 0x0123456789abcdef, Step: 77, Layer: 5}, 0.3),
	dropoutCase("dropout/b1", []int{1, 3, 9, 9}, RNGKey{Seed: 1, Step: 0, Layer: 2}, 0.1),
)

func TestDropThresholdMatchesRef(t *testing.T) {
	for _, p := range []float64{0, 1e-9, 0x1p-25, 0.1, 0.3, 0.5, 0.9, 1 - 0x1p-25, 0.999999} {
		if got, want := dropThreshold(p), ref.DropThreshold(p); got != want {
			t.Errorf("dropThreshold(%v) = %d, ref %d", p, got, want)
		}
	}
}

// dropoutOfOnes returns Dropout(1) over n elements.
func dropoutOfOnes(t *testing.T, e *Engine, n int, key RNGKey, p float64) []float32 {
	t.Helper()
	x := e.Empty(n)
	x.Fill(1)
	y, err := e.Dropout(x, key, p).Download()
	if err != nil {
		t.Fatal(err)
	}
	return y
}

func TestDropoutMask(t *testing.T) {
	e := engine(t)
	const n, p = 1<<16 + 3, 0.3 // not a multiple of the four elements per Philox block
	key := RNGKey{Seed: 0xfeedfacecafebeef, Step: 1234, Layer: 7}
	y := dropoutOfOnes(t, e, n, key, p)
	want := ref.DropoutMask(refKey(key), n, p)
	scale := float32(1 / (1 - p))
	kept, mismatches := 0, 0
	for i, v := range y {
		switch {
		case v == 0 && want[i] == 0:
		case v == scale && want[i] == 1:
			kept++
		default:
			if mismatches++; mismatches <= 5 {
				t.Errorf("element %d: %v, ref mask %v (kept values are exactly %v)", i, v, want[i], scale)
			}
		}
	}
	if mismatches > 0 {
		t.Fatalf("%d of %d elements differ from ref.DropoutMask", mismatches, n)
	}
	// Keep rate within 5 binomial standard deviations.
	mean, sd := n*(1-p), math.Sqrt(n*p*(1-p))
	if math.Abs(float64(kept)-mean) > 5*sd {
		t.Errorf("kept %d of %d, expected %.0f +- %.0f", kept, n, mean, 5*sd)
	}

	// One key draws one mask; changing any part of the key changes it.
	same := dropoutOfOnes(t, e, n, key, p)
	for i := range y {
		if math.Float32bits(same[i]) != math.Float32bits(y[i]) {
			t.Fatalf("two forwards with one key differ at %d: %v, %v", i, y[i], same[i])
		}
	}
	for _, other := range []RNGKey{
		{Seed: key.Seed + 1, Step: key.Step, Layer: key.Layer},
		{Seed: key.Seed ^ 1<<40, Step: key.Step, Layer: key.Layer}, // the seed's high word
		{Seed: key.Seed, Step: key.Step + 1, Layer: key.Layer},
		{Seed: key.Seed, Step: key.Step, Layer: key.Layer + 1},
	} {
		z := dropoutOfOnes(t, e, n, other, p)
		differ := 0
		for i := range y {
			if (y[i] == 0) != (z[i] == 0) {
				differ++
			}
		}
		// Independent masks disagree on 2p(1-p) of the elements.
		if want := 2 * p * (1 - p) * n; math.Abs(float64(differ)-want) > 5*math.Sqrt(want) {
			t.Errorf("key %+v: masks differ at %d elements, independent ones at about %.0f", other, differ, want)
		}
	}
}

func TestDropoutErrors(t *testing.T) {
	e := engine(t)
	x := e.Empty(2, 3)
	if y := e.Dropout(x, RNGKey{}, 0); y != x || e.Err() != nil {
		t.Errorf("dropout with p = 0 should return its input, got %v (%v)", y, e.Err())
	}
	e.Dropout(x, RNGKey{}, 1)
	want := "nn: dropout of [2 3]: probability 1 outside [0, 1)"
	if err := e.Err(); err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	e.ClearErr()
}

// Normals match ref.Normals to float32 rounding: the integer stages are
// exact, and the shader's log, sqrt and polynomial sine and cosine round
// in float32, so values agree to about 1e-6 of their scale.
const normalTol = 2e-6

// normalCase draws normals of the given shape from key: a case without
// inputs and without a backward (no gradient flows to a draw).
func normalCase(name string, key RNGKey, shape ...int) opCase {
	return opCase{
		name: name,
		gpu:  func(e *Engine, _ []*Tensor) *Tensor { return e.RandNormal(key, shape...) },
		ref: func([][]float64) []float64 {
			first := key.FirstSample * numel(shape[1:])
			z := make([]float64, numel(shape))
			for i := range z {
				z[i] = ref.Normal(refKey(key), first+i)
			}
			return z
		},
		tol: normalTol,
	}
}

var _ = addCases(
	normalCase("rand_normal", RNGKey{Seed: 0x0123456789abcdef, Step: 77, Layer: 5}, 3, 5, 7),
	normalCase("rand_normal/from sample 2", RNGKey{Seed: 9, Step: 1, Layer: 4, FirstSample: 2}, 3, 5, 7),
)

func TestRandNormalMatchesRef(t *testing.T) {
	e := engine(t)
	key := RNGKey{Seed: 0x0123456789abcdef, Step: 77, Layer: 5}
	for _, shape := range [][]int{{4099}, {3, 5, 7, 7}, {1}} {
		got, err := e.RandNormal(key, shape...).Download()
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, "normals", toF64(got), ref.Normals(refKey(key), numel(shape)), normalTol)
	}
}

func TestRandNormalStatistics(t *testing.T) {
	e := engine(t)
	const n = 1 << 18
	z, err := e.RandNormal(RNGKey{Seed: 42, Step: 3, Layer: 1000}, n).Download()
	if err != nil {
		t.Fatal(err)
	}
	var sum, sumSq float64
	for _, v := range z {
		sum += float64(v)
		sumSq += float64(v) * float64(v)
	}
	mean := sum / n
	variance := sumSq/n - mean*mean
	// Standard errors: 1/sqrt(n) for the mean, sqrt(2/n) for the variance.
	if math.Abs(mean) > 5/math.Sqrt(n) {
		t.Errorf("mean %v, want 0 +- %v", mean, 5/math.Sqrt(n))
	}
	if math.Abs(variance-1) > 5*math.Sqrt(2.0/n) {
		t.Errorf("variance %v, want 1 +- %v", variance, 5*math.Sqrt(2.0/n))
	}
}

// A batch drawn in pieces with FirstSample equals the whole draw bit for
// bit, for normals and dropout masks, including rows whose length is not a
// multiple of the four elements of a Philox block (3*5*5 = 75).
func TestRandomDrawsSplitBySample(t *testing.T) {
	e := engine(t)
	row := []int{3, 5, 5}
	const batch = 23
	shape := append([]int{batch}, row...)
	key := RNGKey{Seed: 0x5eed, Step: 41, Layer: 3}
	whole, err := e.RandNormal(key, shape...).Download()
	if err != nil {
		t.Fatal(err)
	}
	ones := e.Empty(shape...)
	ones.Fill(1)
	wholeMask, err := e.Dropout(ones, key, 0.4).Download()
	if err != nil {
		t.Fatal(err)
	}
	n := numel(row)
	for _, cut := range [][2]int{{0, 1}, {1, 2}, {1, 7}, {5, 12}, {22, 23}, {3, 23}} {
		k := key
		k.FirstSample = cut[0]
		part := append([]int{cut[1] - cut[0]}, row...)
		z, err := e.RandNormal(k, part...).Download()
		if err != nil {
			t.Fatal(err)
		}
		o := e.Empty(part...)
		o.Fill(1)
		m, err := e.Dropout(o, k, 0.4).Download()
		if err != nil {
			t.Fatal(err)
		}
		for i := range z {
			j := cut[0]*n + i
			if math.Float32bits(z[i]) != math.Float32bits(whole[j]) || m[i] != wholeMask[j] {
				t.Fatalf("samples %d..%d: element %d is normal %v mask %v, whole draw %v %v", cut[0], cut[1], i, z[i], m[i], whole[j], wholeMask[j])
			}
		}
	}
	// And the pieces are not all alike: a wrong offset would repeat row 0.
	k := key
	k.FirstSample = 1
	z, _ := e.RandNormal(k, append([]int{1}, row...)...).Download()
	if z[0] == whole[0] {
		t.Errorf("sample 1's first normal equals sample 0's (%v)", z[0])
	}
}
