package inception

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/nn/checkpoint"
	"github.com/ictvk/ictvk/nn/internal/ref"
	"github.com/ictvk/ictvk/nn/nntest"
)

// randomWeights returns a pytorch-fid-shaped state dict with random
// values that keep activations of order one through the network: He-scaled
// convolutions and BatchNorms near the identity. fc.bias stands for the
// tensors Load ignores.
func randomWeights(seed uint64) *checkpoint.File {
	rng := rand.New(rand.NewPCG(seed, 7))
	uniform := func(n int, lo, hi float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(lo + (hi-lo)*rng.Float64())
		}
		return v
	}
	f := &checkpoint.File{}
	for _, s := range Specs() {
		n := 1
		for _, d := range s.Shape {
			n *= d
		}
		var data []float32
		switch {
		case strings.HasSuffix(s.Name, ".conv.weight"):
			a := math.Sqrt(6 / float64(s.Shape[1]*s.Shape[2]*s.Shape[3]))
			data = uniform(n, -a, a)
		case strings.HasSuffix(s.Name, ".bn.weight"), strings.HasSuffix(s.Name, ".bn.running_var"):
			data = uniform(n, 0.5, 1.5)
		default: // bias, running_mean
			data = uniform(n, -0.1, 0.1)
		}
		f.Tensors = append(f.Tensors, checkpoint.Tensor{Name: s.Name, Shape: s.Shape, Data: data})
	}
	f.Tensors = append(f.Tensors, checkpoint.Tensor{Name: "fc.bias", Shape: []int{1008}, Data: uniform(1008, -1, 1)})
	return f
}

// refNet is the float64 reference of pytorch-fid's forward, written from
// its block definitions with BatchNorm applied unfolded.
type refNet struct {
	f *checkpoint.File
	t *testing.T
}

func (r refNet) get(name string) []float64 {
	t, ok := r.f.Get(name)
	if !ok {
		r.t.Fatalf("reference: no tensor %s", name)
	}
	v := make([]float64, len(t.Data))
	for i, x := range t.Data {
		v[i] = float64(x)
	}
	return v
}

// basic is BasicConv2d: conv (no bias), BatchNorm(eps=1e-3), ReLU.
func (r refNet) basic(x []float64, xs [4]int, name string, stride, padH, padW int) ([]float64, [4]int) {
	wt, _ := r.f.Get(name + ".conv.weight")
	ws := [4]int{wt.Shape[0], wt.Shape[1], wt.Shape[2], wt.Shape[3]}
	y, ys := ref.Conv2dPad(x, xs, r.get(name+".conv.weight"), ws, nil, stride, padH, padW)
	gamma, beta := r.get(name+".bn.weight"), r.get(name+".bn.bias")
	mean, variance := r.get(name+".bn.running_mean"), r.get(name+".bn.running_var")
	per := ys[2] * ys[3]
	for i := range y {
		c := (i / per) % ys[1]
		y[i] = (y[i]-mean[c])/math.Sqrt(variance[c]+1e-3)*gamma[c] + beta[c]
	}
	return ref.ReLU(y), ys
}

type refT struct {
	v []float64
	s [4]int
}

func cat(ts ...refT) refT {
	out := ts[0]
	for _, t := range ts[1:] {
		out.v, out.s = ref.Concat(out.v, out.s, t.v, t.s)
	}
	return out
}

func (r refNet) b(x refT, name string, stride, padH, padW int) refT {
	v, s := r.basic(x.v, x.s, name, stride, padH, padW)
	return refT{v, s}
}

func avgPool(x refT) refT {
	v, s := ref.AvgPool2d(x.v, x.s, 3, 1, 1)
	return refT{v, s}
}

func maxPool(x refT, stride, pad int) refT {
	v, s := ref.MaxPool2d(x.v, x.s, 3, stride, pad)
	return refT{v, s}
}

