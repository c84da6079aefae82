// Package inception is the FID Inception-v3 network of pytorch-fid
// (github.com/mseitzer/pytorch-fid, its fid_inception_v3 with the
// FIDInceptionA/C/E_1/E_2 blocks), inference only, on ictvk's engine: the
// 2048 pool features that the FID of papers is computed from.
//
// ictvk does not ship the weights. Load reads them from a safetensors
// conversion of pytorch-fid's pt_inception-2015-12-05-6726825d.pth (the
// README says how), by the state dict's tensor names
// ("Conv2d_1a_3x3.conv.weight", "Mixed_5b.branch1x1.bn.running_var", ...);
// the classifier head (fc.*) and any other tensor is ignored.
//
// Each BasicConv2d (convolution without bias, BatchNorm with eps 1e-3,
// ReLU) becomes one convolution with bias: the BatchNorm is folded into
// the weights on the host at load, in float64.
package inception

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/checkpoint"
)

// InputSize is the side the network reads: images are resized to
// InputSize x InputSize first (bilinear, align_corners=False).
const InputSize = 299

// Features is the length of the feature vector: the channels of the last
// block, averaged over the positions.
const Features = 2048

// bnEps is BatchNorm's epsilon in torchvision's BasicConv2d.
const bnEps = 1e-3

// layer is one BasicConv2d: its state-dict prefix and geometry.
type layer struct {
	name               string
	cin, cout, kh, kw  int
	stride, padH, padW int
}

