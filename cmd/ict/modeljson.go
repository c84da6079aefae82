package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/nn/unet"
)

// modelJSON is what 'ict model --json' prints: the keys of the config.json
// that 'ict train' writes into a run folder (Preset, Dataset, DataDir,
// Fit, Flip, Run), so that a reader of one reads the other, and what only
// a built network knows: its parameter tensors in order, with ictvk's
// names and shapes. bench/torchmirror builds its PyTorch network from it
// and checks its own tensors against Tensors.
type modelJSON struct {
	Preset      string
	Description string
	Dataset     data.Source
	// DataDir is the dataset's folder as ict finds it ("" when it is not
	// installed), where a run's config.json keeps "" for the default.
	DataDir string
	// Fit is data.Fit's number (0 pad, 1 resize), as in config.json;
	// FitName spells it out.
	Fit        data.Fit
	FitName    string
	Flip       bool
	Run        ct.Run
	Parameters int
	Tensors    []tensorJSON
}

// tensorJSON is one parameter tensor of the network.
type tensorJSON struct {
	Name  string
	Shape []int
}

// newModelJSON describes preset p, whose network net was built from
// p.Run.Net.
func newModelJSON(p ct.Preset, net *unet.Net) modelJSON {
	m := modelJSON{Preset: p.Name, Description: p.Description, Dataset: p.Dataset, Fit: p.Fit, FitName: p.Fit.String(),
		Flip: p.Flip, Run: p.Run, Parameters: net.ParamCount()}
	if dir, err := data.DefaultDir(p.Dataset); err == nil {
		m.DataDir = dir
	}
	for _, prm := range net.Params() {
		m.Tensors = append(m.Tensors, tensorJSON{Name: prm.Name, Shape: prm.Tensor.Shape()})
	}
	return m
}

func writeModelJSON(w io.Writer, p ct.Preset, net *unet.Net) error {
	raw, err := json.MarshalIndent(newModelJSON(p, net), "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", raw)
	return err
}

// registerModelFlags adds the flags of 'ict train' that change the
// network or the recipe, so that 'ict model' describes the run that
// 'ict train' (or 'ict bench') would make with the same flags.
func registerModelFlags(fs *flag.FlagSet, f *trainFlags) {
	fs.IntVar(&f.imageSize, "image-size", 0, "image height and width (default: the preset's)")
	fs.IntVar(&f.channels, "channels", 0, "image channels (default: the preset's)")
	fs.IntVar(&f.baseChannels, "base-channels", 0, "U-Net channels at full resolution (default: the preset's)")
	fs.StringVar(&f.channelMults, "channel-mults", "", "U-Net channel multipliers per level, e.g. 1,2,2 (default: the preset's)")
	fs.IntVar(&f.blocks, "blocks", 0, "U-Net residual blocks per level (default: the preset's)")
	fs.StringVar(&f.attention, "attention", "", "feature-map sizes with self-attention, or none (default: the preset's)")
	fs.Float64Var(&f.dropout, "dropout", 0, "dropout probability (default: the preset's)")
	fs.Float64Var(&f.fourierScale, "fourier-scale", 0, "scale of the Fourier noise embedding (default: the preset's)")
	fs.StringVar(&f.fit, "fit", "", "pad or resize (default: the preset's)")
	fs.IntVar(&f.batch, "batch", 0, "images per step (default: the preset's)")
	fs.IntVar(&f.microBatch, "micro-batch", 0, "images per pass (default: chosen from the device when training)")
	fs.IntVar(&f.total, "total", 0, "training iterations K (default: the preset's)")
	fs.Float64Var(&f.lr, "lr", 0, "learning rate (default: the preset's)")
	fs.Float64Var(&f.ema, "ema", 0, "decay of the evaluation EMA (default: the preset's)")
	fs.IntVar(&f.s0, "s0", 0, "initial discretization steps s0 (default: the preset's)")
	fs.IntVar(&f.s1, "s1", 0, "final discretization steps s1 (default: the preset's)")
	fs.IntVar(&f.warmup, "warmup", 0, "learning-rate warm-up steps (default: the preset's)")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of every random draw (default: the preset's)")
}
