package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestIsTemp recognizes the temporary file Create makes, and no other name.
func TestIsTemp(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("folder holds %v (%v), want the temporary file", entries, err)
	}
	if name := entries[0].Name(); !IsTemp(name) {
		t.Errorf("IsTemp(%q) = false for Create's temporary file", name)
	}
	for _, name := range []string{"config.json", ".config.json", "config.json.tmp123", ".config.json.tmp", ".config.json.tmp12a", ".tmp123", ".x.tmp-123", ".notes.tmpl"} {
		if IsTemp(name) {
			t.Errorf("IsTemp(%q) = true", name)
		}
	}
}
