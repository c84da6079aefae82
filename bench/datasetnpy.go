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
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"strings"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
)

func main() {
	cfgPath := flag.String("config", "", "'ict model --json' output or a run folder's config.json")
	n := flag.Int("n", 256, "images to write")
	out := flag.String("out", "", ".npy file to write")
	flag.Parse()
	if *cfgPath == "" || *out == "" {
		log.Fatal("datasetnpy: -config and -out are required")
	}
	raw, err := os.ReadFile(*cfgPath)
	if err != nil {
		log.Fatal(err)
	}
	var cfg struct {
		Dataset data.Source
		DataDir string
		Fit     data.Fit
		Run     ct.Run
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		log.Fatalf("%s: %v", *cfgPath, err)
	}
	net := cfg.Run.Net
	ds, err := data.Load(cfg.Dataset, cfg.DataDir, data.Options{Split: data.Train, Size: net.ImageSize, Channels: net.ImageChannels, Fit: cfg.Fit, Limit: *n})
	if err != nil {
		log.Fatal(err)
	}
	c, h, w := ds.Shape()
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d, %d), }", ds.N(), c, h, w)
	header += strings.Repeat(" ", 63-(10+len(header))%64) + "\n"
	buf := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	buf = append(buf, header...)
	for _, v := range ds.Pixels() {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
	}
	if err := os.WriteFile(*out, buf, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %d images of %dx%dx%d from %s to %s\n", ds.N(), c, h, w, ds.Name(), *out)
}
