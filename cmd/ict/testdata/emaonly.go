//go:build ignore

// emaonly keeps only the EMA network and the metadata of a checkpoint:
// what ict sample reads, at a quarter of the size. See README.md here.
//
//	go run cmd/ict/testdata/emaonly.go IN.safetensors OUT.safetensors
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/ictvk/ictvk/nn/checkpoint"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go run emaonly.go IN.safetensors OUT.safetensors")
		os.Exit(2)
	}
	f, err := checkpoint.Read(os.Args[1], checkpoint.Limits{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := &checkpoint.File{Metadata: f.Metadata}
	for _, t := range f.Tensors {
		if strings.HasPrefix(t.Name, "ema.") {
			out.Tensors = append(out.Tensors, t)
		}
	}
	if err := checkpoint.Write(os.Args[2], out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
