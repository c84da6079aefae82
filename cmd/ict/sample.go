package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/report"
	"github.com/ictvk/ictvk/internal/atomicfile"
	"github.com/ictvk/ictvk/internal/npy"
	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/unet"
	"github.com/ictvk/ictvk/vk"
)

// runSample draws images from a checkpoint's EMA network, in chunks sized
// to the device, writing a PNG grid of the first ones and optionally all
// of them to a .npy file, streamed so that only one chunk is on the host.
func runSample(args []string, stdout, stderr io.Writer) error {
	cf, err := newCheckpointFlags("sample", "checkpoint to sample from", stderr)
	if err != nil {
		return err
	}
	fs := cf.fs
	steps := fs.Int("steps", 1, "sampling steps: 1 (sigma_max) or 2 (sigma_max, then 0.821)")
	sigmaList := fs.String("sigmas", "", "comma-separated decreasing noise levels (overrides --steps)")
	n := fs.Int("n", 64, "number of images (any number: they are drawn in chunks)")
	seed := fs.Uint64("seed", 0, "seed of the sampling noise; image i's noise does not depend on --n or --chunk")
	out := fs.String("out", "samples.png", "PNG grid to write: the first --grid images")
	gridN := fs.Int("grid", defaultSampleGrid, "how many images the PNG shows: the first ones (0: all --n)")
	npyPath := fs.String("npy", "", "also write all the images as a NumPy .npy file (float32, NCHW, in [-1, 1])")
	chunk := fs.Int("chunk", 0, "images per pass on the device (0: as many as its memory allows)")
	quiet := quietFlag(fs)
	if err := cf.parseRequiringCkpt(args); err != nil {
		return err
	}
	if *n < 1 {
		return fmt.Errorf("--n %d: want at least 1 image", *n)
	}
	if *gridN < 0 {
		return fmt.Errorf("--grid %d: want 0 (all images) or more", *gridN)
	}
	if *chunk < 0 {
		return fmt.Errorf("--chunk %d: want 0 (chosen from the device) or more", *chunk)
	}
	if *gridN == 0 || *gridN > *n {
		*gridN = *n
	}
	sigmas, err := parseSigmas(*sigmaList, *steps)
	if err != nil {
		return err
	}
	e, net, run, err := openCheckpoint(*cf.device, cf.ckpt, cf.student)
	if err != nil {
		return err
	}
	defer e.Close()
	defer net.Free()
	r, c := run.Recipe, run.Net
	if len(sigmas) == 0 {
		sigmas = stepSigmas(r, *steps)
	}
	if err := r.CheckSamplerSigmas(sigmas); err != nil {
		return fmt.Errorf("--sigmas: %w", err)
	}
	perImage := c.ImageChannels * c.ImageSize * c.ImageSize
	if err := ct.CheckSampleCount(*n, perImage); err != nil {
		return fmt.Errorf("--n %d: %w", *n, err)
	}
	shape := []int{*n, c.ImageChannels, c.ImageSize, c.ImageSize}
	if err := checkHostRoom(*n, *gridN, perImage, c, *npyPath); err != nil {
		return err
	}
	var chunkWhy string
	if *chunk == 0 {
		fit, err := ct.FitPass(e, net, ct.SamplePass, *n, false)
		if err != nil {
			return err
		}
		*chunk = fit.Chosen
		chunkWhy = fit.Explain(*n, fit.Chosen)
	}
	*chunk = min(*chunk, *n)
	if chunkWhy == "" {
		chunkWhy = fmt.Sprintf("chunks of %d (--chunk)", *chunk)
	}

	var npyFile *atomicfile.File
	if *npyPath != "" {
		if npyFile, err = atomicfile.Create(*npyPath); err != nil {
			return fmt.Errorf("--npy: %w", err)
		}
		defer npyFile.Abort() // after a Commit, nothing
		if _, err := npyFile.Write(npy.Header("<f4", shape)); err != nil {
			return err
		}
	}
	grid := make([]float32, 0, *gridN*perImage)
	prog := newProgress(stdout, *quiet, "images", 0, *n)
	prog.logf("sampling %d images of %dx%dx%d from %s (%d steps, sigmas %v, seed %d) on %s in %s",
		*n, c.ImageChannels, c.ImageSize, c.ImageSize, cf.ckpt, len(sigmas), sigmas, *seed, e.Dev.Info.Name, chunkWhy)
	// Ctrl-C or SIGTERM stops after the chunk on the device; the deferred
	// Abort removes the unfinished .npy.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stop)
	start := time.Now()
	err = ct.SampleChunks(e, net, r, *n, sigmas, *seed, *chunk, func(first int, images []float32) error {
		select {
		case sig := <-stop:
			prog.finish()
			return fmt.Errorf("stopped by %v after %d of %d images: nothing written", sig, first+len(images)/perImage, *n)
		default:
		}
		if keep := (*gridN - first) * perImage; keep > 0 {
			grid = append(grid, images[:min(keep, len(images))]...)
		}
		if npyFile != nil {
			if _, err := npyFile.Write(npy.AppendFloat32(nil, images)); err != nil {
				return err
			}
		}
		done := first + len(images)/perImage
		elapsed := time.Since(start)
		rate := float64(done) / elapsed.Seconds()
		if prog.live() {
			prog.step(done)
			prog.describeText(fmt.Sprintf("images  %.1f img/s", rate))
		} else {
			eta := time.Duration(float64(*n-done) / rate * float64(time.Second))
			prog.logf("images %d/%d  %.1f img/s  ETA %v", done, *n, rate, eta.Round(time.Second))
		}
		return nil
	})
	if err != nil {
		return err
	}
	prog.finish()
	elapsed := time.Since(start)
	cols := int(math.Ceil(math.Sqrt(float64(*gridN))))
	if err := report.WriteGrid(*out, grid, *gridN, c.ImageChannels, c.ImageSize, c.ImageSize, cols); err != nil {
		return err
	}
	wrote := *out
	if *gridN < *n {
		wrote = fmt.Sprintf("%s (the first %d)", *out, *gridN)
	}
	if npyFile != nil {
		if err := npyFile.Commit(); err != nil {
			return err
		}
		wrote += " and " + *npyPath
	}
	fmt.Fprintf(stdout, "wrote %d samples (%d steps, sigmas %v) in %v to %s\n", *n, len(sigmas), sigmas, elapsed.Round(time.Millisecond), wrote)
	return nil
}

