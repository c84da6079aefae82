package viewer

import (
	"image"

	"github.com/ictvk/ictvk/vk"
)

// Background is the colour around the grid.
var Background = [3]uint8{40, 40, 40}

// Placement is where a grid lands in a frame: at (X, Y), Width x Height
// pixels. Scale is the whole factor when the grid fits at least once,
// 0 when it had to shrink.
type Placement struct {
	X, Y, Width, Height int
	Scale               int
}

// Place centres a gridW x gridH grid in a frameW x frameH frame at the
// largest whole scale that fits, keeping its aspect ratio; a grid larger
// than the frame shrinks to fit instead.
func Place(gridW, gridH, frameW, frameH int) Placement {
	if gridW < 1 || gridH < 1 || frameW < 1 || frameH < 1 {
		return Placement{}
	}
	var w, h, s int
	if s = min(frameW/gridW, frameH/gridH); s >= 1 {
		w, h = gridW*s, gridH*s
	} else if gridW*frameH <= gridH*frameW { // height limits
		h = frameH
		w = max(1, gridW*frameH/gridH)
	} else {
		w = frameW
		h = max(1, gridH*frameW/gridW)
	}
	return Placement{X: (frameW - w) / 2, Y: (frameH - h) / 2, Width: w, Height: h, Scale: s}
}

// paint draws pic into c by nearest neighbour (exact pixel blocks at a
// whole scale), with the background around it; a nil pic paints only the
// background.
func paint(c vk.Canvas, pic *image.RGBA) {
	bg := [4]byte{Background[0], Background[1], Background[2], 255}
	if c.BGRA {
		bg[0], bg[2] = bg[2], bg[0]
	}
	stride := 4 * c.Width
	var pl Placement
	if pic != nil {
		pl = Place(pic.Rect.Dx(), pic.Rect.Dy(), c.Width, c.Height)
	}
	fillRow := func(row []byte) {
		for i := 0; i < len(row); i += 4 {
			copy(row[i:i+4], bg[:])
		}
	}
	// One row of background, copied wherever the grid is not.
	blank := make([]byte, stride)
	fillRow(blank)
	line := make([]byte, stride)
	copy(line, blank)
	lastSrc := -1
	for y := 0; y < c.Height; y++ {
		row := c.Pix[y*stride : (y+1)*stride]
		if pic == nil || y < pl.Y || y >= pl.Y+pl.Height {
			copy(row, blank)
			continue
		}
		sy := (y - pl.Y) * pic.Rect.Dy() / pl.Height
		if sy != lastSrc {
			src := pic.Pix[pic.PixOffset(pic.Rect.Min.X, pic.Rect.Min.Y+sy):]
			gw := pic.Rect.Dx()
			for x := 0; x < pl.Width; x++ {
				sx := x * gw / pl.Width
				p := src[4*sx : 4*sx+4]
				d := line[4*(pl.X+x):]
				if c.BGRA {
					d[0], d[1], d[2], d[3] = p[2], p[1], p[0], 255
				} else {
					d[0], d[1], d[2], d[3] = p[0], p[1], p[2], 255
				}
			}
			lastSrc = sy
		}
		copy(row, line)
	}
}
