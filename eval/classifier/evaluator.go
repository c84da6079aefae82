package classifier

import (
	"fmt"

	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/nn"
)

// Evaluator scores images of one dataset's framing: the cached
// classifier on the device and the test set's reference statistics.
type Evaluator struct {
	Net     *Net
	Weights *Weights
	Ref     *Reference
	dir     string
	sets    *Datasets
}

// OpenEvaluator loads the classifier cached in dir for c's images (an
// error matching ErrNoClassifier says how to train it) and its reference
// statistics, computing and caching them when missing or made by other
// weights. dataDir is the dataset's folder ("" for its default). logf, if
// set, hears about slow steps.
func OpenEvaluator(e *nn.Engine, dir string, c Config, dataDir string, logf func(format string, args ...any)) (*Evaluator, error) {
	w, err := LoadCached(dir, c)
	if err != nil {
		return nil, err
	}
	return NewEvaluator(e, dir, w, dataDir, logf)
}

// NewEvaluator is OpenEvaluator with weights already read.
func NewEvaluator(e *nn.Engine, dir string, w *Weights, dataDir string, logf func(format string, args ...any)) (*Evaluator, error) {
	net, err := w.Build(e)
	if err != nil {
		return nil, err
	}
	ev := &Evaluator{Net: net, Weights: w, dir: dir, sets: &Datasets{Config: w.Config, Dir: dataDir}}
	if ref, ok := LoadReference(dir, w); ok {
		ev.Ref = ref
		return ev, nil
	}
	if logf != nil {
		logf("computing the reference statistics of the %s test set (once per classifier)", w.Config.Dataset)
	}
	if ev.Ref, err = NewReference(net, w, ev.sets); err != nil {
		net.Free()
		return nil, err
	}
	if err := ev.Ref.Save(dir, w.Config); err != nil {
		net.Free()
		return nil, err
	}
	return ev, nil
}

// Free releases the classifier's device memory.
func (ev *Evaluator) Free() { ev.Net.Free() }

// Score scores n images (NCHW, the classifier's size) against the test set.
func (ev *Evaluator) Score(images []float32, n int) (Scores, error) {
	out, err := ev.Net.Run(images, n, true)
	if err != nil {
		return Scores{}, err
	}
	return Score(out, &ev.Ref.Test)
}

// Baseline returns the real-vs-real baseline for n images, computing and
// caching it the first time.
func (ev *Evaluator) Baseline(n int) (Baseline, error) {
	b, added, err := ev.Ref.Baseline(ev.Net, ev.sets, n)
	if err != nil {
		return Baseline{}, err
	}
	if added {
		if err := ev.Ref.Save(ev.dir, ev.Weights.Config); err != nil {
			return Baseline{}, err
		}
	}
	return b, nil
}

// CheckImages fails unless images of channels x size x size are what the
// classifier reads.
func (ev *Evaluator) CheckImages(channels, size int) error {
	c := ev.Weights.Config
	if channels != c.Channels || size != c.ImageSize {
		return fmt.Errorf("the classifier %s reads %dx%dx%d images; these are %dx%dx%d", c.Key(), c.Channels, c.ImageSize, c.ImageSize, channels, size, size)
	}
	return nil
}

// DescribeBaseline says in words what a baseline compared.
func DescribeBaseline(b Baseline, ref *Reference) string {
	what := "random test images"
	if b.Source == data.Train.String() {
		what = "training images"
	}
	return fmt.Sprintf("%d %s vs the %d test images", b.Scores.N, what, ref.Test.N)
}
