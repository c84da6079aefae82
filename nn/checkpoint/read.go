package checkpoint

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Read loads and checks the checkpoint at path. It reads the header first
// and checks it against the file's size before it allocates the tensors,
// then streams the data into them. Format problems are *FormatError naming
// path; file system errors are returned wrapped.
func Read(path string, limits Limits) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading checkpoint: %w", err)
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading checkpoint: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &FormatError{Path: path, Problem: "not a regular file"}
	}
	f, err := decode(bufio.NewReaderSize(fh, 4*chunkFloats), fi.Size(), limits)
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			fe.Path = path
			return nil, fe
		}
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return f, nil
}

// Parse decodes and checks a whole safetensors file held in data.
func Parse(data []byte, limits Limits) (*File, error) {
	return decode(bytes.NewReader(data), int64(len(data)), limits)
}

// entry is one tensor as the header describes it.
type entry struct {
	name       string
	shape      []int
	begin, end int64 // in the data section
}

func formatErr(format string, args ...any) *FormatError {
	return &FormatError{Problem: fmt.Sprintf(format, args...)}
}

// decode reads a file of size bytes from r.
func decode(r io.Reader, size int64, limits Limits) (*File, error) {
	limits = limits.withDefaults()
	if size > limits.MaxTotalBytes {
		return nil, formatErr("the file is %d bytes, over the limit of %d", size, limits.MaxTotalBytes)
	}
	if size < 8 {
		return nil, formatErr("the file is %d bytes, too short to hold the 8-byte header length", size)
	}
	var lenField [8]byte
	if _, err := io.ReadFull(r, lenField[:]); err != nil {
		return nil, truncated(err, "the header length")
	}
	n := binary.LittleEndian.Uint64(lenField[:])
	if n > uint64(limits.MaxHeaderBytes) {
		return nil, formatErr("the header length field says %d bytes, over the limit of %d (a corrupt length, or not a safetensors file)",
			n, limits.MaxHeaderBytes)
	}
	if n > uint64(size-8) {
		return nil, formatErr("the header length field says %d bytes but only %d bytes follow it (the file is truncated or the length is corrupt)",
			n, size-8)
	}
	header := make([]byte, n)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, truncated(err, "the header")
	}
	entries, metadata, err := parseHeader(header, size-8-int64(n))
	if err != nil {
		return nil, err
	}

	f := &File{Tensors: make([]Tensor, len(entries)), Metadata: metadata}
	largest := int64(0)
	for _, e := range entries {
		largest = max(largest, (e.end-e.begin)/4)
	}
	buf := make([]byte, 4*min(chunkFloats, largest))
	for i, e := range entries { // in data order, which parseHeader checked is contiguous
		data := make([]float32, (e.end-e.begin)/4)
		for rest := data; len(rest) > 0; {
			k := min(len(rest), chunkFloats)
			if _, err := io.ReadFull(r, buf[:4*k]); err != nil {
				return nil, truncated(err, "the data of tensor "+displayName(e.name))
			}
			for j := range rest[:k] {
				rest[j] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*j:]))
			}
			rest = rest[k:]
		}
		f.Tensors[i] = Tensor{Name: e.name, Shape: e.shape, Data: data}
	}
	slices.SortFunc(f.Tensors, func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) })
	return f, nil
}

// truncated turns an early end of input into a FormatError; other read
// errors pass through.
func truncated(err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return formatErr("the file ends inside %s (truncated while being read?)", what)
	}
	return err
}