// layers lists every BasicConv2d of the network in state-dict order of
// the blocks (torchvision's InceptionA..E with pytorch-fid's channel
// counts).
func layers() []layer {
	var ls []layer
	add := func(name string, cin, cout, kh, kw, stride, padH, padW int) {
		ls = append(ls, layer{name, cin, cout, kh, kw, stride, padH, padW})
	}
	add("Conv2d_1a_3x3", 3, 32, 3, 3, 2, 0, 0)
	add("Conv2d_2a_3x3", 32, 32, 3, 3, 1, 0, 0)
	add("Conv2d_2b_3x3", 32, 64, 3, 3, 1, 1, 1)
	add("Conv2d_3b_1x1", 64, 80, 1, 1, 1, 0, 0)
	add("Conv2d_4a_3x3", 80, 192, 3, 3, 1, 0, 0)
	blockA := func(p string, cin, pool int) {
		add(p+".branch1x1", cin, 64, 1, 1, 1, 0, 0)
		add(p+".branch5x5_1", cin, 48, 1, 1, 1, 0, 0)
		add(p+".branch5x5_2", 48, 64, 5, 5, 1, 2, 2)
		add(p+".branch3x3dbl_1", cin, 64, 1, 1, 1, 0, 0)
		add(p+".branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1)
		add(p+".branch3x3dbl_3", 96, 96, 3, 3, 1, 1, 1)
		add(p+".branch_pool", cin, pool, 1, 1, 1, 0, 0)
	}
	blockA("Mixed_5b", 192, 32)
	blockA("Mixed_5c", 256, 64)
	blockA("Mixed_5d", 288, 64)
	add("Mixed_6a.branch3x3", 288, 384, 3, 3, 2, 0, 0)
	add("Mixed_6a.branch3x3dbl_1", 288, 64, 1, 1, 1, 0, 0)
	add("Mixed_6a.branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1)
	add("Mixed_6a.branch3x3dbl_3", 96, 96, 3, 3, 2, 0, 0)
	blockC := func(p string, c7 int) {
		add(p+".branch1x1", 768, 192, 1, 1, 1, 0, 0)
		add(p+".branch7x7_1", 768, c7, 1, 1, 1, 0, 0)
		add(p+".branch7x7_2", c7, c7, 1, 7, 1, 0, 3)
		add(p+".branch7x7_3", c7, 192, 7, 1, 1, 3, 0)
		add(p+".branch7x7dbl_1", 768, c7, 1, 1, 1, 0, 0)
		add(p+".branch7x7dbl_2", c7, c7, 7, 1, 1, 3, 0)
		add(p+".branch7x7dbl_3", c7, c7, 1, 7, 1, 0, 3)
		add(p+".branch7x7dbl_4", c7, c7, 7, 1, 1, 3, 0)
		add(p+".branch7x7dbl_5", c7, 192, 1, 7, 1, 0, 3)
		add(p+".branch_pool", 768, 192, 1, 1, 1, 0, 0)
	}
	blockC("Mixed_6b", 128)
	blockC("Mixed_6c", 160)
	blockC("Mixed_6d", 160)
	blockC("Mixed_6e", 192)
	add("Mixed_7a.branch3x3_1", 768, 192, 1, 1, 1, 0, 0)
	add("Mixed_7a.branch3x3_2", 192, 320, 3, 3, 2, 0, 0)
	add("Mixed_7a.branch7x7x3_1", 768, 192, 1, 1, 1, 0, 0)
	add("Mixed_7a.branch7x7x3_2", 192, 192, 1, 7, 1, 0, 3)
	add("Mixed_7a.branch7x7x3_3", 192, 192, 7, 1, 1, 3, 0)
	add("Mixed_7a.branch7x7x3_4", 192, 192, 3, 3, 2, 0, 0)
	blockE := func(p string, cin int) {
		add(p+".branch1x1", cin, 320, 1, 1, 1, 0, 0)
		add(p+".branch3x3_1", cin, 384, 1, 1, 1, 0, 0)
		add(p+".branch3x3_2a", 384, 384, 1, 3, 1, 0, 1)
		add(p+".branch3x3_2b", 384, 384, 3, 1, 1, 1, 0)
		add(p+".branch3x3dbl_1", cin, 448, 1, 1, 1, 0, 0)
		add(p+".branch3x3dbl_2", 448, 384, 3, 3, 1, 1, 1)
		add(p+".branch3x3dbl_3a", 384, 384, 1, 3, 1, 0, 1)
		add(p+".branch3x3dbl_3b", 384, 384, 3, 1, 1, 1, 0)
		add(p+".branch_pool", cin, 192, 1, 1, 1, 0, 0)
	}
	blockE("Mixed_7b", 1280)
	blockE("Mixed_7c", 2048)
	return ls
}

// Specs are the tensors Load needs, with their shapes: per BasicConv2d
// NAME, NAME.conv.weight [cout, cin, kh, kw] and NAME.bn.{weight, bias,
// running_mean, running_var} [cout].
func Specs() []checkpoint.Spec {
	var specs []checkpoint.Spec
	for _, l := range layers() {
		specs = append(specs, checkpoint.Spec{Name: l.name + ".conv.weight", Shape: []int{l.cout, l.cin, l.kh, l.kw}})
		for _, p := range bnParams {
			specs = append(specs, checkpoint.Spec{Name: l.name + ".bn." + p, Shape: []int{l.cout}})
		}
	}
	return specs
}

var bnParams = []string{"weight", "bias", "running_mean", "running_var"}

// conv is a BasicConv2d with its BatchNorm folded in.
type conv struct {
	layer
	w, b *nn.Tensor
}

// Net is the network on a device.
type Net struct {
	e     *nn.Engine
	convs map[string]*conv
	hash  string
}

// Load reads the weights from a safetensors file and uploads them. An
// error names the file and, for a missing or misshaped tensor, the tensor.
func Load(e *nn.Engine, path string) (*Net, error) {
	f, err := checkpoint.Read(path, checkpoint.Limits{})
	if err != nil {
		return nil, fmt.Errorf("inception weights: %w", err)
	}
	net, err := New(e, f)
	if err != nil {
		return nil, fmt.Errorf("inception weights %s: %w", path, err)
	}
	return net, nil
}

// New builds the network from the tensors of f (see Load).
func New(e *nn.Engine, f *checkpoint.File) (*Net, error) {
	if err := check(f); err != nil {
		return nil, err
	}
	n := &Net{e: e, convs: map[string]*conv{}}
	h := sha256.New()
	var word [4]byte
	for _, l := range layers() {
		wt, _ := f.Get(l.name + ".conv.weight")
		var bn [4][]float32
		for i, p := range bnParams {
			t, _ := f.Get(l.name + ".bn." + p)
			bn[i] = t.Data
		}
		w, b, err := fold(l, wt.Data, bn[0], bn[1], bn[2], bn[3])
		if err != nil {
			n.Free()
			return nil, err
		}
		for _, v := range slices.Concat(w, b) {
			binary.LittleEndian.PutUint32(word[:], math.Float32bits(v))
			h.Write(word[:])
		}
		c := &conv{layer: l, w: e.Persistent(l.cout, l.cin, l.kh, l.kw), b: e.Persistent(l.cout)}
		c.w.Upload(w)
		c.b.Upload(b)
		n.convs[l.name] = c
	}
	if err := e.Wait(); err != nil {
		n.Free()
		return nil, fmt.Errorf("uploading the weights: %w", err)
	}
	n.hash = hex.EncodeToString(h.Sum(nil)[:8])
	return n, nil
}

// check fails on the first tensor of Specs that f lacks or holds with
// another shape, naming it.
func check(f *checkpoint.File) error {
	for _, s := range Specs() {
		t, ok := f.Get(s.Name)
		if !ok {
			return fmt.Errorf("tensor %s %v is missing (is this pytorch-fid's FID Inception, pt_inception-2015-12-05?)", s.Name, s.Shape)
		}
		if !slices.Equal(t.Shape, s.Shape) {
			return fmt.Errorf("tensor %s has shape %v, want %v", s.Name, t.Shape, s.Shape)
		}
	}
	return nil
}

// fold returns the convolution weight and bias equal to conv then
// BatchNorm (inference): scale = gamma / sqrt(var + eps), w' = w * scale
// per output channel, b' = beta - mean * scale.
func fold(l layer, w, gamma, beta, mean, variance []float32) (wf, bf []float32, err error) {
	per := l.cin * l.kh * l.kw
	wf, bf = make([]float32, len(w)), make([]float32, l.cout)
	for co := 0; co < l.cout; co++ {
		v := float64(variance[co]) + bnEps
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, nil, fmt.Errorf("tensor %s.bn.running_var[%d] is %v: a BatchNorm variance must be finite and above -%g", l.name, co, variance[co], bnEps)
		}
		scale := float64(gamma[co]) / math.Sqrt(v)
		for i := co * per; i < (co+1)*per; i++ {
			wf[i] = float32(float64(w[i]) * scale)
		}
		bf[co] = float32(float64(beta[co]) - float64(mean[co])*scale)
	}
	return wf, bf, nil
}

// Hash identifies the weights (of the folded network), for caches of
// statistics computed with them.
func (n *Net) Hash() string { return n.hash }

// Free releases the weights' device memory.
func (n *Net) Free() {
	for _, c := range n.convs {
		c.w.Free()
		c.b.Free()
	}
}

// Forward returns the 2048 features [B, 2048] of images x [B, C, H, W]
// with values in [-1, 1] (pytorch-fid's input after its normalization)
// and C 1 (grayscale, replicated to RGB) or 3; other shapes fail on the
// engine (the first convolution's error). It must run under e.NoGrad or
// on tensors that need no gradient.
func (n *Net) Forward(x *nn.Tensor) *nn.Tensor {
	return n.e.Tidy(func() *nn.Tensor { return n.forward(x, InputSize) })
}

// forward is Forward with the images resized to size x size instead of
// 299 x 299 (the tests run the network on smaller images, down to 75).
func (n *Net) forward(x *nn.Tensor, size int) *nn.Tensor {
	e := n.e
	s := x.Shape()
	// Each stage runs in a Tidy scope and replaces h, which goes back to
	// the pool at once: a batch needs the memory of one stage, not of
	// every activation.
	h := x
	then := func(stage func(x *nn.Tensor) *nn.Tensor) {
		next := e.Tidy(func() *nn.Tensor { return stage(h) })
		if h != x {
			h.Free()
		}
		h = next
	}
	then(func(x *nn.Tensor) *nn.Tensor {
		x = e.ResizeBilinear(x, size, size)
		if len(s) == 4 && s[1] == 1 {
			x = e.Concat(e.Concat(x, x), x)
		}
		return x
	})
	conv := func(name string) func(*nn.Tensor) *nn.Tensor {
		return func(x *nn.Tensor) *nn.Tensor { return n.conv(x, name) }
	}
	maxPool := func(x *nn.Tensor) *nn.Tensor { return e.MaxPool2d(x, 3, 2, 0) }
	then(conv("Conv2d_1a_3x3"))
	then(conv("Conv2d_2a_3x3"))
	then(conv("Conv2d_2b_3x3"))
	then(maxPool)
	then(conv("Conv2d_3b_1x1"))
	then(conv("Conv2d_4a_3x3"))
	then(maxPool)
	for _, p := range []string{"Mixed_5b", "Mixed_5c", "Mixed_5d"} {
		then(func(x *nn.Tensor) *nn.Tensor { return n.blockA(x, p) })
	}
	then(func(x *nn.Tensor) *nn.Tensor { return n.blockB(x, "Mixed_6a") })
	for _, p := range []string{"Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"} {
		then(func(x *nn.Tensor) *nn.Tensor { return n.blockC(x, p) })
	}
	then(func(x *nn.Tensor) *nn.Tensor { return n.blockD(x, "Mixed_7a") })
	then(func(x *nn.Tensor) *nn.Tensor { return n.blockE(x, "Mixed_7b", false) })
	then(func(x *nn.Tensor) *nn.Tensor { return n.blockE(x, "Mixed_7c", true) })
	then(func(x *nn.Tensor) *nn.Tensor { return e.Mean(x, 2, 3) })
	if e.Err() != nil {
		return h
	}
	return h.Reshape(s[0], Features)
}

// RunBatch is how many images Run sends through the network at once. The
// largest activation (64 x 147 x 147 floats, 5.5 MB an image) must stay
// under lavapipe's 128 MiB buffer limit; 4 keeps it small.
const RunBatch = 4

// Run returns the features (count rows of Features) of count images
// (NCHW, channels 1 or 3, size x size, values in [-1, 1]), RunBatch at a
// time; the engine's step tensors are released after each batch.
func (n *Net) Run(images []float32, count, channels, size int) ([]float32, error) {
	e := n.e
	per := channels * size * size
	if count < 1 || (channels != 1 && channels != 3) || size < 1 || len(images) != count*per {
		return nil, fmt.Errorf("inception: %d values as %d images of %dx%dx%d: want 1 or 3 channels and that many values", len(images), count, channels, size, size)
	}
	out := make([]float32, 0, count*Features)
	for i := 0; i < count; i += RunBatch {
		b := min(RunBatch, count-i)
		var feats *nn.Tensor
		e.NoGrad(func() {
			feats = n.Forward(e.FromData(images[i*per:(i+b)*per], b, channels, size, size))
		})
		f, err := feats.Download()
		e.Release()
		if err != nil {
			return nil, fmt.Errorf("inception features: %w", err)
		}
		out = append(out, f...)
	}
	return out, nil
}

// conv runs BasicConv2d name: convolution with the folded bias, ReLU.
func (n *Net) conv(x *nn.Tensor, name string) *nn.Tensor {
	c := n.convs[name]
	return n.e.Tidy(func() *nn.Tensor { return n.e.ReLU(n.e.Conv2dPad(x, c.w, c.b, c.stride, c.padH, c.padW)) })
}

// cat joins tensors along channels, in order.
func (n *Net) cat(ts ...*nn.Tensor) *nn.Tensor {
	out := ts[0]
	for _, t := range ts[1:] {
		out = n.e.Concat(out, t)
	}
	return out
}

// blockA is FIDInceptionA: its pool branch averages without the padding.
func (n *Net) blockA(x *nn.Tensor, p string) *nn.Tensor {
	b1 := n.conv(x, p+".branch1x1")
	b5 := n.conv(n.conv(x, p+".branch5x5_1"), p+".branch5x5_2")
	b3 := n.conv(n.conv(n.conv(x, p+".branch3x3dbl_1"), p+".branch3x3dbl_2"), p+".branch3x3dbl_3")
	bp := n.conv(n.e.AvgPool2d(x, 3, 1, 1), p+".branch_pool")
	return n.cat(b1, b5, b3, bp)
}

// blockB is torchvision's InceptionB (Mixed_6a), unchanged by pytorch-fid.
func (n *Net) blockB(x *nn.Tensor, p string) *nn.Tensor {
	b3 := n.conv(x, p+".branch3x3")
	bd := n.conv(n.conv(n.conv(x, p+".branch3x3dbl_1"), p+".branch3x3dbl_2"), p+".branch3x3dbl_3")
	return n.cat(b3, bd, n.e.MaxPool2d(x, 3, 2, 0))
}

// blockC is FIDInceptionC.
func (n *Net) blockC(x *nn.Tensor, p string) *nn.Tensor {
	b1 := n.conv(x, p+".branch1x1")
	b7 := n.conv(n.conv(n.conv(x, p+".branch7x7_1"), p+".branch7x7_2"), p+".branch7x7_3")
	bd := x
	for i := 1; i <= 5; i++ {
		bd = n.conv(bd, fmt.Sprintf("%s.branch7x7dbl_%d", p, i))
	}
	bp := n.conv(n.e.AvgPool2d(x, 3, 1, 1), p+".branch_pool")
	return n.cat(b1, b7, bd, bp)
}

// blockD is torchvision's InceptionD (Mixed_7a).
func (n *Net) blockD(x *nn.Tensor, p string) *nn.Tensor {
	b3 := n.conv(n.conv(x, p+".branch3x3_1"), p+".branch3x3_2")
	b7 := x
	for i := 1; i <= 4; i++ {
		b7 = n.conv(b7, fmt.Sprintf("%s.branch7x7x3_%d", p, i))
	}
	return n.cat(b3, b7, n.e.MaxPool2d(x, 3, 2, 0))
}

// blockE is FIDInceptionE_1, or with maxPool FIDInceptionE_2, whose pool
// branch takes the max (pytorch-fid keeps this quirk of the TensorFlow
// graph).
func (n *Net) blockE(x *nn.Tensor, p string, maxPool bool) *nn.Tensor {
	b1 := n.conv(x, p+".branch1x1")
	b3 := n.conv(x, p+".branch3x3_1")
	b3 = n.cat(n.conv(b3, p+".branch3x3_2a"), n.conv(b3, p+".branch3x3_2b"))
	bd := n.conv(n.conv(x, p+".branch3x3dbl_1"), p+".branch3x3dbl_2")
	bd = n.cat(n.conv(bd, p+".branch3x3dbl_3a"), n.conv(bd, p+".branch3x3dbl_3b"))
	var pooled *nn.Tensor
	if maxPool {
		pooled = n.e.MaxPool2d(x, 3, 1, 1)
	} else {
		pooled = n.e.AvgPool2d(x, 3, 1, 1)
	}
	return n.cat(b1, b3, bd, n.conv(pooled, p+".branch_pool"))
}
