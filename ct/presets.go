package ct

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/nn/unet"
)

// Preset is a named starting point for a run: a dataset and how to fit its
// images, the recipe, the network, and the batch and length of training.
// Command-line flags override any field.
type Preset struct {
	Name        string
	Description string
	Dataset     data.Source
	Fit         data.Fit
	Flip        bool
	Run         Run
}

// presets are built by functions so that callers get fresh slices.
var presets = map[string]func() Preset{
	"mnist":      mnistPreset,
	"mnist32":    mnist32Preset,
	"fashion":    fashionPreset,
	"mnist-tiny": mnistTinyPreset,
	"cifar10":    cifar10Preset,
	"cifar10-ct": cifar10CTPreset,
}

// PresetNames lists the presets, sorted.
func PresetNames() []string {
	var names []string
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupPreset returns the preset of that name.
func LookupPreset(name string) (Preset, error) {
	f, ok := presets[name]
	if !ok {
		return Preset{}, fmt.Errorf("unknown preset %q (have %s)", name, strings.Join(PresetNames(), ", "))
	}
	return f(), nil
}

// smallRecipe adapts the iCT recipe to short runs with small batches: the
// paper's lr 1e-4 and EMA 0.99993 assume batch 1024 and 400k steps.
func smallRecipe(batch, total int) Recipe {
	r := DefaultRecipe()
	r.BatchSize = batch
	r.TotalIters = total
	r.LearningRate = 4e-4
	r.EvalEMADecay = 0.999
	return r
}

// mnistPreset is the default of 'make run': the best samples we found for
// about ten minutes on two CPU cores through lavapipe. Resizing MNIST to
// 16x16 makes a step 2.7 times cheaper than at 32x32, and with two
// resolution levels about 1400 steps fit; lr 1e-3 drew sharper strokes
// than 4e-4 at every step compared, and dropout (iCT's regularizer for long
// runs) only slows so short a run down. Ending the curriculum at s1 = 160
// instead of 1280 leaves each N(k) stage more steps: at 1200 steps the
// one-step FID (ict eval, 2000 samples) was 76.9 against 87.1 (s1 = 1280)
// and 83.1 (s1 = 80).
func mnistPreset() Preset {
	r := smallRecipe(32, 1400)
	r.LearningRate = 1e-3
	r.S1 = 160
	return Preset{
		Name:        "mnist",
		Description: "MNIST resized to 16x16, a 0.18M-parameter U-Net: minutes on a CPU",
		Dataset:     data.MNIST,
		Fit:         data.Resize,
		Run: Run{Recipe: r, Seed: 1, WarmupSteps: 100, Net: unet.Config{
			ImageChannels: 1, ImageSize: 16, BaseChannels: 16, ChannelMults: []int{1, 2},
			BlocksPerLevel: 1, AttentionResolutions: []int{8}, AttentionHeads: 1,
			Dropout: 0, Groups: 8, Embedding: unet.Fourier, FourierScale: ICTFourierScale,
		}},
	}
}

// mnist32Preset keeps MNIST's detail (padded to 32x32) with a three-level
// U-Net: 2.7 times the cost of a step of mnist, for longer or GPU runs.
func mnist32Preset() Preset {
	r := smallRecipe(32, 20000)
	return Preset{
		Name:        "mnist32",
		Description: "MNIST padded to 32x32, a 1.1M-parameter U-Net: for GPUs or hours on a CPU",
		Dataset:     data.MNIST,
		Fit:         data.Pad,
		Run: Run{Recipe: r, Seed: 1, WarmupSteps: 200, Net: unet.Config{
			ImageChannels: 1, ImageSize: 32, BaseChannels: 32, ChannelMults: []int{1, 2, 2},
			BlocksPerLevel: 1, AttentionResolutions: []int{8}, AttentionHeads: 1,
			Dropout: 0, Groups: 8, Embedding: unet.Fourier, FourierScale: ICTFourierScale,
		}},
	}
}

func fashionPreset() Preset {
	p := mnistPreset()
	p.Name = "fashion"
	p.Description = "Fashion-MNIST resized to 16x16 with the mnist preset's network"
	p.Dataset = data.FashionMNIST
	p.Flip = true
	return p
}

// mnistTinyPreset is for tests and smoke runs: seconds, not quality.
func mnistTinyPreset() Preset {
	r := smallRecipe(8, 20)
	r.LearningRate = 1e-3
	return Preset{
		Name:        "mnist-tiny",
		Description: "MNIST resized to 16x16 and a tiny U-Net: a smoke test",
		Dataset:     data.MNIST,
		Fit:         data.Resize,
		Run: Run{Recipe: r, Seed: 1, Net: unet.Config{
			ImageChannels: 1, ImageSize: 16, BaseChannels: 8, ChannelMults: []int{1, 2},
			BlocksPerLevel: 1, AttentionResolutions: []int{8}, AttentionHeads: 1,
			Dropout: 0.1, Groups: 4, Embedding: unet.Fourier, FourierScale: ICTFourierScale,
		}},
	}
}

// cifar10Preset is the paper's CIFAR-10 recipe (iCT §4): NCSN++-sized
// network, batch 1024, 400k iterations, dropout 0.3. It needs a large GPU.
func cifar10Preset() Preset {
	r := DefaultRecipe()
	return Preset{
		Name:        "cifar10",
		Description: "the paper's CIFAR-10 recipe (batch 1024, 400k steps): a large GPU and days",
		Dataset:     data.CIFAR10,
		Fit:         data.Pad,
		Flip:        true,
		Run: Run{Recipe: r, Seed: 1, Net: unet.Config{
			ImageChannels: 3, ImageSize: 32, BaseChannels: 128, ChannelMults: []int{2, 2, 2},
			BlocksPerLevel: 4, AttentionResolutions: []int{16}, AttentionHeads: 1,
			Dropout: ICTDropout, Groups: 32, Embedding: unet.Fourier, FourierScale: ICTFourierScale,
		}},
	}
}

// cifar10CTPreset swaps in the original CT settings for the ablation.
func cifar10CTPreset() Preset {
	p := cifar10Preset()
	p.Name = "cifar10-ct"
	p.Description = "the original consistency training settings on the cifar10 network (ablation)"
	r := OriginalCTRecipe()
	r.BatchSize = p.Run.Recipe.BatchSize
	r.TotalIters = p.Run.Recipe.TotalIters
	p.Run.Recipe = r
	p.Run.Net.Dropout, p.Run.Net.FourierScale = 0, CTFourierScale // CT's NCSN++ settings
	return p
}