// parseHeader checks the JSON header and returns its tensors sorted by
// their place in a data section of dataLen bytes, and the metadata.
func parseHeader(header []byte, dataLen int64) ([]entry, map[string]string, error) {
	if !utf8.Valid(header) {
		at := 0
		for at < len(header) {
			r, size := utf8.DecodeRune(header[at:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			at += size
		}
		return nil, nil, formatErr("the header is not valid UTF-8 (byte %d of the header)", at)
	}
	var raw json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, nil, formatErr("the header is not valid JSON: %v (at byte %d of the header)", se, max(se.Offset-1, 0))
		}
		return nil, nil, formatErr("the header is not valid JSON: %v", err)
	}
	if kind := jsonKind(raw); kind != "object" {
		return nil, nil, formatErr("the header is a JSON %s, not an object", kind)
	}

	var entries []entry
	var metadata map[string]string
	seen := make(map[string]bool)
	err := members(raw, func(name string, value json.RawMessage) error {
		if seen[name] {
			return formatErr("the header names %s twice", displayName(name))
		}
		seen[name] = true
		if name == metadataKey {
			m, err := parseMetadata(value)
			metadata = m
			return err
		}
		e, err := parseEntry(name, value)
		entries = append(entries, e)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if err := checkLayout(entries, dataLen); err != nil {
		return nil, nil, err
	}
	return entries, metadata, nil
}

// members calls fn for each member of the JSON object raw, in order.
// raw must be valid JSON.
func members(raw json.RawMessage, fn func(key string, value json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // '{'
		return formatErr("the header is not valid JSON: %v", err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return formatErr("the header is not valid JSON: %v", err)
		}
		key, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return formatErr("the header is not valid JSON: %v", err)
		}
		if err := fn(key, value); err != nil {
			return err
		}
	}
	return nil
}

// jsonKind names the kind of the valid JSON value raw.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 'n':
		return "null"
	case 't', 'f':
		return "boolean"
	}
	return "number"
}

// excerpt shows at most 40 bytes of a JSON value in a message.
func excerpt(raw json.RawMessage) string {
	s := string(bytes.TrimSpace(raw))
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	switch jsonKind(raw) {
	case "null": // the reference's Option: no metadata
		return nil, nil
	case "object":
	default:
		return nil, formatErr("%s is a JSON %s, not an object of strings", metadataKey, jsonKind(raw))
	}
	m := make(map[string]string)
	err := members(raw, func(key string, value json.RawMessage) error {
		if _, dup := m[key]; dup {
			return formatErr("%s names the key %q twice", metadataKey, key)
		}
		if jsonKind(value) != "string" {
			return formatErr("%s key %q has the value %s; values must be strings", metadataKey, key, excerpt(value))
		}
		var s string
		if err := json.Unmarshal(value, &s); err != nil {
			return formatErr("%s key %q: %v", metadataKey, key, err)
		}
		m[key] = s
		return nil
	})
	return m, err
}

func parseEntry(name string, raw json.RawMessage) (entry, error) {
	e := entry{name: name}
	dn := displayName(name)
	if kind := jsonKind(raw); kind != "object" {
		return e, formatErr("tensor %s is described by a JSON %s, not an object", dn, kind)
	}
	var haveDtype, haveShape, haveOffsets bool
	err := members(raw, func(key string, value json.RawMessage) error {
		switch key {
		case "dtype":
			if haveDtype {
				return formatErr("tensor %s has two dtypes", dn)
			}
			haveDtype = true
			var dtype string
			if jsonKind(value) != "string" || json.Unmarshal(value, &dtype) != nil {
				return formatErr("tensor %s has dtype %s; it must be a string", dn, excerpt(value))
			}
			if dtype != "F32" {
				return formatErr("tensor %s has dtype %q; ictvk stores only F32 (float32) tensors", dn, dtype)
			}
		case "shape":
			if haveShape {
				return formatErr("tensor %s has two shapes", dn)
			}
			haveShape = true
			dims, err := uintArray(value, math.MaxInt, maxRank)
			if err == errTooLong {
				return formatErr("tensor %s has more than %d dimensions", dn, maxRank)
			}
			if err != nil {
				return formatErr("tensor %s has shape %s; it must be an array of non-negative integers", dn, excerpt(value))
			}
			e.shape = make([]int, len(dims))
			for i, d := range dims {
				e.shape[i] = int(d)
			}
		case "data_offsets":
			if haveOffsets {
				return formatErr("tensor %s has two data_offsets", dn)
			}
			haveOffsets = true
			offsets, err := uintArray(value, math.MaxInt64, 2)
			if err != nil || len(offsets) != 2 {
				return formatErr("tensor %s has data_offsets %s; they must be two non-negative integers [begin, end]", dn, excerpt(value))
			}
			e.begin, e.end = int64(offsets[0]), int64(offsets[1])
		default:
			return formatErr("tensor %s has the unknown key %q (expected dtype, shape, data_offsets)", dn, key)
		}
		return nil
	})
	if err != nil {
		return e, err
	}
	for _, need := range []struct {
		have bool
		key  string
	}{{haveDtype, "dtype"}, {haveShape, "shape"}, {haveOffsets, "data_offsets"}} {
		if !need.have {
			return e, formatErr("tensor %s has no %s", dn, need.key)
		}
	}
	return e, nil
}

