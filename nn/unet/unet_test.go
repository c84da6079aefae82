package unet

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/nntest"
)

// openEngine opens a validated engine for one test (see nntest).
func openEngine(t *testing.T) *nn.Engine { return nntest.Open(t, true) }

// tiny is a network with every layer kind: two levels, a channel change
// (1x1 skips), attention at 4x4 and in the middle, dropout.
func tiny() Config {
	return Config{
		ImageChannels: 1, ImageSize: 8, BaseChannels: 8, ChannelMults: []int{1, 2},
		BlocksPerLevel: 1, AttentionResolutions: []int{4}, AttentionHeads: 2,
		Dropout: 0.2, Groups: 4, Embedding: Fourier, FourierScale: 1,
	}
}

func randomFloats(rng *rand.Rand, n int, scale float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(scale * (2*rng.Float64() - 1))
	}
	return v
}

// randomize replaces the zero and identity initializations with random
// values, so that every parameter's gradient is non-zero.
func randomize(n *Net, rng *rand.Rand) {
	for _, p := range n.Params() {
		p.Tensor.Upload(randomFloats(rng, p.Tensor.Len(), 0.4))
	}
}

func TestConfigValidate(t *testing.T) {
	if err := tiny().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := tiny()
	bad.ImageSize = 7
	bad.Groups = 3
	bad.AttentionResolutions = []int{16}
	err := bad.Validate()
	for _, want := range []string{"image_size 7", "not a multiple of groups 3", "attention resolution 16"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
}

func TestForwardShapeAndDeterminism(t *testing.T) {
	e := openEngine(t)
	c := tiny()
	a, err := New(e, c, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(e, c, 7)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := e.FromData(randomFloats(rng, 3*64, 1), 3, 1, 8, 8)
	s := e.FromData([]float32{-1, 0.3, 2}, 3)
	key := nn.RNGKey{Seed: 5, Step: 1}
	run := func(n *Net, k *nn.RNGKey) []float32 {
		var y *nn.Tensor
		e.NoGrad(func() { y = n.Forward(x, s, k) })
		if got := y.Shape(); len(got) != 4 || got[0] != 3 || got[1] != 1 || got[2] != 8 || got[3] != 8 {
			t.Fatalf("output shape %v", got)
		}
		v, err := y.Download()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	randomize(a, rand.New(rand.NewPCG(3, 3)))
	randomize(b, rand.New(rand.NewPCG(3, 3)))
	ya, yb := run(a, &key), run(b, &key)
	other := key
	other.Step++
	yc := run(a, &other)
	yd := run(a, nil)
	same, diff, noDrop := true, false, false
	for i := range ya {
		same = same && ya[i] == yb[i]
		diff = diff || ya[i] != yc[i]
		noDrop = noDrop || ya[i] != yd[i]
	}
	if !same {
		t.Error("two networks from one seed and one dropout key differ")
	}
	if !diff {
		t.Error("another dropout key gave the same output")
	}
	if !noDrop {
		t.Error("forward without dropout equals forward with dropout")
	}
	if a.ParamCount() < 1000 {
		t.Errorf("parameter count %d", a.ParamCount())
	}
}

// TestGradientsMatchFiniteDifferences checks the tape's gradient of
// sum(F(x)·g) for a few entries of every parameter tensor against central
// differences computed on the device in float32.
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	e := openEngine(t)
	c := tiny()
	net, err := New(e, c, 11)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	randomize(net, rng)
	xData := randomFloats(rng, 2*64, 1)
	gData := randomFloats(rng, 2*64, 1)
	key := nn.RNGKey{Seed: 9, Step: 3}
	objective := func() float64 {
		var y *nn.Tensor
		e.NoGrad(func() {
			y = net.Forward(e.FromData(xData, 2, 1, 8, 8), e.FromData([]float32{-0.5, 1.5}, 2), &key)
		})
		v, err := y.Download()
		if err != nil {
			t.Fatal(err)
		}
		e.Release()
		s := 0.0
		for i := range v {
			s += float64(v[i]) * float64(gData[i])
		}
		return s
	}
	y := net.Forward(e.FromData(xData, 2, 1, 8, 8), e.FromData([]float32{-0.5, 1.5}, 2), &key)
	if err := e.BackwardWith(y, e.FromData(gData, 2, 1, 8, 8)); err != nil {
		t.Fatal(err)
	}
	e.Release()
	grads := map[string][]float32{}
	for _, p := range net.Params() {
		g, err := p.Tensor.Grad().Download()
		if err != nil {
			t.Fatal(err)
		}
		grads[p.Name] = g
	}
	checked := 0
	for _, p := range net.Params() {
		vals, _ := p.Tensor.Download()
		g := grads[p.Name]
		for _, j := range []int{len(vals) / 2} {
			old := vals[j]
			const h = 1e-2
			vals[j] = old + h
			p.Tensor.Upload(vals)
			up := objective()
			vals[j] = old - h
			p.Tensor.Upload(vals)
			down := objective()
			vals[j] = old
			p.Tensor.Upload(vals)
			fd := (up - down) / (2 * h)
			// float32 sums over a deep network: central differences are
			// good to about 1% of the larger of the two magnitudes.
			if d := math.Abs(fd - float64(g[j])); d > 0.02*math.Max(1, math.Max(math.Abs(fd), math.Abs(float64(g[j])))) {
				t.Errorf("%s[%d]: gradient %v, finite differences %v", p.Name, j, g[j], fd)
			}
			checked++
		}
	}
	t.Logf("checked %d entries of %d parameter tensors", checked, len(net.Params()))
}

// TestOverfitsOneBatch trains a tiny network to map a fixed noisy batch to
// its clean images: the loss must fall at least tenfold.
func TestOverfitsOneBatch(t *testing.T) {
	e := openEngine(t)
	c := tiny()
	c.Dropout = 0
	net, err := New(e, c, 3)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := e.NewAdam(nn.AdamConfig{LR: 3e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, net.Tensors())
	if err != nil {
		t.Fatal(err)
	}
	const b = 4
	clean := make([]float32, b*64)
	for i := 0; i < b; i++ {
		for y := 0; y < 8; y++ {
			for x := 0; x < 8; x++ {
				clean[i*64+y*8+x] = float32(math.Sin(float64(x*(i+1))/3 + float64(y)/2))
			}
		}
	}
	rng := rand.New(rand.NewPCG(8, 8))
	noisy := make([]float32, len(clean))
	for i := range noisy {
		noisy[i] = clean[i] + float32(0.5*rng.NormFloat64())
	}
	ones := []float32{1, 1, 1, 1}
	var first, last float64
	for step := 0; step < 50; step++ {
		x := e.FromData(noisy, b, 1, 8, 8)
		target := e.FromData(clean, b, 1, 8, 8)
		y := net.Forward(x, e.FromData([]float32{0, 0, 0, 0}, b), nil)
		loss := e.SquaredL2Loss(y, target, e.FromData(ones, b))
		if err := e.Backward(loss); err != nil {
			t.Fatal(err)
		}
		opt.Step()
		if step == 0 || step == 49 {
			v, err := loss.Download()
			if err != nil {
				t.Fatal(err)
			}
			if step == 0 {
				first = float64(v[0])
			} else {
				last = float64(v[0])
			}
		}
		e.Release()
	}
	t.Logf("loss %.4g -> %.4g", first, last)
	if !(last < first/10) {
		t.Fatalf("loss fell from %.4g to %.4g, less than tenfold", first, last)
	}
}

// mnistNet is the mnist preset's network (ct/presets.go; ct imports this
// package, so the shape is repeated here): 16x16, one channel, base 16,
// mults 1,2, attention at 8x8.
func mnistNet() Config {
	return Config{
		ImageChannels: 1, ImageSize: 16, BaseChannels: 16, ChannelMults: []int{1, 2},
		BlocksPerLevel: 1, AttentionResolutions: []int{8}, AttentionHeads: 1,
		Groups: 8, Embedding: Fourier, FourierScale: 0.02,
	}
}

// TestBatchIndependence: a sample's output does not depend on the batch
// it is in. A batch of 1000 spreads every kernel over grids, folds and
// tiles that one sample never reaches (GroupNorm's rows, attention's
// softmax over 64,000 rows, the convolutions' tile grids); the first,
// middle and last samples must come out as they do alone (tiles and
// summation order may differ with the batch: within 1e-5 of the output's
// scale).
func TestBatchIndependence(t *testing.T) {
	if testing.Short() {
		t.Skip("a batch of 1000 through the U-Net takes a while on lavapipe")
	}
	e := openEngine(t)
	n, err := New(e, mnistNet(), 11)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Free()
	randomize(n, rand.New(rand.NewPCG(5, 6)))
	const batch, size = 1000, 16 * 16
	rng := rand.New(rand.NewPCG(7, 8))
	xs, ss := randomFloats(rng, batch*size, 1), randomFloats(rng, batch, 2)
	forward := func(x, s []float32, b int) []float32 {
		var y *nn.Tensor
		e.NoGrad(func() { y = n.Forward(e.FromData(x, b, 1, 16, 16), e.FromData(s, b), nil) })
		v, err := y.Download()
		if err != nil {
			t.Fatal(err)
		}
		e.Release()
		return v
	}
	all := forward(xs, ss, batch)
	scale := 0.0
	for _, v := range all {
		if math.IsNaN(float64(v)) {
			t.Fatal("the batch's output holds NaN")
		}
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	for _, i := range []int{0, 1, 499, 997, 998, 999} {
		alone := forward(xs[i*size:(i+1)*size], ss[i:i+1], 1)
		worst := 0.0
		for j, v := range alone {
			worst = math.Max(worst, math.Abs(float64(v)-float64(all[i*size+j])))
		}
		if worst > 1e-5*scale {
			t.Errorf("sample %d: alone and in a batch of %d differ by %.3g (outputs up to %.3g)", i, batch, worst, scale)
		}
	}
}

// TestLivenessLowersPeak runs an iCT-shaped step (a teacher forward under
// NoGrad, a student forward, a loss, backward) on an engine with liveness
// and on one holding every step tensor until Release: the gradients must
// agree bit for bit (NaN-poisoned pools, so reading a recycled buffer
// would show), the peak of step memory must be well below the other, and
// steps after the first allocate no device memory.
func TestLivenessLowersPeak(t *testing.T) {
	c := tiny()
	const b = 4
	rng := rand.New(rand.NewPCG(5, 6))
	x := randomFloats(rng, b*64, 1)
	z := randomFloats(rng, b*64, 1)
	sigmas := []float32{-1, 0.5, 2, 0.1}
	// Each engine in a subtest of its own: one device open at a time.
	var step func(t *testing.T, hold bool) (uint64, [][]float32)
	run := func(hold bool) (peak uint64, grads [][]float32) {
		t.Run(fmt.Sprintf("hold=%v", hold), func(t *testing.T) { peak, grads = step(t, hold) })
		return peak, grads
	}
	step = func(t *testing.T, hold bool) (peak uint64, grads [][]float32) {
		opt := nntest.Options(t, true)
		opt.HoldStepTensors = hold
		e := nntest.OpenWith(t, opt)
		net, err := New(e, c, 7)
		if err != nil {
			t.Fatal(err)
		}
		defer net.Free()
		randomize(net, rand.New(rand.NewPCG(1, 2)))
		if err := e.Wait(); err != nil {
			t.Fatal(err)
		}
		e.ResetPeakMemory()
		key := nn.RNGKey{Seed: 3, Step: 1}
		var allocs int
		for i := 0; i < 3; i++ {
			if i == 1 {
				allocs = e.Dev.AllocStats().DeviceAllocs
			}
			e.ZeroGrad(net.Tensors())
			xt, noise := e.FromData(x, b, 1, 8, 8), e.FromData(sigmas, b)
			var target *nn.Tensor
			e.NoGrad(func() { target = net.Forward(e.Add(xt, e.FromData(z, b, 1, 8, 8)), noise, &key) })
			pred := net.Forward(xt, noise, &key)
			loss := e.PseudoHuberLoss(pred, target, e.FromData([]float32{1, 2, 3, 4}, b), 0.01)
			if err := e.Backward(loss); err != nil {
				t.Fatal(err)
			}
			e.Release()
		}
		// Memory returned within a step is reused within the next.
		if a := e.Dev.AllocStats().DeviceAllocs; a != allocs {
			t.Errorf("steps 2-3 made %d device allocations", a-allocs)
		}
		grads = nil
		for _, p := range net.Params() {
			g, err := p.Tensor.Grad().Download()
			if err != nil {
				t.Fatal(err)
			}
			grads = append(grads, g)
		}
		return e.PoolStats().PeakLentBytes, grads
	}
	live, gLive := run(false)
	held, gHeld := run(true)
	if t.Failed() {
		return
	}
	t.Logf("step memory peak: %d KiB with liveness, %d KiB holding every tensor", live>>10, held>>10)
	if live > held/2 {
		t.Errorf("liveness peaks at %d bytes, not below half of %d", live, held)
	}
	for i := range gLive {
		for j := range gLive[i] {
			if gLive[i][j] != gHeld[i][j] {
				t.Fatalf("gradient %d [%d]: %v with liveness, %v holding every tensor", i, j, gLive[i][j], gHeld[i][j])
			}
		}
	}
}
