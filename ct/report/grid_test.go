package report

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestGridLayout(t *testing.T) {
	// Three 2x2 gray images: -1 (black), 0 (mid), 1 (white), in 2 columns.
	vals := []float32{-1, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1}
	img, err := Grid(vals, 3, 1, 2, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 7 || b.Dy() != 7 {
		t.Fatalf("size %v, want 7x7 (2 columns, 2 rows, 1-pixel borders)", b)
	}
	for _, c := range []struct {
		x, y int
		want uint32
	}{
		{1, 1, 0}, {4, 1, 128}, {1, 4, 255}, {0, 0, 255}, {4, 4, 255},
	} {
		r, _, _, _ := img.At(c.x, c.y).RGBA()
		if r>>8 != c.want {
			t.Errorf("pixel (%d,%d) = %d, want %d", c.x, c.y, r>>8, c.want)
		}
	}
}

// levelValue is the value in [-1, 1] that a grid draws as level l.
func levelValue(l int) float32 { return float32(l)/127.5 - 1 }

// TestWriteGridEnlarges writes three 5x7 images in 2 columns, gray and
// RGB, and checks every pixel of the PNG: the factor is capped at
// MaxGridScale (8: 2*(7*8+2)+2 = 118 pixels), each image pixel is an 8x8
// block, and grey 2-pixel lines separate the cells and frame the picture;
// the fourth cell, empty, is grey too.
func TestWriteGridEnlarges(t *testing.T) {
	const n, h, w, cols = 3, 5, 7, 2
	const s, sep = 8, 2
	for _, c := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d channels", c), func(t *testing.T) {
			// Every pixel of every image and channel has its own level.
			level := func(k, ch, y, x int) uint8 { return uint8((((k*c+ch)*h+y)*w + x) * 3 % 256) }
			vals := make([]float32, n*c*h*w)
			for k := 0; k < n; k++ {
				for ch := 0; ch < c; ch++ {
					for y := 0; y < h; y++ {
						for x := 0; x < w; x++ {
							vals[((k*c+ch)*h+y)*w+x] = levelValue(int(level(k, ch, y, x)))
						}
					}
				}
			}
			path := filepath.Join(t.TempDir(), "g.png")
			if err := WriteGrid(path, vals, n, c, h, w, cols); err != nil {
				t.Fatal(err)
			}
			img := readPNG(t, path)
			if b := img.Bounds(); b.Dx() != 118 || b.Dy() != 2*(h*s+sep)+sep {
				t.Fatalf("size %dx%d, want 118x%d", b.Dx(), b.Dy(), 2*(h*s+sep)+sep)
			}
			grey := color.RGBA{128, 128, 128, 255}
			// The picture at (X, Y): a separator, or pixel (x, y) of
			// image k, found by division rather than by the layout.
			want := func(X, Y int) color.RGBA {
				cx, ox := (X-sep)/(w*s+sep), (X-sep)%(w*s+sep)
				cy, oy := (Y-sep)/(h*s+sep), (Y-sep)%(h*s+sep)
				k := cy*cols + cx
				if X < sep || Y < sep || ox >= w*s || oy >= h*s || k >= n {
					return grey
				}
				x, y := ox/s, oy/s
				if c == 1 {
					l := level(k, 0, y, x)
					return color.RGBA{l, l, l, 255}
				}
				return color.RGBA{level(k, 0, y, x), level(k, 1, y, x), level(k, 2, y, x), 255}
			}
			bad := 0
			for Y := 0; Y < img.Bounds().Dy(); Y++ {
				for X := 0; X < img.Bounds().Dx(); X++ {
					if got, w := img.RGBAAt(X, Y), want(X, Y); got != w {
						if bad++; bad <= 5 {
							t.Errorf("pixel (%d, %d) = %v, want %v", X, Y, got, w)
						}
					}
				}
			}
			if bad > 0 {
				t.Fatalf("%d pixels differ", bad)
			}
			// The same in plain numbers: columns 0-1 grey, 2-9 image 0's
			// pixel (0, 0), 10-17 its pixel (1, 0); the second cell starts
			// at 2 + 56 + 2 = 60, the second row at 2 + 40 + 2 = 44.
			for _, p := range []struct {
				X, Y int
				want color.RGBA
			}{
				{0, 0, grey}, {1, 5, grey}, {2, 2, want(9, 9)}, {58, 2, grey}, {59, 2, grey}, {100, 60, grey},
			} {
				if got := img.RGBAAt(p.X, p.Y); got != p.want {
					t.Errorf("pixel (%d, %d) = %v, want %v", p.X, p.Y, got, p.want)
				}
			}
			for _, p := range []struct{ X, Y, k, x, y int }{
				{2, 2, 0, 0, 0}, {9, 9, 0, 0, 0}, {10, 2, 0, 1, 0}, {57, 41, 0, 6, 4}, {60, 2, 1, 0, 0}, {2, 44, 2, 0, 0},
			} {
				if got := img.RGBAAt(p.X, p.Y); got.R != level(p.k, 0, p.y, p.x) {
					t.Errorf("pixel (%d, %d) has red %d, want image %d's pixel (%d, %d): %d", p.X, p.Y, got.R, p.k, p.x, p.y, level(p.k, 0, p.y, p.x))
				}
			}
		})
	}
}