// errTooLong and errNotUints say why uintArray refused an array.
var (
	errTooLong  = errors.New("too many elements")
	errNotUints = errors.New("not an array of non-negative integers")
)

// uintArray parses a JSON array of at most maxLen integers from 0 to
// limit. Floats ("1.0", "1e3"), negative numbers, strings and nulls are
// refused, as serde_json refuses them for the reference's usize fields.
// It stops at the first bad element, so a huge array costs no memory.
func uintArray(raw json.RawMessage, limit uint64, maxLen int) ([]uint64, error) {
	if jsonKind(raw) != "array" {
		return nil, errNotUints
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // '['
		return nil, errNotUints
	}
	var out []uint64
	for dec.More() {
		if len(out) == maxLen {
			return nil, errTooLong
		}
		tok, err := dec.Token()
		num, isNum := tok.(json.Number)
		if err != nil || !isNum {
			return nil, errNotUints
		}
		v, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil || v > limit {
			return nil, errNotUints
		}
		out = append(out, v)
	}
	return out, nil
}

// checkLayout checks that every tensor's bytes match its shape and that
// the tensors cover the data section exactly, without gap or overlap, as
// the format requires. It sorts entries by position.
func checkLayout(entries []entry, dataLen int64) error {
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), strings.Compare(a.name, b.name))
	})
	var pos int64
	var prev *entry
	for i := range entries {
		e := &entries[i]
		dn := displayName(e.name)
		if e.end < e.begin {
			return formatErr("tensor %s has data_offsets [%d, %d] that end before they begin", dn, e.begin, e.end)
		}
		n, ok := numElements(e.shape)
		if !ok {
			return formatErr("tensor %s has shape %v, more than %d values", dn, shapeString(e.shape), maxElements)
		}
		if span := e.end - e.begin; span != 4*n {
			return formatErr("tensor %s has shape %v (%d values, %d bytes) but data_offsets [%d, %d] span %d bytes",
				dn, shapeString(e.shape), n, 4*n, e.begin, e.end, span)
		}
		if e.end > dataLen {
			return formatErr("tensor %s has data_offsets [%d, %d] past the end of the data section (%d bytes): the file is truncated or the header is corrupt",
				dn, e.begin, e.end, dataLen)
		}
		if e.begin > pos {
			return formatErr("bytes %d to %d of the data section belong to no tensor (the next is %s at %d)", pos, e.begin, dn, e.begin)
		}
		if e.begin < pos {
			return formatErr("tensor %s at data_offsets [%d, %d] overlaps tensor %s at [%d, %d]",
				dn, e.begin, e.end, displayName(prev.name), prev.begin, prev.end)
		}
		pos = e.end
		prev = e
	}
	if pos != dataLen {
		return formatErr("the data section is %d bytes but its tensors end at byte %d: %d bytes belong to no tensor", dataLen, pos, dataLen-pos)
	}
	return nil
}
