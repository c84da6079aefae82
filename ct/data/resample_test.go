package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// write1 runs one plane through an imageWriter.
func write1(c, size int, fit Fit, src raster) []float32 {
	dst := make([]float32, c*size*size)
	newImageWriter(c, size, fit).write(dst, src)
	return dst
}

func TestPadAndCropExact(t *testing.T) {
	src := raster{c: 1, h: 2, w: 2, pix: []float32{0.1, 0.2, 0.3, 0.4}}
	got := write1(1, 4, Pad, src)
	want := []float32{
		-1, -1, -1, -1,
		-1, 0.1, 0.2, -1,
		-1, 0.3, 0.4, -1,
		-1, -1, -1, -1,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pad 2x2 to 4x4:\n got %v\nwant %v", got, want)
	}
	// Odd margins: 2 into 5 puts the extra background pixel after.
	got = write1(1, 5, Pad, src)
	if got[1*5+1] != 0.1 || got[2*5+2] != 0.4 || got[3*5+3] != -1 {
		t.Fatalf("pad 2x2 to 5x5: %v", got)
	}
	// Pad to a smaller size center-crops.
	big := raster{c: 1, h: 4, w: 4, pix: make([]float32, 16)}
	for i := range big.pix {
		big.pix[i] = float32(i) / 16
	}
	got = write1(1, 2, Pad, big)
	if want := []float32{5. / 16, 6. / 16, 9. / 16, 10. / 16}; !slices.Equal(got, want) {
		t.Fatalf("crop 4x4 to 2x2: got %v, want %v", got, want)
	}
}

func TestResizeValues(t *testing.T) {
	// 4 -> 2: exact 2x2 means.
	src := raster{c: 1, h: 4, w: 4, pix: []float32{
		0, 0.2, 0.4, 0.4,
		0.2, 0.2, 0.4, 0.4,
		-1, -1, 1, 1,
		-1, -0.6, 1, 0.6,
	}}
	got := write1(1, 2, Resize, src)
	want := []float32{0.15, 0.4, -0.9, 0.9}
	for i := range want {
		if !near(got[i], want[i], 1e-6) {
			t.Fatalf("area 4->2: got %v, want %v", got, want)
		}
	}
	// 3 -> 2 along one axis: target 0 covers source [0, 1.5): (a + b/2) / 1.5.
	row := raster{c: 1, h: 3, w: 3, pix: []float32{0.9, 0.3, -0.6, 0.9, 0.3, -0.6, 0.9, 0.3, -0.6}}
	got = write1(1, 2, Resize, row)
	if w0, w1 := float32((0.9+0.15)/1.5), float32((0.15-0.6)/1.5); !near(got[0], w0, 1e-6) || !near(got[1], w1, 1e-6) || !near(got[2], w0, 1e-6) {
		t.Fatalf("area 3->2: got %v, want %v %v", got, w0, w1)
	}
	// 2 -> 4: bilinear between pixel centers, clamped at the edges.
	two := raster{c: 1, h: 2, w: 2, pix: []float32{-1, 1, -1, 1}}
	got = write1(1, 4, Resize, two)
	wantRow := []float32{-1, -0.5, 0.5, 1}
	for y := range 4 {
		for x := range 4 {
			if !near(got[y*4+x], wantRow[x], 1e-6) {
				t.Fatalf("bilinear 2->4 row %d: got %v, want %v", y, got[y*4:y*4+4], wantRow)
			}
		}
	}
	// A non-square image is center-cropped before resizing: the middle
	// 2x2 of a 2x6 image.
	wide := raster{c: 1, h: 2, w: 6, pix: []float32{-1, -1, 1, 1, -1, -1, -1, -1, 1, 1, -1, -1}}
	if got := write1(1, 2, Resize, wide); !slices.Equal(got, []float32{1, 1, 1, 1}) {
		t.Fatalf("center crop: got %v", got)
	}
}

// Every (in, out) pair keeps a constant image constant and random images
// inside [-1, 1], and its taps sum to one.
func TestResizeInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, in := range []int{1, 2, 3, 7, 28, 32, 33, 100} {
		for _, out := range []int{1, 2, 5, 16, 28, 32, 64} {
			tp := resampleTaps(in, out)
			for j := range out {
				var s float64
				for k, w := range tp.weights[tp.off[j]:tp.off[j+1]] {
					if i := tp.first[j] + k; i < 0 || i >= in || w < 0 {
						t.Fatalf("%d->%d: target %d reads source %d with weight %v", in, out, j, i, w)
					}
					s += float64(w)
				}
				if s < 1-1e-6 || s > 1+1e-6 {
					t.Fatalf("%d->%d: target %d's weights sum to %v", in, out, j, s)
				}
			}
			name := fmt.Sprintf("%d->%d", in, out)
			flat := raster{c: 3, h: in, w: in, pix: make([]float32, 3*in*in)}
			for i := range flat.pix {
				flat.pix[i] = 0.25
			}
			for _, v := range write1(3, out, Resize, flat) {
				if !near(v, 0.25, 1e-6) {
					t.Fatalf("%s: constant 0.25 became %v", name, v)
				}
			}
			noisy := raster{c: 3, h: in, w: in, pix: make([]float32, 3*in*in)}
			for i := range noisy.pix {
				noisy.pix[i] = []float32{-1, 1}[rng.IntN(2)]
			}
			checkRange(t, name, write1(3, out, Resize, noisy))
			checkRange(t, name+" gray", write1(1, out, Resize, noisy))
		}
	}
}

func TestChannelConversion(t *testing.T) {
	gray := raster{c: 1, h: 1, w: 2, pix: []float32{-0.5, 0.5}}
	if got := write1(3, 2, Pad, gray); !slices.Equal(got, []float32{
		-0.5, 0.5, -1, -1, // R: the 1x2 image, then the odd padding row below it
		-0.5, 0.5, -1, -1,
		-0.5, 0.5, -1, -1,
	}) {
		t.Fatalf("gray to RGB: %v", got)
	}
	rgb := raster{c: 3, h: 1, w: 1, pix: []float32{1, -1, 0}}
	if got := write1(1, 1, Pad, rgb); !near(got[0], 0.299-0.587, 1e-6) {
		t.Fatalf("RGB to gray: %v, want %v", got[0], 0.299-0.587)
	}
	white := raster{c: 3, h: 1, w: 1, pix: []float32{1, 1, 1}}
	if got := write1(1, 1, Pad, white); got[0] != 1 {
		t.Fatalf("white's luma is %v, want exactly 1", got[0])
	}
}
