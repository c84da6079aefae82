package report

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestGridLayout(t *testing.T) {
	// Three 2x2 gray images: -1 (black), 0 (mid), 1 (white), in 2 columns.
	vals := []float32{-1, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1}
	path := filepath.Join(t.TempDir(), "g.png")
	if err := WriteGrid(path, vals, 3, 1, 2, 2, 2); err != nil {
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
