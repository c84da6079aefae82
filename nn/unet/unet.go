package unet

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ictvk/ictvk/nn"
)

// Param is a named parameter; names are the checkpoint's tensor names.
type Param = nn.Named

// Net is a U-Net whose parameters live on an Engine's device.
type Net struct {
	Config Config
	e      *nn.Engine
	params []Param
	// Buffers are persistent non-trainable tensors saved with the
	// parameters: the Fourier frequencies.
	buffers []Param

	freqs          *nn.Tensor
	embed1, embed2 linear
	in             conv
	down           []level
	mid1, mid2     *resBlock
	midAttn        *attnBlock
	up             []level
	outNorm        norm
	out            conv
	dropoutSites   uint32
}

type level struct {
	blocks []*resBlock
	attns  []*attnBlock // nil entries where the level has no attention
	resize *conv        // stride-2 conv (down) or conv after upsampling (up); nil at the ends
}

// New builds a network with parameters drawn from seed: the same seed and
// config give the same network, bit for bit.
func New(e *nn.Engine, c Config, seed uint64) (*Net, error) { return build(e, c, seed, false) }

// NewFrozen builds a network whose parameters have no gradients: the EMA
// copy used for sampling, or the original CT's EMA teacher.
func NewFrozen(e *nn.Engine, c Config, seed uint64) (*Net, error) { return build(e, c, seed, true) }

func build(e *nn.Engine, c Config, seed uint64, frozen bool) (*Net, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	b := &builder{e: e, rng: rand.New(rand.NewPCG(seed, 0x1c7)), net: &Net{Config: c, e: e}, frozen: frozen}
	n := b.net
	ch := c.BaseChannels
	emb := c.embedChannels()
	if c.Embedding == Fourier {
		n.freqs = e.FourierFrequencies(nn.RNGKey{Seed: seed, Layer: 0xffff}, ch, float32(c.FourierScale))
		n.buffers = append(n.buffers, Param{Name: "embed.freqs", Tensor: n.freqs})
	}
	n.embed1 = b.linear("embed.0", 2*ch, emb, 1)
	n.embed2 = b.linear("embed.1", emb, emb, 1)
	n.in = b.conv("in", c.ImageChannels, ch, 3, 1, 1)

	// Encoder: remember the channels of every skip connection.
	skips := []int{ch}
	cur := ch
	for l, m := range c.ChannelMults {
		res := c.ImageSize >> l
		var lv level
		for i := 0; i < c.BlocksPerLevel; i++ {
			name := fmt.Sprintf("down.%d.%d", l, i)
			lv.blocks = append(lv.blocks, b.resBlock(name, cur, c.BaseChannels*m, emb))
			cur = c.BaseChannels * m
			lv.attns = append(lv.attns, b.attnIf(c.attentionAt(res), name+".attn", cur))
			skips = append(skips, cur)
		}
		if l < len(c.ChannelMults)-1 {
			d := b.conv(fmt.Sprintf("down.%d.resize", l), cur, cur, 3, 2, 1)
			lv.resize = &d
			skips = append(skips, cur)
		}
		n.down = append(n.down, lv)
	}
	n.mid1 = b.resBlock("mid.0", cur, cur, emb)
	n.midAttn = b.attn("mid.attn", cur)
	n.mid2 = b.resBlock("mid.1", cur, cur, emb)

	// Decoder: one more block per level than the encoder, each taking a
	// skip connection by concatenation.
	for l := len(c.ChannelMults) - 1; l >= 0; l-- {
		res := c.ImageSize >> l
		out := c.BaseChannels * c.ChannelMults[l]
		var lv level
		for i := 0; i <= c.BlocksPerLevel; i++ {
			skip := skips[len(skips)-1]
			skips = skips[:len(skips)-1]
			name := fmt.Sprintf("up.%d.%d", l, i)
			lv.blocks = append(lv.blocks, b.resBlock(name, cur+skip, out, emb))
			cur = out
			lv.attns = append(lv.attns, b.attnIf(c.attentionAt(res), name+".attn", cur))
		}
		if l > 0 {
			u := b.conv(fmt.Sprintf("up.%d.resize", l), cur, cur, 3, 1, 1)
			lv.resize = &u
		}
		n.up = append(n.up, lv)
	}
	n.outNorm = b.norm("out.norm", cur)
	n.out = b.convScaled("out.conv", cur, c.ImageChannels, 3, 1, 1, 0)
	n.dropoutSites = b.sites
	if err := e.Err(); err != nil {
		n.Free()
		return nil, err
	}
	return n, nil
}

// Params lists the trainable parameters in a fixed order.
func (n *Net) Params() []Param { return n.params }

// Tensors returns the parameters' tensors in Params order.
func (n *Net) Tensors() []*nn.Tensor { return nn.TensorsOf(n.params) }

// Buffers lists non-trainable state saved with the parameters.
func (n *Net) Buffers() []Param { return n.buffers }

// ParamCount is the number of trainable scalars.
func (n *Net) ParamCount() int {
	total := 0
	for _, p := range n.params {
		total += p.Tensor.Len()
	}
	return total
}

