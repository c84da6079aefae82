package data_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ictvk/ictvk/ct/data"
)

// Load a CIFAR-10 style batch, then draw two batches of flipped images
// and resume the second from a saved state.
func Example() {
	dir, _ := os.MkdirTemp("", "cifar")
	defer os.RemoveAll(dir)
	// Six records: label k, every pixel byte 40*k.
	var batch []byte
	for k := range 6 {
		record := make([]byte, 1+3072)
		record[0] = byte(k)
		for i := 1; i < len(record); i++ {
			record[i] = byte(40 * k)
		}
		batch = append(batch, record...)
	}
	if err := os.WriteFile(filepath.Join(dir, "test_batch.bin"), batch, 0o644); err != nil {
		panic(err)
	}

	ds, err := data.LoadCIFAR10(dir, data.Options{Split: data.Test, Size: 16, Fit: data.Resize})
	if err != nil {
		panic(err)
	}
	c, h, w := ds.Shape()
	fmt.Printf("%d images of %dx%dx%d, label of image 5: %d, its first value %.3f\n",
		ds.N(), c, h, w, ds.Label(5), ds.Image(5)[0])

	b, _ := data.NewBatcher(ds, data.BatchOptions{Size: 4, Seed: 1, Flip: true})
	dst := make([]float32, 4*ds.ImageElements())
	b.Next(dst)
	saved := b.State()
	second, _ := b.Next(dst)
	fmt.Println("second batch:", second.Index, second.Flip)

	resumed, _ := data.NewBatcher(ds, data.BatchOptions{Size: 4, Seed: 1, Flip: true})
	if err := resumed.Restore(saved); err != nil {
		panic(err)
	}
	again, _ := resumed.Next(dst)
	fmt.Println("resumed:     ", again.Index, again.Flip)
	// Output:
	// 6 images of 3x16x16, label of image 5: 5, its first value 0.569
	// second batch: [1 0 4 1] [true true true false]
	// resumed:      [1 0 4 1] [true true true false]
}
