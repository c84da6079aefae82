// Package atomicfile writes files so that a crash, a kill or a full disk
// never leaves a half-written file under the final name.
package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
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
// The file gets the permissions of the one it replaces, or those
// os.Create would give a new one (0666 less the umask), not the 0600 of
// a temporary file.
func Create(path string) (*File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	mode := 0o666 &^ umask()
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return &File{path: path, f: f}, nil
}

// umask is the process's file mode creation mask, read from
// /proc/self/status: syscall.Umask would have to set it to read it, a
// race with other goroutines creating files. Without /proc, 022.
func umask() fs.FileMode {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0o022
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "Umask:"); ok {
			if m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
				return fs.FileMode(m) & fs.ModePerm
			}
		}
	}
	return 0o022
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
