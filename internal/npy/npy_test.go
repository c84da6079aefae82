package npy

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestHeaderAlignment: the values start at a multiple of 64 bytes, the
// header ends in a newline and the length field counts it, for shapes
// whose headers fall either side of a padding boundary.
func TestHeaderAlignment(t *testing.T) {
	for _, shape := range [][]int{{1}, {7}, {3, 1, 4, 4}, {10000, 3, 64, 64}, {123456789, 1}, {}} {
		h := Header("<f4", shape)
		if len(h)%64 != 0 || h[len(h)-1] != '\n' {
			t.Errorf("shape %v: header of %d bytes ending in %q", shape, len(h), h[len(h)-1])
		}
		if n := int(binary.LittleEndian.Uint16(h[8:10])); n != len(h)-10 {
			t.Errorf("shape %v: length field %d, header body %d", shape, n, len(h)-10)
		}
	}
	if h := string(Header("<i4", []int{5})); !strings.Contains(h, "'shape': (5,)") {
		t.Errorf("a one-dimensional shape must be written as a tuple (5,): %q", h)
	}
}

// TestWriterRoundTrip writes arrays of each type through a Writer and
// reads them back.
func TestWriterRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f32 := []float32{0, -1.5, float32(math.Inf(1)), math.MaxFloat32, math.SmallestNonzeroFloat32, 3}
	i32 := []int32{math.MinInt32, -1, 0, 1, math.MaxInt32, 42}
	u8 := []uint8{0, 1, 2, 254, 255, 7}

	write := func(name, descr string, put func(w *Writer)) Array {
		t.Helper()
		p := filepath.Join(dir, name)
		w, err := Create(p, descr, []int{2, 3})
		if err != nil {
			t.Fatal(err)
		}
		put(w)
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s exists before Close (%v)", name, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		a, err := Read(p)
		if err != nil {
			t.Fatal(err)
		}
		if a.Descr != descr || !slices.Equal(a.Shape, []int{2, 3}) {
			t.Errorf("%s: read %s %v, wrote %s [2 3]", name, a.Descr, a.Shape, descr)
		}
		return a
	}
	a := write("f.npy", "<f4", func(w *Writer) { w.Float32(f32[:2]...); w.Float32(f32[2:]...) })
	if got, err := a.Float32(); err != nil || !slices.Equal(got, f32) {
		t.Errorf("float32: read %v (%v), wrote %v", got, err, f32)
	}
	a = write("i.npy", "<i4", func(w *Writer) { w.Int32(i32...) })
	for k, v := range i32 {
		if got := int32(binary.LittleEndian.Uint32(a.Data[4*k:])); got != v {
			t.Errorf("int32 %d: read %d, wrote %d", k, got, v)
		}
	}
	if _, err := a.Float32(); err == nil {
		t.Error("Float32 of an int32 array: no error")
	}
	a = write("u.npy", "|u1", func(w *Writer) { w.Uint8(u8...) })
	if !bytes.Equal(a.Data, u8) {
		t.Errorf("uint8: read %v, wrote %v", a.Data, u8)
	}
}

// TestWriterAbort: an aborted file leaves nothing, not even its temporary.
func TestWriterAbort(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(filepath.Join(dir, "a.npy"), "<f4", []int{3})
	if err != nil {
		t.Fatal(err)
	}
	w.Float32(1, 2)
	w.Abort()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("an aborted write left %v", left)
	}
}

// TestParseErrors: each damaged file is refused with what is wrong.
func TestParseErrors(t *testing.T) {
	good := AppendFloat32(Header("<f4", []int{2, 2}), []float32{1, 2, 3, 4})
	for _, c := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"text", []byte("not a numpy file at all"), "not a NumPy .npy file"},
		{"short", good[:6], "not a NumPy .npy file"},
		{"version", append([]byte{0x93, 'N', 'U', 'M', 'P', 'Y', 4, 0}, good[8:]...), "version 4.0"},
		{"header", good[:30], "truncated"},
		{"f8", bytes.Replace(good, []byte("<f4"), []byte("<f8"), 1), `type "<f8"`},
		{"fortran", bytes.Replace(good, []byte("False"), []byte("True "), 1), "Fortran order"},
		{"shape", bytes.Replace(good, []byte("(2, 2)"), []byte("(2, x)"), 1), "not a tuple of sizes"},
		{"huge", bytes.Replace(good, []byte("(2, 2)"), []byte("(99999, 99999)"), 1), "too large"},
		{"truncated", good[:len(good)-1], "needs 16 bytes of float32 values, the file has 15"},
		{"long", append(slices.Clone(good), 0), "the file has 17"},
	} {
		_, err := Parse(c.raw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
	if _, err := Parse(good); err != nil {
		t.Errorf("the undamaged file: %v", err)
	}
}
