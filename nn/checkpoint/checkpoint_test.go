package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	nlp "github.com/nlpodyssey/safetensors"
)

// rawFile builds a safetensors file from a header text and data bytes,
// without any of this package's code.
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

// le encodes values as little-endian float32 bytes.
func le(values ...float32) []byte {
	var b []byte
	for _, v := range values {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// diffFiles describes the first difference between two files, or "".
// Data is compared bit for bit, so NaN payloads count.
func diffFiles(a, b *File) string {
	if len(a.Tensors) != len(b.Tensors) {
		return fmt.Sprintf("%d tensors vs %d", len(a.Tensors), len(b.Tensors))
	}
	for i := range a.Tensors {
		x, y := a.Tensors[i], b.Tensors[i]
		if x.Name != y.Name {
			return fmt.Sprintf("tensor %d: name %q vs %q", i, x.Name, y.Name)
		}
		if !slices.Equal(x.Shape, y.Shape) {
			return fmt.Sprintf("tensor %q: shape %v vs %v", x.Name, x.Shape, y.Shape)
		}
		if len(x.Data) != len(y.Data) {
			return fmt.Sprintf("tensor %q: %d values vs %d", x.Name, len(x.Data), len(y.Data))
		}
		for j := range x.Data {
			if math.Float32bits(x.Data[j]) != math.Float32bits(y.Data[j]) {
				return fmt.Sprintf("tensor %q value %d: %v vs %v", x.Name, j, x.Data[j], y.Data[j])
			}
		}
	}
	if !maps.Equal(a.Metadata, b.Metadata) {
		return fmt.Sprintf("metadata %v vs %v", a.Metadata, b.Metadata)
	}
	return ""
}

func encode(t testing.TB, f *File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, f); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return buf.Bytes()
}

// sample is a small checkpoint with the cases that matter: several shapes,
// a scalar, an empty tensor, NaN and infinities, names out of order.
func sample() *File {
	return &File{
		Tensors: []Tensor{
			{Name: "up.0.conv.w", Shape: []int{2, 1, 3, 3}, Data: []float32{
				1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3, -4, -5, -6, -7, -8, -9}},
			{Name: "down.0.norm.b", Shape: []int{3}, Data: []float32{
				float32(math.Inf(1)), float32(math.Inf(-1)), math.Float32frombits(0x7fc00123)}},
			{Name: "step", Shape: []int{}, Data: []float32{41}},
			{Name: "empty", Shape: []int{0, 5}, Data: []float32{}},
		},
		Metadata: map[string]string{"step": "41", "config": `{"lr": 1e-4}`, "note": "tab\there, \"quoted\", ünïcode"},
	}
}

func sortedByName(f *File) *File {
	g := &File{Tensors: slices.Clone(f.Tensors), Metadata: f.Metadata}
	slices.SortFunc(g.Tensors, func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) })
	return g
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		file *File
	}{
		{"tensors and metadata", sample()},
		{"no metadata", &File{Tensors: sample().Tensors}},
		{"empty metadata", &File{Tensors: sample().Tensors, Metadata: map[string]string{}}},
		{"nothing", &File{}},
		{"metadata only", &File{Metadata: map[string]string{"k": "v"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".safetensors")
			if err := Write(path, tc.file); err != nil {
				t.Fatal(err)
			}
			got, err := Read(path, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if d := diffFiles(sortedByName(tc.file), got); d != "" {
				t.Fatalf("read back differs: %s", d)
			}
			// Bytes on disk are Encode's, and encoding is deterministic.
			disk, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(disk, encode(t, tc.file)) || !bytes.Equal(disk, encode(t, got)) {
				t.Fatal("file bytes differ from Encode of the same content")
			}
			if n := binary.LittleEndian.Uint64(disk); n%8 != 0 {
				t.Fatalf("header length %d is not a multiple of 8", n)
			}
		})
	}
}

