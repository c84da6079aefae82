package report

import (
	"fmt"
	"image"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/unet"
)

// The layout of every sample grid: the run folder's PNG files, the
// training window and 'ict view' show the same one.
const (
	GridImages  = 64
	GridColumns = 8
)

// SampleNoiseSeed fixes the noise of the sample grids, so grids of one
// run show the same draws as training goes on.
const SampleNoiseSeed = 0x5eed

// SampleGrid draws the GridImages images of a sample grid with net, chunk
// images per pass (0: as many as the device takes). During training the
// chunk is the training micro-batch: a training pass of it fits the
// device, and sampling reuses the pipelines training built (the images do
// not depend on the chunk).
func SampleGrid(e *nn.Engine, net *unet.Net, r ct.Recipe, sigmas []float64, seed uint64, chunk int) ([]float32, error) {
	return ct.SampleImages(e, net, r, GridImages, sigmas, seed, chunk)
}

// SampleGridImage lays out the images of SampleGrid as WriteSampleGrid
// writes them, for a window.
func SampleGridImage(vals []float32, c unet.Config) (*image.RGBA, error) {
	img, err := Grid(vals, GridImages, c.ImageChannels, c.ImageSize, c.ImageSize, GridColumns)
	if err != nil {
		return nil, err
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		return nil, fmt.Errorf("report: Grid gave a %T, want *image.RGBA", img)
	}
	return rgba, nil
}

// WriteSampleGrid writes the images of SampleGrid as a PNG file, atomically.
func WriteSampleGrid(path string, vals []float32, c unet.Config) error {
	return WriteGrid(path, vals, GridImages, c.ImageChannels, c.ImageSize, c.ImageSize, GridColumns)
}