// forward follows pytorch-fid's InceptionV3 (resize, then the blocks) on
// a grayscale image replicated to RGB.
func (r refNet) forward(img []float64, is [4]int, size int) []float64 {
	v, s := ref.ResizeBilinear(img, is, size, size)
	x := refT{v, s}
	x = cat(x, x, x)
	x = r.b(x, "Conv2d_1a_3x3", 2, 0, 0)
	x = r.b(x, "Conv2d_2a_3x3", 1, 0, 0)
	x = r.b(x, "Conv2d_2b_3x3", 1, 1, 1)
	x = maxPool(x, 2, 0)
	x = r.b(x, "Conv2d_3b_1x1", 1, 0, 0)
	x = r.b(x, "Conv2d_4a_3x3", 1, 0, 0)
	x = maxPool(x, 2, 0)
	for _, p := range []string{"Mixed_5b", "Mixed_5c", "Mixed_5d"} { // FIDInceptionA
		b5 := r.b(r.b(x, p+".branch5x5_1", 1, 0, 0), p+".branch5x5_2", 1, 2, 2)
		b3 := r.b(r.b(r.b(x, p+".branch3x3dbl_1", 1, 0, 0), p+".branch3x3dbl_2", 1, 1, 1), p+".branch3x3dbl_3", 1, 1, 1)
		x = cat(r.b(x, p+".branch1x1", 1, 0, 0), b5, b3, r.b(avgPool(x), p+".branch_pool", 1, 0, 0))
	}
	{ // InceptionB
		p := "Mixed_6a"
		b3 := r.b(x, p+".branch3x3", 2, 0, 0)
		bd := r.b(r.b(r.b(x, p+".branch3x3dbl_1", 1, 0, 0), p+".branch3x3dbl_2", 1, 1, 1), p+".branch3x3dbl_3", 2, 0, 0)
		x = cat(b3, bd, maxPool(x, 2, 0))
	}
	for _, p := range []string{"Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"} { // FIDInceptionC
		b7 := r.b(r.b(r.b(x, p+".branch7x7_1", 1, 0, 0), p+".branch7x7_2", 1, 0, 3), p+".branch7x7_3", 1, 3, 0)
		bd := r.b(x, p+".branch7x7dbl_1", 1, 0, 0)
		bd = r.b(bd, p+".branch7x7dbl_2", 1, 3, 0)
		bd = r.b(bd, p+".branch7x7dbl_3", 1, 0, 3)
		bd = r.b(bd, p+".branch7x7dbl_4", 1, 3, 0)
		bd = r.b(bd, p+".branch7x7dbl_5", 1, 0, 3)
		x = cat(r.b(x, p+".branch1x1", 1, 0, 0), b7, bd, r.b(avgPool(x), p+".branch_pool", 1, 0, 0))
	}
	{ // InceptionD
		p := "Mixed_7a"
		b3 := r.b(r.b(x, p+".branch3x3_1", 1, 0, 0), p+".branch3x3_2", 2, 0, 0)
		b7 := r.b(r.b(r.b(r.b(x, p+".branch7x7x3_1", 1, 0, 0), p+".branch7x7x3_2", 1, 0, 3), p+".branch7x7x3_3", 1, 3, 0), p+".branch7x7x3_4", 2, 0, 0)
		x = cat(b3, b7, maxPool(x, 2, 0))
	}
	for i, p := range []string{"Mixed_7b", "Mixed_7c"} { // FIDInceptionE_1, E_2
		b3 := r.b(x, p+".branch3x3_1", 1, 0, 0)
		b3 = cat(r.b(b3, p+".branch3x3_2a", 1, 0, 1), r.b(b3, p+".branch3x3_2b", 1, 1, 0))
		bd := r.b(r.b(x, p+".branch3x3dbl_1", 1, 0, 0), p+".branch3x3dbl_2", 1, 1, 1)
		bd = cat(r.b(bd, p+".branch3x3dbl_3a", 1, 0, 1), r.b(bd, p+".branch3x3dbl_3b", 1, 1, 0))
		pooled := avgPool(x)
		if i == 1 {
			pooled = maxPool(x, 1, 1) // E_2's max pool
		}
		x = cat(r.b(x, p+".branch1x1", 1, 0, 0), b3, bd, r.b(pooled, p+".branch_pool", 1, 0, 0))
	}
	// Global average pool.
	per := x.s[2] * x.s[3]
	feats := make([]float64, x.s[1])
	for c := range feats {
		for _, v := range x.v[c*per : (c+1)*per] {
			feats[c] += v / float64(per)
		}
	}
	return feats
}

