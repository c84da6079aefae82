//go:build ignore

// Command steptrace trains a run as 'ict train' does (ct.Trainer on the
// run's data.Batcher) and records everything its steps draw, so that the
// PyTorch mirror can replay the same steps from the same weights
// ('bench/mirror.py replay'): differences between the two are then the
// step's arithmetic alone, not initialization, data order or noise.
//
//	bin/ict model --preset mnist --json > /tmp/mnist.json
//	go run bench/steptrace.go -config /tmp/mnist.json -steps 50 -out /tmp/trace
//	/usr/bin/python3 bench/mirror.py replay --config /tmp/mnist.json --trace /tmp/trace
//
// The folder gets init.safetensors and final.safetensors (ictvk
// checkpoints before the first step and after the last: 'ict sample
// --ckpt' reads them), and .npy files with one row per step: images.npy
// (int32 [S, B], the dataset index of each image), flips.npy (uint8 [S,
// B]), indices.npy (int32 [S, B], each sample's noise index on the grid of
// N(k) levels), grid.npy (int32 [S], N(k)), noise.npy (float32 [S, B, C,
// H, W], z) and loss.npy (float32 [S], the step's loss). The recipe's
// TotalIters stays the curriculum's K when -steps is smaller.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/ictvk/ictvk/bench/internal/runconfig"
	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/internal/npy"
	"github.com/ictvk/ictvk/nn"
)

func main() {
	cfgPath := flag.String("config", "", "'ict model --json' output or a run folder's config.json")
	dataDir := flag.String("data-dir", "", "the dataset's folder (default: the config's DataDir)")
	steps := flag.Int("steps", 50, "steps to train and record (default 50; 0: the recipe's TotalIters)")
	out := flag.String("out", "", "folder to write")
	flag.Parse()
	if *cfgPath == "" || *out == "" {
		log.Fatal("steptrace: -config and -out are required")
	}
	cfg, err := runconfig.Read(*cfgPath, *dataDir)
	if err != nil {
		log.Fatal(err)
	}
	run := cfg.Run
	if run.MicroBatch == 0 {
		run.MicroBatch = run.Recipe.BatchSize // one pass per step: no memory probing
	}
	if *steps == 0 {
		*steps = run.Recipe.TotalIters
	}
	net := run.Net
	ds, err := cfg.Load(0)
	if err != nil {
		log.Fatal(err)
	}
	batcher, err := data.NewBatcher(ds, data.BatchOptions{Size: run.Recipe.BatchSize, Seed: run.Seed, Flip: cfg.Flip})
	if err != nil {
		log.Fatal(err)
	}
	e, err := nn.NewEngine(nn.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	tr, err := ct.NewTrainer(e, run)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	if err := tr.Save(filepath.Join(*out, "init.safetensors"), nil); err != nil {
		log.Fatal(err)
	}

	s, b := *steps, run.Recipe.BatchSize
	per := net.ImageChannels * net.ImageSize * net.ImageSize
	files := map[string]*npy.Writer{}
	open := func(name, descr string, shape ...int) *npy.Writer {
		w, err := npy.Create(filepath.Join(*out, name), descr, shape)
		if err != nil {
			log.Fatal(err)
		}
		files[name] = w
		return w
	}
	images := open("images.npy", "<i4", s, b)
	flips := open("flips.npy", "|u1", s, b)
	indices := open("indices.npy", "<i4", s, b)
	grid := open("grid.npy", "<i4", s)
	noise := open("noise.npy", "<f4", s, b, net.ImageChannels, net.ImageSize, net.ImageSize)
	losses := open("loss.npy", "<f4", s)

	buf := make([]float32, b*per)
	t0 := time.Now()
	for k := 0; k < s; k++ {
		batch, err := batcher.Next(buf)
		if err != nil {
			log.Fatal(err)
		}
		if err := tr.TrainStep(buf); err != nil {
			log.Fatal(err)
		}
		loss, err := tr.LastLoss()
		if err != nil {
			log.Fatal(err)
		}
		d, err := tr.LastDraws()
		if err != nil {
			log.Fatal(err)
		}
		for i := range batch.Index {
			images.Int32(int32(batch.Index[i]))
			f := uint8(0)
			if batch.Flip[i] {
				f = 1
			}
			flips.Uint8(f)
		}
		indices.Int32(d.Indices...)
		grid.Int32(int32(d.GridSize))
		noise.Float32(d.Noise...)
		losses.Float32(float32(loss))
		if (k+1)%10 == 0 || k+1 == s {
			fmt.Printf("step %d/%d  loss %.6f  N %d  %.3f s/step\n", k+1, s, loss, d.GridSize, time.Since(t0).Seconds()/float64(k+1))
		}
	}
	for name, w := range files {
		if err := w.Close(); err != nil {
			log.Fatalf("%s: %v", name, err)
		}
	}
	if err := tr.Save(filepath.Join(*out, "final.safetensors"), nil); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %d steps to %s\n", s, *out)
}
