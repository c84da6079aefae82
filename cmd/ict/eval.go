package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/ct/runfolder"
	"github.com/ictvk/ictvk/eval/classifier"
	"github.com/ictvk/ictvk/eval/inception"
	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/unet"
)

// runEval samples a checkpoint, or reads images from a .npy file, and
// scores them with the dataset's classifier: FID against the test set, a
// real-vs-real baseline, class coverage and confidence; with --inception
// also the Inception-v3 FID (then the classifier is optional).
func runEval(args []string, stdout, stderr io.Writer) error {
	cf, err := newCheckpointFlags("eval", "checkpoint to evaluate", stderr)
	if err != nil {
		return err
	}
	fs := cf.fs
	n := fs.Int("n", 10000, "number of samples")
	steps := fs.Int("steps", 1, "sampling steps: 1 or 2")
	seed := fs.Uint64("seed", 0, "seed of the sampling noise")
	inceptionPath := fs.String("inception", "", "also score with pytorch-fid's Inception-v3 features, weights from this safetensors file (not shipped: see the README)")
	npyPath := fs.String("npy", "", "score the images of this .npy file instead of a checkpoint's samples: float32 [N, C, H, W] in [-1, 1], as 'ict sample --npy' and bench/torchmirror write (name the dataset with --dataset; --n takes the first n)")
	var ef evalFlags
	ef.register(fs, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case cf.ckpt == "" && *npyPath == "":
		return usageError(fs, "--ckpt is required (or --npy, to score images from a file)")
	case cf.ckpt != "" && *npyPath != "":
		return usageError(fs, "give --ckpt (a checkpoint to sample) or --npy (images to score), not both")
	}
	ckpt, env := cf.ckpt, cf.device
	if *inceptionPath != "" {
		if _, err := os.Stat(*inceptionPath); err != nil {
			return fmt.Errorf("--inception: %w (the README says how to obtain and convert the weights)", err)
		}
	}
	given := givenFlags(fs)
	if *npyPath != "" {
		return evalNPY(*env, *npyPath, *n, given, ef, *inceptionPath, stdout)
	}
	if *n < 2 || *n > 100000 {
		return fmt.Errorf("--n %d: want 2 to 100000 samples", *n)
	}
	if *steps != 1 && *steps != 2 {
		return fmt.Errorf("--steps %d: want 1 or 2", *steps)
	}
	start := time.Now()
	e, net, run, err := openCheckpoint(*env, ckpt, cf.student)
	if err != nil {
		return err
	}
	defer e.Close()
	defer net.Free()
	cfg, dataDir, err := checkpointClassifier(ckpt, run.Net, ef)
	if err != nil {
		return err
	}
	sc, err := openScorers(e, cfg, dataDir, ef, *inceptionPath, stdout)
	if err != nil {
		return err
	}
	defer sc.free()
	images, err := ct.SampleImages(e, net, run.Recipe, *n, stepSigmas(run.Recipe, *steps), *seed, 0)
	if err != nil {
		return err
	}
	sampled := time.Since(start)
	fmt.Fprintf(stdout, "%s (%s weights, %d-step sampling, seed %d): %d samples in %v\n", ckpt, weightSet(cf.student), *steps, *seed, *n, sampled.Round(time.Second))
	return sc.print(stdout, images, *n)
}

// scorers are the networks that score images of one framing (cfg): the
// dataset's classifier, and Inception-v3 with --inception.
type scorers struct {
	cfg classifier.Config
	ev  *classifier.Evaluator // nil when only Inception scores
	iev *inception.Evaluator  // nil without --inception
}

// openScorers loads the classifier cached for cfg (optional when
// inceptionPath names Inception-v3's weights) and Inception-v3.
func openScorers(e *nn.Engine, cfg classifier.Config, dataDir string, ef evalFlags, inceptionPath string, stdout io.Writer) (*scorers, error) {
	dir, err := ef.cacheDir()
	if err != nil {
		return nil, err
	}
	logf := lineLogger(stdout)
	s := &scorers{cfg: cfg}
	s.ev, err = classifier.OpenEvaluator(e, dir, cfg, dataDir, logf)
	switch {
	case err == nil:
	case inceptionPath != "" && errors.Is(err, classifier.ErrNoClassifier):
		fmt.Fprintf(stdout, "no classifier scores: %v\n", err)
		s.ev = nil
	default:
		return nil, err
	}
	if inceptionPath != "" {
		if s.iev, err = inception.Open(e, inceptionPath, dir, cfg, dataDir, logf); err != nil {
			s.free()
			return nil, err
		}
	}
	return s, nil
}

