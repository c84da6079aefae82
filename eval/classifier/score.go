package classifier

import (
	"fmt"
	"math"

	"github.com/ictvk/ictvk/eval/fid"
	"github.com/ictvk/ictvk/nn"
)

// RunBatch is how many images Run sends through the network at once.
const RunBatch = 100

// Outputs are the network's features and class probabilities for n
// images, row after row.
type Outputs struct {
	N, Features, Classes int
	Feats, Probs         []float32
}

// Run classifies n images (NCHW in [-1, 1], the network's size) in
// batches of RunBatch. With keepFeatures false only the probabilities
// are read back.
func (n *Net) Run(images []float32, count int, keepFeatures bool) (*Outputs, error) {
	e, c := n.e, n.Config
	per := c.Channels * c.ImageSize * c.ImageSize
	if count < 1 || len(images) != count*per {
		return nil, fmt.Errorf("classifier: %d values are not %d images of %dx%dx%d", len(images), count, c.Channels, c.ImageSize, c.ImageSize)
	}
	out := &Outputs{N: count, Features: c.Features, Classes: c.Classes, Probs: make([]float32, 0, count*c.Classes)}
	if keepFeatures {
		out.Feats = make([]float32, 0, count*c.Features)
	}
	for i := 0; i < count; i += RunBatch {
		b := min(RunBatch, count-i)
		var feats, probs *nn.Tensor
		e.NoGrad(func() {
			x := e.FromData(images[i*per:(i+b)*per], b, c.Channels, c.ImageSize, c.ImageSize)
			var logits *nn.Tensor
			feats, logits = n.Forward(x)
			probs = e.Softmax(logits)
		})
		p, err := probs.Download()
		if err != nil {
			return nil, err
		}
		out.Probs = append(out.Probs, p...)
		if keepFeatures {
			f, err := feats.Download()
			if err != nil {
				return nil, err
			}
			out.Feats = append(out.Feats, f...)
		}
		e.Release()
	}
	return out, nil
}

// Predicted returns each image's most probable class.
func (o *Outputs) Predicted() []int {
	pred := make([]int, o.N)
	for i := range pred {
		row := o.Probs[i*o.Classes : (i+1)*o.Classes]
		best := 0
		for j, p := range row {
			if p > row[best] {
				best = j
			}
		}
		pred[i] = best
	}
	return pred
}

// Subset returns the outputs of the images at idx.
func (o *Outputs) Subset(idx []int) *Outputs {
	s := &Outputs{N: len(idx), Features: o.Features, Classes: o.Classes}
	for _, i := range idx {
		s.Probs = append(s.Probs, o.Probs[i*o.Classes:(i+1)*o.Classes]...)
		if o.Feats != nil {
			s.Feats = append(s.Feats, o.Feats[i*o.Features:(i+1)*o.Features]...)
		}
	}
	return s
}

// Stats are the moments of the features.
func (o *Outputs) Stats() (*fid.Stats, error) {
	if o.Feats == nil {
		return nil, fmt.Errorf("classifier: the features were not kept")
	}
	return fid.FromFeatures(o.Feats, o.N, o.Features)
}

// Coverage is the entropy, in nats, of the histogram of predicted
// classes: log(Classes) when every class is predicted equally often, 0
// when one class takes all. Confidence is the mean probability of the
// predicted class.
func (o *Outputs) Coverage() (coverage, confidence float64) {
	hist := make([]int, o.Classes)
	for i, p := range o.Predicted() {
		hist[p]++
		confidence += float64(o.Probs[i*o.Classes+p])
	}
	for _, h := range hist {
		if h > 0 {
			q := float64(h) / float64(o.N)
			coverage -= q * math.Log(q)
		}
	}
	return coverage, confidence / float64(o.N)
}

// Scores summarize a set of images against the real test set.
type Scores struct {
	N int
	// FID of the images' features against the full test set's.
	FID float64
	// Coverage, at most MaxCoverage = log(classes), and mean Confidence:
	// see Outputs.Coverage.
	Coverage, MaxCoverage, Confidence float64
}

// Score computes the images' scores against the test set's statistics.
func Score(o *Outputs, test *fid.Stats) (Scores, error) {
	st, err := o.Stats()
	if err != nil {
		return Scores{}, err
	}
	f, err := fid.FID(st, test)
	if err != nil {
		return Scores{}, err
	}
	cov, conf := o.Coverage()
	return Scores{N: o.N, FID: f, Coverage: cov, MaxCoverage: math.Log(float64(o.Classes)), Confidence: conf}, nil
}
