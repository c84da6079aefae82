package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/report"
	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/unet"
	"github.com/ictvk/ictvk/vk"
)

// runSample draws images from a checkpoint's EMA network.
func runSample(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sample", stderr)
	env, err := vk.OptionsFromEnv()
	if err != nil {
		return err
	}
	ckpt := fs.String("ckpt", "", "checkpoint to sample from (a run's checkpoints/latest.safetensors)")
	steps := fs.Int("steps", 1, "sampling steps: 1 (sigma_max) or 2 (sigma_max, then 0.821)")
	sigmaList := fs.String("sigmas", "", "comma-separated decreasing noise levels (overrides --steps)")
	n := fs.Int("n", 64, "number of images")
	seed := fs.Uint64("seed", 0, "seed of the sampling noise")
	out := fs.String("out", "samples.png", "PNG grid to write")
	npy := fs.String("npy", "", "also write the images as a NumPy .npy file (float32, NCHW, in [-1, 1])")
	student := fs.Bool("student", false, "sample from the student weights instead of the EMA")
	fs.IntVar(&env.Device, "device", env.Device, "Vulkan device index")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *ckpt == "" {
		fmt.Fprintln(stderr, "ict sample: --ckpt is required")
		return errUsage
	}
	if *n < 1 || *n > 4096 {
		return fmt.Errorf("--n %d: want 1 to 4096 images", *n)
	}
	e, net, run, err := openCheckpoint(env, *ckpt, *student)
	if err != nil {
		return err
	}
	defer e.Close()
	r := run.Recipe
	var sigmas []float64
	switch {
	case *sigmaList != "":
		for _, s := range strings.Split(*sigmaList, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return fmt.Errorf("--sigmas: %q is not a number", s)
			}
			sigmas = append(sigmas, v)
		}
	case *steps == 1:
		sigmas = r.OneStepSigmas()
	case *steps == 2:
		sigmas = r.TwoStepSigmas()
	default:
		return fmt.Errorf("--steps %d: want 1 or 2 (or give --sigmas)", *steps)
	}
	x, err := ct.Sample(e, net, r, *n, sigmas, *seed)
	if err != nil {
		return err
	}
	vals, err := x.Download()
	if err != nil {
		return err
	}
	c := run.Net
	cols := int(math.Ceil(math.Sqrt(float64(*n))))
	if err := report.WriteGrid(*out, vals, *n, c.ImageChannels, c.ImageSize, c.ImageSize, cols); err != nil {
		return err
	}
	if *npy != "" {
		if err := report.WriteFileAtomic(*npy, npyBytes(vals, []int{*n, c.ImageChannels, c.ImageSize, c.ImageSize})); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "wrote %d samples (%d steps, sigmas %v) to %s\n", *n, len(sigmas), sigmas, *out)
	return nil
}

// npyBytes encodes a float32 array in NumPy's .npy format (version 1.0).
func npyBytes(vals []float32, shape []int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s,), }", strings.Join(dims, ", "))
	pad := 64 - (10+len(header)+1)%64
	header += strings.Repeat(" ", pad%64) + "\n"
	out := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	out = append(out, header...)
	for _, v := range vals {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
	}
	return out
}

// openCheckpoint opens the device and loads a checkpoint's EMA network (or
// its student's): what sample, eval and view start from. The caller closes
// the engine.
func openCheckpoint(env vk.Options, ckpt string, student bool) (*nn.Engine, *unet.Net, ct.Run, error) {
	e, err := nn.NewEngine(nn.Options{Device: env})
	if err != nil {
		return nil, nil, ct.Run{}, err
	}
	set := "ema"
	if student {
		set = "student"
	}
	net, run, err := ct.LoadNet(e, ckpt, set)
	if err != nil {
		e.Close()
		return nil, nil, ct.Run{}, err
	}
	return e, net, run, nil
}
