package checkpoint

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var errInjected = errors.New("injected write failure")

// failingWriter passes the first left bytes on, then fails, as a full disk
// or a dying NFS server would.
type failingWriter struct {
	w    io.Writer
	left int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= f.left {
		f.left -= len(p)
		return f.w.Write(p)
	}
	n, _ := f.w.Write(p[:f.left])
	f.left = 0
	return n, errInjected
}

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// A write that fails midway (in the length, the header or the data)
// returns the error, keeps the previous checkpoint byte for byte, and
// leaves no temporary file behind.
func TestWriteFailureKeepsPreviousFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	if err := Write(path, sample()); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	next := randomFileOfSize(1000)
	size := len(encode(t, next))
	for _, k := range []int{0, 4, 8, 50, size - 1} {
		err := writeFile(path, next, func(w io.Writer) io.Writer { return &failingWriter{w, k} })
		if !errors.Is(err, errInjected) || !strings.Contains(err.Error(), path) {
			t.Fatalf("after %d bytes: writeFile = %v, want the injected error naming %s", k, err, path)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before, after) {
			t.Fatalf("after %d bytes: the previous checkpoint changed", k)
		}
		if names := dirNames(t, dir); !slices.Equal(names, []string{"ckpt.safetensors"}) {
			t.Fatalf("after %d bytes: directory holds %q", k, names)
		}
	}
	// The hook itself changes nothing when it does not fail.
	if err := writeFile(path, next, func(w io.Writer) io.Writer { return &failingWriter{w, size} }); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(path, Limits{}); err != nil || diffFiles(sortedByName(next), got) != "" {
		t.Fatalf("after a complete write: %v", err)
	}
}

func randomFileOfSize(n int) *File {
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(i) / 3
	}
	return &File{Tensors: []Tensor{{Name: "w", Shape: []int{n}, Data: data}}, Metadata: map[string]string{"step": "2"}}
}

// A directory that cannot be written: the error says so and the existing
// checkpoint stays. Root ignores directory permissions, so as root this
// case is left to TestWriteFailureKeepsPreviousFile.
func TestWriteUnwritableDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	if err := Write(path, sample()); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	if probe, err := os.CreateTemp(dir, "probe"); err == nil {
		probe.Close()
		os.Remove(probe.Name())
		t.Skip("the directory is still writable (running as root?)")
	}
	err := Write(path, randomFileOfSize(10))
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "checkpoint "+path+": creating the temporary file") {
		t.Fatalf("Write = %v", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("the existing checkpoint changed")
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"ckpt.safetensors"}) {
		t.Fatalf("directory holds %q", names)
	}
}

func TestWriteMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "no", "such", "ckpt.safetensors")
	err := Write(path, sample())
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Write = %v", err)
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Fatalf("directory holds %q", names)
	}
}

// A File that cannot be encoded is refused before any file is created.
func TestWriteBadFileCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	bad := &File{Tensors: []Tensor{{Name: "w", Shape: []int{2}, Data: []float32{1}}}}
	err := Write(path, bad)
	if err == nil || !strings.Contains(err.Error(), "checkpoint "+path+": tensor w has shape [2] (2 values) but 1 values of data") {
		t.Fatalf("Write = %v", err)
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Fatalf("directory holds %q", names)
	}
}

func TestWriteModes(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.safetensors")
	if err := Write(fresh, sample()); err != nil {
		t.Fatal(err)
	}
	private := filepath.Join(dir, "private.safetensors")
	if err := os.WriteFile(private, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(private, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(private, sample()); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]fs.FileMode{fresh: 0o644, private: 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
	if err := Write(dir, sample()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("Write over a directory = %v", err)
	}
}

// A target name near the file system's limit still gets a temporary file.
func TestWriteLongName(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, strings.Repeat("n", 240)+".safetensors")
	if err := Write(path, sample()); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path, Limits{}); err != nil {
		t.Fatal(err)
	}
}

// IsTemp recognizes the temporary files Write makes (short and long
// names), which a killed write leaves behind, and no other name.
func TestIsTemp(t *testing.T) {
	dir := t.TempDir()
	for _, base := range []string{"latest.safetensors", strings.Repeat("n", 240) + ".safetensors"} {
		f, err := os.CreateTemp(dir, tempPattern(filepath.Join(dir, base)))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if name := filepath.Base(f.Name()); !IsTemp(name) {
			t.Errorf("IsTemp(%q) = false for Write's temporary file", name)
		}
	}
	for _, name := range []string{"latest.safetensors", ".latest.safetensors", "latest.safetensors.tmp-123", ".latest.safetensors.tmp-", ".latest.safetensors.tmp-12x", ".tmp-123", ".config.json.tmp123"} {
		if IsTemp(name) {
			t.Errorf("IsTemp(%q) = true", name)
		}
	}
}
