package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/eval/classifier"
	"github.com/ictvk/ictvk/nn"
)

// runClassifier dispatches 'ict classifier SUBCOMMAND'.
func runClassifier(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "train" {
		fmt.Fprintln(stderr, "Usage: ict classifier train --dataset NAME [flags]\n\nTrains the feature network of 'ict eval' for a labeled dataset and caches it.")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return errUsage
	}
	return runClassifierTrain(args[1:], stdout, stderr)
}

// evalFlags are the flags that say which classifier scores images.
type evalFlags struct {
	dataset, fit, cache, dataDir string
	imageSize, channels          int
}

// register adds the flags to fs; withSize adds --image-size and
// --channels (ict eval takes them from the checkpoint instead).
func (f *evalFlags) register(fs *flag.FlagSet, withSize bool) {
	fs.StringVar(&f.dataset, "dataset", "", "labeled dataset: mnist, fashion-mnist or cifar10")
	fs.StringVar(&f.fit, "fit", "", "how images reach the size: pad or resize (default: the dataset's preset's)")
	fs.StringVar(&f.cache, "cache", "", "folder of cached classifiers and reference statistics (default $XDG_CACHE_HOME/ictvk/eval)")
	dataDirFlag(fs, &f.dataDir)
	if withSize {
		fs.IntVar(&f.imageSize, "image-size", 0, "image height and width (default: the dataset's preset's)")
		fs.IntVar(&f.channels, "channels", 0, "image channels, 1 or 3 (default: the dataset's preset's)")
	}
}

func (f *evalFlags) cacheDir() (string, error) {
	if f.cache != "" {
		return f.cache, nil
	}
	return classifier.CacheDir()
}

// datasetDefaults are the size, channels and fit of the first preset
// (by name) that trains on src, so that 'ict classifier train --dataset
// mnist' reads the images the mnist preset generates.
func datasetDefaults(src data.Source) (size, channels int, fit data.Fit, classes int, err error) {
	switch src {
	case data.MNIST, data.FashionMNIST, data.CIFAR10:
		classes = 10
	default:
		return 0, 0, 0, 0, fmt.Errorf("--dataset %q: the classifier needs a labeled dataset: mnist, fashion-mnist or cifar10", src)
	}
	for _, name := range ct.PresetNames() {
		p, _ := ct.LookupPreset(name)
		if p.Dataset == src {
			return p.Run.Net.ImageSize, p.Run.Net.ImageChannels, p.Fit, classes, nil
		}
	}
	return 32, 0, data.Pad, classes, nil
}

// config resolves the classifier config from the flags, with defaults
// from the dataset's preset.
func (f *evalFlags) config() (classifier.Config, error) {
	src := data.Source(f.dataset)
	size, channels, fit, classes, err := datasetDefaults(src)
	if err != nil {
		return classifier.Config{}, err
	}
	if f.imageSize != 0 {
		size = f.imageSize
	}
	if f.channels != 0 {
		channels = f.channels
	}
	if channels == 0 {
		channels = 1
		if src == data.CIFAR10 {
			channels = 3
		}
	}
	if f.fit != "" {
		if fit, err = parseFit(f.fit); err != nil {
			return classifier.Config{}, err
		}
	}
	c := classifier.DefaultConfig(src, size, channels, fit, classes)
	return c, c.Validate()
}

func runClassifierTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("classifier train", stderr)
	env, err := deviceFlag(fs)
	if err != nil {
		return err
	}
	var ef evalFlags
	ef.register(fs, true)
	epochs := fs.Float64("epochs", 2, "passes over the training set")
	batch := fs.Int("batch", 64, "images per step")
	lr := fs.Float64("lr", 2e-3, "Adam's peak learning rate (cosine decay to 0)")
	seed := fs.Uint64("seed", 1, "seed of the initial weights and the batches")
	limit := fs.Int("limit", 0, "train on only the first N training images (quick trials)")
	ifMissing := fs.Bool("if-missing", false, "do nothing when a classifier for these images is already cached")
	if err := parse(fs, args); err != nil {
		return err
	}
	if ef.dataset == "" {
		return usageError(fs, "--dataset is required (mnist, fashion-mnist or cifar10)")
	}
	// 0 and "" stand for the preset's in evalFlags: given, they are refused.
	given := givenFlags(fs)
	for _, x := range []struct {
		flag  string
		value int
	}{{"image-size", ef.imageSize}, {"channels", ef.channels}} {
		if given[x.flag] && x.value < 1 {
			return fmt.Errorf("--%s %d: want at least 1", x.flag, x.value)
		}
	}
	if given["fit"] {
		if _, err := parseFit(ef.fit); err != nil {
			return err
		}
	}
	cfg, err := ef.config()
	if err != nil {
		return err
	}
	dir, err := ef.cacheDir()
	if err != nil {
		return err
	}
	if !(*epochs > 0) || *batch < 1 || !(*lr > 0) || *limit < 0 {
		return fmt.Errorf("--epochs %v, --batch %d, --lr %v and --limit %d: want positive epochs, batch and rate, and a limit >= 0", *epochs, *batch, *lr, *limit)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--cache: %w", err)
	}
	if *ifMissing {
		if w, err := classifier.LoadCached(dir, cfg); err == nil {
			fmt.Fprintf(stdout, "classifier %s is cached (test accuracy %.2f%%): %s\n", cfg.Key(), 100*w.TestAccuracy, classifier.WeightsPath(dir, cfg))
			return nil
		}
	}
	start := time.Now()
	train, err := data.Load(cfg.Dataset, ef.dataDir, data.Options{Split: data.Train, Size: cfg.ImageSize, Channels: cfg.Channels, Fit: cfg.Fit, Limit: *limit})
	if err != nil {
		return err
	}
	test, err := data.Load(cfg.Dataset, ef.dataDir, data.Options{Split: data.Test, Size: cfg.ImageSize, Channels: cfg.Channels, Fit: cfg.Fit})
	if err != nil {
		return err
	}
	e, err := nn.NewEngine(nn.Options{Device: *env})
	if err != nil {
		return err
	}
	defer e.Close()
	net, err := classifier.New(e, cfg, *seed)
	if err != nil {
		return err
	}
	opt := classifier.DefaultTrainOptions(train.N(), *epochs)
	opt.Batch, opt.LR, opt.Seed, opt.Flip = *batch, *lr, *seed, cfg.Dataset == data.CIFAR10
	opt.Steps = max(1, int(*epochs*float64(train.N())/float64(*batch)+0.5))
	opt.Log = func(step int, loss float64) {
		fmt.Fprintf(stdout, "step %d/%d  loss %.4f  %v\n", step, opt.Steps, loss, time.Since(start).Round(time.Second))
	}
	fmt.Fprintf(stdout, "training the %s classifier on %s (%d images), %d steps of %d on %s\n", cfg.Key(), train.Name(), train.N(), opt.Steps, opt.Batch, e.Dev.Info.Name)
	if _, err := classifier.Train(net, train, opt); err != nil {
		return err
	}
	trained := time.Since(start)
	acc, err := classifier.Accuracy(net, test)
	if err != nil {
		return err
	}
	w, err := net.Download(acc)
	if err != nil {
		return err
	}
	path := classifier.WeightsPath(dir, cfg)
	if err := w.Save(path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "test accuracy %.2f%% on %d images; trained in %v; weights %s\n", 100*acc, test.N(), trained.Round(time.Second), path)
	// The reference statistics follow from the weights: compute them now,
	// so the first 'ict eval' does not.
	ev, err := classifier.NewEvaluator(e, dir, w, ef.dataDir, nil)
	if err != nil {
		return err
	}
	defer ev.Free()
	fmt.Fprintf(stdout, "reference statistics of the %d test images: %s (classifier %s)\n", ev.Ref.Test.N, classifier.ReferencePath(dir, cfg), w.Hash())
	return nil
}