// The whole network against the float64 reference, on one 16x16 grayscale
// image resized to 75x75 (the smallest input the network takes; 299x299
// costs the reference far longer and runs the same ops).
func TestForwardMatchesReference(t *testing.T) {
	e := nntest.Open(t, true)
	f := randomWeights(1)
	path := filepath.Join(t.TempDir(), "inception.safetensors")
	if err := checkpoint.Write(path, f); err != nil {
		t.Fatal(err)
	}
	net, err := Load(e, path)
	if err != nil {
		t.Fatal(err)
	}
	defer net.Free()
	rng := rand.New(rand.NewPCG(2, 3))
	img := make([]float32, 16*16)
	img64 := make([]float64, len(img))
	for i := range img {
		img[i] = float32(2*rng.Float64() - 1)
		img64[i] = float64(img[i])
	}
	var got []float32
	e.NoGrad(func() {
		y := net.forward(e.FromData(img, 1, 1, 16, 16), 75)
		if s := y.Shape(); len(s) != 2 || s[0] != 1 || s[1] != Features {
			t.Fatalf("features have shape %v, want [1 %d]", s, Features)
		}
		got, err = y.Download()
	})
	if err != nil {
		t.Fatal(err)
	}
	want := refNet{f, t}.forward(img64, [4]int{1, 1, 16, 16}, 75)
	scale, worst, at := 0.0, 0.0, 0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i := range want {
		d := math.Abs(float64(got[i]) - want[i])
		if math.IsNaN(d) {
			d = math.Inf(1)
		}
		if d > worst {
			worst, at = d, i
		}
	}
	t.Logf("largest feature %.4g, worst error %.3g at %d", scale, worst, at)
	if scale < 1e-3 {
		t.Fatalf("the reference's features are all near 0 (largest %g): the test weights kill the signal", scale)
	}
	// float32 sums over ~20 layers of up to 2304-term products.
	if worst > 1e-4*scale {
		t.Errorf("feature %d: got %v, want %v (error %.3g of the largest %.4g)", at, got[at], want[at], worst/scale, scale)
	}
}

func TestLoadErrorsNameTheTensor(t *testing.T) {
	e := nntest.Open(t, false)
	dir := t.TempDir()
	cases := []struct {
		name   string
		change func(f *checkpoint.File)
		want   string
	}{
		{"missing", func(f *checkpoint.File) {
			for i, tn := range f.Tensors {
				if tn.Name == "Mixed_6c.branch7x7dbl_3.bn.running_var" {
					f.Tensors = append(f.Tensors[:i], f.Tensors[i+1:]...)
					break
				}
			}
		}, "tensor Mixed_6c.branch7x7dbl_3.bn.running_var [160] is missing"},
		{"shape", func(f *checkpoint.File) {
			tn, _ := f.Get("Mixed_7b.branch3x3_2a.conv.weight")
			tn.Shape = []int{384, 384, 3, 1} // the 2b kernel's shape
		}, "tensor Mixed_7b.branch3x3_2a.conv.weight has shape [384 384 3 1], want [384 384 1 3]"},
	}
	base := randomWeights(5)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &checkpoint.File{Tensors: append([]checkpoint.Tensor(nil), base.Tensors...)}
			c.change(f)
			path := filepath.Join(dir, c.name+".safetensors")
			if err := checkpoint.Write(path, f); err != nil {
				t.Fatal(err)
			}
			_, err := Load(e, path)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("got %v, want an error naming %s and %q", err, path, c.want)
			}
		})
	}
	// Not a safetensors file: the reader's error, with the path.
	path := filepath.Join(dir, "notes.txt")
	if err := checkpoint.Write(path, &checkpoint.File{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(e, path); err == nil || !strings.Contains(err.Error(), "Conv2d_1a_3x3.conv.weight") {
		t.Errorf("an empty file: got %v, want the first tensor named", err)
	}
}

// BenchmarkRun measures Run on RunBatch 32x32 grayscale images (resized to
// 299x299), random weights; reports images per second.
func BenchmarkRun(b *testing.B) {
	e := nntest.Open(b, false)
	net, err := New(e, randomWeights(9))
	if err != nil {
		b.Fatal(err)
	}
	defer net.Free()
	images := make([]float32, RunBatch*32*32)
	for i := range images {
		images[i] = float32(i%17)/8 - 1
	}
	if _, err := net.Run(images, RunBatch, 1, 32); err != nil { // compiles the pipelines
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := net.Run(images, RunBatch, 1, 32); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*RunBatch)/b.Elapsed().Seconds(), "images/s")
}
