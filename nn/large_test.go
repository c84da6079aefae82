package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ictvk/ictvk/internal/approx"
	"github.com/ictvk/ictvk/nn/internal/ref"
	"github.com/ictvk/ictvk/vk"
)

// Large cases: every kernel family, forward and backward, on tensors past
// 65535 workgroups of the elementwise size (65535 x 64 elements on
// lavapipe) or past 65535 rows for the one-workgroup-per-row kernels, and
// past 2^24 elements, yet within one 128 MiB binding. They catch grids
// that a device's maxComputeWorkGroupCount would cut, folds whose second
// row lands on the first, and indices that lose bits. The reference is
// evaluated only where it is checked: at the first elements, a few
// thousand random ones and every one of the last 65536; the whole output
// is scanned for the NaN the pool poisons it with, so an element no
// invocation wrote fails even where it is not sampled.

const (
	largeTailElements = 1 << 16
	largeRandomChecks = 2000
	largeHeadChecks   = 256
)

// largeFlat is a length past 2^24 and past 65535 x 256 (the widest
// elementwise workgroup), and not a multiple of four (Philox blocks) or of
// any workgroup size.
const largeFlat = 1<<24 + 4093

type largeInput struct {
	shape  []int
	lo, hi float64 // uniform range; both 0 means [-1, 1]
	whole  bool    // whole numbers in [lo, hi)
	grad   bool    // differentiated: its gradient is checked
}

type largeCase struct {
	name   string
	inputs []largeInput
	run    func(e *Engine, in []*Tensor) *Tensor
	// want is the float64 reference of output element i.
	want func(in [][]float32, i int) float64
	// wantGrad is the reference of element i of input k's gradient for
	// the output gradient gy; nil for forward-only ops.
	wantGrad func(in [][]float32, gy []float32, k, i int) float64
	tol      float64
}

func TestLargeTensors(t *testing.T) {
	if testing.Short() {
		t.Skip("large tensors take a minute on lavapipe")
	}
	start := time.Now()
	for _, c := range largeCases() {
		t.Run(c.name, func(t *testing.T) { runLarge(t, c) })
	}
	t.Logf("all large cases: %.1f s", time.Since(start).Seconds())
}

// largeEngine is the package's validated, poisoning engine; after the
// test it frees the pool's idle buffers, so that the large cases' many
// size classes do not add up past the device's heap.
func largeEngine(t *testing.T) *Engine {
	t.Helper()
	t.Cleanup(func() { // runs after engine's cleanup has released the step
		if e := testEngines["default"]; e != nil {
			trimPool(e)
		}
	})
	return engine(t)
}

func trimPool(e *Engine) {
	if err := e.S.Wait(); err != nil {
		return
	}
	for c, list := range e.pool.free {
		for _, b := range list {
			e.Dev.Free(b)
		}
		delete(e.pool.free, c)
	}
}

func randomF32(rng *rand.Rand, in largeInput) []float32 {
	lo, hi := in.lo, in.hi
	if lo == 0 && hi == 0 {
		lo, hi = -1, 1
	}
	v := make([]float32, numel(in.shape))
	for i := range v {
		x := lo + (hi-lo)*rng.Float64()
		if in.whole {
			x = math.Floor(x)
		}
		v[i] = float32(x)
	}
	return v
}

func runLarge(t *testing.T, c largeCase) {
	e := largeEngine(t)
	start := time.Now()
	rng := rand.New(rand.NewPCG(seedOf(c.name), 2))
	data := make([][]float32, len(c.inputs))
	ins := make([]*Tensor, len(c.inputs))
	for i, in := range c.inputs {
		data[i] = randomF32(rng, in)
		ins[i] = e.FromData(data[i], in.shape...)
		// A step tensor that gradients flow to (as if computed from a
		// parameter): its gradient comes from the pool, poisoned, and
		// the op's backward kernel writes it rather than adding into it.
		ins[i].tracks = in.grad
	}
	y := c.run(e, ins)
	got, err := y.Download()
	if err != nil {
		t.Fatalf("forward: %v", err)
	}
	checkSampled(t, "forward", got, func(i int) float64 { return c.want(data, i) }, c.tol, rng)
	if c.wantGrad == nil {
		t.Logf("%v: %.2f s", y.shape, time.Since(start).Seconds())
		return
	}
	gy := randomF32(rng, largeInput{shape: y.shape})
	if err := e.BackwardWith(y, e.FromData(gy, y.shape...)); err != nil {
		t.Fatalf("backward: %v", err)
	}
	for k, in := range c.inputs {
		if !in.grad {
			continue
		}
		g, err := ins[k].Grad().Download()
		if err != nil {
			t.Fatal(err)
		}
		checkSampled(t, fmt.Sprintf("gradient of input %d %v", k, in.shape), g,
			func(i int) float64 { return c.wantGrad(data, gy, k, i) }, c.tol, rng)
	}
	t.Logf("%v: %.2f s", y.shape, time.Since(start).Seconds())
}

