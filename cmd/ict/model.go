package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/unet"
)

// runModel prints a preset's network, after the flags that change it:
// every parameter tensor with its shape and size, grouped by layer, and
// the total; with --json, the run's whole configuration (modeljson.go).
func runModel(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("model", stderr)
	env, err := deviceFlag(fs)
	if err != nil {
		return err
	}
	var f trainFlags
	preset := presetFlag(fs, "preset whose network to describe")
	brief := fs.Bool("brief", false, "print one line per layer instead of one per tensor")
	asJSON := fs.Bool("json", false, "print the run's configuration as JSON instead: the keys of a run folder's config.json, the parameter tensors and the dataset's folder (what bench/torchmirror reads)")
	f.registerRunFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	f.fs, f.given, f.preset = fs, givenFlags(fs), *preset
	p, err := presetWithFlags(f)
	if err != nil {
		return err
	}
	e, err := nn.NewEngine(nn.Options{Device: *env})
	if err != nil {
		return err
	}
	defer e.Close()
	net, err := unet.NewFrozen(e, p.Run.Net, p.Run.Seed)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeModelJSON(stdout, p, net)
	}
	c := p.Run.Net
	fmt.Fprintf(stdout, "preset %s: %s\n", p.Name, p.Description)
	fmt.Fprintf(stdout, "U-Net: %dx%dx%d images, base %d channels x %v, %d blocks per level, attention at %v (%d heads), dropout %g, %d groups, %s embedding\n\n",
		c.ImageChannels, c.ImageSize, c.ImageSize, c.BaseChannels, c.ChannelMults, c.BlocksPerLevel, c.AttentionResolutions, c.AttentionHeads, c.Dropout, c.Groups, c.Embedding)
	layer, layerCount := "", 0
	flush := func() {
		if *brief && layer != "" {
			fmt.Fprintf(stdout, "%-32s %12d\n", layer, layerCount)
		}
	}
	for _, prm := range net.Params() {
		l := prm.Name[:strings.LastIndex(prm.Name, ".")]
		if l != layer {
			flush()
			layer, layerCount = l, 0
		}
		layerCount += prm.Tensor.Len()
		if !*brief {
			fmt.Fprintf(stdout, "%-40s %-18v %10d\n", prm.Name, prm.Tensor.Shape(), prm.Tensor.Len())
		}
	}
	flush()
	fmt.Fprintf(stdout, "\n%d parameters (%.2f M) in %d tensors\n", net.ParamCount(), float64(net.ParamCount())/1e6, len(net.Params()))
	return nil
}
