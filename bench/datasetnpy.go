//go:build ignore

// Command datasetnpy writes the first training images of a run's dataset,
// as 'ict train' loads them (ct/data), to a .npy file (float32 [N, C, H,
// W]): 'bench/mirror.py check-data' compares the PyTorch mirror's data
// pipeline with it.
//
//	bin/ict model --preset mnist --json > /tmp/mnist.json
//	go run bench/datasetnpy.go -config /tmp/mnist.json -n 256 -out /tmp/ictvk-data.npy
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/ictvk/ictvk/bench/internal/runconfig"
	"github.com/ictvk/ictvk/internal/npy"
)

func main() {
	cfgPath := flag.String("config", "", "'ict model --json' output or a run folder's config.json")
	n := flag.Int("n", 256, "images to write")
	out := flag.String("out", "", ".npy file to write")
	flag.Parse()
	if *cfgPath == "" || *out == "" {
		log.Fatal("datasetnpy: -config and -out are required")
	}
	cfg, err := runconfig.Read(*cfgPath, "")
	if err != nil {
		log.Fatal(err)
	}
	ds, err := cfg.Load(*n)
	if err != nil {
		log.Fatal(err)
	}
	c, h, w := ds.Shape()
	f, err := npy.Create(*out, "<f4", []int{ds.N(), c, h, w})
	if err != nil {
		log.Fatal(err)
	}
	f.Float32(ds.Pixels()...)
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %d images of %dx%dx%d from %s to %s\n", ds.N(), c, h, w, ds.Name(), *out)
}
