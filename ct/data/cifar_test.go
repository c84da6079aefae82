package data

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
)

// writeCIFAR writes the six batch files, records per file, into dir.
func writeCIFAR(t testing.TB, dir string, records int) {
	t.Helper()
	for k, name := range cifarTrainFiles {
		writeFile(t, filepath.Join(dir, name), cifarBytes(records, k*records, 255, 0, byte(10*k)))
	}
	writeFile(t, filepath.Join(dir, "test_batch.bin"), cifarBytes(records, 0, 0, 255, 100))
}

func TestLoadCIFAR10Synthetic(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, cifarSubdir) // found from its parent too
	const per = 3
	writeCIFAR(t, dir, per)
	for _, from := range []string{dir, root} {
		ds, err := LoadCIFAR10(from, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if c, h, w := ds.Shape(); ds.N() != 5*per || c != 3 || h != 32 || w != 32 {
			t.Fatalf("%d images of %dx%dx%d, want %d of 3x32x32", ds.N(), c, h, w, 5*per)
		}
		for i := range ds.N() {
			k, j := i/per, i%per
			if ds.Label(i) != i%10 {
				t.Fatalf("label %d = %d, want %d", i, ds.Label(i), i%10)
			}
			img := ds.Image(i)
			r, g, b := img[5], img[1024+5], img[2048+5]
			if r != 1 || g != -1 || b != unitFromByte(byte(10*k+j)) {
				t.Fatalf("image %d: r g b = %v %v %v", i, r, g, b)
			}
		}
	}
	test, err := LoadCIFAR10(dir, Options{Split: Test})
	if err != nil {
		t.Fatal(err)
	}
	if test.N() != per || test.Image(0)[1024] != 1 {
		t.Fatalf("test split: %d images, green %v", test.N(), test.Image(0)[1024])
	}

	// Grayscale by luma, downsized by area averaging: constant planes stay
	// constant.
	gray, err := LoadCIFAR10(dir, Options{Channels: 1, Size: 16, Fit: Resize, Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if c, h, w := gray.Shape(); gray.N() != 4 || c != 1 || h != 16 || w != 16 {
		t.Fatalf("gray: %d images of %dx%dx%d", gray.N(), c, h, w)
	}
	want := 0.299*1 + 0.587*-1 + 0.114*unitFromByte(1)
	for _, v := range gray.Image(1) {
		if !near(v, want, 1e-6) {
			t.Fatalf("gray pixel %v, want luma %v", v, want)
		}
	}
}

func TestCIFAR10Malformed(t *testing.T) {
	cases := []struct {
		name string
		file []byte
		want []string
	}{
		{"not a multiple of 3073", cifarBytes(2, 0, 1, 2, 3)[:2*cifarRecord-5], []string{"6141 bytes", "multiple of the 3073-byte"}},
		{"empty", nil, []string{"empty file", "3073 bytes"}},
		{"label out of range", func() []byte { b := cifarBytes(3, 0, 1, 2, 3); b[2*cifarRecord] = 17; return b }(),
			[]string{"record 2 has label 17"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeCIFAR(t, dir, 2)
			bad := filepath.Join(dir, "data_batch_3.bin")
			writeFile(t, bad, tc.file)
			_, err := LoadCIFAR10(dir, Options{})
			wantErr(t, err, append([]string{bad}, tc.want...)...)
		})
	}
	// A missing batch says where to get CIFAR-10.
	dir := t.TempDir()
	_, err := LoadCIFAR10(dir, Options{})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("error %v does not match ErrNotFound", err)
	}
	wantErr(t, err, dir, "data_batch_1.bin", "cifar-10-binary.tar.gz")
}

func TestCIFAR10Dir(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	_, err := CIFAR10Dir()
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("error %v does not match ErrNotFound", err)
	}
	wantErr(t, err, "cifar-10-binary.tar.gz", cache)
	if runtime.GOOS != "linux" {
		return
	}
	want := filepath.Join(cache, "ictvk", cifarSubdir)
	writeCIFAR(t, want, 1)
	got, err := CIFAR10Dir()
	if err != nil || got != want {
		t.Fatalf("CIFAR10Dir = %q, %v; want %q", got, err, want)
	}
	ds, err := Load(CIFAR10, "", Options{Split: Test})
	if err != nil || ds.N() != 1 {
		t.Fatalf("Load with the default folder: %v", err)
	}
}

// FuzzCIFAR feeds arbitrary bytes to the CIFAR-10 batch parser and
// converts what it accepts: no panic, and allocations bounded by a small
// multiple of the input.
func FuzzCIFAR(f *testing.F) {
	f.Add(cifarBytes(1, 0, 1, 2, 3))
	f.Add(cifarBytes(2, 9, 200, 100, 0))
	f.Add(cifarBytes(1, 0, 1, 2, 3)[:100])
	f.Add(bytes.Repeat([]byte{10}, cifarRecord))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		before := allocatedBytes()
		// The input as it is (mostly refused for its size), and cut to whole
		// records so that the label checks and the conversion see it too.
		for _, b := range [][]byte{in, in[:len(in)-len(in)%cifarRecord]} {
			n, err := checkCIFAR("fuzz", b)
			if err != nil {
				continue
			}
			if n*cifarRecord != len(b) || n == 0 {
				t.Fatalf("accepted %d records from %d bytes", n, len(b))
			}
			for _, channels := range []int{1, 3} {
				ds := newDataset("fuzz", n, channels, cifarSide, true, cifarClasses)
				wr := newImageWriter(channels, cifarSide, Pad)
				cifarRecords(ds, 0, b, n, wr, raster{c: 3, h: cifarSide, w: cifarSide, pix: make([]float32, cifarPixels)})
				checkRange(t, fmt.Sprintf("fuzz %d channels", channels), ds.Pixels())
				for i := range n {
					if ds.Label(i) != int(b[i*cifarRecord]) {
						t.Fatalf("label %d = %d, record says %d", i, ds.Label(i), b[i*cifarRecord])
					}
				}
			}
		}
		if got, limit := allocatedBytes()-before, uint64(1<<20+64*len(in)); got > limit {
			t.Fatalf("parsing %d bytes allocated %d bytes (limit %d)", len(in), got, limit)
		}
	})
}