// Free releases the network's device memory.
func (n *Net) Free() {
	nn.FreeAll(n.params)
	nn.FreeAll(n.buffers)
}

// Forward maps x [B, C, H, W] (the scaled input c_in x) and the noise
// conditioning cNoise [B] to an output of x's shape. With a dropout key
// (training), masks come from it with Layer set per dropout site, so two
// forwards with one key (the iCT teacher and student) draw the same
// masks; a nil key (sampling) applies no dropout.
//
// Every block runs in its own nn.Tidy scope and the whole pass in one
// more: only the output stays with the caller, and the intermediate
// tensors live while the pass or the tape's backward still needs them.
func (n *Net) Forward(x, cNoise *nn.Tensor, dropout *nn.RNGKey) *nn.Tensor {
	return n.e.Tidy(func() *nn.Tensor { return n.forward(x, cNoise, dropout) })
}

func (n *Net) forward(x, cNoise *nn.Tensor, dropout *nn.RNGKey) *nn.Tensor {
	e, c := n.e, n.Config
	var feats *nn.Tensor
	if c.Embedding == Fourier {
		feats = e.FourierFeatures(cNoise, n.freqs)
	} else {
		feats = e.PositionalEmbedding(cNoise, 2*c.BaseChannels, 10000)
	}
	emb := n.embed2.forward(e, e.SiLU(n.embed1.forward(e, feats)))
	emb = e.SiLU(emb) // every block applies its projection to SiLU(emb)

	// then replaces h by next, freeing the old h: what the tape saved of
	// it stays for the backward pass, the rest goes back to the pool now
	// (under NoGrad, everything).
	h := n.in.forward(e, x)
	then := func(next *nn.Tensor) { h.Free(); h = next }
	skips := []*nn.Tensor{h}
	for _, lv := range n.down {
		for i, blk := range lv.blocks {
			h = blk.forward(e, h, emb, dropout, c.Dropout) // the old h is a skip
			if a := lv.attns[i]; a != nil {
				then(a.forward(e, h))
			}
			skips = append(skips, h)
		}
		if lv.resize != nil {
			h = lv.resize.forward(e, h)
			skips = append(skips, h)
		}
	}
	h = n.mid1.forward(e, h, emb, dropout, c.Dropout) // the old h is a skip
	then(n.midAttn.forward(e, h))
	then(n.mid2.forward(e, h, emb, dropout, c.Dropout))
	for _, lv := range n.up {
		for i, blk := range lv.blocks {
			skip := skips[len(skips)-1]
			skips = skips[:len(skips)-1]
			then(e.Tidy(func() *nn.Tensor { return blk.forward(e, e.Concat(h, skip), emb, dropout, c.Dropout) }))
			skip.Free()
			if a := lv.attns[i]; a != nil {
				then(a.forward(e, h))
			}
		}
		if lv.resize != nil {
			then(e.Tidy(func() *nn.Tensor { return lv.resize.forward(e, e.Upsample2x(h)) }))
		}
	}
	return n.out.forward(e, n.outNorm.forwardSiLU(e, h))
}

// --- layers ---

type conv struct {
	w, b        *nn.Tensor
	stride, pad int
}

func (c conv) forward(e *nn.Engine, x *nn.Tensor) *nn.Tensor {
	return e.Conv2d(x, c.w, c.b, c.stride, c.pad)
}

type linear struct{ w, b *nn.Tensor }

func (l linear) forward(e *nn.Engine, x *nn.Tensor) *nn.Tensor { return e.Linear(x, l.w, l.b) }

type norm struct {
	g, b   *nn.Tensor
	groups int
}

func (g norm) forward(e *nn.Engine, x *nn.Tensor) *nn.Tensor {
	return e.GroupNorm(x, g.g, g.b, g.groups, 1e-6)
}

// forwardSiLU is SiLU(GroupNorm(x)) as one op, which keeps less for the
// backward pass (see nn.GroupNormSiLU).
func (g norm) forwardSiLU(e *nn.Engine, x *nn.Tensor) *nn.Tensor {
	return e.GroupNormSiLU(x, g.g, g.b, g.groups, 1e-6)
}

// forwardAddSiLU is SiLU(GroupNorm(x + v[b,c])) as one op (see
// nn.AddChannelGroupNormSiLU).
func (g norm) forwardAddSiLU(e *nn.Engine, x, v *nn.Tensor) *nn.Tensor {
	return e.AddChannelGroupNormSiLU(x, v, g.g, g.b, g.groups, 1e-6)
}

// resBlock is DDPM++'s residual block: GroupNorm, SiLU, 3x3 conv, plus the
// noise embedding per channel, GroupNorm, SiLU, dropout, 3x3 conv (zero
// initialized), a 1x1 skip when the channels change, and the sum scaled by
// 1/sqrt(2).
type resBlock struct {
	n1, n2 norm
	c1, c2 conv
	emb    linear
	skip   *conv
	site   uint32
}

func (r *resBlock) forward(e *nn.Engine, x, emb *nn.Tensor, key *nn.RNGKey, p float64) *nn.Tensor {
	return e.Tidy(func() *nn.Tensor { return r.tidyForward(e, x, emb, key, p) })
}

