package classifier

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/eval/fid"
	"github.com/ictvk/ictvk/internal/atomicfile"
)

// CacheDir is where classifiers and reference statistics are kept by
// default: $XDG_CACHE_HOME/ictvk/eval (usually ~/.cache/ictvk/eval), beside
// the pipeline cache.
func CacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("classifier: no cache folder (%v); name one with --cache", err)
	}
	return filepath.Join(base, "ictvk", "eval"), nil
}

// WeightsPath is the classifier file for c in dir.
func WeightsPath(dir string, c Config) string { return filepath.Join(dir, c.Key()+".safetensors") }

// ReferencePath is the reference statistics file for c in dir.
func ReferencePath(dir string, c Config) string { return filepath.Join(dir, c.Key()+".reference.json") }

// ErrNoClassifier is matched (errors.Is) when no classifier is cached for
// a dataset's images.
var ErrNoClassifier = errors.New("no classifier trained")

// TrainCommand is the command line that trains the classifier of c into
// dir.
func TrainCommand(dir string, c Config) string {
	cmd := fmt.Sprintf("ict classifier train --dataset %s --image-size %d --channels %d --fit %s", c.Dataset, c.ImageSize, c.Channels, c.Fit)
	if def, err := CacheDir(); err != nil || def != dir {
		cmd += " --cache " + dir
	}
	return cmd
}

// LoadCached reads the classifier of c's images from dir, or returns an
// error matching ErrNoClassifier that says which command trains it.
func LoadCached(dir string, c Config) (*Weights, error) {
	path := WeightsPath(dir, c)
	w, err := ReadWeights(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w for %s images in %s: train one with '%s'", ErrNoClassifier, c.Key(), dir, TrainCommand(dir, c))
	}
	if err != nil {
		return nil, err
	}
	if w.Config.Key() != c.Key() {
		return nil, fmt.Errorf("%s holds a classifier of %s images, not %s", path, w.Config.Key(), c.Key())
	}
	return w, nil
}

// Reference is what a dataset's scores are read against: the moments of
// the classifier's features over the whole real test set, and real-vs-real
// baselines, all tied to one classifier by its weights' hash.
type Reference struct {
	Key        string
	Classifier string // Weights.Hash of the classifier that computed it
	Test       fid.Stats
	// TestScores are the test set's own coverage and confidence (its FID
	// against itself is 0).
	TestScores Scores
	// TestAccuracy is the classifier's, as measured after training (-1:
	// unknown).
	TestAccuracy float64
	Baselines    []Baseline
}

// Baseline is the score of N real images against the full test set: what
// a perfect generator would get with N samples.
type Baseline struct {
	// Source says which images: "test" (a random subset of the test
	// set, when N is smaller than it) or "train" (N training images,
	// when N is not).
	Source string
	Scores Scores
}

// baselineSeed fixes the real images a baseline draws.
const baselineSeed = 0xba5e

// LoadReference reads the cached reference of w, if one is cached for
// exactly these weights.
func LoadReference(dir string, w *Weights) (*Reference, bool) {
	raw, err := os.ReadFile(ReferencePath(dir, w.Config))
	if err != nil {
		return nil, false
	}
	var r Reference
	if json.Unmarshal(raw, &r) != nil || r.Classifier != w.Hash() || r.Key != w.Config.Key() || r.Test.Validate() != nil {
		return nil, false // stale or damaged: recompute
	}
	return &r, true
}

// Save writes the reference atomically.
func (r *Reference) Save(dir string, c Config) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return atomicfile.Write(ReferencePath(dir, c), raw)
}

// Datasets loads the splits of the classifier's dataset on demand.
type Datasets struct {
	Config Config
	Dir    string // the dataset's folder; "" for its default
	test   *data.Dataset
	train  *data.Dataset
}

// Split loads (once) and returns a split.
func (d *Datasets) Split(s data.Split) (*data.Dataset, error) {
	p := &d.test
	if s == data.Train {
		p = &d.train
	}
	if *p == nil {
		c := d.Config
		ds, err := data.Load(c.Dataset, d.Dir, data.Options{Split: s, Size: c.ImageSize, Channels: c.Channels, Fit: c.Fit})
		if err != nil {
			return nil, err
		}
		if err := checkImages(c, ds); err != nil {
			return nil, err
		}
		*p = ds
	}
	return *p, nil
}

// NewReference computes the test set's statistics with net.
func NewReference(net *Net, w *Weights, sets *Datasets) (*Reference, error) {
	test, err := sets.Split(data.Test)
	if err != nil {
		return nil, err
	}
	out, err := net.Run(test.Pixels(), test.N(), true)
	if err != nil {
		return nil, err
	}
	st, err := out.Stats()
	if err != nil {
		return nil, err
	}
	sc, err := Score(out, st)
	if err != nil {
		return nil, err
	}
	return &Reference{Key: w.Config.Key(), Classifier: w.Hash(), Test: *st, TestScores: sc, TestAccuracy: w.TestAccuracy}, nil
}

// Baseline returns (computing and adding it when missing) the real-vs-real
// baseline for n images: n test images drawn at random when n is smaller
// than the test set (otherwise the subset would be the set itself), else
// n training images. The second result reports whether it was computed
// now, so the caller knows to save the reference.
func (r *Reference) Baseline(net *Net, sets *Datasets, n int) (Baseline, bool, error) {
	for _, b := range r.Baselines {
		if b.Scores.N == n {
			return b, false, nil
		}
	}
	src := data.Test
	ds, err := sets.Split(data.Test)
	if err != nil {
		return Baseline{}, false, err
	}
	if n >= ds.N() {
		src = data.Train
		if ds, err = sets.Split(data.Train); err != nil {
			return Baseline{}, false, err
		}
		if n > ds.N() {
			return Baseline{}, false, fmt.Errorf("a baseline of %d real images: %s has only %d", n, ds.Name(), ds.N())
		}
	}
	perm := rand.New(rand.NewPCG(baselineSeed, uint64(n))).Perm(ds.N())[:n]
	per := ds.ImageElements()
	images := make([]float32, 0, n*per)
	for _, i := range perm {
		images = append(images, ds.Image(i)...)
	}
	out, err := net.Run(images, n, true)
	if err != nil {
		return Baseline{}, false, err
	}
	sc, err := Score(out, &r.Test)
	if err != nil {
		return Baseline{}, false, err
	}
	b := Baseline{Source: src.String(), Scores: sc}
	r.Baselines = append(r.Baselines, b)
	return b, true, nil
}
