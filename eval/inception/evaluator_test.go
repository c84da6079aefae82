package inception

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/eval/classifier"
	"github.com/ictvk/ictvk/eval/fid"
)

// A cached reference is used only for the weights and framing it was
// computed with; anything else (or a damaged file) means recomputing.
func TestReferenceCacheKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "cache") // made on save
	c := classifier.DefaultConfig(data.MNIST, 16, 1, data.Resize, 10)
	st, err := fid.FromFeatures([]float32{0, 1, 2, 3, 1, 0}, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	ev := &Evaluator{cfg: c, dir: dir, Ref: &Reference{Key: c.Key(), Weights: "0123456789abcdef", Test: *st}}
	if err := ev.save(); err != nil {
		t.Fatal(err)
	}
	path := ReferencePath(dir, c, "0123456789abcdef")
	if r, ok := loadReference(path, c, "0123456789abcdef"); !ok || r.Test.N != 3 {
		t.Fatalf("the saved reference did not load back: %v %v", r, ok)
	}
	if _, ok := loadReference(path, c, "fedcba9876543210"); ok {
		t.Error("a reference of other weights was accepted")
	}
	other := classifier.DefaultConfig(data.MNIST, 32, 1, data.Pad, 10)
	if _, ok := loadReference(path, other, "0123456789abcdef"); ok {
		t.Error("a reference of another framing was accepted")
	}
	if err := os.WriteFile(path, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := loadReference(path, c, "0123456789abcdef"); ok {
		t.Error("a damaged reference was accepted")
	}
}
