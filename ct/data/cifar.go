package data

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CIFAR-10's binary format: each record is one label byte and the 32x32
// red, green and blue planes, row-major.
const (
	cifarSide    = 32
	cifarPixels  = 3 * cifarSide * cifarSide
	cifarRecord  = 1 + cifarPixels
	cifarClasses = 10
	// cifarSubdir is the folder cifar-10-binary.tar.gz extracts to.
	cifarSubdir = "cifar-10-batches-bin"
)

var (
	cifarTrainFiles = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	cifarTestFiles  = []string{"test_batch.bin"}
)

const cifarHint = "download the binary version, cifar-10-binary.tar.gz, from https://www.cs.toronto.edu/~kriz/cifar.html and extract it (the python and matlab versions are other formats)"

// checkCIFAR checks one CIFAR-10 binary file's content and returns its
// number of records. name is used in errors.
func checkCIFAR(name string, b []byte) (int, error) {
	if err := cifarSizeErr(name, int64(len(b))); err != nil {
		return 0, err
	}
	n := len(b) / cifarRecord
	for i := range n {
		if l := b[i*cifarRecord]; l >= cifarClasses {
			return 0, fmt.Errorf("data: %s: record %d has label %d, not a class 0..%d: not a CIFAR-10 binary batch (CIFAR-100's records are 3074 bytes)",
				name, i, l, cifarClasses-1)
		}
	}
	return n, nil
}

// cifarSizeErr refuses a batch file whose size is not a positive multiple
// of the record size.
func cifarSizeErr(name string, size int64) error {
	if size == 0 {
		return fmt.Errorf("data: %s: empty file; a CIFAR-10 binary batch holds records of %d bytes (1 label byte, 3072 pixel bytes)", name, cifarRecord)
	}
	if size%cifarRecord != 0 {
		return fmt.Errorf("data: %s: %d bytes is not a multiple of the %d-byte CIFAR-10 record (1 label byte, 3072 pixel bytes; %d whole records and %d bytes over): truncated, or not the binary version",
			name, size, cifarRecord, size/cifarRecord, size%cifarRecord)
	}
	return nil
}

// cifarRecords converts the first n records of a checked batch into ds
// starting at image `at`.
func cifarRecords(ds *Dataset, at int, b []byte, n int, wr *imageWriter, src raster) {
	for i := range n {
		rec := b[i*cifarRecord : (i+1)*cifarRecord]
		ds.labels[at+i] = rec[0]
		for j, v := range rec[1:] {
			src.pix[j] = unitFromByte(v)
		}
		wr.write(ds.Image(at+i), src)
	}
}

// LoadCIFAR10 loads CIFAR-10's binary batches from dir, or from
// dir/cifar-10-batches-bin (see CIFAR10Dir): 32x32 RGB images of 10
// classes.
func LoadCIFAR10(dir string, opt Options) (*Dataset, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	files := cifarTrainFiles
	if opt.Split == Test {
		files = cifarTestFiles
	}
	dir, err := findCIFAR(dir, files)
	if err != nil {
		return nil, err
	}
	// Sizes first, so that the dataset is allocated once and a bad file
	// is refused before the others are read.
	var counts []int
	total := 0
	for _, name := range files {
		p := filepath.Join(dir, name)
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		if err := cifarSizeErr(p, st.Size()); err != nil {
			return nil, err
		}
		counts = append(counts, int(st.Size()/cifarRecord))
		total += counts[len(counts)-1]
		if opt.Limit > 0 && total >= opt.Limit {
			break
		}
	}
	if opt.Limit > 0 {
		total = min(total, opt.Limit)
	}
	opt = opt.withDefaults(cifarSide, 3)
	name := fmt.Sprintf("CIFAR-10 %v (%s)", opt.Split, dir)
	if err := opt.checkRoom(name, total); err != nil {
		return nil, err
	}
	ds := newDataset(name, total, opt.Channels, opt.Size, true, cifarClasses)
	wr := newImageWriter(opt.Channels, opt.Size, opt.Fit)
	src := raster{c: 3, h: cifarSide, w: cifarSide, pix: make([]float32, cifarPixels)}
	at := 0
	for k := range counts {
		p := filepath.Join(dir, files[k])
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		n, err := checkCIFAR(p, b)
		if err != nil {
			return nil, err
		}
		if n != counts[k] {
			return nil, fmt.Errorf("data: %s changed size while being read", p)
		}
		n = min(n, total-at)
		cifarRecords(ds, at, b, n, wr, src)
		at += n
	}
	return ds, nil
}

// findCIFAR returns dir or dir/cifar-10-batches-bin, whichever holds the
// first of files.
func findCIFAR(dir string, files []string) (string, error) {
	for _, d := range []string{dir, filepath.Join(dir, cifarSubdir)} {
		_, err := os.Stat(filepath.Join(d, files[0]))
		if err == nil {
			return d, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("data: %w", err)
		}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("data: %w: CIFAR-10 folder %s does not exist; %s", ErrNotFound, dir, cifarHint)
	}
	return "", fmt.Errorf("data: %w: CIFAR-10 folder %s has no %s (nor has %s/); %s", ErrNotFound, dir, files[0], cifarSubdir, cifarHint)
}

// CIFAR10Dir returns the default CIFAR-10 folder, cifar-10-batches-bin in
// the user's cache folder (~/.cache/ictvk/cifar-10-batches-bin on Linux),
// if it holds the batches; else an error matching ErrNotFound that says
// where to get them and where to put them. No package registry serves
// CIFAR-10, so it is never fetched automatically.
func CIFAR10Dir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("data: %w: CIFAR-10 has no default folder here (%v); %s and name the folder", ErrNotFound, err, cifarHint)
	}
	dir := filepath.Join(cache, "ictvk", cifarSubdir)
	found, err := findCIFAR(dir, cifarTrainFiles)
	if err != nil {
		return "", fmt.Errorf("data: %w: CIFAR-10 is not in %s; %s into %s, or name the folder holding data_batch_1.bin .. data_batch_5.bin and test_batch.bin",
			ErrNotFound, dir, cifarHint, filepath.Dir(dir))
	}
	return found, nil
}
