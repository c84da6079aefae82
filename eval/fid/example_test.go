package fid_test

import (
	"fmt"

	"github.com/ictvk/ictvk/eval/fid"
)

// Two sets of 2-D features: the second is the first shifted by (3, 4),
// so their covariances agree and FID is the squared shift, 25.
func ExampleFID() {
	a := []float32{0, 0, 1, 0, 0, 1, 1, 1}
	b := []float32{3, 4, 4, 4, 3, 5, 4, 5}
	sa, _ := fid.FromFeatures(a, 4, 2)
	sb, _ := fid.FromFeatures(b, 4, 2)
	d, _ := fid.FID(sa, sb)
	fmt.Printf("%.6f\n", d)
	// Output: 25.000000
}