// defaultSampleGrid is how many images ict sample's PNG shows unless told:
// 32x32 tiles, 545 pixels square at 16x16 and 1057 at 32x32.
const defaultSampleGrid = 1024

// stepSigmas are the recipe's noise levels for sampling in 1 or 2 steps
// (--steps of sample, eval and view).
func stepSigmas(r ct.Recipe, steps int) []float64 {
	if steps == 2 {
		return r.TwoStepSigmas()
	}
	return r.OneStepSigmas()
}

// parseSigmas reads --sigmas; none means the recipe's levels for --steps,
// which the caller fills in once the checkpoint is open.
func parseSigmas(list string, steps int) ([]float64, error) {
	if list == "" {
		if steps != 1 && steps != 2 {
			return nil, fmt.Errorf("--steps %d: want 1 or 2 (or give --sigmas)", steps)
		}
		return nil, nil
	}
	var sigmas []float64
	for _, s := range strings.Split(list, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("--sigmas: %q is not a number", s)
		}
		sigmas = append(sigmas, v)
	}
	return sigmas, nil
}

// checkHostRoom refuses what the host cannot hold before any sampling: the
// grid's images and picture in memory, the .npy on its disk. The images
// themselves pass through one chunk at a time.
func checkHostRoom(n, gridN, perImage int, c unet.Config, npyPath string) error {
	const gib = 1 << 30
	cols := int(math.Ceil(math.Sqrt(float64(gridN))))
	rows := (gridN + cols - 1) / cols
	pixels := uint64(cols*(c.ImageSize+1)+1) * uint64(rows*(c.ImageSize+1)+1)
	gridBytes := 4*uint64(gridN)*uint64(perImage) + 2*4*pixels // values, RGBA, encoded PNG at most
	if avail, ok := hostAvailableBytes(); ok && gridBytes > avail/2 {
		return fmt.Errorf("--grid %d: a grid of %d images needs %.1f GiB of memory, and %.1f GiB is available: show fewer with --grid (the .npy holds them all)",
			gridN, gridN, float64(gridBytes)/gib, float64(avail)/gib)
	}
	if npyPath != "" {
		need := uint64(len(npy.Header("<f4", []int{n, c.ImageChannels, c.ImageSize, c.ImageSize}))) + 4*uint64(n)*uint64(perImage)
		var st syscall.Statfs_t
		if err := syscall.Statfs(filepath.Dir(npyPath), &st); err != nil {
			return fmt.Errorf("--npy %s: %w", npyPath, err)
		}
		if free := uint64(st.Bavail) * uint64(st.Bsize); need > free {
			return fmt.Errorf("--npy %s: %d images take %.2f GiB, and its disk has %.2f GiB free", npyPath, n, float64(need)/gib, float64(free)/gib)
		}
	}
	return nil
}

// hostAvailableBytes reads MemAvailable from /proc/meminfo (Linux); false
// where there is none.
func hostAvailableBytes() (uint64, bool) {
	raw, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			kib, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kib << 10, err == nil
		}
	}
	return 0, false
}

// weightSet is the checkpoint's network that --student chooses: its
// student's weights or (by default) their EMA.
func weightSet(student bool) string {
	if student {
		return "student"
	}
	return "ema"
}

// runFolderOf is the run folder a checkpoint of it is in:
// RUN/checkpoints/NAME.safetensors.
func runFolderOf(ckpt string) string { return filepath.Dir(filepath.Dir(ckpt)) }

// openCheckpoint opens the device and loads a checkpoint's EMA network (or
// its student's): what sample, eval and view start from. The caller closes
// the engine.
func openCheckpoint(env vk.Options, ckpt string, student bool) (*nn.Engine, *unet.Net, ct.Run, error) {
	e, err := nn.NewEngine(nn.Options{Device: env})
	if err != nil {
		return nil, nil, ct.Run{}, err
	}
	net, run, err := ct.LoadNet(e, ckpt, weightSet(student))
	if err != nil {
		e.Close()
		return nil, nil, ct.Run{}, err
	}
	return e, net, run, nil
}
