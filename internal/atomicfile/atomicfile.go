// Package atomicfile writes files so that a crash, a kill or a full disk
// never leaves a half-written file under the final name.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Write writes data to a temporary file beside path, syncs it, renames it
// over path and syncs the folder. On failure the old file is untouched.
func Write(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// File is a file being written beside its final path: for data too large
// to gather in memory first. Commit puts it in place, Abort removes it.
type File struct {
	path string
	f    *os.File
}

// Create starts writing path: nothing appears under path before Commit.
func Create(path string) (*File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return &File{path: path, f: f}, nil
}

// IsTemp reports whether name (a file's base name) is one of Create's
// temporary files: one that outlives its write was left by a killed
// process, and nothing else will remove it.
func IsTemp(name string) bool {
	i := strings.LastIndex(name, ".tmp")
	if i < 2 || name[0] != '.' || i+len(".tmp") == len(name) {
		return false
	}
	for _, c := range name[i+len(".tmp"):] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Write appends data to the temporary file.
func (a *File) Write(data []byte) (int, error) {
	n, err := a.f.Write(data)
	if err != nil {
		err = fmt.Errorf("writing %s: %w", a.path, err)
	}
	return n, err
}

// Commit syncs the temporary file, renames it over the final path and
// syncs the folder. On failure the temporary file is removed and the old
// file is untouched.
func (a *File) Commit() error {
	err := a.f.Sync()
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("writing %s: %w", a.path, err)
	}
	if d, derr := os.Open(filepath.Dir(a.path)); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Abort removes the temporary file; the final path is untouched. It may
// follow a Commit, and then does nothing.
func (a *File) Abort() {
	a.f.Close()
	os.Remove(a.f.Name())
}
