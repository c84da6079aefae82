package ref_test

import (
	"fmt"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// Random123's first known answer: counter and key all zero.
func ExamplePhilox4x32() {
	out := ref.Philox4x32([4]uint32{0, 0, 0, 0}, [2]uint32{0, 0})
	fmt.Printf("%08x\n", out)
	// Output: [6627e8d5 e169c58d bc57ac4c 9b00dbd8]
}

// A dropout mask is a pure function of (seed, step, layer, element), so
// the teacher and student forwards of one step draw the same mask.
func ExampleDropoutMask() {
	key := ref.RNGKey{Seed: 42, Step: 1000, Layer: 3}
	teacher := ref.DropoutMask(key, 8, 0.3)
	student := ref.DropoutMask(key, 8, 0.3)
	fmt.Println(fmt.Sprint(teacher) == fmt.Sprint(student))
	// Output: true
}