// TestEnlargedLayoutScale checks the factor WriteGrid picks for the grids
// ict writes: the smallest reaching MinGridWidth, 1 for grids already that
// wide, MaxGridScale for a few tiny images.
func TestEnlargedLayoutScale(t *testing.T) {
	for _, c := range []struct {
		name                 string
		n, h, w, cols, scale int
		width                int
	}{
		{"mnist run grid", 64, 16, 16, 8, 4, 8*(16*4+2) + 2},
		{"cifar10 run grid", 64, 32, 32, 8, 2, 8*(32*2+2) + 2},
		{"ict sample's 1024 mnist images", 1024, 16, 16, 32, 1, 32*(16+2) + 2},
		{"large images", 16, 64, 64, 8, 1, 8*(64+2) + 2},
		{"three of 5x7", 3, 5, 7, 2, 8, 118},
		{"fewer images than columns", 2, 16, 16, 8, 8, 2*(16*8+2) + 2},
	} {
		l := EnlargedLayout(c.n, c.h, c.w, c.cols)
		width, _ := l.Size()
		if l.Scale != c.scale || width != c.width {
			t.Errorf("%s: scale %d, %d pixels wide; want %d, %d", c.name, l.Scale, width, c.scale, c.width)
		}
		if l.Scale > 1 {
			smaller := l
			smaller.Scale--
			if w, _ := smaller.Size(); w >= MinGridWidth {
				t.Errorf("%s: scale %d is not the smallest (%d is %d pixels wide)", c.name, l.Scale, smaller.Scale, w)
			}
		}
	}
}

func readPNG(t *testing.T, path string) *image.RGBA {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

func TestGridRejectsBadShapes(t *testing.T) {
	if _, err := Grid(make([]float32, 10), 3, 1, 2, 2, 2); err == nil {
		t.Error("wrong value count accepted")
	}
	if _, err := Grid(make([]float32, 8), 2, 2, 2, 1, 2); err == nil {
		t.Error("two channels accepted")
	}
}

func TestWriteFileAtomicKeepsOldFileOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x")
	if err := WriteFileAtomic(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x"), []byte("new")); err == nil {
		t.Fatal("writing into a missing folder succeeded")
	}
	b, _ := os.ReadFile(path)
	if string(b) != "old" {
		t.Fatalf("old file now %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestPlotLoss(t *testing.T) {
	path := filepath.Join(t.TempDir(), "loss.png")
	steps, ys := []float64{}, []float64{}
	for i := 0; i < 200; i++ {
		steps = append(steps, float64(i))
		ys = append(ys, 1/float64(i+1))
	}
	ys[5] = 0 // not drawable on a log axis: skipped, not fatal
	if err := PlotLoss(path, "test", Series{Name: "loss", Steps: steps, Y: ys}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 200 {
		t.Errorf("plot is %v", b)
	}
	if err := PlotLoss(path, "empty", Series{Steps: []float64{1}, Y: []float64{-1}}); err == nil {
		t.Error("an empty plot was written")
	}
}
