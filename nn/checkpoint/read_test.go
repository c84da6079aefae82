package checkpoint

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// oneTensor is a header with one F32 tensor of 2 values.
const oneTensor = `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`

// Each malformed file is refused with a FormatError whose message names
// the problem (and the tensor, where there is one).
func TestParseRefuses(t *testing.T) {
	good := referenceFiles[4].bytes
	flip := func(b []byte, at int, mask byte) []byte {
		b = append([]byte(nil), b...)
		b[at] ^= mask
		return b
	}
	headerAt := func(s string) int { return 8 + strings.Index(string(good[8:]), s) }
	withLength := func(n uint64, rest []byte) []byte {
		return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
	}

	for _, tc := range []struct {
		name   string
		data   []byte
		limits Limits
		want   []string // all must appear in the message
	}{
		{"empty file", nil, Limits{}, []string{"the file is 0 bytes, too short to hold the 8-byte header length"}},
		{"short file", []byte{1, 2, 3}, Limits{}, []string{"3 bytes, too short"}},
		{"truncated data", good[:len(good)-3], Limits{}, []string{`tensor step has data_offsets [32, 36] past the end of the data section (33 bytes)`, "truncated"}},
		{"truncated header", good[:40], Limits{}, []string{"the header length field says 208 bytes but only 32 bytes follow it"}},
		{"header length beyond the file", withLength(1000, []byte(`{}      `)), Limits{}, []string{"says 1000 bytes but only 8 bytes follow"}},
		{"header length over the limit", withLength(1<<40, nil), Limits{}, []string{"says 1099511627776 bytes, over the limit of 100000000"}},
		{"header over a set limit", good, Limits{MaxHeaderBytes: 64}, []string{"says 208 bytes, over the limit of 64"}},
		{"file over the limit", good, Limits{MaxTotalBytes: 100}, []string{"the file is 252 bytes, over the limit of 100"}},
		{"bit flip in the length", flip(good, 0, 1), Limits{}, []string{"not valid JSON", "after top-level value"}},
		{"bit flip in the JSON", flip(good, 8, 1), Limits{}, []string{"the header is not valid JSON: invalid character 'z' looking for beginning of value (at byte 0 of the header)"}},
		{"bit flip in an offset", flip(good, headerAt(`32]},"step"`)+1, 1), Limits{}, []string{
			"tensor conv.w has shape [2 3] (6 values, 24 bytes) but data_offsets [8, 33] span 25 bytes"}},
		{"bit flip in a dtype", flip(good, headerAt(`F32","shape":[2,3]`), 0x20), Limits{}, []string{`tensor conv.w has dtype "f32"; ictvk stores only F32`}},
		{"not JSON", rawFile("hello world!    ", nil), Limits{}, []string{"the header is not valid JSON: invalid character 'h'"}},
		{"not an object", rawFile(`[1,2]`, nil), Limits{}, []string{"the header is a JSON array, not an object"}},
		{"trailing JSON", rawFile(`{} {}`, nil), Limits{}, []string{"not valid JSON", "after top-level value"}},
		{"not UTF-8", rawFile("{\"a\xff\":{}}", nil), Limits{}, []string{"the header is not valid UTF-8 (byte 3 of the header)"}},
		{"wrong dtype", rawFile(`{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{},
			[]string{`tensor w has dtype "F16"; ictvk stores only F32`}},
		{"dtype not a string", rawFile(`{"w":{"dtype":9,"shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{},
			[]string{"tensor w has dtype 9; it must be a string"}},
		{"shape and size disagree", rawFile(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8)), Limits{},
			[]string{"tensor w has shape [3] (3 values, 12 bytes) but data_offsets [0, 8] span 8 bytes"}},
		{"negative dimension", rawFile(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{},
			[]string{"tensor w has shape [-1]; it must be an array of non-negative integers"}},
		{"float dimension", rawFile(`{"w":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{},
			[]string{"tensor w has shape [1.0]; it must be an array"}},
		{"string dimension", rawFile(`{"w":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{},
			[]string{`tensor w has shape ["1"]`}},
		{"null shape", rawFile(`{"w":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{},
			[]string{"tensor w has shape null"}},
		{"shape overflow", rawFile(`{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{},
			[]string{"tensor w has shape [4611686018427387904 4], more than"}},
		{"too many dimensions", rawFile(`{"w":{"dtype":"F32","shape":[`+strings.Repeat("1,", 64)+`1],"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{},
			[]string{"tensor w has more than 64 dimensions"}},
		{"nested shape", rawFile(`{"w":{"dtype":"F32","shape":[[1]],"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{},
			[]string{"tensor w has shape [[1]]; it must be an array of non-negative integers"}},
		{"three offsets", rawFile(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, make([]byte, 4)), Limits{},
			[]string{"tensor w has data_offsets [0,4,8]; they must be two non-negative integers"}},
		{"end before begin", rawFile(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}`, make([]byte, 8)), Limits{},
			[]string{"tensor w has data_offsets [8, 4] that end before they begin"}},
		{"overlapping offsets", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)), Limits{},
			[]string{"tensor b at data_offsets [4, 12] overlaps tensor a at [0, 8]"}},
		{"same offsets", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)), Limits{},
			[]string{"tensor b at data_offsets [0, 8] overlaps tensor a at [0, 8]"}},
		{"gap", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, make([]byte, 12)), Limits{},
			[]string{"bytes 4 to 8 of the data section belong to no tensor (the next is b at 8)"}},
		{"trailing data", rawFile(oneTensor, make([]byte, 12)), Limits{},
			[]string{"the data section is 12 bytes but its tensors end at byte 8: 4 bytes belong to no tensor"}},
		{"data beyond the offsets", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 8)), Limits{},
			[]string{"4 bytes belong to no tensor"}},
		{"duplicate name", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{},
			[]string{"the header names a twice"}},
		{"unknown key", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"stride":[1]}}`, make([]byte, 4)), Limits{},
			[]string{`tensor a has the unknown key "stride"`}},
		{"missing key", rawFile(`{"a":{"dtype":"F32","shape":[1]}}`, make([]byte, 4)), Limits{},
			[]string{"tensor a has no data_offsets"}},
		{"repeated key", rawFile(`{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{},
			[]string{"tensor a has two dtypes"}},
		{"entry not an object", rawFile(`{"a":[1]}`, nil), Limits{}, []string{"tensor a is described by a JSON array, not an object"}},
		{"metadata value not a string", rawFile(`{"__metadata__":{"step":5}}`, nil), Limits{},
			[]string{`__metadata__ key "step" has the value 5; values must be strings`}},
		{"metadata not an object", rawFile(`{"__metadata__":"x"}`, nil), Limits{}, []string{"__metadata__ is a JSON string, not an object of strings"}},
		{"metadata twice", rawFile(`{"__metadata__":{},"__metadata__":{}}`, nil), Limits{}, []string{"the header names __metadata__ twice"}},
		{"metadata key twice", rawFile(`{"__metadata__":{"k":"1","k":"2"}}`, nil), Limits{}, []string{`__metadata__ names the key "k" twice`}},
		{"odd tensor name", rawFile(`{"a b\u0007":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`, make([]byte, 2)), Limits{},
			[]string{`tensor "a b\a" has dtype "F16"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(tc.data, tc.limits)
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", f)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is a %T, not a *FormatError", err, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks      %q", err, w)
				}
			}
		})
	}
}

// The reference accepts these, and so do we.
func TestParseAccepts(t *testing.T) {
	for _, tc := range []struct{ name, header string }{
		{"unpadded header", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`},
		{"whitespace and any key order", " {\n \"a\" : { \"data_offsets\" : [ 0 , 8 ] , \"shape\" : [ 2 ], \"dtype\": \"F32\" } }\t"},
		{"metadata last", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"x":"y"}}`},
		{"null metadata", `{"__metadata__":null,"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`},
		{"escaped name", `{"\u0061":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(rawFile(tc.header, le(1, 2)), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if a, ok := f.Get("a"); !ok || len(a.Data) != 2 || a.Data[1] != 2 {
				t.Fatalf("got %+v", f)
			}
		})
	}
	// Tensors may be stored in any order; the file lists them by name.
	f, err := Parse(rawFile(`{"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[],"data_offsets":[4,8]}}`, le(1, 2)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Tensors[0].Name != "a" || f.Tensors[0].Data[0] != 2 || f.Tensors[1].Data[0] != 1 {
		t.Fatalf("got %+v", f.Tensors)
	}
}

func TestReadErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.safetensors")
	good := referenceFiles[4].bytes
	if err := os.WriteFile(path, good[:len(good)-4], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Read(path, Limits{})
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Path != path {
		t.Fatalf("Read = %v, want a FormatError for %s", err, path)
	}
	want := "checkpoint " + path + ": tensor step has data_offsets [32, 36] past the end of the data section (32 bytes)"
	if !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Read = %q\nwant prefix %q", err, want)
	}

	_, err = Read(filepath.Join(dir, "missing.safetensors"), Limits{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.safetensors") {
		t.Fatalf("Read of a missing file = %v", err)
	}
	_, err = Read(dir, Limits{})
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("Read of a directory = %v", err)
	}
}

// Read streams through a buffer smaller than the tensors.
func TestReadLargeTensor(t *testing.T) {
	n := 3*chunkFloats + 17
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(i) * 0.5
	}
	f := &File{Tensors: []Tensor{{Name: "big", Shape: []int{n}, Data: data}, {Name: "small", Shape: []int{1}, Data: []float32{3}}}}
	path := filepath.Join(t.TempDir(), "big.safetensors")
	if err := Write(path, f); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if d := diffFiles(f, got); d != "" {
		t.Fatal(d)
	}
}
