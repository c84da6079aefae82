package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strings"
	"testing"
)

// idxBytes builds an IDX file of unsigned bytes.
func idxBytes(magic uint32, dims []uint32, body []byte) []byte {
	var b []byte
	b = binary.BigEndian.AppendUint32(b, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, body...)
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// idxImages makes n images of rows x cols with pixel (i, y, x) =
// (7i + 3y + x) mod 256 and labels i mod 10.
func idxImages(n, rows, cols int) (pixels, labels []byte) {
	pixels = make([]byte, n*rows*cols)
	for i := range n {
		for y := range rows {
			for x := range cols {
				pixels[(i*rows+y)*cols+x] = byte(7*i + 3*y + x)
			}
		}
	}
	labels = make([]byte, n)
	for i := range labels {
		labels[i] = byte(i % 10)
	}
	return pixels, labels
}

// writeIDXSet writes a split's image and label files into dir, gzipped or
// not, and returns their paths.
func writeIDXSet(t testing.TB, dir, prefix string, n, rows, cols int, gz bool) (imagesPath, labelsPath string) {
	t.Helper()
	pixels, labels := idxImages(n, rows, cols)
	img := idxBytes(idxImagesMagic, []uint32{uint32(n), uint32(rows), uint32(cols)}, pixels)
	lab := idxBytes(idxLabelsMagic, []uint32{uint32(n)}, labels)
	imagesPath = filepath.Join(dir, prefix+"-images-idx3-ubyte")
	labelsPath = filepath.Join(dir, prefix+"-labels-idx1-ubyte")
	if gz {
		img, lab = gzipBytes(t, img), gzipBytes(t, lab)
		imagesPath += ".gz"
		labelsPath += ".gz"
	}
	writeFile(t, imagesPath, img)
	writeFile(t, labelsPath, lab)
	return imagesPath, labelsPath
}

// cifarBytes makes n CIFAR-10 records: label (first+i) mod 10, red plane
// value r, green g, blue b plus the record number.
func cifarBytes(n, first int, r, g, b byte) []byte {
	out := make([]byte, 0, n*cifarRecord)
	for i := range n {
		out = append(out, byte((first+i)%10))
		for _, v := range []byte{r, g, b + byte(i)} {
			out = append(out, bytes.Repeat([]byte{v}, cifarSide*cifarSide)...)
		}
	}
	return out
}

// checkRange fails if any value is outside [-1, 1] or not a number.
func checkRange(t testing.TB, what string, vals []float32) {
	t.Helper()
	for i, v := range vals {
		if !(v >= -1 && v <= 1) {
			t.Fatalf("%s: value %d is %v, outside [-1, 1]", what, i, v)
		}
	}
}

// wantErr fails unless err is non-nil and its text holds every part.
func wantErr(t testing.TB, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not contain %q", err, p)
		}
	}
}

func near(a, b float32, tol float64) bool { return math.Abs(float64(a)-float64(b)) <= tol }

// allocatedBytes is the process's cumulative heap allocation, read
// without stopping the world (unlike runtime.ReadMemStats), so fuzz
// targets can bound what one input costs.
func allocatedBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
