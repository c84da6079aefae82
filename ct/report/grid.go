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

// GridLayout places N images of H x W pixels in rows of Cols: each image
// pixel becomes a Scale x Scale block, and Sep pixels separate the cells
// from each other and from the picture's edge.
type GridLayout struct {
	N, H, W, Cols int
	Scale, Sep    int
}

// rows is the number of rows the layout fills.
func (l GridLayout) rows() int { return (l.N + l.Cols - 1) / l.Cols }

// Size is the picture's width and height in pixels.
func (l GridLayout) Size() (width, height int) {
	return l.Cols*(l.W*l.Scale+l.Sep) + l.Sep, l.rows()*(l.H*l.Scale+l.Sep) + l.Sep
}

// Cell is the top-left pixel of image k.
func (l GridLayout) Cell(k int) image.Point {
	return image.Point{
		X: l.Sep + (k%l.Cols)*(l.W*l.Scale+l.Sep),
		Y: l.Sep + (k/l.Cols)*(l.H*l.Scale+l.Sep),
	}
}

// The PNG files of sample grids are enlarged for people to look at: a
// 16x16 MNIST grid of 8 columns is 137 pixels wide at one pixel per pixel.
const (
	// MinGridWidth is the width WriteGrid enlarges a grid to, at least.
	MinGridWidth = 512
	// MaxGridScale caps the factor, so a grid of a few tiny images does
	// not become a poster.
	MaxGridScale = 8
	// GridSeparator is the width in pixels of the lines between the cells
	// of an enlarged grid, at any scale.
	GridSeparator = 2
)

// SeparatorColor is the lines' colour in enlarged grids: a neutral grey,
// apart from both black backgrounds and white strokes.
var SeparatorColor = color.RGBA{128, 128, 128, 255}

// EnlargedLayout is the layout WriteGrid uses: the smallest whole scale
// that makes the picture at least MinGridWidth pixels wide (1 when it
// already is, at most MaxGridScale), with GridSeparator-pixel separators.
func EnlargedLayout(n, h, w, cols int) GridLayout {
	cols = max(1, min(cols, n))
	l := GridLayout{N: n, H: h, W: w, Cols: cols, Scale: 1, Sep: GridSeparator}
	for l.Scale < MaxGridScale {
		if width, _ := l.Size(); width >= MinGridWidth {
			break
		}
		l.Scale++
	}
	return l
}

// Grid lays out n images (NCHW float32 in [-1, 1], c = 1 or 3) in rows of
// cols with one-pixel white borders, one pixel per image pixel (the
// viewer scales it on screen), clamping values outside [-1, 1].
func Grid(images []float32, n, c, h, w, cols int) (image.Image, error) {
	if err := checkGrid(images, n, c, h, w, cols); err != nil {
		return nil, err
	}
	l := GridLayout{N: n, H: h, W: w, Cols: min(cols, n), Scale: 1, Sep: 1}
	return drawGrid(images, c, l, color.RGBA{255, 255, 255, 255}), nil
}

// EnlargedGrid lays out the images as Grid does, enlarged by whole
// factors (nearest neighbour, EnlargedLayout) with thin grey separators:
// the picture WriteGrid writes.
func EnlargedGrid(images []float32, n, c, h, w, cols int) (*image.RGBA, error) {
	if err := checkGrid(images, n, c, h, w, cols); err != nil {
		return nil, err
	}
	return drawGrid(images, c, EnlargedLayout(n, h, w, cols), SeparatorColor), nil
}

func checkGrid(images []float32, n, c, h, w, cols int) error {
	if n < 1 || (c != 1 && c != 3) || h < 1 || w < 1 || cols < 1 {
		return fmt.Errorf("report: grid of %d images of %dx%dx%d in %d columns", n, c, h, w, cols)
	}
	if len(images) != n*c*h*w {
		return fmt.Errorf("report: %d values for %d images of %dx%dx%d", len(images), n, c, h, w)
	}
	return nil
}

// drawGrid draws the images of c channels in layout l on a background of
// sep, the separators' colour.
func drawGrid(images []float32, c int, l GridLayout, sep color.RGBA) *image.RGBA {
	width, height := l.Size()
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = sep.R, sep.G, sep.B, sep.A
	}
	level := func(v float32) uint8 {
		x := (float64(v) + 1) * 127.5
		if math.IsNaN(x) {
			return 0
		}
		return uint8(math.Round(math.Min(math.Max(x, 0), 255)))
	}
	h, w, s := l.H, l.W, l.Scale
	for k := 0; k < l.N; k++ {
		at := l.Cell(k)
		base := k * c * h * w
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p := base + y*w + x
				r := level(images[p])
				g, b := r, r
				if c == 3 {
					g, b = level(images[p+h*w]), level(images[p+2*h*w])
				}
				block := image.Rect(at.X+x*s, at.Y+y*s, at.X+(x+1)*s, at.Y+(y+1)*s)
				for by := block.Min.Y; by < block.Max.Y; by++ {
					for bx := block.Min.X; bx < block.Max.X; bx++ {
						img.SetRGBA(bx, by, color.RGBA{r, g, b, 255})
					}
				}
			}
		}
	}
	return img
}

// WriteGrid writes an EnlargedGrid as a PNG file, atomically.
func WriteGrid(path string, images []float32, n, c, h, w, cols int) error {
	img, err := EnlargedGrid(images, n, c, h, w, cols)
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
