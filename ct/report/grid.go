// Package report writes what a training run leaves for people to look at:
// sample grids as PNG and the loss curve as a plot.
package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	"github.com/ictvk/ictvk/internal/atomicfile"
)

// Grid lays out n images (NCHW float32 in [-1, 1], c = 1 or 3) in rows of
// cols with a one-pixel border, clamping values outside [-1, 1].
func Grid(images []float32, n, c, h, w, cols int) (image.Image, error) {
	if n < 1 || (c != 1 && c != 3) || h < 1 || w < 1 || cols < 1 {
		return nil, fmt.Errorf("report: grid of %d images of %dx%dx%d in %d columns", n, c, h, w, cols)
	}
	if len(images) != n*c*h*w {
		return nil, fmt.Errorf("report: %d values for %d images of %dx%dx%d", len(images), n, c, h, w)
	}
	cols = min(cols, n)
	rows := (n + cols - 1) / cols
	const border = 1
	img := image.NewRGBA(image.Rect(0, 0, cols*(w+border)+border, rows*(h+border)+border))
	for i := range img.Pix {
		img.Pix[i] = 255 // white borders
	}
	level := func(v float32) uint8 {
		x := (float64(v) + 1) * 127.5
		if math.IsNaN(x) {
			return 0
		}
		return uint8(math.Round(math.Min(math.Max(x, 0), 255)))
	}
	for k := 0; k < n; k++ {
		x0 := border + (k%cols)*(w+border)
		y0 := border + (k/cols)*(h+border)
		base := k * c * h * w
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p := base + y*w + x
				r := level(images[p])
				g, b := r, r
				if c == 3 {
					g, b = level(images[p+h*w]), level(images[p+2*h*w])
				}
				img.SetRGBA(x0+x, y0+y, color.RGBA{r, g, b, 255})
			}
		}
	}
	return img, nil
}

// WriteGrid writes a Grid as a PNG file, atomically.
func WriteGrid(path string, images []float32, n, c, h, w, cols int) error {
	img, err := Grid(images, n, c, h, w, cols)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// WriteFileAtomic writes data to path through a synced temporary file and
// a rename (see internal/atomicfile).
func WriteFileAtomic(path string, data []byte) error { return atomicfile.Write(path, data) }
