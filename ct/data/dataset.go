package data

import (
	"errors"
	"fmt"
)

// ErrNotFound is matched (errors.Is) by the error a loader or a *Dir
// function returns when a dataset's files are not where they were looked
// for. The error's text says where to get them.
var ErrNotFound = errors.New("dataset not found")

// Source names a kind of dataset.
type Source string

// The sources Load knows.
const (
	MNIST        Source = "mnist"
	FashionMNIST Source = "fashion-mnist"
	CIFAR10      Source = "cifar10"
	ImageFolder  Source = "folder"
)

// Sources lists every Source, for help texts and flag validation.
func Sources() []Source { return []Source{MNIST, FashionMNIST, CIFAR10, ImageFolder} }

// Split chooses the training or the test part of a dataset.
type Split int

const (
	Train Split = iota // MNIST's 60000, CIFAR-10's 50000 images
	Test               // MNIST's 10000, CIFAR-10's 10000 images
)

func (s Split) String() string {
	switch s {
	case Train:
		return "train"
	case Test:
		return "test"
	}
	return fmt.Sprintf("Split(%d)", int(s))
}

// Fit says how an image of a fixed-size dataset reaches the target size
// when its own size differs (MNIST's 28x28 for a 32x32 run, say).
type Fit int

const (
	// Pad centers the image on a canvas of the background value -1
	// (black, MNIST's background); a target smaller than the image
	// center-crops it instead. Pixels keep their values exactly.
	Pad Fit = iota
	// Resize scales the image to the target size (area averaging when
	// shrinking, bilinear interpolation when enlarging; see resize).
	Resize
)

func (f Fit) String() string {
	switch f {
	case Pad:
		return "pad"
	case Resize:
		return "resize"
	}
	return fmt.Sprintf("Fit(%d)", int(f))
}

// MaxSize bounds Options.Size: 4096x4096 images are far beyond what this
// trainer handles, and the bound keeps a mistyped size from asking for
// terabytes.
const MaxSize = 4096

// Options says what a loader should produce.
type Options struct {
	Split Split
	// Size is the target height and width. 0 keeps the dataset's own size
	// (28 for MNIST, 32 for CIFAR-10); an image folder needs a size.
	Size int
	// Channels is 1 (grayscale) or 3 (RGB); 0 keeps the dataset's own
	// (1 for MNIST, 3 for CIFAR-10 and image folders). Grayscale becomes
	// RGB by copying the plane; RGB becomes grayscale by ITU-R BT.601 luma,
	// 0.299 R + 0.587 G + 0.114 B (what JPEG's Y channel is).
	Channels int
	// Fit applies to fixed-size datasets (MNIST, Fashion-MNIST, CIFAR-10).
	// Images of a folder come in any shape, so they are always
	// center-cropped to a square and resized.
	Fit Fit
	// Limit, if positive, loads only the first Limit images (quick runs,
	// tests).
	Limit int
	// MaxBytes, if positive, refuses a dataset whose images would take
	// more memory than this (4 bytes a value), before any is converted: a
	// size typed by mistake then fails with a RoomError instead of the Go
	// runtime's "out of memory".
	MaxBytes uint64
}

// RoomError is the error of a dataset larger than Options.MaxBytes.
type RoomError struct {
	Name                   string // what was loaded, as Dataset.Name
	Images, Channels, Size int
	Need, Limit            uint64 // bytes
}

func (e *RoomError) Error() string {
	const gib = 1 << 30
	return fmt.Sprintf("data: %s: %d images of %dx%dx%d take %.1f GiB of memory, more than the %.1f GiB there is room for",
		e.Name, e.Images, e.Channels, e.Size, e.Size, float64(e.Need)/gib, float64(e.Limit)/gib)
}

// checkRoom refuses n images of the options' shape past MaxBytes.
func (o Options) checkRoom(name string, n int) error {
	need := 4 * uint64(n) * uint64(o.Channels) * uint64(o.Size) * uint64(o.Size)
	if o.MaxBytes > 0 && need > o.MaxBytes {
		return &RoomError{Name: name, Images: n, Channels: o.Channels, Size: o.Size, Need: need, Limit: o.MaxBytes}
	}
	return nil
}