// samplePositions returns the indices checked in an array of n: all of a
// short one; else the first few, random ones and the whole tail.
func samplePositions(n int, rng *rand.Rand) []int {
	if n <= largeHeadChecks+largeRandomChecks+largeTailElements {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	var idx []int
	for i := 0; i < largeHeadChecks; i++ {
		idx = append(idx, i)
	}
	for i := 0; i < largeRandomChecks; i++ {
		idx = append(idx, largeHeadChecks+rng.IntN(n-largeHeadChecks-largeTailElements))
	}
	for i := n - largeTailElements; i < n; i++ {
		idx = append(idx, i)
	}
	return idx
}

// checkSampled fails on any non-finite element of got (an element left
// poisoned) and compares the sampled elements with want.
func checkSampled(t *testing.T, what string, got []float32, want func(i int) float64, tol float64, rng *rand.Rand) {
	t.Helper()
	bad, first := 0, -1
	for i, v := range got {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			if bad == 0 {
				first = i
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d elements are not finite (unwritten?), the first at %d", what, bad, len(got), first)
		return
	}
	idx := samplePositions(len(got), rng)
	g, w := make([]float64, len(idx)), make([]float64, len(idx))
	for j, i := range idx {
		g[j], w[j] = float64(got[i]), want(i)
	}
	if err, at := approx.Error(g, w, approx.Scaled(tol)); err > 1 {
		t.Errorf("%s: error %.3g times the tolerance (%.3g of the largest |want|) at element %d of %d (got %v, want %v)", what, err, tol, idx[at], len(got), g[at], w[at])
	}
}

// memo caches a reference computed for a whole row (plane, sample).
func memo(f func(row int) []float64) func(row int) []float64 {
	cache := map[int][]float64{}
	return func(row int) []float64 {
		if v, ok := cache[row]; ok {
			return v
		}
		v := f(row)
		cache[row] = v
		return v
	}
}

// once caches a reference computed over the whole input.
func once(f func() []float64) func() []float64 {
	var v []float64
	return func() []float64 {
		if v == nil {
			v = f()
		}
		return v
	}
}

func f64(v []float32) []float64 { return toF64(v) }

func sigmoid(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

// Tolerances: elementwise ops are exact up to a rounding or two; sums
// over tens of thousands of terms lose a few more bits, and the
// convolution's and product's weight gradients sum 2^23 to 2^24 terms.
const (
	largeElemTol   = 1e-6
	largeRowTol    = 1e-5
	largeReduceTol = 1e-4
	largeLongTol   = 1e-3
)

func largeCases() []largeCase {
	var cs []largeCase
	flat := []int{largeFlat}
	cs = append(cs, largeElementwise(flat)...)
	cs = append(cs, largeBroadcast()...)
	cs = append(cs, largeImage()...)
	cs = append(cs, largeRows()...)
	cs = append(cs, largeReductions()...)
	cs = append(cs, largeRandom(flat)...)
	cs = append(cs, largeLosses()...)
	cs = append(cs, largeGEMM()...)
	cs = append(cs, largeEmbed()...)
	return cs
}

func largeElementwise(flat []int) []largeCase {
	in1 := []largeInput{{shape: flat, grad: true}}
	in2 := []largeInput{{shape: flat, grad: true}, {shape: flat, grad: true}}
	return []largeCase{
		{
			name: "silu", inputs: in1, tol: largeElemTol,
			run: func(e *Engine, in []*Tensor) *Tensor { return e.SiLU(in[0]) },
			want: func(in [][]float32, i int) float64 {
				v := float64(in[0][i])
				return v * sigmoid(v)
			},
			wantGrad: func(in [][]float32, gy []float32, _, i int) float64 {
				v := float64(in[0][i])
				s := sigmoid(v)
				return float64(gy[i]) * s * (1 + v*(1-s))
			},
		},
		{
			name: "add", inputs: in2, tol: largeElemTol,
			run:      func(e *Engine, in []*Tensor) *Tensor { return e.Add(in[0], in[1]) },
			want:     func(in [][]float32, i int) float64 { return float64(in[0][i]) + float64(in[1][i]) },
			wantGrad: func(_ [][]float32, gy []float32, _, i int) float64 { return float64(gy[i]) },
		},
		{
			name: "mul", inputs: in2, tol: largeElemTol,
			run:  func(e *Engine, in []*Tensor) *Tensor { return e.Mul(in[0], in[1]) },
			want: func(in [][]float32, i int) float64 { return float64(in[0][i]) * float64(in[1][i]) },
			wantGrad: func(in [][]float32, gy []float32, k, i int) float64 {
				return float64(gy[i]) * float64(in[1-k][i])
			},
		},
		{
			name: "affine", inputs: in1, tol: largeElemTol,
			run:      func(e *Engine, in []*Tensor) *Tensor { return e.Affine(in[0], 1.5, -0.25) },
			want:     func(in [][]float32, i int) float64 { return 1.5*float64(in[0][i]) - 0.25 },
			wantGrad: func(_ [][]float32, gy []float32, _, i int) float64 { return 1.5 * float64(gy[i]) },
		},
		{
			name: "relu", inputs: []largeInput{{shape: flat}}, tol: largeElemTol,
			run:  func(e *Engine, in []*Tensor) *Tensor { return e.ReLU(in[0]) },
			want: func(in [][]float32, i int) float64 { return math.Max(float64(in[0][i]), 0) },
		},
	}
}

// largeImg is [B, C, H, W] past 2^24 elements with odd planes.
var largeImg = []int{17, 16, 251, 247}

func largeBroadcast() []largeCase {
	b, c, hw := largeImg[0], largeImg[1], largeImg[2]*largeImg[3]
	plane := func(i int) int { return i / hw } // b*C + c
	// sumPlane returns sum over the plane's positions of f(position).
	sumPlane := func(p int, f func(i int) float64) float64 {
		s := 0.0
		for i := p * hw; i < (p+1)*hw; i++ {
			s += f(i)
		}
		return s
	}
	x := largeInput{shape: largeImg, grad: true}
	return []largeCase{
		{
			name: "add_bias", inputs: []largeInput{x, {shape: []int{c}, grad: true}}, tol: largeReduceTol,
			run:  func(e *Engine, in []*Tensor) *Tensor { return e.AddBias(in[0], in[1]) },
			want: func(in [][]float32, i int) float64 { return float64(in[0][i]) + float64(in[1][plane(i)%c]) },
			wantGrad: func(in [][]float32, gy []float32, k, i int) float64 {
				if k == 0 {
					return float64(gy[i])
				}
				s := 0.0
				for n := 0; n < b; n++ {
					s += sumPlane(n*c+i, func(j int) float64 { return float64(gy[j]) })
				}
				return s
			},
		},
		{
			name: "add_channel", inputs: []largeInput{x, {shape: []int{b, c}, grad: true}}, tol: largeReduceTol,
			run:  func(e *Engine, in []*Tensor) *Tensor { return e.AddChannel(in[0], in[1]) },
			want: func(in [][]float32, i int) float64 { return float64(in[0][i]) + float64(in[1][plane(i)]) },
			wantGrad: func(in [][]float32, gy []float32, k, i int) float64 {
				if k == 0 {
					return float64(gy[i])
				}
				return sumPlane(i, func(j int) float64 { return float64(gy[j]) })
			},
		},
		{
			name: "mul_channel", inputs: []largeInput{x, {shape: []int{b, c}, grad: true}}, tol: largeReduceTol,
			run:  func(e *Engine, in []*Tensor) *Tensor { return e.MulChannel(in[0], in[1]) },
			want: func(in [][]float32, i int) float64 { return float64(in[0][i]) * float64(in[1][plane(i)]) },
			wantGrad: func(in [][]float32, gy []float32, k, i int) float64 {
				if k == 0 {
					return float64(gy[i]) * float64(in[1][plane(i)])
				}
				return sumPlane(i, func(j int) float64 { return float64(gy[j]) * float64(in[0][j]) })
			},
		},
		{
			name: "mul_sample", inputs: []largeInput{x, {shape: []int{b}, grad: true}}, tol: largeReduceTol,
			run:  func(e *Engine, in []*Tensor) *Tensor { return e.MulSample(in[0], in[1]) },
			want: func(in [][]float32, i int) float64 { return float64(in[0][i]) * float64(in[1][i/(c*hw)]) },
			wantGrad: func(in [][]float32, gy []float32, k, i int) float64 {
				if k == 0 {
					return float64(gy[i]) * float64(in[1][i/(c*hw)])
				}
				s := 0.0
				for ch := 0; ch < c; ch++ {
					s += sumPlane(i*c+ch, func(j int) float64 { return float64(gy[j]) * float64(in[0][j]) })
				}
				return s
			},
		},
		{
			name: "add_sample", inputs: []largeInput{x, {shape: []int{b}, grad: true}}, tol: largeReduceTol,
			run:  func(e *Engine, in []*Tensor) *Tensor { return e.AddSample(in[0], in[1]) },
			want: func(in [][]float32, i int) float64 { return float64(in[0][i]) + float64(in[1][i/(c*hw)]) },
			wantGrad: func(in [][]float32, gy []float32, k, i int) float64 {
				if k == 0 {
					return float64(gy[i])
				}
				s := 0.0
				for ch := 0; ch < c; ch++ {
					s += sumPlane(i*c+ch, func(j int) float64 { return float64(gy[j]) })
				}
				return s
			},
		},
	}
}

// planeOf returns plane (row, sample) p of size elements of v in float64.
func planeOf(v []float32, p, size int) []float64 { return f64(v[p*size : (p+1)*size]) }

func largeImage() []largeCase {
	var cs []largeCase
	// concat: a [17,6,251,247] and b [17,10,...] give 16.9 M elements.
	{
		as, bs := []int{17, 6, 251, 247}, []int{17, 10, 251, 247}
		na, nb := 6*251*247, 10*251*247
		cs = append(cs, largeCase{
			name: "concat", tol: largeElemTol,
			inputs: []largeInput{{shape: as, grad: true}, {shape: bs, grad: true}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.Concat(in[0], in[1]) },
			want: func(in [][]float32, i int) float64 {
				s, r := i/(na+nb), i%(na+nb)
				if r < na {
					return float64(in[0][s*na+r])
				}
				return float64(in[1][s*nb+r-na])
			},
			wantGrad: func(_ [][]float32, gy []float32, k, i int) float64 {
				if k == 0 {
					return float64(gy[(i/na)*(na+nb)+i%na])
				}
				return float64(gy[(i/nb)*(na+nb)+na+i%nb])
			},
		})
	}
	// upsample2x: x [5,7,241,499] (4.2 M, past 65535 x 64) to 16.8 M.
	{
		xs := []int{5, 7, 241, 499}
		h, w := xs[2], xs[3]
		cs = append(cs, largeCase{
			name: "upsample2x", tol: largeElemTol,
			inputs: []largeInput{{shape: xs, grad: true}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.Upsample2x(in[0]) },
			want: func(in [][]float32, i int) float64 {
				p, r := i/(4*h*w), i%(4*h*w)
				oy, ox := r/(2*w), r%(2*w)
				return float64(in[0][(p*h+oy/2)*w+ox/2])
			},
			wantGrad: func(_ [][]float32, gy []float32, _, i int) float64 {
				p, r := i/(h*w), i%(h*w)
				iy, ix := r/w, r%w
				s := 0.0
				for dy := 0; dy < 2; dy++ {
					for dx := 0; dx < 2; dx++ {
						s += float64(gy[(p*2*h+2*iy+dy)*2*w+2*ix+dx])
					}
				}
				return s
			},
		})
	}
	// Pooling: x [5,7,483,997] (16.9 M) to 4.2 M outputs.
	xs := []int{5, 7, 483, 997}
	h, w := xs[2], xs[3]
	{
		ho, wo := h/2, w/2
		cs = append(cs, largeCase{
			name: "avgpool2x2", tol: largeElemTol,
			inputs: []largeInput{{shape: xs, grad: true}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.AvgPool2x2(in[0]) },
			want: func(in [][]float32, i int) float64 {
				p, r := i/(ho*wo), i%(ho*wo)
				top := (p*h+2*(r/wo))*w + 2*(r%wo)
				x := in[0]
				return 0.25 * (float64(x[top]) + float64(x[top+1]) + float64(x[top+w]) + float64(x[top+w+1]))
			},
			wantGrad: func(_ [][]float32, gy []float32, _, i int) float64 {
				p, r := i/(h*w), i%(h*w)
				oy, ox := r/w/2, r%w/2
				if oy >= ho || ox >= wo {
					return 0
				}
				return 0.25 * float64(gy[(p*ho+oy)*wo+ox])
			},
		})
	}
	for _, isMax := range []bool{true, false} {
		const k, stride, pad = 3, 2, 1
		ho, wo := (h+2*pad-k)/stride+1, (w+2*pad-k)/stride+1
		name, op := "maxpool2d", ref.MaxPool2d
		if !isMax {
			name, op = "avgpool2d", ref.AvgPool2d
		}
		var planes func(int) []float64
		cs = append(cs, largeCase{
			name: name, tol: largeElemTol,
			inputs: []largeInput{{shape: xs}},
			run: func(e *Engine, in []*Tensor) *Tensor {
				if isMax {
					return e.MaxPool2d(in[0], k, stride, pad)
				}
				return e.AvgPool2d(in[0], k, stride, pad)
			},
			want: func(in [][]float32, i int) float64 {
				if planes == nil {
					planes = memo(func(p int) []float64 {
						y, _ := op(planeOf(in[0], p, h*w), [4]int{1, 1, h, w}, k, stride, pad)
						return y
					})
				}
				return planes(i / (ho * wo))[i%(ho*wo)]
			},
		})
	}
	{
		xs := []int{5, 7, 100, 200}
		const ho, wo = 241, 499
		var planes func(int) []float64
		cs = append(cs, largeCase{
			name: "resize_bilinear", tol: resizeTol * 5, // source coordinates up to 200 in float32
			inputs: []largeInput{{shape: xs}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.ResizeBilinear(in[0], ho, wo) },
			want: func(in [][]float32, i int) float64 {
				if planes == nil {
					planes = memo(func(p int) []float64 {
						y, _ := ref.ResizeBilinear(planeOf(in[0], p, 100*200), [4]int{1, 1, 100, 200}, ho, wo)
						return y
					})
				}
				return planes(i / (ho * wo))[i%(ho*wo)]
			},
		})
	}
	return cs
}

// largeRows: the kernels with one workgroup per row or (sample, group),
// with more rows than one grid axis holds.
func largeRows() []largeCase {
	return []largeCase{
		// 8209 samples x 16 groups = 131344 workgroups, 16.8 M elements.
		largeGroupNorm("groupnorm", [4]int{8209, 32, 8, 8}, 16),
		// 131101 rows of 129.
		largeSoftmax("softmax", 131101, 129),
		largeCrossEntropy("softmax_cross_entropy", 131101, 129),
	}
}

// longRowCases have rows longer than lavapipe's loop limit allows one
// invocation of the device's usual workgroup (8 invocations) to sweep,
// and a GroupNorm over more samples than one invocation per channel may
// sum: the row kernels widen their workgroups, the parameter gradient
// takes the chunked reduction. Small tensors: they run in -short too.
func longRowCases() []largeCase {
	return []largeCase{
		largeSoftmax("softmax/long_rows", 3, 300001),
		largeCrossEntropy("softmax_cross_entropy/long_rows", 2, 300001),
		largeGroupNorm("groupnorm/long_groups", [4]int{2, 4, 300, 301}, 1),
		largeGroupNorm("groupnorm/many_samples", [4]int{70001, 4, 2, 2}, 2),
	}
}

func TestLongRows(t *testing.T) {
	for _, c := range longRowCases() {
		t.Run(c.name, func(t *testing.T) { runLarge(t, c) })
	}
}

// TestLoopBudgetRefused: a GroupNorm whose backward pass loops over 8192
// channels per (sample, group) cannot fit lavapipe's loop limit at any
// workgroup size; it is refused, not computed in part.
func TestLoopBudgetRefused(t *testing.T) {
	e := engine(t)
	defer e.ClearErr()
	if e.Tune.MaxLoopIterations == 0 {
		t.Skip("this device runs loops of any length")
	}
	x := e.Empty(1, 8192, 1, 1)
	x.Fill(1)
	gamma, beta := e.Empty(8192), e.Empty(8192)
	gamma.Fill(1)
	beta.Fill(0)
	e.GroupNorm(x, gamma, beta, 1, 1e-5)
	if err := e.Err(); err == nil || !strings.Contains(err.Error(), "loop iterations") || !strings.Contains(err.Error(), "[1 8192 1 1]") {
		t.Errorf("GroupNorm of [1 8192 1 1] in one group: error %v, want one naming the shape and the loop limit", err)
	}
}

func largeGroupNorm(name string, xs [4]int, groups int) largeCase {
	const eps = 1e-5
	per := xs[1] * xs[2] * xs[3]
	one := [4]int{1, xs[1], xs[2], xs[3]}
	sample := func(in [][]float32, b int) []float64 { return planeOf(in[0], b, per) }
	var fwd, bwd func(int) []float64
	var params func() []float64
	return largeCase{
		name: name, tol: largeReduceTol,
		inputs: []largeInput{{shape: xs[:], lo: -2, hi: 3, grad: true}, {shape: []int{xs[1]}, lo: 0.5, hi: 1.5, grad: true}, {shape: []int{xs[1]}, grad: true}},
		run:    func(e *Engine, in []*Tensor) *Tensor { return e.GroupNorm(in[0], in[1], in[2], groups, eps) },
		want: func(in [][]float32, i int) float64 {
			if fwd == nil {
				fwd = memo(func(b int) []float64 {
					return ref.GroupNorm(sample(in, b), one, f64(in[1]), f64(in[2]), groups, eps)
				})
			}
			return fwd(i / per)[i%per]
		},
		wantGrad: func(in [][]float32, gy []float32, k, i int) float64 {
			if k == 0 {
				if bwd == nil {
					bwd = memo(func(b int) []float64 {
						gx, _, _ := ref.GroupNormBackward(sample(in, b), one, f64(in[1]), groups, eps, planeOf(gy, b, per))
						return gx
					})
				}
				return bwd(i / per)[i%per]
			}
			if params == nil {
				params = once(func() []float64 { // gamma's gradient, then beta's
					sum := make([]float64, 2*xs[1])
					for b := 0; b < xs[0]; b++ {
						_, gg, gb := ref.GroupNormBackward(sample(in, b), one, f64(in[1]), groups, eps, planeOf(gy, b, per))
						for c := range gg {
							sum[c] += gg[c]
							sum[xs[1]+c] += gb[c]
						}
					}
					return sum
				})
			}
			return params()[(k-1)*xs[1]+i]
		},
	}
}

func largeSoftmax(name string, rows, n int) largeCase {
	var fwd, bwd func(int) []float64
	return largeCase{
		name: name, tol: largeRowTol,
		inputs: []largeInput{{shape: []int{rows, n}, lo: -4, hi: 4, grad: true}},
		run:    func(e *Engine, in []*Tensor) *Tensor { return e.Softmax(in[0]) },
		want: func(in [][]float32, i int) float64 {
			if fwd == nil {
				fwd = memo(func(r int) []float64 { return ref.Softmax(planeOf(in[0], r, n), n) })
			}
			return fwd(i / n)[i%n]
		},
		wantGrad: func(in [][]float32, gy []float32, _, i int) float64 {
			if bwd == nil {
				bwd = memo(func(r int) []float64 {
					return ref.SoftmaxBackward(fwd(r), n, planeOf(gy, r, n))
				})
			}
			return bwd(i / n)[i%n]
		},
	}
}

func largeCrossEntropy(name string, rows, n int) largeCase {
	var x []float32 // the logits, set by want and wantGrad
	lse := memo(func(r int) []float64 {
		row := x[r*n : (r+1)*n]
		hi := math.Inf(-1)
		for _, v := range row {
			hi = math.Max(hi, float64(v))
		}
		s := 0.0
		for _, v := range row {
			s += math.Exp(float64(v) - hi)
		}
		return []float64{hi + math.Log(s)}
	})
	return largeCase{
		name: name, tol: largeRowTol,
		inputs: []largeInput{{shape: []int{rows, n}, lo: -4, hi: 4, grad: true}, {shape: []int{rows}, lo: 0, hi: float64(n), whole: true}},
		run:    func(e *Engine, in []*Tensor) *Tensor { return e.SoftmaxCrossEntropy(in[0], in[1]) },
		want: func(in [][]float32, _ int) float64 {
			x = in[0]
			s := 0.0
			for r := 0; r < rows; r++ {
				s += lse(r)[0] - float64(in[0][r*n+int(in[1][r])])
			}
			return s / float64(rows)
		},
		wantGrad: func(in [][]float32, gy []float32, _, i int) float64 {
			x = in[0]
			r, j := i/n, i%n
			p := math.Exp(float64(in[0][i]) - lse(r)[0])
			if j == int(in[1][r]) {
				p--
			}
			return float64(gy[0]) * p / float64(rows)
		},
	}
}

func largeReductions() []largeCase {
	var cs []largeCase
	// Sum over the last axis of [2404979, 7]: the serial path, one
	// invocation per output.
	{
		const r, n = 2404979, 7
		cs = append(cs, largeCase{
			name: "sum/last_axis", tol: largeRowTol,
			inputs: []largeInput{{shape: []int{r, n}, grad: true}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.Sum(in[0], 1) },
			want: func(in [][]float32, i int) float64 {
				s := 0.0
				for _, v := range in[0][i*n : (i+1)*n] {
					s += float64(v)
				}
				return s
			},
			wantGrad: func(_ [][]float32, gy []float32, _, i int) float64 { return float64(gy[i/n]) },
		})
	}
	// Sum over the first axis of [3, 5592409]: a strided reduction with
	// 5.6 M outputs, one workgroup each.
	{
		const m = 5592409
		cs = append(cs, largeCase{
			name: "sum/first_axis", tol: largeRowTol,
			inputs: []largeInput{{shape: []int{3, m}, grad: true}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.Sum(in[0], 0) },
			want: func(in [][]float32, i int) float64 {
				x := in[0]
				return float64(x[i]) + float64(x[m+i]) + float64(x[2*m+i])
			},
			wantGrad: func(_ [][]float32, gy []float32, _, i int) float64 { return float64(gy[i%m]) },
		})
	}
	// Mean of everything: chunks of the reduced axis in several passes.
	{
		var total func() []float64
		cs = append(cs, largeCase{
			name: "mean/all", tol: largeReduceTol,
			inputs: []largeInput{{shape: []int{largeFlat}, lo: 0, hi: 1, grad: true}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.Mean(in[0]) },
			want: func(in [][]float32, _ int) float64 {
				if total == nil {
					total = once(func() []float64 {
						s := 0.0
						for _, v := range in[0] {
							s += float64(v)
						}
						return []float64{s / largeFlat}
					})
				}
				return total()[0]
			},
			wantGrad: func(_ [][]float32, gy []float32, _, _ int) float64 { return float64(gy[0]) / largeFlat },
		})
	}
	// SumSquares per sample of [70001, 241]: 70001 outputs of 241 terms.
	{
		const b, per = 70001, 241
		cs = append(cs, largeCase{
			name: "sum_squares", tol: largeRowTol,
			inputs: []largeInput{{shape: []int{b, per}, grad: true}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.SumSquares(in[0]) },
			want: func(in [][]float32, i int) float64 {
				s := 0.0
				for _, v := range in[0][i*per : (i+1)*per] {
					s += float64(v) * float64(v)
				}
				return s
			},
			wantGrad: func(in [][]float32, gy []float32, _, i int) float64 {
				return 2 * float64(in[0][i]) * float64(gy[i/per])
			},
		})
	}
	return cs
}

func largeRandom(flat []int) []largeCase {
	const p = 0.3
	key := RNGKey{Seed: 0x0123456789abcdef, Step: 9, Layer: 4}
	scale := float64(float32(1 / (1 - p)))
	keep := func(i int) float64 {
		if ref.DropoutKeep(refKey(key), i, p) {
			return scale
		}
		return 0
	}
	return []largeCase{
		{
			name: "dropout", tol: largeElemTol,
			inputs:   []largeInput{{shape: flat, grad: true}},
			run:      func(e *Engine, in []*Tensor) *Tensor { return e.Dropout(in[0], key, p) },
			want:     func(in [][]float32, i int) float64 { return float64(in[0][i]) * keep(i) },
			wantGrad: func(_ [][]float32, gy []float32, _, i int) float64 { return float64(gy[i]) * keep(i) },
		},
		{
			name: "rand_normal", tol: normalTol,
			run:  func(e *Engine, _ []*Tensor) *Tensor { return e.RandNormal(key, flat...) },
			want: func(_ [][]float32, i int) float64 { return ref.Normal(refKey(key), i) },
		},
	}
}

// largeLosses: s, t [70001, 241] (16.9 M elements), lam [70001].
func largeLosses() []largeCase {
	const b, per = 70001, 241
	c := 0.00054 * math.Sqrt(per)
	inputs := []largeInput{{shape: []int{b, per}, grad: true}, {shape: []int{b, per}, grad: true}, {shape: []int{b}, lo: 0.5, hi: 2, grad: true}}
	var cs []largeCase
	for _, l1 := range []bool{false, true} {
		// dist is d_b (the squared distance, or the l1 distance) of sample b.
		dist := func(in [][]float32, s int) float64 {
			d := 0.0
			for i := s * per; i < (s+1)*per; i++ {
				v := float64(in[0][i]) - float64(in[1][i])
				if l1 {
					d += math.Abs(v)
				} else {
					d += v * v
				}
			}
			return d
		}
		f := func(d float64) float64 {
			if l1 {
				return d
			}
			return math.Sqrt(d+c*c) - c
		}
		name := "pseudo_huber_loss"
		if l1 {
			name = "l1_loss"
		}
		cs = append(cs, largeCase{
			name: name, inputs: inputs, tol: largeReduceTol,
			run: func(e *Engine, in []*Tensor) *Tensor {
				if l1 {
					return e.L1Loss(in[0], in[1], in[2])
				}
				return e.PseudoHuberLoss(in[0], in[1], in[2], float32(c))
			},
			want: func(in [][]float32, _ int) float64 {
				s := 0.0
				for n := 0; n < b; n++ {
					s += float64(in[2][n]) * f(dist(in, n))
				}
				return s / b
			},
			wantGrad: func(in [][]float32, gy []float32, k, i int) float64 {
				g := float64(gy[0]) / b
				if k == 2 {
					return g * f(dist(in, i))
				}
				n := i / per
				v := float64(in[0][i]) - float64(in[1][i])
				var dv float64
				if l1 {
					dv = math.Copysign(1, v)
				} else {
					dv = v / math.Sqrt(dist(in, n)+c*c)
				}
				if k == 1 {
					dv = -dv
				}
				return g * float64(in[2][n]) * dv
			},
		})
	}
	return cs
}

func largeGEMM() []largeCase {
	var cs []largeCase
	// A 3x3 convolution from one channel to one: 263 x 253 x 253 = 16.8 M
	// pixels, which the CPU tiles cover with 262,000 column blocks.
	{
		const b, h, w = 263, 253, 253
		at := func(x []float32, n, y, xx int) float64 {
			if y < 0 || y >= h || xx < 0 || xx >= w {
				return 0
			}
			return float64(x[(n*h+y)*w+xx])
		}
		var wgrad func() []float64
		cs = append(cs, largeCase{
			name: "conv2d", tol: largeLongTol,
			inputs: []largeInput{{shape: []int{b, 1, h, w}, grad: true}, {shape: []int{1, 1, 3, 3}, grad: true}, {shape: []int{1}, grad: true}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.Conv2d(in[0], in[1], in[2], 1, 1) },
			want: func(in [][]float32, i int) float64 {
				n, r := i/(h*w), i%(h*w)
				oy, ox := r/w, r%w
				s := float64(in[2][0])
				for ky := 0; ky < 3; ky++ {
					for kx := 0; kx < 3; kx++ {
						s += float64(in[1][ky*3+kx]) * at(in[0], n, oy+ky-1, ox+kx-1)
					}
				}
				return s
			},
			wantGrad: func(in [][]float32, gy []float32, k, i int) float64 {
				switch k {
				case 0:
					n, r := i/(h*w), i%(h*w)
					iy, ix := r/w, r%w
					s := 0.0
					for ky := 0; ky < 3; ky++ {
						for kx := 0; kx < 3; kx++ {
							s += float64(in[1][ky*3+kx]) * at(gy, n, iy-ky+1, ix-kx+1)
						}
					}
					return s
				case 1, 2:
					if wgrad == nil {
						wgrad = once(func() []float64 { // the 9 weights' gradients, then the bias's
							g := make([]float64, 10)
							for n := 0; n < b; n++ {
								for oy := 0; oy < h; oy++ {
									for ox := 0; ox < w; ox++ {
										d := float64(gy[(n*h+oy)*w+ox])
										g[9] += d
										for ky := 0; ky < 3; ky++ {
											for kx := 0; kx < 3; kx++ {
												g[ky*3+kx] += d * at(in[0], n, oy+ky-1, ox+kx-1)
											}
										}
									}
								}
							}
							return g
						})
					}
					if k == 2 {
						return wgrad()[9]
					}
					return wgrad()[i]
				}
				return math.NaN()
			},
		})
	}
	// A same convolution with 8 channels on 4100 images of 16 x 4, which
	// the CPU tiling runs on conv_same_cpu and conv_same_weight_cpu: the
	// weight gradient's depth, 65,600 image rows, takes more iterations
	// than lavapipe lets one invocation loop (65,535), so it runs in
	// slices. The same on 2100 images of 16 x 32 (33,600 rows, two loop
	// iterations each): the weight gradient's blocks of 32 columns, which
	// sum pixel by pixel rather than tap by tap.
	for _, shape := range []struct {
		name string
		b, w int
	}{{"conv2d same", 4100, 4}, {"conv2d same 32 wide", 2100, 32}} {
		const c, h = 8, 16
		b, w := shape.b, shape.w
		at := func(x []float32, n, ci, y, xx int) float64 {
			if y < 0 || y >= h || xx < 0 || xx >= w {
				return 0
			}
			return float64(x[((n*c+ci)*h+y)*w+xx])
		}
		var wgrad func() []float64
		cs = append(cs, largeCase{
			name: shape.name, tol: largeLongTol,
			inputs: []largeInput{{shape: []int{b, c, h, w}, grad: true}, {shape: []int{c, c, 3, 3}, grad: true}, {shape: []int{c}, grad: true}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.Conv2d(in[0], in[1], in[2], 1, 1) },
			want: func(in [][]float32, i int) float64 {
				n, co, r := i/(c*h*w), i/(h*w)%c, i%(h*w)
				oy, ox := r/w, r%w
				s := float64(in[2][co])
				for ci := 0; ci < c; ci++ {
					for ky := 0; ky < 3; ky++ {
						for kx := 0; kx < 3; kx++ {
							s += float64(in[1][((co*c+ci)*3+ky)*3+kx]) * at(in[0], n, ci, oy+ky-1, ox+kx-1)
						}
					}
				}
				return s
			},
			wantGrad: func(in [][]float32, gy []float32, k, i int) float64 {
				if k == 0 {
					n, ci, r := i/(c*h*w), i/(h*w)%c, i%(h*w)
					iy, ix := r/w, r%w
					s := 0.0
					for co := 0; co < c; co++ {
						for ky := 0; ky < 3; ky++ {
							for kx := 0; kx < 3; kx++ {
								s += float64(in[1][((co*c+ci)*3+ky)*3+kx]) * at(gy, n, co, iy-ky+1, ix-kx+1)
							}
						}
					}
					return s
				}
				if wgrad == nil {
					wgrad = once(func() []float64 { // the weights' gradients, then the bias's
						g := make([]float64, c*c*9+c)
						for n := 0; n < b; n++ {
							for co := 0; co < c; co++ {
								for oy := 0; oy < h; oy++ {
									for ox := 0; ox < w; ox++ {
										d := float64(gy[((n*c+co)*h+oy)*w+ox])
										g[c*c*9+co] += d
										for ci := 0; ci < c; ci++ {
											for ky := 0; ky < 3; ky++ {
												for kx := 0; kx < 3; kx++ {
													g[((co*c+ci)*3+ky)*3+kx] += d * at(in[0], n, ci, oy+ky-1, ox+kx-1)
												}
											}
										}
									}
								}
							}
						}
						return g
					})
				}
				if k == 2 {
					return wgrad()[c*c*9+i]
				}
				return wgrad()[i]
			},
		})
	}
	// a [1,2] . b [2, 8388617]: 131,000 column blocks; b holds 16.8 M.
	{
		const n = 8388617
		var agrad func() []float64
		cs = append(cs, largeCase{
			name: "matmul", tol: largeLongTol,
			inputs: []largeInput{{shape: []int{1, 2}, grad: true}, {shape: []int{2, n}, grad: true}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.MatMul(in[0], in[1], false, false) },
			want: func(in [][]float32, j int) float64 {
				return float64(in[0][0])*float64(in[1][j]) + float64(in[0][1])*float64(in[1][n+j])
			},
			wantGrad: func(in [][]float32, gy []float32, k, i int) float64 {
				if k == 1 {
					return float64(in[0][i/n]) * float64(gy[i%n])
				}
				if agrad == nil {
					agrad = once(func() []float64 {
						g := make([]float64, 2)
						for j := 0; j < n; j++ {
							g[0] += float64(gy[j]) * float64(in[1][j])
							g[1] += float64(gy[j]) * float64(in[1][n+j])
						}
						return g
					})
				}
				return agrad()[i]
			},
		})
	}
	return cs
}

// largeEmbed: 70001 samples (one workgroup each in the backward pass)
// embedded into 240 channels: 16.8 M elements.
func largeEmbed() []largeCase {
	const b, m = 70001, 120
	var cs []largeCase
	{
		var fwd, bwd func(int) []float64
		cs = append(cs, largeCase{
			name: "fourier_features", tol: largeRowTol,
			inputs: []largeInput{{shape: []int{b}, lo: -3, hi: 3, grad: true}, {shape: []int{m}, lo: -2, hi: 2}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.FourierFeatures(in[0], in[1]) },
			want: func(in [][]float32, i int) float64 {
				if fwd == nil {
					fwd = memo(func(s int) []float64 { return ref.FourierFeatures(f64(in[0][s:s+1]), f64(in[1])) })
				}
				return fwd(i / (2 * m))[i%(2*m)]
			},
			wantGrad: func(in [][]float32, gy []float32, _, i int) float64 {
				if bwd == nil {
					bwd = memo(func(s int) []float64 {
						return ref.FourierFeaturesBackward(f64(in[0][s:s+1]), f64(in[1]), planeOf(gy, s, 2*m))
					})
				}
				return bwd(i)[0]
			},
		})
	}
	{
		const maxPos = 10000
		cs = append(cs, largeCase{
			name: "positional_embedding", tol: largeRowTol,
			inputs: []largeInput{{shape: []int{b}, lo: 0, hi: 10, grad: true}},
			run:    func(e *Engine, in []*Tensor) *Tensor { return e.PositionalEmbedding(in[0], 2*m, maxPos) },
			want: func(in [][]float32, i int) float64 {
				return ref.PositionalEmbedding(f64(in[0][i/(2*m):i/(2*m)+1]), 2*m, maxPos)[i%(2*m)]
			},
			wantGrad: func(in [][]float32, gy []float32, _, i int) float64 {
				return ref.PositionalEmbeddingBackward(f64(in[0][i:i+1]), 2*m, maxPos, planeOf(gy, i, 2*m))[0]
			},
		})
	}
	return cs
}

// TestLargeOptimizer runs one clipped Adam step and one EMA update over
// a parameter of 16.8 M elements: every element moves, takes its
// gradient (which the step zeroes) and matches the reference.
func TestLargeOptimizer(t *testing.T) {
	if testing.Short() {
		t.Skip("large tensors take a minute on lavapipe")
	}
	e := largeEngine(t)
	start := time.Now()
	rng := rand.New(rand.NewPCG(7, 8))
	in := largeInput{shape: []int{largeFlat}}
	p0, g0, p1 := randomF32(rng, in), randomF32(rng, in), randomF32(rng, in)
	p := e.NewParam(p0, largeFlat)
	defer p.Free()
	avg, err := e.NewEMA(0.9, []*Tensor{p}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer avg.Average[0].Free()
	cfg := AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, ClipNorm: 100}
	o, err := e.NewAdam(cfg, []*Tensor{p})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		o.M[0].Free()
		o.V[0].Free()
	}()
	p.Grad().Upload(g0)
	o.Step()
	got := func(x *Tensor) []float32 {
		v, err := x.Download()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	sumsq := 0.0
	for _, g := range g0 {
		sumsq += float64(g) * float64(g)
	}
	clip := math.Min(1, cfg.ClipNorm/(math.Sqrt(sumsq)+1e-6))
	gs := got(o.GradScale)
	if math.Abs(float64(gs[0])-clip) > 1e-5*clip {
		t.Errorf("gradient scale %v, want %v", gs[0], clip)
	}
	// The step itself is checked with the device's scale: the second
	// moments square its float32 rounding.
	clip = float64(gs[0])
	// The reference step of each element on its own (Adam is elementwise),
	// with the betas as the device holds them (1 - float32(0.999) is 1.3e-5
	// off 0.001, which the second moments carry).
	refCfg := ref.AdamConfig{LR: cfg.LR, Beta1: float64(float32(cfg.Beta1)), Beta2: float64(float32(cfg.Beta2)), Eps: cfg.Eps, WeightDecay: cfg.WeightDecay}
	step := func(i int) (pi, mi, vi float64) {
		pp, mm, vv := []float64{float64(p0[i])}, []float64{0}, []float64{0}
		ref.AdamStep(pp, []float64{float64(g0[i]) * clip}, mm, vv, 1, refCfg)
		return pp[0], mm[0], vv[0]
	}
	checkSampled(t, "parameters after the step", got(p), func(i int) float64 { pi, _, _ := step(i); return pi }, optimTol, rng)
	checkSampled(t, "first moments", got(o.M[0]), func(i int) float64 { _, mi, _ := step(i); return mi }, optimTol, rng)
	checkSampled(t, "second moments", got(o.V[0]), func(i int) float64 { _, _, vi := step(i); return vi }, optimTol, rng)
	if g := got(p.Grad()); true {
		for i, v := range g {
			if v != 0 {
				t.Errorf("gradient element %d is %v after the step, want 0 (taken)", i, v)
				break
			}
		}
	}
	// The EMA started at p0; now p = p1.
	p.Upload(p1)
	avg.Update()
	checkSampled(t, "EMA", got(avg.Average[0]), func(i int) float64 {
		return float64(p0[i]) + 0.1*(float64(p1[i])-float64(p0[i]))
	}, largeElemTol, rng)
	t.Logf("%.2f s", time.Since(start).Seconds())
}

// TestFold1D: the grid of a one-dimensional launch covers every index
// once folded, keeps every axis within the limit, and leaves no whole
// row idle, for limits small enough to fold often.
func TestFold1D(t *testing.T) {
	for _, lim := range [][3]uint32{{65535, 65535, 65535}, {7, 5, 1}, {1, 3, 1}} {
		for _, local := range []uint32{1, 3, 64} {
			for _, n := range []uint64{1, 2, 6, 7, 8, 34, 35, 36, 64 * 65535, 64*65535 + 1, 1<<24 + 4093} {
				g := fold1D(n, local, lim)
				total := uint64(g[0]) * uint64(g[1]) * uint64(local)
				fits := g[0] <= lim[0] && g[1] <= lim[1]
				if total < n || g[2] != 1 || (g[1] > 1 && uint64(g[0])*uint64(g[1]-1)*uint64(local) >= n) {
					t.Errorf("n %d, local %d, limits %v: grid %v covers %d", n, local, lim, g, total)
				}
				if !fits && uint64(lim[0])*uint64(lim[1])*uint64(local) >= n {
					t.Errorf("n %d, local %d, limits %v: grid %v passes a limit although a fold fits", n, local, lim, g)
				}
			}
		}
	}
}

// TestTensorPastStorageBufferRange: a tensor past maxStorageBufferRange is
// refused by nn with its shape, its size and the limit, both when asked
// for directly and when an op would produce it.
func TestTensorPastStorageBufferRange(t *testing.T) {
	e := engine(t)
	defer e.ClearErr()
	lim := e.Dev.Info.Limits.MaxStorageBufferRange
	rows := int(lim/4/1024) + 1
	e.Empty(rows, 1024)
	err := e.Err()
	for _, want := range []string{fmt.Sprint([]int{rows, 1024}), vk.HumanBytes(4 * uint64(rows) * 1024), vk.HumanBytes(lim), "storage buffer range", "micro-batch"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Empty(%d, 1024): error %v does not name %q", rows, err, want)
		}
	}
	e.ClearErr()
	if lim > 256<<20 {
		t.Skipf("the op case would allocate %s", vk.HumanBytes(lim/4))
	}
	// An upsampling whose input fits and whose output does not.
	h := int(lim/4/1024/4) + 1
	x := e.Empty(1, 1, h, 1024)
	if e.Err() != nil {
		t.Fatalf("input %v: %v", x.Shape(), e.Err())
	}
	y := e.Upsample2x(x)
	want := fmt.Sprint([]int{1, 1, 2 * h, 2048})
	if err := e.Err(); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), vk.HumanBytes(lim)) {
		t.Errorf("upsampling %v to %v: error %v, want one naming %s and the limit", x.Shape(), y.Shape(), err, want)
	} else {
		t.Log(err)
	}
}
