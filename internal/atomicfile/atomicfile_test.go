package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
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

// TestPermissions: a new file gets what os.Create would give it under the
// umask, not a temporary file's 0600; a replaced file keeps its own.
func TestPermissions(t *testing.T) {
	dir := t.TempDir()
	for _, mask := range []int{0o022, 0o027, 0o002} {
		old := syscall.Umask(mask)
		plain := filepath.Join(dir, fmt.Sprintf("plain%o", mask))
		f, err := os.Create(plain)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		ours := filepath.Join(dir, fmt.Sprintf("ours%o", mask))
		err = Write(ours, []byte("x"))
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.Stat(plain)
		got, _ := os.Stat(ours)
		if got.Mode() != want.Mode() {
			t.Errorf("umask %03o: written with %v, os.Create gives %v", mask, got.Mode(), want.Mode())
		}
	}
	kept := filepath.Join(dir, "secret")
	if err := os.WriteFile(kept, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(kept, []byte("y")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(kept); st.Mode().Perm() != 0o600 {
		t.Errorf("a 0600 file rewritten has %v", st.Mode())
	}
}
