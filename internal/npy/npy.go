// Package npy reads and writes NumPy's .npy files: little-endian arrays in
// C order, as np.save writes them. ict writes images in it ('ict sample
// --npy'), scores images read from it ('ict eval --npy') and trades step
// traces with the PyTorch mirror in it (bench/).
package npy

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/ictvk/ictvk/internal/atomicfile"
)

// Header is the .npy header (format 1.0) of an array of that dtype
// ('<f4', '<i4', '|u1'...) and shape; the values follow. Like np.save's, it
// pads the header so that the values start at a multiple of 64 bytes.
func Header(descr string, shape []int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += "," // (N,) is a tuple, (N) is not
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, tuple)
	header += strings.Repeat(" ", 63-(10+len(header))%64) + "\n"
	out := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	return append(out, header...)
}

// AppendFloat32 appends vals as '<f4' values.
func AppendFloat32(dst []byte, vals []float32) []byte {
	for _, v := range vals {
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
	}
	return dst
}

// Writer streams an array whose shape is known up front into a file that
// appears under its name only when Close succeeds.
type Writer struct {
	f   *atomicfile.File
	w   *bufio.Writer
	b   [4]byte
	err error
}

// Create starts writing an array of that dtype and shape to path.
func Create(path, descr string, shape []int) (*Writer, error) {
	f, err := atomicfile.Create(path)
	if err != nil {
		return nil, err
	}
	w := &Writer{f: f, w: bufio.NewWriter(f)}
	_, w.err = w.w.Write(Header(descr, shape))
	return w, nil
}

// Float32 appends '<f4' values.
func (w *Writer) Float32(vals ...float32) {
	for _, v := range vals {
		binary.LittleEndian.PutUint32(w.b[:], math.Float32bits(v))
		w.write(w.b[:])
	}
}

// Int32 appends '<i4' values.
func (w *Writer) Int32(vals ...int32) {
	for _, v := range vals {
		binary.LittleEndian.PutUint32(w.b[:], uint32(v))
		w.write(w.b[:])
	}
}

// Uint8 appends '|u1' values.
func (w *Writer) Uint8(vals ...uint8) { w.write(vals) }

func (w *Writer) write(p []byte) {
	if w.err == nil {
		_, w.err = w.w.Write(p)
	}
}

// Close puts the file in place, or reports the first write's error and
// leaves nothing behind.
func (w *Writer) Close() error {
	if w.err == nil {
		w.err = w.w.Flush()
	}
	if w.err != nil {
		w.f.Abort()
		return w.err
	}
	return w.f.Commit()
}

// Abort drops the file being written; after a Close it does nothing.
func (w *Writer) Abort() { w.f.Abort() }

// Array is a .npy file's contents: its dtype, its shape and its values'
// bytes as stored.
type Array struct {
	Descr string
	Shape []int
	Data  []byte
}

// headerField finds one key of a .npy header, the Python dict literal
// NumPy writes ({'descr': '<f4', 'fortran_order': False, 'shape': (N, C, H, W), }).
var headerField = map[string]*regexp.Regexp{
	"descr":         regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`),
	"fortran_order": regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`),
	"shape":         regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`),
}

// dtypes are the types Read accepts: each one's size in bytes and name.
var dtypes = map[string]struct {
	size int
	name string
}{"<f4": {4, "float32"}, "<i4": {4, "int32"}, "|u1": {1, "uint8"}, "<u1": {1, "uint8"}}

// Read reads a .npy file (format versions 1 to 3) of float32, int32 or
// uint8 values in C order. Errors name the file and what is wrong with it.
func Read(path string) (Array, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Array{}, err
	}
	a, err := Parse(raw)
	if err != nil {
		return Array{}, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// Parse reads a .npy file's bytes, as Read does.
func Parse(raw []byte) (Array, error) {
	if len(raw) < 10 || string(raw[:6]) != "\x93NUMPY" {
		return Array{}, fmt.Errorf("not a NumPy .npy file (it does not start with \\x93NUMPY)")
	}
	var headerLen, start int
	switch raw[6] {
	case 1:
		headerLen, start = int(binary.LittleEndian.Uint16(raw[8:10])), 10
	case 2, 3:
		if len(raw) < 12 {
			return Array{}, fmt.Errorf("truncated in the header")
		}
		headerLen, start = int(binary.LittleEndian.Uint32(raw[8:12])), 12
	default:
		return Array{}, fmt.Errorf(".npy format version %d.%d; want 1, 2 or 3", raw[6], raw[7])
	}
	if start+headerLen > len(raw) {
		return Array{}, fmt.Errorf("truncated: the header says %d bytes, the file has %d after the preamble", headerLen, len(raw)-start)
	}
	header := string(raw[start : start+headerLen])
	field := func(key string) string {
		if m := headerField[key].FindStringSubmatch(header); m != nil {
			return m[1]
		}
		return ""
	}
	a := Array{Descr: field("descr")}
	dtype, ok := dtypes[a.Descr]
	if !ok {
		return Array{}, fmt.Errorf("holds values of type %q; want float32 ('<f4'), int32 ('<i4') or uint8 ('|u1'), little-endian", a.Descr)
	}
	if field("fortran_order") != "False" {
		return Array{}, fmt.Errorf("is stored in Fortran order (or its header lacks fortran_order); want C order")
	}
	count := 1
	for _, d := range strings.Split(strings.TrimSpace(field("shape")), ",") {
		if d = strings.TrimSpace(d); d == "" {
			continue // the tuple's trailing comma
		}
		v, err := strconv.Atoi(d)
		if err != nil || v < 0 {
			return Array{}, fmt.Errorf("header %q: the shape is not a tuple of sizes", strings.TrimSpace(header))
		}
		a.Shape = append(a.Shape, v)
		if v > 0 && count > math.MaxInt32/v {
			return Array{}, fmt.Errorf("shape %v is too large", a.Shape)
		}
		count *= v
	}
	a.Data = raw[start+headerLen:]
	if len(a.Data) != dtype.size*count {
		return Array{}, fmt.Errorf("the shape %v needs %d bytes of %s values, the file has %d", a.Shape, dtype.size*count, dtype.name, len(a.Data))
	}
	return a, nil
}

// Float32 returns a '<f4' array's values.
func (a Array) Float32() ([]float32, error) {
	if a.Descr != "<f4" {
		return nil, fmt.Errorf("holds values of type %q; want float32 ('<f4', little-endian), as np.save writes an array of dtype float32", a.Descr)
	}
	out := make([]float32, len(a.Data)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(a.Data[4*i:]))
	}
	return out, nil
}
