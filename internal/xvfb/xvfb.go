// Package xvfb runs a virtual X server for the viewer's tests and reads
// back what is on it: xwd screenshots, decoded, and a search for a grid
// drawn at a whole scale.
package xvfb

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Server is a running Xvfb.
type Server struct {
	Display string // ":N", for DISPLAY
	cmd     *exec.Cmd
}

// Start runs Xvfb with one width x height x 24 screen on a display number
// it picks itself (-displayfd), and waits until it takes connections.
func Start(width, height int) (*Server, error) {
	path, err := exec.LookPath("Xvfb")
	if err != nil {
		return nil, errors.New("Xvfb is not installed: the viewer's tests need it (apt-get install xvfb x11-apps, or make deps)")
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd := exec.Command(path, "-displayfd", "3", "-screen", "0", fmt.Sprintf("%dx%dx24", width, height), "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("starting Xvfb: %v", err)
	}
	w.Close()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return nil, fmt.Errorf("Xvfb did not start: %s", strings.TrimSpace(stderr.String()))
		}
		return &Server{Display: ":" + strconv.Itoa(n), cmd: cmd}, nil
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("Xvfb gave no display number within 20 s: %s", strings.TrimSpace(stderr.String()))
	}
}

// Stop ends the server.
func (s *Server) Stop() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// Screenshot captures a window (0: the whole screen) with xwd.
func (s *Server) Screenshot(window uint64) (*image.RGBA, error) {
	args := []string{"-silent", "-display", s.Display}
	if window == 0 {
		args = append(args, "-root")
	} else {
		args = append(args, "-id", fmt.Sprintf("%#x", window))
	}
	cmd := exec.Command("xwd", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if errors.Is(err, exec.ErrNotFound) {
		return nil, errors.New("xwd is not installed (apt-get install x11-apps, or make deps)")
	}
	if err != nil {
		return nil, fmt.Errorf("xwd: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return DecodeXWD(out)
}

// DecodeXWD reads an X window dump of a TrueColor ZPixmap (what xwd
// writes for a 24- or 32-bit screen).
func DecodeXWD(b []byte) (*image.RGBA, error) {
	const fields = 25
	if len(b) < 4*fields {
		return nil, fmt.Errorf("xwd: %d bytes is too short for a header", len(b))
	}
	h := make([]uint32, fields)
	for i := range h {
		h[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	headerSize, version, format := h[0], h[1], h[2]
	width, height := int(h[4]), int(h[5])
	byteOrder, bpp, bytesPerLine := h[7], h[11], int(h[12])
	masks := [3]uint32{h[14], h[15], h[16]}
	ncolors := int(h[19])
	if version != 7 || format != 2 || (bpp != 32 && bpp != 24) {
		return nil, fmt.Errorf("xwd: version %d, format %d, %d bits per pixel: want version 7, ZPixmap (2), 24 or 32 bits", version, format, bpp)
	}
	off := int(headerSize) + 12*ncolors
	if width <= 0 || height <= 0 || bytesPerLine < width*int(bpp)/8 || off+bytesPerLine*height > len(b) {
		return nil, fmt.Errorf("xwd: %dx%d image of %d bytes a line does not fit %d bytes", width, height, bytesPerLine, len(b))
	}
	shift := func(m uint32) (uint, uint32) {
		var s uint
		for m != 0 && m&1 == 0 {
			m >>= 1
			s++
		}
		return s, m
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	step := int(bpp) / 8
	for y := 0; y < height; y++ {
		row := b[off+y*bytesPerLine:]
		for x := 0; x < width; x++ {
			var v uint32
			p := row[x*step : x*step+step]
			for i := range step {
				if byteOrder == 0 { // LSBFirst
					v |= uint32(p[i]) << (8 * i)
				} else {
					v = v<<8 | uint32(p[i])
				}
			}
			var c [3]uint8
			for i, m := range masks {
				s, mm := shift(m)
				c[i] = uint8((v >> s & mm) * 255 / max(mm, 1))
			}
			img.SetRGBA(x, y, color.RGBA{c[0], c[1], c[2], 255})
		}
	}
	return img, nil
}

// Upscale repeats every pixel of img as a scale x scale block.
func Upscale(img image.Image, scale int) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()*scale, b.Dy()*scale))
	for y := 0; y < out.Rect.Dy(); y++ {
		for x := 0; x < out.Rect.Dx(); x++ {
			out.Set(x, y, img.At(b.Min.X+x/scale, b.Min.Y+y/scale))
		}
	}
	return out
}

// Diff counts the pixels of want that differ from shot at (x, y), and
// describes the first.
func Diff(shot *image.RGBA, want image.Image, x, y int) (int, string) {
	wb := want.Bounds()
	bad, first := 0, ""
	for j := 0; j < wb.Dy(); j++ {
		for i := 0; i < wb.Dx(); i++ {
			r, g, b, _ := want.At(wb.Min.X+i, wb.Min.Y+j).RGBA()
			w := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}
			got := color.RGBAModel.Convert(shot.At(x+i, y+j)).(color.RGBA)
			if !(image.Pt(x+i, y+j).In(shot.Rect)) || got != w {
				if bad == 0 {
					first = fmt.Sprintf("first at (%d, %d) of the grid: screen %v, want %v", i, j, got, w)
				}
				bad++
			}
		}
	}
	return bad, first
}

// Find looks for img, drawn at one of the whole scales, anywhere on shot;
// it returns where and at which scale.
func Find(shot *image.RGBA, img image.Image, scales ...int) (x, y, scale int, ok bool) {
	for _, s := range scales {
		big := Upscale(img, s)
		w, h := big.Rect.Dx(), big.Rect.Dy()
		// Candidates: where the grid's top-left pixel matches; then the
		// whole grid is compared.
		first := big.RGBAAt(0, 0)
		for y := 0; y+h <= shot.Rect.Dy(); y++ {
			for x := 0; x+w <= shot.Rect.Dx(); x++ {
				if shot.RGBAAt(x, y) != first || shot.RGBAAt(x+w-1, y+h-1) != big.RGBAAt(w-1, h-1) {
					continue
				}
				if same(shot, big, x, y) {
					return x, y, s, true
				}
			}
		}
	}
	return 0, 0, 0, false
}

// same reports whether big sits unchanged at (x, y) of shot; it stops at
// the first difference.
func same(shot, big *image.RGBA, x, y int) bool {
	w, h := big.Rect.Dx(), big.Rect.Dy()
	for j := 0; j < h; j++ {
		a := shot.Pix[shot.PixOffset(x, y+j):][:4*w]
		b := big.Pix[big.PixOffset(0, j):][:4*w]
		if !bytes.Equal(a, b) {
			return false
		}
	}
	return true
}