// Files exactly as the reference implementation writes them. The first
// four are the byte arrays of the Rust crate's own serialization tests
// (test_serialization, test_empty, test_serialization_forced_alignement);
// the last follows its serializer (metadata first, then tensors in data
// order, which for F32 tensors is name order; compact JSON; spaces up to
// a multiple of 8), as safetensors.torch.save_file would write it.
var referenceFiles = []struct {
	name  string
	bytes []byte
	file  *File
}{
	{
		name:  "attn.0",
		bytes: rawFile(`{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`, le(0, 1, 2, 3, 4, 5)),
		file:  &File{Tensors: []Tensor{{Name: "attn.0", Shape: []int{1, 2, 3}, Data: []float32{0, 1, 2, 3, 4, 5}}}},
	},
	{
		name:  "empty",
		bytes: rawFile(`{}      `, nil),
		file:  &File{},
	},
	{
		name:  "metadata only",
		bytes: rawFile(`{"__metadata__":{"framework":"pt"}}     `, nil),
		file:  &File{Metadata: map[string]string{"framework": "pt"}},
	},
	{
		name:  "forced alignment",
		bytes: rawFile(`{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       `, le(0, 1, 2, 3, 4, 5)),
		file:  &File{Tensors: []Tensor{{Name: "attn0", Shape: []int{1, 1, 2, 3}, Data: []float32{0, 1, 2, 3, 4, 5}}}},
	},
	{
		name: "save_file with metadata and a scalar",
		bytes: rawFile(`{"__metadata__":{"format":"pt"},`+
			`"bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},`+
			`"conv.w":{"dtype":"F32","shape":[2,3],"data_offsets":[8,32]},`+
			`"step":{"dtype":"F32","shape":[],"data_offsets":[32,36]}}  `,
			le(0.5, -2, 0, 1, 2, 3, 4, 5, 7)),
		file: &File{
			Tensors: []Tensor{
				{Name: "step", Shape: []int{}, Data: []float32{7}},
				{Name: "conv.w", Shape: []int{2, 3}, Data: []float32{0, 1, 2, 3, 4, 5}},
				{Name: "bias", Shape: []int{2}, Data: []float32{0.5, -2}},
			},
			Metadata: map[string]string{"format": "pt"},
		},
	},
}

func TestReferenceBytes(t *testing.T) {
	for _, tc := range referenceFiles {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.bytes, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if d := diffFiles(sortedByName(tc.file), got); d != "" {
				t.Fatalf("Parse: %s", d)
			}
			if enc := encode(t, tc.file); !bytes.Equal(enc, tc.bytes) {
				t.Fatalf("Encode differs from the reference layout:\n got %q\nwant %q", enc, tc.bytes)
			}
		})
	}
}