func (s *scorers) free() {
	if s.ev != nil {
		s.ev.Free()
	}
	if s.iev != nil {
		s.iev.Free()
	}
}

// print scores n images (NCHW, cfg's size) and prints the scores.
func (s *scorers) print(stdout io.Writer, images []float32, n int) error {
	if s.ev != nil {
		if err := printClassifierScores(stdout, s.ev, s.cfg, images, n); err != nil {
			return err
		}
	}
	if s.iev != nil {
		f, err := s.iev.FID(images, n)
		if err != nil {
			return err
		}
		base, err := s.iev.Baseline(n)
		if err != nil {
			return err
		}
		what := "random test images"
		if base.Source == data.Train.String() {
			what = "training images"
		}
		fmt.Fprintf(stdout, "Inception-v3 (pytorch-fid's FID network, weights %s, %s images resized to 299x299)\n", s.iev.Ref.Weights, s.cfg.Key())
		fmt.Fprintf(stdout, "Inception FID      %10.3f   real-vs-real baseline %.3f (%d %s vs the %d test images)\n", f, base.FID, base.N, what, s.iev.Ref.Test.N)
	}
	return nil
}

// printClassifierScores scores the samples with the dataset's classifier.
func printClassifierScores(stdout io.Writer, ev *classifier.Evaluator, cfg classifier.Config, images []float32, n int) error {
	sc, err := ev.Score(images, n)
	if err != nil {
		return err
	}
	base, err := ev.Baseline(n)
	if err != nil {
		return err
	}
	ref := ev.Ref
	acc := "not measured"
	if ref.TestAccuracy >= 0 {
		acc = fmt.Sprintf("%.2f%%", 100*ref.TestAccuracy)
	}
	fmt.Fprintf(stdout, "classifier %s (test accuracy %s, %d features, weights %s)\n", cfg.Key(), acc, cfg.Features, ref.Classifier)
	fmt.Fprintf(stdout, "FID                %10.3f   real-vs-real baseline %.3f (%s)\n", sc.FID, base.Scores.FID, classifier.DescribeBaseline(base, ref))
	fmt.Fprintf(stdout, "class coverage     %10.3f   of at most %.3f = log(%d); real test set %.3f\n", sc.Coverage, sc.MaxCoverage, cfg.Classes, ref.TestScores.Coverage)
	fmt.Fprintf(stdout, "mean confidence    %10.3f   real test set %.3f\n", sc.Confidence, ref.TestScores.Confidence)
	return nil
}

// checkpointClassifier finds the classifier config for a checkpoint's
// images: the dataset and fit from its run folder's config.json (or the
// flags), the size and channels from its network.
func checkpointClassifier(ckpt string, net unet.Config, ef evalFlags) (classifier.Config, string, error) {
	folder := runfolder.Folder{Dir: runFolderOf(ckpt)}
	rc, err := folder.ReadConfig()
	switch {
	case err == nil:
	case errors.Is(err, runfolder.ErrNoConfig):
		if ef.dataset == "" {
			return classifier.Config{}, "", fmt.Errorf("%s is not in a run folder (no %s): name its dataset with --dataset (and --fit)", ckpt, folder.Path("config.json"))
		}
	default:
		return classifier.Config{}, "", err
	}
	if ef.dataset != "" {
		rc.Dataset = data.Source(ef.dataset)
	}
	if ef.fit != "" {
		if rc.Fit, err = parseFit(ef.fit); err != nil {
			return classifier.Config{}, "", err
		}
	}
	if ef.dataDir != "" {
		rc.DataDir = ef.dataDir
	}
	_, _, _, classes, err := datasetDefaults(rc.Dataset)
	if err != nil {
		return classifier.Config{}, "", fmt.Errorf("%s was trained on %q: %w", ckpt, rc.Dataset, err)
	}
	c := classifier.DefaultConfig(rc.Dataset, net.ImageSize, net.ImageChannels, rc.Fit, classes)
	return c, rc.DataDir, c.Validate()
}
