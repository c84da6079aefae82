package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// metadataKey is the header entry that holds the free-form metadata; no
// tensor may have this name.
const metadataKey = "__metadata__"

// chunkFloats is how many values are converted per write or read: 1 MiB of
// data, enough to keep system calls few and memory flat.
const chunkFloats = 1 << 18

// Write stores f at path as a safetensors file. The bytes are a temporary
// file in path's directory first, synced to disk, then renamed over path
// and the directory synced, so path holds either its old content or the
// complete new file, never a partial one. The file is deterministic:
// tensors sorted by name, metadata keys sorted. A new file gets mode 0644;
// a file that already exists at path keeps its permission bits.
func Write(path string, f *File) error {
	return writeFile(path, f, nil)
}

// writeFile is Write with a hook that wraps the writer of the temporary
// file, so tests can make the write fail midway.
func writeFile(path string, f *File, wrap func(io.Writer) io.Writer) (err error) {
	header, order, err := encodeHeader(f)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	perm := fs.FileMode(0o644)
	if fi, statErr := os.Stat(path); statErr == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("checkpoint %s: exists and is not a regular file", path)
		}
		perm = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, tempPattern(path))
	if err != nil {
		return fmt.Errorf("checkpoint %s: creating the temporary file: %w", path, err)
	}
	renamed := false
	defer func() {
		if err != nil && !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	var w io.Writer = tmp
	if wrap != nil {
		w = wrap(w)
	}
	if err = encodeTo(w, header, order); err != nil {
		return fmt.Errorf("checkpoint %s: writing %s: %w", path, tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("checkpoint %s: syncing %s: %w", path, tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("checkpoint %s: closing %s: %w", path, tmp.Name(), err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	renamed = true
	if err = syncDir(dir); err != nil {
		return fmt.Errorf("checkpoint %s: written, but syncing the directory failed: %w", path, err)
	}
	return nil
}

// tempPattern names the temporary file after the target, so a leftover
// from a crash is recognizable, but keeps the name short enough for the
// file system whatever the target's length.
func tempPattern(path string) string {
	base := filepath.Base(path)
	if len(base) > 64 {
		base = strings.ToValidUTF8(base[:64], "")
	}
	return "." + base + ".tmp-*"
}

// IsTemp reports whether name (a file's base name) is one of Write's
// temporary files: one that outlives its Write was left by a killed
// process, and nothing else will remove it.
func IsTemp(name string) bool {
	i := strings.LastIndex(name, ".tmp-")
	return i > 1 && name[0] == '.' && allDigits(name[i+len(".tmp-"):])
}

// allDigits says whether s is a non-empty run of decimal digits, as
// os.CreateTemp puts in place of its pattern's *.
func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// syncDir makes a rename inside dir durable. Windows cannot sync a
// directory and needs no such step.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Encode writes f to w in the safetensors format, exactly the bytes Write
// puts in a file. It checks f completely before writing anything.
func Encode(w io.Writer, f *File) error {
	header, order, err := encodeHeader(f)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return encodeTo(w, header, order)
}

func encodeTo(w io.Writer, header []byte, order []*Tensor) error {
	prefix := binary.LittleEndian.AppendUint64(make([]byte, 0, 8+len(header)), uint64(len(header)))
	if _, err := w.Write(append(prefix, header...)); err != nil {
		return err
	}
	buf := make([]byte, 4*min(chunkFloats, maxTensorLen(order)))
	for _, t := range order {
		for data := t.Data; len(data) > 0; {
			n := min(len(data), chunkFloats)
			for i, v := range data[:n] {
				binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
			}
			if _, err := w.Write(buf[:4*n]); err != nil {
				return err
			}
			data = data[n:]
		}
	}
	return nil
}

func maxTensorLen(ts []*Tensor) int {
	n := 0
	for _, t := range ts {
		n = max(n, len(t.Data))
	}
	return n
}

// encodeHeader checks f and returns the padded JSON header and the tensors
// in the order of their data.
//
// The layout is the reference implementation's: "__metadata__" first when
// there is metadata, then the tensors ordered by dtype alignment and name
// (all F32 here, so by name), compact JSON, strings escaped as serde_json
// escapes them, spaces up to a multiple of 8 bytes.
func encodeHeader(f *File) ([]byte, []*Tensor, error) {
	if f == nil {
		return nil, nil, errors.New("nil *File")
	}
	order := make([]*Tensor, len(f.Tensors))
	for i := range f.Tensors {
		order[i] = &f.Tensors[i]
	}
	slices.SortStableFunc(order, func(a, b *Tensor) int { return strings.Compare(a.Name, b.Name) })
	for i, t := range order {
		if i > 0 && order[i-1].Name == t.Name {
			return nil, nil, fmt.Errorf("two tensors are called %s", displayName(t.Name))
		}
		if t.Name == metadataKey {
			return nil, nil, fmt.Errorf("a tensor may not be called %s, the format's metadata key", metadataKey)
		}
		if !utf8.ValidString(t.Name) {
			return nil, nil, fmt.Errorf("tensor name %q is not valid UTF-8", t.Name)
		}
		if len(t.Shape) > maxRank {
			return nil, nil, fmt.Errorf("tensor %s has %d dimensions, more than the %d readers accept", displayName(t.Name), len(t.Shape), maxRank)
		}
		n, ok := numElements(t.Shape)
		if !ok {
			return nil, nil, fmt.Errorf("tensor %s has shape %v; dimensions must be non-negative and their product at most %d",
				displayName(t.Name), shapeString(t.Shape), maxElements)
		}
		if n != int64(len(t.Data)) {
			return nil, nil, fmt.Errorf("tensor %s has shape %v (%d values) but %d values of data",
				displayName(t.Name), shapeString(t.Shape), n, len(t.Data))
		}
	}
	keys := make([]string, 0, len(f.Metadata))
	for k, v := range f.Metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, nil, fmt.Errorf("metadata %q: %q is not valid UTF-8", k, v)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)

	h := []byte{'{'}
	if len(keys) > 0 {
		h = appendJSONString(h, metadataKey)
		h = append(h, ":{"...)
		for i, k := range keys {
			if i > 0 {
				h = append(h, ',')
			}
			h = appendJSONString(h, k)
			h = append(h, ':')
			h = appendJSONString(h, f.Metadata[k])
		}
		h = append(h, '}')
	}
	var offset int64
	for i, t := range order {
		if i > 0 || len(keys) > 0 {
			h = append(h, ',')
		}
		h = appendJSONString(h, t.Name)
		h = append(h, `:{"dtype":"F32","shape":[`...)
		for j, d := range t.Shape {
			if j > 0 {
				h = append(h, ',')
			}
			h = strconv.AppendInt(h, int64(d), 10)
		}
		end := offset + 4*int64(len(t.Data))
		h = append(h, `],"data_offsets":[`...)
		h = strconv.AppendInt(h, offset, 10)
		h = append(h, ',')
		h = strconv.AppendInt(h, end, 10)
		h = append(h, "]}"...)
		offset = end
	}
	h = append(h, '}')
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	if len(h) > DefaultMaxHeaderBytes {
		return nil, nil, fmt.Errorf("the header would be %d bytes, over the %d that readers accept", len(h), DefaultMaxHeaderBytes)
	}
	return h, order, nil
}

// maxRank bounds the number of dimensions (NumPy's limit), so a header
// cannot hold a shape that costs far more memory parsed than as text.
const maxRank = 64

// maxElements keeps every byte count of a tensor inside an int64.
const maxElements = math.MaxInt64 / 4

// numElements is the product of shape's dimensions (1 for a scalar), or
// false when a dimension is negative or the product passes maxElements.
// Like the reference, it multiplies in order and fails on overflow even
// when a later dimension is 0.
func numElements(shape []int) (int64, bool) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > maxElements/int64(d) {
			return 0, false
		}
		n *= int64(d)
	}
	return n, true
}

// appendJSONString appends s as a JSON string the way serde_json writes
// it: only '"', '\\' and control characters escaped, \b \t \n \f \r in
// their short forms and other control characters as \u00XX.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
