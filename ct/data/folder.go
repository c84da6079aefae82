package data

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers JPEG with image.Decode
	_ "image/png"  // registers PNG with image.Decode
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxImagePixels bounds the width x height an image header may claim:
// decoders allocate the whole image from the header before reading the
// pixels, so a corrupt or hostile 100000x100000 header would otherwise
// ask for 40 GB. 2^28 pixels (16384 x 16384) is far beyond any training
// image.
const maxImagePixels = 1 << 28

// isImageName reports whether a file name ends like a PNG or JPEG image.
func isImageName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// LoadImageFolder loads every PNG and JPEG image (by name: .png, .jpg,
// .jpeg in any case) in dir and its subfolders, in lexical path order,
// center-cropped to a square and resized to opt.Size (which is required).
// Links to image files count (links to folders are not followed); other
// files are skipped, and so are hidden files and folders (names
// starting with "."; macOS's "._name.png" resource forks among them); an
// image that does not decode is an error naming it. The images have no
// labels and no test split; transparent pixels are composited onto black.
func LoadImageFolder(dir string, opt Options) (*Dataset, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	if opt.Split == Test {
		return nil, fmt.Errorf("data: image folder %s has no test split: name a separate folder of test images", dir)
	}
	if opt.Size == 0 {
		return nil, fmt.Errorf("data: image folder %s: images come in any size, so name a target size", dir)
	}
	opt = opt.withDefaults(0, 3)
	paths, err := imagePaths(dir)
	if err != nil {
		return nil, err
	}
	if opt.Limit > 0 && len(paths) > opt.Limit {
		paths = paths[:opt.Limit]
	}
	name := fmt.Sprintf("images (%s)", dir)
	if err := opt.checkRoom(name, len(paths)); err != nil {
		return nil, err
	}
	ds := newDataset(name, len(paths), opt.Channels, opt.Size, false, 0)
	wr := newImageWriter(opt.Channels, opt.Size, Resize)
	var buf []float32
	for i, p := range paths {
		img, err := decodeImage(p)
		if err != nil {
			return nil, err
		}
		var src raster
		src, buf = squarePlanes(img, opt.Channels, buf)
		wr.write(ds.Image(i), src)
	}
	return ds, nil
}

// imagePaths lists the image files under dir.
func imagePaths(dir string) ([]string, error) {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("data: %w: image folder %s does not exist", ErrNotFound, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("data: %s is a file, not a folder of images", dir)
	}
	var paths []string
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(e.Name(), ".") {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if e.IsDir() || !isImageName(e.Name()) {
			return nil
		}
		regular := e.Type().IsRegular()
		if e.Type()&fs.ModeSymlink != 0 { // dataset folders are often links to the originals
			st, err := os.Stat(p)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			regular = st.Mode().IsRegular()
		}
		if regular {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("data: listing image folder: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("data: image folder %s has no images (files ending in .png, .jpg or .jpeg)", dir)
	}
	return paths, nil
}

// decodeImage reads and decodes one PNG or JPEG file, refusing headers
// that claim absurd sizes before the decoder allocates for them.
func decodeImage(path string) (image.Image, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("data: %s: not a readable PNG or JPEG image: %v", path, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxImagePixels {
		return nil, fmt.Errorf("data: %s: %s header says %dx%d pixels, outside 1..%d pixels", path, format, cfg.Width, cfg.Height, maxImagePixels)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("data: %s: corrupt %s image: %v", path, format, err)
	}
	return img, nil
}

// squarePlanes takes the centered square of img as planes in [-1, 1]:
// one plane (luma) when channels is 1 or the image is grayscale, else
// three (R, G, B). It reuses buf and returns it for the next image.
func squarePlanes(img image.Image, channels int, buf []float32) (raster, []float32) {
	b := img.Bounds()
	side := min(b.Dx(), b.Dy())
	x0, y0 := b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2
	c := 3
	switch img.(type) {
	case *image.Gray, *image.Gray16:
		c = 1
	}
	if channels == 1 {
		c = 1
	}
	n := side * side
	buf = grow(buf, c*n)
	out := raster{c: c, h: side, w: side, pix: buf[:c*n]}
	rgb := rgbReader(img)
	for y := range side {
		for x := range side {
			r, g, bl := rgb(x0+x, y0+y)
			i := y*side + x
			if c == 1 {
				out.pix[i] = 2*(0.299*r+0.587*g+0.114*bl) - 1
			} else {
				out.pix[i], out.pix[n+i], out.pix[2*n+i] = 2*r-1, 2*g-1, 2*bl-1
			}
		}
	}
	return out, buf
}

// rgbReader returns a function giving a pixel's red, green and blue in
// [0, 1], premultiplied by alpha (composited onto black), reading the
// common decoded types directly rather than through color.Color.
func rgbReader(img image.Image) func(x, y int) (r, g, b float32) {
	const u8, u16 = 1.0 / 255, 1.0 / 65535
	switch m := img.(type) {
	case *image.Gray:
		return func(x, y int) (r, g, b float32) {
			v := float32(m.Pix[m.PixOffset(x, y)]) * u8
			return v, v, v
		}
	case *image.YCbCr:
		return func(x, y int) (r, g, b float32) {
			yi, ci := m.YOffset(x, y), m.COffset(x, y)
			r8, g8, b8 := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			return float32(r8) * u8, float32(g8) * u8, float32(b8) * u8
		}
	case *image.RGBA:
		return func(x, y int) (r, g, b float32) {
			p := m.Pix[m.PixOffset(x, y):]
			return float32(p[0]) * u8, float32(p[1]) * u8, float32(p[2]) * u8
		}
	case *image.NRGBA:
		return func(x, y int) (r, g, b float32) {
			p := m.Pix[m.PixOffset(x, y):]
			a := float32(p[3]) * u8
			return float32(p[0]) * u8 * a, float32(p[1]) * u8 * a, float32(p[2]) * u8 * a
		}
	}
	return func(x, y int) (r, g, b float32) {
		r32, g32, b32, _ := img.At(x, y).RGBA()
		return float32(r32) * u16, float32(g32) * u16, float32(b32) * u16
	}
}