func (r *resBlock) tidyForward(e *nn.Engine, x, emb *nn.Tensor, key *nn.RNGKey, p float64) *nn.Tensor {
	h := r.c1.forward(e, r.n1.forwardSiLU(e, x))
	h = r.n2.forwardAddSiLU(e, h, r.emb.forward(e, emb)) // plus the noise embedding per channel
	if p > 0 && key != nil {
		k := *key
		k.Layer = r.site
		h = e.Dropout(h, k, p)
	}
	h = r.c2.forward(e, h)
	skip := x
	if r.skip != nil {
		skip = r.skip.forward(e, x)
	}
	return e.AddScaled(h, skip, float32(1/math.Sqrt2))
}

// attnBlock is multi-head self-attention over positions with a residual,
// scaled by 1/sqrt(2): (x + Wo attn(Wqkv GroupNorm(x))) / sqrt(2).
type attnBlock struct {
	n       norm
	qkv, wo *nn.Tensor
	heads   int
}

func (a *attnBlock) forward(e *nn.Engine, x *nn.Tensor) *nn.Tensor {
	return e.Tidy(func() *nn.Tensor {
		h := e.Attention(a.n.forward(e, x), a.qkv, a.wo, a.heads)
		return e.AddScaled(x, h, float32(1/math.Sqrt2))
	})
}

// --- construction ---

type builder struct {
	e      *nn.Engine
	rng    *rand.Rand
	net    *Net
	sites  uint32
	frozen bool
}

func (b *builder) param(name string, data []float32, shape ...int) *nn.Tensor {
	var t *nn.Tensor
	if b.frozen {
		t = b.e.Persistent(shape...)
		t.Upload(data)
	} else {
		t = b.e.NewParam(data, shape...)
	}
	b.net.params = append(b.net.params, Param{Name: name, Tensor: t})
	return t
}

// uniform draws fan-average variance-scaling weights (the NCSN++ default
// init): U(-l, l) with l = sqrt(3 scale / fan_avg).
func (b *builder) uniform(n, fanIn, fanOut int, scale float64) []float32 {
	limit := math.Sqrt(3 * scale / (float64(fanIn+fanOut) / 2))
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(limit * (2*b.rng.Float64() - 1))
	}
	return w
}

func (b *builder) convScaled(name string, in, out, k, stride, pad int, scale float64) conv {
	w := b.uniform(out*in*k*k, in*k*k, out*k*k, scale)
	return conv{
		w:      b.param(name+".w", w, out, in, k, k),
		b:      b.param(name+".b", make([]float32, out), out),
		stride: stride, pad: pad,
	}
}

func (b *builder) conv(name string, in, out, k, stride, pad int) conv {
	return b.convScaled(name, in, out, k, stride, pad, 1)
}

func (b *builder) linear(name string, in, out int, scale float64) linear {
	return linear{
		w: b.param(name+".w", b.uniform(out*in, in, out, scale), out, in),
		b: b.param(name+".b", make([]float32, out), out),
	}
}

func (b *builder) norm(name string, ch int) norm {
	ones := make([]float32, ch)
	for i := range ones {
		ones[i] = 1
	}
	return norm{
		g:      b.param(name+".g", ones, ch),
		b:      b.param(name+".b", make([]float32, ch), ch),
		groups: b.net.Config.Groups,
	}
}

func (b *builder) resBlock(name string, in, out, emb int) *resBlock {
	r := &resBlock{
		n1:   b.norm(name+".norm1", in),
		c1:   b.conv(name+".conv1", in, out, 3, 1, 1),
		emb:  b.linear(name+".embed", emb, out, 1),
		n2:   b.norm(name+".norm2", out),
		c2:   b.convScaled(name+".conv2", out, out, 3, 1, 1, 0),
		site: b.sites,
	}
	b.sites++
	if in != out {
		s := b.conv(name+".skip", in, out, 1, 1, 0)
		r.skip = &s
	}
	return r
}

// attnQKVScale is the variance scale of the query, key and value
// projections: NCSN++ draws each as a C x C NIN layer with init_scale 0.1
// (openai/consistency_models_cifar10, jcm/models/layers.py NIN, used by
// layerspp.AttnBlockpp), EDM's DDPM++ as xavier_uniform times sqrt(0.2)
// over the [3C, C] matrix: both U(-l, l) with l = sqrt(0.3/C). The full
// scale of 1 would make them sqrt(5) times larger.
const attnQKVScale = 0.1

func (b *builder) attn(name string, ch int) *attnBlock {
	return &attnBlock{
		n:     b.norm(name+".norm", ch),
		qkv:   b.param(name+".qkv", b.uniform(3*ch*ch, ch, ch, attnQKVScale), 3*ch, ch),
		wo:    b.param(name+".out", make([]float32, ch*ch), ch, ch),
		heads: b.net.Config.AttentionHeads,
	}
}

func (b *builder) attnIf(on bool, name string, ch int) *attnBlock {
	if !on {
		return nil
	}
	return b.attn(name, ch)
}
