// Package checkpoint reads and writes training checkpoints as safetensors
// files, so that PyTorch (safetensors.torch.load_file) and every other
// safetensors reader can open the weights ictvk trains.
//
// The format (https://github.com/huggingface/safetensors): 8 bytes holding
// the header length N as a little-endian uint64, N bytes of a UTF-8 JSON
// object {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin,
// end]}, ..., "__metadata__": {string: string}}, then the tensor data, raw
// little-endian and row-major, with offsets counted from the end of the
// header. ictvk stores float32 only, so every tensor here is F32.
//
// Write produces the bytes the reference implementation (the Rust crate
// behind the Python package) produces for the same tensors: compact JSON
// with "__metadata__" first, tensors in name order, the header padded with
// spaces to a multiple of 8 bytes, so data starts 8-byte aligned. It writes
// a temporary file in the target's directory, syncs it, and renames it over
// the target, so a crash or a failed write never leaves a partial file
// under the checkpoint's name.
//
// Read and Parse check everything the reference checks (header size, UTF-8,
// JSON, dtype, shape against byte span, offsets that cover the data section
// exactly with no gap or overlap) and more: duplicate tensor or metadata
// names, unknown keys in a tensor entry, non-integer shapes and shapes of
// more than 64 dimensions are refused too. Every error says which file and
// what is wrong; format problems are *FormatError. Read streams the data
// into the tensors with a small buffer, so loading needs the memory of the
// tensors and not a second copy of the file.
//
// Why not a library: github.com/nlpodyssey/safetensors, the Go safetensors
// module the module proxy serves (checked 2026-11; the other module names
// tried are not served), is a faithful port of an older version of the
// reference, but its reader needs the
// whole file in memory, accepts duplicate tensor names (the last one wins)
// and invalid UTF-8 (names are silently changed to U+FFFD), reports a size
// mismatch without the tensor's name, and cannot describe a scalar tensor
// (NewTensorView counts shape [] as 0 elements); its writer sorts
// "__metadata__" among the tensor names and HTML-escapes <, > and &, so
// its bytes differ from the reference's. It has no tagged release and no
// README. Wrapping it would have meant re-parsing the header to get these
// checks and messages, which is most of the work, so the format is written
// here (a few hundred lines) and the module is used in the tests as an
// independent second implementation: everything Write produces and Parse
// accepts must also be read, with the same contents, by nlpodyssey's
// Deserialize.
package checkpoint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Tensor is one named float32 array, row-major (C order), as in PyTorch.
// A Shape of length 0 is a scalar holding one value.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// File is the content of one checkpoint: tensors and free-form string
// metadata (for example the training step, the run's config as JSON).
// Read returns the tensors sorted by name.
type File struct {
	Tensors  []Tensor
	Metadata map[string]string
}

// Spec is a tensor's name and shape, without data: what a model expects
// to find in a checkpoint.
type Spec struct {
	Name  string
	Shape []int
}

// Limits bound what Read and Parse accept, so that a corrupt or hostile
// file cannot make the loader allocate without bound. A zero field takes
// its default.
type Limits struct {
	// MaxHeaderBytes bounds the JSON header; default DefaultMaxHeaderBytes.
	MaxHeaderBytes int64
	// MaxTotalBytes bounds the whole file; default DefaultMaxTotalBytes.
	MaxTotalBytes int64
}

const (
	// DefaultMaxHeaderBytes is the reference implementation's limit.
	DefaultMaxHeaderBytes = 100_000_000
	// DefaultMaxTotalBytes is far above any model ictvk trains (the paper's
	// CIFAR-10 U-Net with its optimizer state is under 1 GB).
	DefaultMaxTotalBytes = 32 << 30
)

func (l Limits) withDefaults() Limits {
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = DefaultMaxTotalBytes
	}
	return l
}

// FormatError reports a file or buffer that is not a valid checkpoint.
// Errors from the file system (a missing file, a full disk) are returned
// as they come, wrapped with the path, and are not FormatErrors.
type FormatError struct {
	Path    string // "" when the data came from Parse
	Problem string
}

func (e *FormatError) Error() string {
	if e.Path == "" {
		return "safetensors data: " + e.Problem
	}
	return "checkpoint " + e.Path + ": " + e.Problem
}

// Get returns the tensor called name.
func (f *File) Get(name string) (*Tensor, bool) {
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			return &f.Tensors[i], true
		}
	}
	return nil, false
}

// Specs returns the names and shapes of f's tensors, in f's order.
func (f *File) Specs() []Spec {
	specs := make([]Spec, len(f.Tensors))
	for i, t := range f.Tensors {
		specs[i] = Spec{Name: t.Name, Shape: t.Shape}
	}
	return specs
}

// Expect checks that f holds exactly the tensors in want, with the same
// shapes. The error names the first difference with both shapes, for
// example "checkpoint has conv.w [64 3 3 3], the model wants [32 3 3 3]",
// and counts the others. Differences are reported in want's order, then
// extra tensors by name.
func (f *File) Expect(want []Spec) error {
	var problems []string
	wanted := make(map[string]bool, len(want))
	for _, w := range want {
		if wanted[w.Name] {
			problems = append(problems, fmt.Sprintf("the model lists %s twice", displayName(w.Name)))
			continue
		}
		wanted[w.Name] = true
		t, ok := f.Get(w.Name)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("checkpoint has no tensor %s, the model wants %v",
				displayName(w.Name), shapeString(w.Shape)))
		case !slices.Equal(t.Shape, w.Shape):
			problems = append(problems, fmt.Sprintf("checkpoint has %s %v, the model wants %v",
				displayName(w.Name), shapeString(t.Shape), shapeString(w.Shape)))
		}
	}
	var extra []Spec
	for _, t := range f.Tensors {
		if !wanted[t.Name] {
			extra = append(extra, Spec{t.Name, t.Shape})
		}
	}
	slices.SortFunc(extra, func(a, b Spec) int { return strings.Compare(a.Name, b.Name) })
	for _, t := range extra {
		problems = append(problems, fmt.Sprintf("checkpoint has %s %v, the model has no such tensor",
			displayName(t.Name), shapeString(t.Shape)))
	}
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s", problems[0])
	case 2:
		return fmt.Errorf("%s (and 1 more difference)", problems[0])
	default:
		return fmt.Errorf("%s (and %d more differences)", problems[0], len(problems)-1)
	}
}

// shapeString formats a shape like fmt's %v does a slice, also for nil.
func shapeString(shape []int) string {
	return fmt.Sprint(append([]int{}, shape...))
}

// displayName shows a tensor name as it is when it is plain text, and
// quoted when it holds spaces, quotes or control characters, so that
// names read from untrusted files cannot garble a message.
func displayName(name string) string {
	if name == "" {
		return `""`
	}
	for _, r := range name {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) || r == '"' || r == '\\' {
			return strconv.Quote(name)
		}
	}
	return name
}