// Strings are escaped as serde_json escapes them, and read back intact.
func TestStringEscapes(t *testing.T) {
	f := &File{
		Tensors:  []Tensor{{Name: "a<b>&\"c\\\x01\n", Shape: []int{1}, Data: []float32{1}}},
		Metadata: map[string]string{"k\x7f": "\b\f\r\t\u2028é"},
	}
	b := encode(t, f)
	for _, want := range []string{`"a<b>&\"c\\\u0001\n"`, `"k` + "\x7f" + `":"\b\f\r\t` + "\u2028é" + `"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("header %q lacks %q", b, want)
		}
	}
	got, err := Parse(b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if d := diffFiles(f, got); d != "" {
		t.Fatal(d)
	}
}

// randomFile makes a checkpoint with random names, shapes and values.
func randomFile(r *rand.Rand) *File {
	f := &File{Metadata: map[string]string{}}
	seen := map[string]bool{}
	for range r.IntN(6) {
		name := fmt.Sprintf("blk%d.w%d", r.IntN(5), r.IntN(5))
		if seen[name] {
			continue
		}
		seen[name] = true
		shape := make([]int, r.IntN(4))
		n := 1
		for i := range shape {
			shape[i] = r.IntN(4)
			n *= shape[i]
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = math.Float32frombits(r.Uint32())
		}
		f.Tensors = append(f.Tensors, Tensor{Name: name, Shape: shape, Data: data})
	}
	for range r.IntN(3) {
		f.Metadata[fmt.Sprint("key", r.IntN(9))] = fmt.Sprint(r.Float64())
	}
	return f
}

// nlpodyssey/safetensors, an independent Go port of the reference, reads
// what Encode writes with the same contents, and for names that sort after
// "__metadata__" (where its key order matches the reference's) writes the
// same bytes.
func TestAgainstNlpodyssey(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		f := randomFile(r)
		b := encode(t, f)
		if err := sameAsNlpodyssey(b, sortedByName(f)); err != nil {
			t.Fatalf("file %d: %v", i, err)
		}
		views := map[string]nlp.TensorView{}
		for _, tn := range f.Tensors {
			shape := make([]uint64, len(tn.Shape))
			for j, d := range tn.Shape {
				shape[j] = uint64(d)
			}
			if len(shape) == 0 {
				continue // its NewTensorView counts a scalar as 0 values
			}
			v, err := nlp.NewTensorView(nlp.F32, shape, le(tn.Data...))
			if err != nil {
				t.Fatal(err)
			}
			views[tn.Name] = v
		}
		theirs, err := nlp.Serialize(views, f.Metadata)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse(theirs, Limits{})
		if err != nil {
			t.Fatalf("file %d: Parse of nlpodyssey's bytes: %v", i, err)
		}
		g := &File{Metadata: f.Metadata}
		for _, tn := range f.Tensors {
			if _, ok := views[tn.Name]; ok {
				g.Tensors = append(g.Tensors, tn)
			}
		}
		if len(g.Metadata) == 0 {
			g.Metadata = nil // it omits empty metadata, as we do
		}
		if d := diffFiles(sortedByName(g), got); d != "" {
			t.Fatalf("file %d: %s", i, d)
		}
		if ours := encode(t, g); !bytes.Equal(ours, theirs) {
			t.Fatalf("file %d: bytes differ:\nours   %q\ntheirs %q", i, ours, theirs)
		}
	}
}

// sameAsNlpodyssey checks that nlpodyssey's Deserialize accepts b and
// finds the contents of want (tensors sorted by name) in it.
func sameAsNlpodyssey(b []byte, want *File) error {
	st, err := nlp.Deserialize(b)
	if err != nil {
		return fmt.Errorf("nlpodyssey refuses the file: %v", err)
	}
	_, meta, err := nlp.ReadMetadata(b)
	if err != nil {
		return err
	}
	if !maps.Equal(meta.Metadata(), want.Metadata) {
		return fmt.Errorf("nlpodyssey reads metadata %v, want %v", meta.Metadata(), want.Metadata)
	}
	if st.Len() != len(want.Tensors) {
		return fmt.Errorf("nlpodyssey reads %d tensors, want %d", st.Len(), len(want.Tensors))
	}
	for _, tn := range want.Tensors {
		v, ok := st.Tensor(tn.Name)
		if !ok {
			return fmt.Errorf("nlpodyssey lacks tensor %q", tn.Name)
		}
		shape := make([]int, len(v.Shape()))
		for i, d := range v.Shape() {
			shape[i] = int(d)
		}
		if v.DType() != nlp.F32 || !slices.Equal(shape, tn.Shape) || !bytes.Equal(v.Data(), le(tn.Data...)) {
			return fmt.Errorf("nlpodyssey reads tensor %q as %v %v, want F32 %v", tn.Name, v.DType(), v.Shape(), tn.Shape)
		}
	}
	return nil
}

func TestGet(t *testing.T) {
	f := sample()
	tn, ok := f.Get("step")
	if !ok || tn.Data[0] != 41 {
		t.Fatalf("Get(step) = %v, %v", tn, ok)
	}
	tn.Data[0] = 42 // Get points into the file
	if f.Tensors[2].Data[0] != 42 {
		t.Fatal("Get returned a copy")
	}
	if _, ok := f.Get("nope"); ok {
		t.Fatal("Get found a missing tensor")
	}
}

func TestExpect(t *testing.T) {
	f := &File{Tensors: []Tensor{
		{Name: "conv.w", Shape: []int{64, 3, 3, 3}},
		{Name: "conv.b", Shape: []int{64}},
		{Name: "old.w", Shape: []int{3}},
	}}
	if err := f.Expect(f.Specs()); err != nil {
		t.Fatalf("Expect of its own specs: %v", err)
	}
	for _, tc := range []struct {
		name string
		want []Spec
		msg  string
	}{
		{"shape", []Spec{{"conv.w", []int{32, 3, 3, 3}}, {"conv.b", []int{64}}, {"old.w", []int{3}}},
			"checkpoint has conv.w [64 3 3 3], the model wants [32 3 3 3]"},
		{"missing", []Spec{{"conv.w", []int{64, 3, 3, 3}}, {"conv.b", []int{64}}, {"old.w", []int{3}}, {"new.w", []int{5}}},
			"checkpoint has no tensor new.w, the model wants [5]"},
		{"extra", []Spec{{"conv.w", []int{64, 3, 3, 3}}, {"conv.b", []int{64}}},
			"checkpoint has old.w [3], the model has no such tensor"},
		{"several", []Spec{{"conv.b", []int{32}}, {"conv.w", []int{64, 3, 3, 3}}},
			"checkpoint has conv.b [64], the model wants [32] (and 1 more difference)"},
		{"scalar", []Spec{{"conv.w", []int{64, 3, 3, 3}}, {"conv.b", nil}, {"old.w", []int{3}}},
			"checkpoint has conv.b [64], the model wants []"},
		{"odd name", []Spec{{"conv.w", []int{64, 3, 3, 3}}, {"conv.b", []int{64}}, {"old.w", []int{3}}, {"a b\n", []int{1}}},
			`checkpoint has no tensor "a b\n", the model wants [1]`},
		{"twice", []Spec{{"conv.w", []int{64, 3, 3, 3}}, {"conv.w", []int{64, 3, 3, 3}}, {"conv.b", []int{64}}, {"old.w", []int{3}}},
			"the model lists conv.w twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.Expect(tc.want)
			if err == nil || err.Error() != tc.msg {
				t.Fatalf("Expect = %v\nwant      %s", err, tc.msg)
			}
		})
	}
}

func TestEncodeRefusesBadFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		file *File
		msg  string
	}{
		{"nil", nil, "nil *File"},
		{"duplicate", &File{Tensors: []Tensor{{Name: "a", Shape: []int{1}, Data: []float32{1}}, {Name: "a", Shape: []int{1}, Data: []float32{2}}}},
			"two tensors are called a"},
		{"size", &File{Tensors: []Tensor{{Name: "w", Shape: []int{2, 3}, Data: make([]float32, 5)}}},
			"tensor w has shape [2 3] (6 values) but 5 values of data"},
		{"negative", &File{Tensors: []Tensor{{Name: "w", Shape: []int{-1}}}}, "tensor w has shape [-1]; dimensions must be non-negative"},
		{"overflow", &File{Tensors: []Tensor{{Name: "w", Shape: []int{1 << 40, 1 << 40}}}}, "tensor w has shape [1099511627776 1099511627776]"},
		{"rank", &File{Tensors: []Tensor{{Name: "w", Shape: make([]int, 65)}}}, "tensor w has 65 dimensions, more than the 64"},
		{"reserved", &File{Tensors: []Tensor{{Name: "__metadata__", Shape: []int{}, Data: []float32{1}}}}, "may not be called __metadata__"},
		{"utf8 name", &File{Tensors: []Tensor{{Name: "\xff", Shape: []int{}, Data: []float32{1}}}}, "not valid UTF-8"},
		{"utf8 metadata", &File{Metadata: map[string]string{"k": "\xc3"}}, "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Encode(&buf, tc.file)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Encode = %v, want an error containing %q", err, tc.msg)
			}
			if buf.Len() != 0 {
				t.Fatalf("Encode wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

// Flipping any single bit of the length field or the header never panics,
// and whatever is still accepted survives a round trip.
func TestBitFlips(t *testing.T) {
	good := referenceFiles[4].bytes
	n := 8 + int(binary.LittleEndian.Uint64(good))
	accepted := 0
	for i := range n {
		for bit := range 8 {
			b := slices.Clone(good)
			b[i] ^= 1 << bit
			f, err := Parse(b, Limits{})
			if err != nil {
				var fe *FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("byte %d bit %d: %v is not a FormatError", i, bit, err)
				}
				continue
			}
			accepted++
			checkRoundTrip(t, f)
		}
	}
	t.Logf("%d of %d flips still parse (names and metadata text)", accepted, 8*n)
}

func checkRoundTrip(t *testing.T, f *File) {
	t.Helper()
	b := encode(t, f)
	g, err := Parse(b, Limits{})
	if err != nil {
		t.Fatalf("accepted file does not parse after Encode: %v\n%q", err, b)
	}
	if d := diffFiles(f, g); d != "" {
		t.Fatalf("accepted file changes in a round trip: %s", d)
	}
	if !bytes.Equal(b, encode(t, g)) {
		t.Fatal("Encode is not stable")
	}
}
