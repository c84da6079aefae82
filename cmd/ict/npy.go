package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// npyHeaderField finds one key of a .npy header, the Python dict literal
// NumPy writes ({'descr': '<f4', 'fortran_order': False, 'shape': (N, C, H, W), }).
var npyHeaderField = map[string]*regexp.Regexp{
	"descr":         regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`),
	"fortran_order": regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`),
	"shape":         regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`),
}

// readImagesNPY reads a .npy file of images to score: float32 ('<f4'), C
// order, shape [N, C, H, W] with C 1 or 3 and H = W, every value finite.
// It is what 'ict sample --npy' writes and what NumPy's np.save writes for
// such an array (format versions 1 to 3). Errors name the file.
func readImagesNPY(path string) (images []float32, shape []int, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	fail := func(format string, args ...any) ([]float32, []int, error) {
		return nil, nil, fmt.Errorf("%s: "+format, append([]any{path}, args...)...)
	}
	if len(raw) < 10 || string(raw[:6]) != "\x93NUMPY" {
		return fail("not a NumPy .npy file (it does not start with \\x93NUMPY)")
	}
	var headerLen, start int
	switch raw[6] {
	case 1:
		headerLen, start = int(binary.LittleEndian.Uint16(raw[8:10])), 10
	case 2, 3:
		if len(raw) < 12 {
			return fail("truncated in the header")
		}
		headerLen, start = int(binary.LittleEndian.Uint32(raw[8:12])), 12
	default:
		return fail(".npy format version %d.%d; want 1, 2 or 3", raw[6], raw[7])
	}
	if start+headerLen > len(raw) {
		return fail("truncated: the header says %d bytes, the file has %d after the preamble", headerLen, len(raw)-start)
	}
	header := string(raw[start : start+headerLen])
	field := func(key string) string {
		if m := npyHeaderField[key].FindStringSubmatch(header); m != nil {
			return m[1]
		}
		return ""
	}
	if d := field("descr"); d != "<f4" {
		return fail("holds values of type %q; want float32 ('<f4', little-endian), as np.save writes an array of dtype float32", d)
	}
	if field("fortran_order") != "False" {
		return fail("is stored in Fortran order (or its header lacks fortran_order); want C order")
	}
	dims := strings.TrimSpace(field("shape"))
	count := 1
	for _, d := range strings.Split(dims, ",") {
		if d = strings.TrimSpace(d); d == "" {
			continue // the tuple's trailing comma
		}
		v, err := strconv.Atoi(d)
		if err != nil || v < 0 {
			return fail("header %q: the shape is not a tuple of sizes", strings.TrimSpace(header))
		}
		shape = append(shape, v)
		if v > 0 && count > math.MaxInt32/v {
			return fail("shape %v is too large", shape)
		}
		count *= v
	}
	if len(shape) != 4 || shape[0] < 1 || (shape[1] != 1 && shape[1] != 3) || shape[2] != shape[3] || shape[2] < 1 {
		return fail("holds an array of shape %v; want images [N, C, H, W] with N at least 1, C 1 or 3, and H = W", shape)
	}
	body := raw[start+headerLen:]
	if len(body) != 4*count {
		return fail("the shape %v needs %d bytes of float32 values, the file has %d", shape, 4*count, len(body))
	}
	images = make([]float32, count)
	per := count / shape[0]
	for i := range images {
		v := math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fail("image %d holds a non-finite value (%v)", i/per, v)
		}
		images[i] = v
	}
	return images, shape, nil
}
