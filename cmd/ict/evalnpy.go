package main

import (
	"fmt"
	"io"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/eval/classifier"
	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/vk"
)

// evalNPY is 'ict eval --npy': it scores images made elsewhere (another
// implementation's samples, bench/torchmirror's) exactly as the samples
// of a checkpoint are scored. n, when given, takes the file's first n
// images.
func evalNPY(env vk.Options, path string, n int, given map[string]bool, ef evalFlags, inceptionPath string, stdout io.Writer) error {
	for _, f := range []string{"steps", "seed", "student"} {
		if given[f] {
			return fmt.Errorf("--%s applies to --ckpt (sampling), not to --npy", f)
		}
	}
	images, shape, err := readImagesNPY(path)
	if err != nil {
		return err
	}
	if !given["n"] {
		n = shape[0]
	}
	if n < 2 || n > shape[0] {
		return fmt.Errorf("--n %d: %s holds %d images; want 2 to %d", n, path, shape[0], shape[0])
	}
	cfg, err := npyClassifier(path, shape, ef)
	if err != nil {
		return err
	}
	e, err := nn.NewEngine(nn.Options{Device: env})
	if err != nil {
		return err
	}
	defer e.Close()
	sc, err := openScorers(e, cfg, ef.dataDir, ef, inceptionPath, stdout)
	if err != nil {
		return err
	}
	defer sc.free()
	fmt.Fprintf(stdout, "%s: %d images of %dx%dx%d\n", path, n, shape[1], shape[2], shape[3])
	return sc.print(stdout, images[:n*shape[1]*shape[2]*shape[3]], n)
}

// npyClassifier is the classifier config for images of shape [N, C, H, W]
// of the dataset --dataset names: fitted as --fit says, or as the first
// preset (by name) that trains on the dataset at that size fits them.
func npyClassifier(path string, shape []int, ef evalFlags) (classifier.Config, error) {
	if ef.dataset == "" {
		return classifier.Config{}, fmt.Errorf("--npy %s: name the images' dataset with --dataset (and how they were fitted with --fit)", path)
	}
	src := data.Source(ef.dataset)
	_, _, _, classes, err := datasetDefaults(src)
	if err != nil {
		return classifier.Config{}, err
	}
	channels, size := shape[1], shape[2]
	fit := data.Pad
	for _, name := range ct.PresetNames() {
		if p, _ := ct.LookupPreset(name); p.Dataset == src && p.Run.Net.ImageSize == size {
			fit = p.Fit
			break
		}
	}
	if ef.fit != "" {
		if fit, err = parseFit(ef.fit); err != nil {
			return classifier.Config{}, err
		}
	}
	c := classifier.DefaultConfig(src, size, channels, fit, classes)
	return c, c.Validate()
}
