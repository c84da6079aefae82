// Package inception scores samples with the FID of papers: pytorch-fid's
// Inception-v3 features (nn/inception, from weights the user supplies)
// against the statistics of the real test set computed with the same
// network, cached beside the classifier's (eval/classifier) and keyed by
// the weights' hash.
package inception

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/eval/classifier"
	"github.com/ictvk/ictvk/eval/fid"
	"github.com/ictvk/ictvk/internal/atomicfile"
	"github.com/ictvk/ictvk/nn"
	v3 "github.com/ictvk/ictvk/nn/inception"
)

// Reference is the real test set's Inception statistics for one framing
// of a dataset's images, and real-vs-real baselines.
type Reference struct {
	Key       string // classifier.Config.Key of the images
	Weights   string // v3.Net.Hash of the network that computed it
	Test      fid.Stats
	Baselines []Baseline
}

// Baseline is the FID of N real images against the full test set (see
// classifier.Baseline: the same images are drawn).
type Baseline struct {
	Source string // "test" (a random subset) or "train"
	N      int
	FID    float64
}

// baselineSeed draws the same real images as the classifier's baselines.
const baselineSeed = 0xba5e

// ReferencePath is where the reference of c's images computed with the
// weights of hash is cached in dir.
func ReferencePath(dir string, c classifier.Config, hash string) string {
	return filepath.Join(dir, c.Key()+".inception-"+hash+".reference.json")
}

// Evaluator scores images of one framing with Inception features.
type Evaluator struct {
	Net  *v3.Net
	Ref  *Reference
	cfg  classifier.Config
	dir  string
	sets *classifier.Datasets
	logf func(format string, args ...any)
}

// Open loads the weights at path and the reference statistics of c's
// images from dir, computing (over the whole test set: slow on a CPU) and
// caching them when missing. dataDir is the dataset's folder ("" for its
// default); logf, if set, hears progress.
func Open(e *nn.Engine, path, dir string, c classifier.Config, dataDir string, logf func(format string, args ...any)) (*Evaluator, error) {
	net, err := v3.Load(e, path)
	if err != nil {
		return nil, err
	}
	ev := &Evaluator{Net: net, cfg: c, dir: dir, sets: &classifier.Datasets{Config: c, Dir: dataDir}, logf: logf}
	if ref, ok := loadReference(ReferencePath(dir, c, net.Hash()), c, net.Hash()); ok {
		ev.Ref = ref
		return ev, nil
	}
	test, err := ev.sets.Split(data.Test)
	if err != nil {
		net.Free()
		return nil, err
	}
	ev.log("computing the Inception statistics of the %d %s test images (once per weights and framing)", test.N(), c.Dataset)
	st, err := ev.stats(test.Pixels(), test.N())
	if err != nil {
		net.Free()
		return nil, err
	}
	ev.Ref = &Reference{Key: c.Key(), Weights: net.Hash(), Test: *st}
	if err := ev.save(); err != nil {
		net.Free()
		return nil, err
	}
	return ev, nil
}

func loadReference(path string, c classifier.Config, hash string) (*Reference, bool) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var r Reference
	if json.Unmarshal(raw, &r) != nil || r.Weights != hash || r.Key != c.Key() || r.Test.Validate() != nil {
		return nil, false // stale or damaged: recompute
	}
	return &r, true
}

func (ev *Evaluator) save() error {
	raw, err := json.Marshal(ev.Ref)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(ev.dir, 0o755); err != nil {
		return fmt.Errorf("the Inception reference's folder: %w", err)
	}
	return atomicfile.Write(ReferencePath(ev.dir, ev.cfg, ev.Ref.Weights), raw)
}

func (ev *Evaluator) log(format string, args ...any) {
	if ev.logf != nil {
		ev.logf(format, args...)
	}
}

// Free releases the network's device memory.
func (ev *Evaluator) Free() { ev.Net.Free() }

// progressChunk is how many images pass between progress lines.
const progressChunk = 200

// stats returns the Inception feature statistics of n images of the
// framing's size, reporting progress.
func (ev *Evaluator) stats(images []float32, n int) (*fid.Stats, error) {
	c := ev.cfg
	per := c.Channels * c.ImageSize * c.ImageSize
	if len(images) != n*per {
		return nil, fmt.Errorf("inception: %d values are not %d images of %dx%dx%d", len(images), n, c.Channels, c.ImageSize, c.ImageSize)
	}
	start := time.Now()
	feats := make([]float32, 0, n*v3.Features)
	for i := 0; i < n; i += progressChunk {
		b := min(progressChunk, n-i)
		f, err := ev.Net.Run(images[i*per:(i+b)*per], b, c.Channels, c.ImageSize)
		if err != nil {
			return nil, err
		}
		feats = append(feats, f...)
		if done := i + b; done < n {
			secs := time.Since(start).Seconds()
			ev.log("inception features: %d/%d images, %.2f images/s, about %v left", done, n, float64(done)/secs,
				time.Duration(secs/float64(done)*float64(n-done)*float64(time.Second)).Round(time.Second))
		}
	}
	return fid.FromFeatures(feats, n, v3.Features)
}

// FID returns the Inception FID of n images (NCHW in [-1, 1], the
// framing's size and channels) against the test set.
func (ev *Evaluator) FID(images []float32, n int) (float64, error) {
	st, err := ev.stats(images, n)
	if err != nil {
		return 0, err
	}
	return fid.FID(st, &ev.Ref.Test)
}

// Baseline returns the real-vs-real Inception FID for n images, computing
// and caching it the first time: n random test images when n is smaller
// than the test set, else n training images.
func (ev *Evaluator) Baseline(n int) (Baseline, error) {
	for _, b := range ev.Ref.Baselines {
		if b.N == n {
			return b, nil
		}
	}
	src := data.Test
	ds, err := ev.sets.Split(data.Test)
	if err != nil {
		return Baseline{}, err
	}
	if n >= ds.N() {
		src = data.Train
		if ds, err = ev.sets.Split(data.Train); err != nil {
			return Baseline{}, err
		}
		if n > ds.N() {
			return Baseline{}, fmt.Errorf("an Inception baseline of %d real images: %s has only %d", n, ds.Name(), ds.N())
		}
	}
	perm := rand.New(rand.NewPCG(baselineSeed, uint64(n))).Perm(ds.N())[:n]
	images := make([]float32, 0, n*ds.ImageElements())
	for _, i := range perm {
		images = append(images, ds.Image(i)...)
	}
	ev.log("computing the Inception real-vs-real baseline for %d images (once per count)", n)
	f, err := ev.FID(images, n)
	if err != nil {
		return Baseline{}, err
	}
	b := Baseline{Source: src.String(), N: n, FID: f}
	ev.Ref.Baselines = append(ev.Ref.Baselines, b)
	return b, ev.save()
}
