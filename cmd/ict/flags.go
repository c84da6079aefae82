package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/vk"
)

// The flags several subcommands share are registered here, so that their
// names, defaults and help read the same everywhere.

// deviceFlag registers --device, whose default is ICT_DEVICE (else the
// automatic choice), and returns the Vulkan options it sets; the other
// ICT_* variables are read into them too.
func deviceFlag(fs *flag.FlagSet) (*vk.Options, error) {
	env, err := vk.OptionsFromEnv()
	if err != nil {
		return nil, err
	}
	fs.IntVar(&env.Device, "device", env.Device, "Vulkan device index (see 'ict devices'; default ICT_DEVICE or automatic)")
	return &env, nil
}

// quietFlag registers --quiet.
func quietFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("quiet", false, "print only errors and the final line")
}

// presetFlag registers --preset; what says what the preset is for.
func presetFlag(fs *flag.FlagSet, what string) *string {
	return fs.String("preset", "mnist", what+": "+joinNames(ct.PresetNames()))
}

// dataDirFlag registers --data.
func dataDirFlag(fs *flag.FlagSet, dir *string) {
	fs.StringVar(dir, "data", "", "folder of the dataset's files (default: where 'make data' puts them)")
}

// parseFit reads a --fit value ('ict train', 'ict model', 'ict eval' and
// 'ict classifier train').
func parseFit(s string) (data.Fit, error) {
	for _, fit := range []data.Fit{data.Pad, data.Resize} {
		if s == fit.String() {
			return fit, nil
		}
	}
	return 0, fmt.Errorf("--fit %q: want pad or resize", s)
}

// checkpointFlags are what the commands that open a checkpoint on a
// device (sample, view, eval) share: their flag set, with --device, --ckpt
// and --student registered.
type checkpointFlags struct {
	fs      *flag.FlagSet
	device  *vk.Options // --device, and the ICT_* variables
	ckpt    string
	student bool
}

// newCheckpointFlags starts the flag set of such a command, to which it
// adds its own flags; ckptFor says what the checkpoint is for.
func newCheckpointFlags(command, ckptFor string, stderr io.Writer) (*checkpointFlags, error) {
	fs := newFlags(command, stderr)
	device, err := deviceFlag(fs)
	if err != nil {
		return nil, err
	}
	c := &checkpointFlags{fs: fs, device: device}
	fs.StringVar(&c.ckpt, "ckpt", "", ckptFor+" (a run's checkpoints/latest.safetensors)")
	fs.BoolVar(&c.student, "student", false, "sample from the student weights instead of the EMA")
	return c, nil
}

// parseRequiringCkpt parses args as parse does; a command line without
// --ckpt is a usage error.
func (c *checkpointFlags) parseRequiringCkpt(args []string) error {
	if err := parse(c.fs, args); err != nil {
		return err
	}
	if c.ckpt == "" {
		return usageError(c.fs, "--ckpt is required")
	}
	return nil
}

// checkDevicesFlag refuses --devices given empty or beside --device:
// 'ict train' and 'ict bench' take both.
func checkDevicesFlag(given map[string]bool, device int, devices string) error {
	switch {
	case given["devices"] && given["device"]:
		return fmt.Errorf("--device %d and --devices %s: give one of them", device, devices)
	case given["devices"] && devices == "":
		return errors.New("--devices: want device indices from 'ict devices' separated by commas, e.g. 0,1")
	}
	return nil
}

// netFlags change a preset's network and batch: 'ict train' and 'ict
// bench' take them. Values left out keep the preset's; given, they are
// checked by applyFlags.
type netFlags struct {
	imageSize, channels, batch, microBatch int
	baseChannels, blocks                   int
	channelMults, attention                string
	dropout                                float64
}

func (n *netFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&n.imageSize, "image-size", 0, "image height and width (default: the preset's)")
	fs.IntVar(&n.channels, "channels", 0, "image channels, 1 or 3 (default: the preset's)")
	fs.IntVar(&n.batch, "batch", 0, "images per step (default: the preset's)")
	fs.IntVar(&n.microBatch, "micro-batch", 0, microBatchUsage)
	fs.IntVar(&n.baseChannels, "base-channels", 0, "U-Net channels at full resolution (default: the preset's)")
	fs.StringVar(&n.channelMults, "channel-mults", "", "U-Net channel multipliers per resolution level, e.g. 1,2,2 (default: the preset's)")
	fs.IntVar(&n.blocks, "blocks", 0, "U-Net residual blocks per level (default: the preset's)")
	fs.StringVar(&n.attention, "attention", "", "feature-map sizes with self-attention, e.g. 16,8 (\"none\": only the middle block's; default: the preset's)")
	fs.Float64Var(&n.dropout, "dropout", 0, "dropout probability (default: the preset's)")
}

const microBatchUsage = "images per forward/backward pass: a step runs batch/micro-batch passes whose gradients add up before one optimizer step; must divide --batch (default: the largest that fits the device's memory; a resume keeps the run's)"

// givenFlags returns the names of the flags set on the command line, so
// that a flag given as 0 is told from one left out.
func givenFlags(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}
