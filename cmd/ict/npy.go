package main

import (
	"fmt"
	"math"

	"github.com/ictvk/ictvk/internal/npy"
)

// readImagesNPY reads a .npy file of images to score: float32 ('<f4'), C
// order, shape [N, C, H, W] with C 1 or 3 and H = W, every value finite.
// It is what 'ict sample --npy' writes and what NumPy's np.save writes for
// such an array (format versions 1 to 3). Errors name the file.
func readImagesNPY(path string) (images []float32, shape []int, err error) {
	a, err := npy.Read(path)
	if err != nil {
		return nil, nil, err
	}
	fail := func(format string, args ...any) ([]float32, []int, error) {
		return nil, nil, fmt.Errorf("%s: "+format, append([]any{path}, args...)...)
	}
	images, err = a.Float32()
	if err != nil {
		return fail("%v", err)
	}
	shape = a.Shape
	if len(shape) != 4 || shape[0] < 1 || (shape[1] != 1 && shape[1] != 3) || shape[2] != shape[3] || shape[2] < 1 {
		return fail("holds an array of shape %v; want images [N, C, H, W] with N at least 1, C 1 or 3, and H = W", shape)
	}
	per := len(images) / shape[0]
	for i, v := range images {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fail("image %d holds a non-finite value (%v)", i/per, v)
		}
	}
	return images, shape, nil
}
