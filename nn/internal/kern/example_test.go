package kern_test

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/ictvk/ictvk/nn/internal/kern"
	"github.com/ictvk/ictvk/vk"
)

// A linear layer y = x w^T + b on whatever device is available.
func ExampleKernels_Linear() {
	dev, err := vk.Open(vk.Options{Device: -1, CacheDir: "off"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer dev.Close()
	s, err := dev.NewStream(vk.StreamOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	k, err := kern.New(dev, kern.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	buffer := func(v ...float32) vk.Range {
		b, err := dev.Alloc(uint64(4 * len(v)))
		if err != nil {
			panic(err)
		}
		raw := make([]byte, 4*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
		}
		if err := s.Upload(b, raw); err != nil {
			panic(err)
		}
		return b.All()
	}
	x := buffer(1, 2, 3, 4, 5, 6) // 2 samples of 3 features
	w := buffer(1, 0, 0, 0, 1, 1) // 2 outputs
	b := buffer(10, 20)
	y := buffer(0, 0, 0, 0)
	if err := k.Linear(s, x, w, b, y, kern.LinearParams{N: 2, In: 3, Out: 2}); err != nil {
		fmt.Println(err)
		return
	}
	raw := make([]byte, 16)
	if err := s.Download(y.Buf, raw); err != nil {
		fmt.Println(err)
		return
	}
	out := make([]any, 4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	fmt.Println(out...)
	// Output: 11 25 14 31
}