func (o Options) validate() error {
	if o.Split != Train && o.Split != Test {
		return fmt.Errorf("data: split %v is neither train nor test", o.Split)
	}
	if o.Size < 0 || o.Size > MaxSize {
		return fmt.Errorf("data: image size %d is out of range 1..%d (0 keeps the dataset's own)", o.Size, MaxSize)
	}
	if o.Channels != 0 && o.Channels != 1 && o.Channels != 3 {
		return fmt.Errorf("data: %d channels asked for; want 1 (grayscale) or 3 (RGB)", o.Channels)
	}
	if o.Fit != Pad && o.Fit != Resize {
		return fmt.Errorf("data: fit %v is neither pad nor resize", o.Fit)
	}
	if o.Limit < 0 {
		return fmt.Errorf("data: image limit %d is negative", o.Limit)
	}
	return nil
}

// withDefaults fills Size and Channels from a dataset's native values.
func (o Options) withDefaults(size, channels int) Options {
	if o.Size == 0 {
		o.Size = size
	}
	if o.Channels == 0 {
		o.Channels = channels
	}
	return o
}

// Dataset holds every image of a dataset in memory, NCHW float32 in
// [-1, 1], and the class labels where the dataset has them.
type Dataset struct {
	name          string // what was loaded, for messages: "MNIST train (/path)"
	c, h, w       int
	pixels        []float32
	labels        []uint8 // nil when unlabeled
	classes       int
	imageElements int
}

func newDataset(name string, n, c, size int, labeled bool, classes int) *Dataset {
	d := &Dataset{name: name, c: c, h: size, w: size, imageElements: c * size * size}
	d.pixels = make([]float32, n*d.imageElements)
	if labeled {
		d.labels = make([]uint8, n)
		d.classes = classes
	}
	return d
}

// Name says what was loaded and from where, for logs.
func (d *Dataset) Name() string { return d.name }

// N is the number of images.
func (d *Dataset) N() int {
	if d.imageElements == 0 {
		return 0
	}
	return len(d.pixels) / d.imageElements
}

// Shape is the shape of one image: channels, height, width.
func (d *Dataset) Shape() (channels, height, width int) { return d.c, d.h, d.w }

// ImageElements is channels*height*width, the float32 count of one image.
func (d *Dataset) ImageElements() int { return d.imageElements }

// Image returns image i, CHW, as a view into the dataset's storage: do
// not modify it.
func (d *Dataset) Image(i int) []float32 {
	return d.pixels[i*d.imageElements : (i+1)*d.imageElements : (i+1)*d.imageElements]
}

// Pixels returns all images, NCHW, as a view into the dataset's storage
// (for uploading the whole dataset to the device): do not modify it.
func (d *Dataset) Pixels() []float32 { return d.pixels }

// HasLabels reports whether the dataset has class labels.
func (d *Dataset) HasLabels() bool { return d.labels != nil }

// Classes is the number of classes (10 for MNIST and CIFAR-10), 0 when
// the dataset has no labels.
func (d *Dataset) Classes() int { return d.classes }

// Label returns the class of image i in [0, Classes()), or -1 when the
// dataset has no labels.
func (d *Dataset) Label(i int) int {
	if d.labels == nil {
		return -1
	}
	return int(d.labels[i])
}

// Load loads a dataset of the given source from dir; an empty dir means
// the source's default folder (DefaultDir).
func Load(src Source, dir string, opt Options) (*Dataset, error) {
	if dir == "" {
		var err error
		if dir, err = DefaultDir(src); err != nil {
			return nil, err
		}
	}
	switch src {
	case MNIST:
		return LoadMNIST(dir, opt)
	case FashionMNIST:
		return LoadFashionMNIST(dir, opt)
	case CIFAR10:
		return LoadCIFAR10(dir, opt)
	case ImageFolder:
		return LoadImageFolder(dir, opt)
	}
	return nil, fmt.Errorf("data: unknown dataset %q; want one of %v", string(src), Sources())
}

// DefaultDir returns the folder a source is looked for in when none is
// given, or an error matching ErrNotFound that says how to get the data.
func DefaultDir(src Source) (string, error) {
	switch src {
	case MNIST:
		return MNISTDir()
	case FashionMNIST:
		return FashionMNISTDir()
	case CIFAR10:
		return CIFAR10Dir()
	case ImageFolder:
		return "", fmt.Errorf("data: an image folder has no default location: name the folder of PNG/JPEG images")
	}
	return "", fmt.Errorf("data: unknown dataset %q; want one of %v", string(src), Sources())
}
