package data

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func pngBytes(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func uniformRGBA(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func TestLoadImageFolder(t *testing.T) {
	dir := t.TempDir()
	// a.png: 6x2, black sides and a white 2x2 middle, which is what the
	// center crop keeps.
	wide := uniformRGBA(6, 2, color.RGBA{0, 0, 0, 255})
	for y := range 2 {
		wide.SetRGBA(2, y, color.RGBA{255, 255, 255, 255})
		wide.SetRGBA(3, y, color.RGBA{255, 255, 255, 255})
	}
	writeFile(t, filepath.Join(dir, "a.png"), pngBytes(t, wide))
	// b.PNG: grayscale, mid gray.
	gray := image.NewGray(image.Rect(0, 0, 5, 5))
	for i := range gray.Pix {
		gray.Pix[i] = 51 // 0.2 on [0, 1]
	}
	writeFile(t, filepath.Join(dir, "b.PNG"), pngBytes(t, gray))
	// c.jpg: JPEG (YCbCr), pure red-ish.
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, uniformRGBA(8, 8, color.RGBA{200, 30, 30, 255}), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "sub", "c.jpg"), jb.Bytes())
	// d.png: half-transparent white, non-premultiplied: onto black it is
	// half gray.
	nrgba := image.NewNRGBA(image.Rect(0, 0, 3, 3))
	for i := 0; i < len(nrgba.Pix); i += 4 {
		copy(nrgba.Pix[i:], []byte{255, 255, 255, 128})
	}
	writeFile(t, filepath.Join(dir, "d.png"), pngBytes(t, nrgba))
	// Skipped: not images, hidden files and folders (a corrupt "._x.png"
	// resource fork among them).
	writeFile(t, filepath.Join(dir, "notes.txt"), []byte("not an image"))
	writeFile(t, filepath.Join(dir, "._a.png"), []byte("resource fork"))
	writeFile(t, filepath.Join(dir, ".cache", "e.png"), []byte("hidden"))

	// A link to an image counts; a dangling one is an error naming it.
	if err := os.Symlink(filepath.Join(dir, "a.png"), filepath.Join(dir, "link.png")); err != nil {
		t.Fatal(err)
	}

	ds, err := LoadImageFolder(dir, Options{Size: 2})
	if err != nil {
		t.Fatal(err)
	}
	if c, h, w := ds.Shape(); ds.N() != 5 || c != 3 || h != 2 || w != 2 {
		t.Fatalf("%d images of %dx%dx%d, want 5 of 3x2x2", ds.N(), c, h, w)
	}
	if ds.HasLabels() || ds.Label(0) != -1 {
		t.Fatal("an image folder has no labels")
	}
	checkRange(t, "folder", ds.Pixels())
	// Lexical order: a.png, b.PNG, d.png, link.png, sub/c.jpg.
	for _, i := range []int{0, 3} {
		for _, v := range ds.Image(i) {
			if v != 1 {
				t.Fatalf("center crop of a.png: %v, want all 1", ds.Image(i))
			}
		}
	}
	for _, v := range ds.Image(1) {
		if !near(v, 2*0.2-1, 1e-6) {
			t.Fatalf("gray b.PNG: %v, want all %v", ds.Image(1), 2*0.2-1)
		}
	}
	for _, v := range ds.Image(2) {
		if !near(v, 2*128.0/255-1, 1e-6) {
			t.Fatalf("half-transparent white d.png: %v, want %v", ds.Image(2), 2*128.0/255-1)
		}
	}
	c := ds.Image(4)
	if !near(c[0], 2*200.0/255-1, 0.05) || !near(c[4], 2*30.0/255-1, 0.05) || !near(c[8], 2*30.0/255-1, 0.05) {
		t.Fatalf("JPEG sub/c.jpg: r g b = %v %v %v", c[0], c[4], c[8])
	}

	// Grayscale by luma.
	g, err := LoadImageFolder(dir, Options{Size: 3, Channels: 1, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if ch, h, w := g.Shape(); g.N() != 2 || ch != 1 || h != 3 || w != 3 {
		t.Fatalf("gray: %d images of %dx%dx%d", g.N(), ch, h, w)
	}
	checkRange(t, "gray folder", g.Pixels())
}

func TestImageFolderErrors(t *testing.T) {
	good := pngBytes(t, uniformRGBA(4, 4, color.RGBA{1, 2, 3, 255}))

	t.Run("corrupt png", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "a.png"), good)
		bad := filepath.Join(dir, "b.png")
		writeFile(t, bad, []byte("\x89PNG\r\n\x1a\nthis is not a png"))
		_, err := LoadImageFolder(dir, Options{Size: 4})
		wantErr(t, err, bad, "not a readable PNG or JPEG")
	})
	t.Run("truncated png", func(t *testing.T) {
		dir := t.TempDir()
		bad := filepath.Join(dir, "b.png")
		writeFile(t, bad, good[:len(good)-20])
		_, err := LoadImageFolder(dir, Options{Size: 4})
		wantErr(t, err, bad, "corrupt png image")
	})
	t.Run("corrupt jpeg", func(t *testing.T) {
		dir := t.TempDir()
		bad := filepath.Join(dir, "photo.JPEG")
		writeFile(t, bad, []byte("not a jpeg at all"))
		_, err := LoadImageFolder(dir, Options{Size: 4})
		wantErr(t, err, bad)
	})
	t.Run("huge header", func(t *testing.T) {
		// A valid 1x1 PNG whose header is changed to claim 100000x100000.
		b := pngBytes(t, image.NewGray(image.Rect(0, 0, 1, 1)))
		binary.BigEndian.PutUint32(b[16:], 100000)
		binary.BigEndian.PutUint32(b[20:], 100000)
		binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
		dir := t.TempDir()
		bad := filepath.Join(dir, "huge.png")
		writeFile(t, bad, b)
		_, err := LoadImageFolder(dir, Options{Size: 4})
		wantErr(t, err, bad, "100000x100000")
	})
	t.Run("dangling link", func(t *testing.T) {
		dir := t.TempDir()
		bad := filepath.Join(dir, "gone.png")
		if err := os.Symlink(filepath.Join(dir, "absent.png"), bad); err != nil {
			t.Fatal(err)
		}
		_, err := LoadImageFolder(dir, Options{Size: 4})
		wantErr(t, err, bad)
	})
	t.Run("no images", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "readme.txt"), []byte("hi"))
		_, err := LoadImageFolder(dir, Options{Size: 4})
		wantErr(t, err, dir, "has no images")
	})
	t.Run("missing folder", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "absent")
		_, err := LoadImageFolder(dir, Options{Size: 4})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("error %v does not match ErrNotFound", err)
		}
		wantErr(t, err, dir, "does not exist")
	})
	t.Run("options", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "a.png"), good)
		_, err := LoadImageFolder(dir, Options{})
		wantErr(t, err, dir, "target size")
		_, err = LoadImageFolder(dir, Options{Size: 4, Split: Test})
		wantErr(t, err, dir, "no test split")
		_, err = LoadImageFolder(dir, Options{Size: 4, Channels: 2})
		wantErr(t, err, "2 channels")
		_, err = Load("imagenet", dir, Options{Size: 4})
		wantErr(t, err, `"imagenet"`, "mnist")
	})
}
