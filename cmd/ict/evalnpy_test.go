package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/eval/classifier"
	"github.com/ictvk/ictvk/internal/npy"
	"github.com/ictvk/ictvk/nn/nntest"
)

// numpyNPY is what np.save writes for a float32 array of that shape:
// format 1.0, a tuple without a trailing comma past one dimension, the
// header padded to a multiple of 64 bytes.
func numpyNPY(shape []int, vals []float32, version byte) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", strings.Join(dims, ", "))
	pre := 10
	if version > 1 {
		pre = 12
	}
	header += strings.Repeat(" ", 63-(pre+len(header))%64) + "\n"
	out := []byte{0x93, 'N', 'U', 'M', 'P', 'Y', version, 0}
	if version > 1 {
		out = binary.LittleEndian.AppendUint32(out, uint32(len(header)))
	} else {
		out = binary.LittleEndian.AppendUint16(out, uint16(len(header)))
	}
	return append(append(out, header...), npy.AppendFloat32(nil, vals)...)
}

func randomImages(n, c, size int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	v := make([]float32, n*c*size*size)
	for i := range v {
		v[i] = float32(2*rng.Float64() - 1)
	}
	return v
}

// TestReadImagesNPY reads back what 'ict sample --npy' writes and what
// NumPy writes (formats 1.0 and 2.0), and refuses every malformed or
// wrongly shaped file with an error that names it.
func TestReadImagesNPY(t *testing.T) {
	dir := t.TempDir()
	vals := randomImages(3, 1, 4, 1)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for name, file := range map[string][]byte{
		"ict.npy":    append(npy.Header("<f4", []int{3, 1, 4, 4}), npy.AppendFloat32(nil, vals)...),
		"numpy1.npy": numpyNPY([]int{3, 1, 4, 4}, vals, 1),
		"numpy2.npy": numpyNPY([]int{3, 1, 4, 4}, vals, 2),
	} {
		p := write(name, file)
		got, shape, err := readImagesNPY(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fmt.Sprint(shape) != "[3 1 4 4]" || !slices.Equal(got, vals) {
			t.Errorf("%s: shape %v and values differ from what was written", name, shape)
		}
	}

	good := append(npy.Header("<f4", []int{3, 1, 4, 4}), npy.AppendFloat32(nil, vals)...)
	nan := slices.Clone(vals)
	nan[40] = float32(math.NaN())
	f64 := bytes.Replace(good, []byte("'<f4'"), []byte("'<f8'"), 1)
	fortran := bytes.Replace(good, []byte("False"), []byte("True "), 1)
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"text.npy", []byte("just some text, long enough"), "not a NumPy .npy file"},
		{"empty.npy", nil, "not a NumPy .npy file"},
		{"f64.npy", f64, "float32"},
		{"fortran.npy", fortran, "Fortran order"},
		{"3d.npy", numpyNPY([]int{3, 4, 4}, vals[:48], 1), "want images [N, C, H, W]"},
		{"2ch.npy", numpyNPY([]int{3, 2, 4, 2}, vals[:48], 1), "want images [N, C, H, W]"},
		{"nonsquare.npy", numpyNPY([]int{3, 1, 2, 8}, vals, 1), "H = W"},
		{"truncated.npy", good[:len(good)-4], "needs 192 bytes of float32 values, the file has 188"},
		{"long.npy", append(slices.Clone(good), 0, 0, 0, 0), "the file has 196"},
		{"header.npy", good[:40], "truncated"},
		{"nan.npy", append(npy.Header("<f4", []int{3, 1, 4, 4}), npy.AppendFloat32(nil, nan)...), "image 2 holds a non-finite value"},
		{"version.npy", append([]byte{0x93, 'N', 'U', 'M', 'P', 'Y', 9, 0}, good[8:]...), "version 9.0"},
	}
	for _, c := range cases {
		p := write(c.name, c.file)
		_, _, err := readImagesNPY(p)
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %s and saying %q", c.name, err, p, c.want)
		}
	}
}

// TestEvalNPYErrors: 'ict eval --npy' refuses a bad file, naming it, and
// flags that belong to sampling, before opening any device.
func TestEvalNPYErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.npy")
	bad := filepath.Join(dir, "bad.npy")
	os.WriteFile(good, append(npy.Header("<f4", []int{4, 1, 16, 16}), npy.AppendFloat32(nil, randomImages(4, 1, 16, 2))...), 0o644)
	os.WriteFile(bad, numpyNPY([]int{4, 16, 16}, randomImages(4, 1, 16, 2), 1), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--npy", bad, "--dataset", "mnist"}, bad + ": holds an array of shape [4 16 16]"},
		{[]string{"--npy", good}, "--dataset"},
		{[]string{"--npy", good, "--dataset", "mnist", "--n", "5"}, "holds 4 images"},
		{[]string{"--npy", good, "--dataset", "mnist", "--steps", "2"}, "--steps applies to --ckpt"},
		{[]string{"--npy", good, "--dataset", "folder"}, "labeled dataset"},
		{[]string{"--npy", good, "--dataset", "mnist", "--fit", "stretch"}, "--fit"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		err := runEval(c.args, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ict eval %v: error %v, want one saying %q", c.args, err, c.want)
		}
	}
	var out, errb bytes.Buffer
	if err := runEval([]string{"--npy", good, "--ckpt", "x.safetensors"}, &out, &errb); err != errUsage || !strings.Contains(errb.String(), "not both") {
		t.Errorf("ict eval --npy --ckpt: %v, %q", err, errb.String())
	}
}

// TestEvalNPYScoresLikeMemory: images written to a .npy file and scored by
// 'ict eval --npy' (the binary, another process) get the scores the same
// images get when passed to the classifier in memory; --n scores the
// first n. The classifier is a random one, with reference statistics and
// baselines from random images, cached in a temporary folder: no dataset
// is read.
func TestEvalNPYScoresLikeMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildICT(t)
	cache := t.TempDir()
	cfg := classifier.DefaultConfig(data.MNIST, 16, 1, data.Resize, 10)
	e := nntest.Open(t, false)
	net, err := classifier.New(e, cfg, 5)
	if err != nil {
		t.Fatal(err)
	}
	w, err := net.Download(-1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Save(classifier.WeightsPath(cache, cfg)); err != nil {
		t.Fatal(err)
	}
	const n, first = 300, 120
	images := randomImages(n, 1, 16, 3)
	// The "test set": other random images, smoothed and darker so that
	// their features differ from the scored ones'.
	test := randomImages(400, 1, 16, 4)
	for i := len(test) - 1; i > 0; i-- {
		test[i] = 0.3*test[i] + 0.3*test[i-1] - 0.4
	}
	outputs := func(imgs []float32, count int) *classifier.Outputs {
		o, err := net.Run(imgs, count, true)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	testOut := outputs(test, 400)
	st, err := testOut.Stats()
	if err != nil {
		t.Fatal(err)
	}
	testScores, err := classifier.Score(testOut, st)
	if err != nil {
		t.Fatal(err)
	}
	ref := &classifier.Reference{Key: cfg.Key(), Classifier: w.Hash(), Test: *st, TestScores: testScores, TestAccuracy: -1}
	score := func(imgs []float32, count int) classifier.Scores {
		sc, err := classifier.Score(outputs(imgs, count), st)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	for _, k := range []int{n, first} {
		ref.Baselines = append(ref.Baselines, classifier.Baseline{Source: "test", Scores: score(test[:k*256], k)})
	}
	if err := ref.Save(cache, cfg); err != nil {
		t.Fatal(err)
	}
	npy := filepath.Join(t.TempDir(), "samples.npy")
	if err := os.WriteFile(npy, numpyNPY([]int{n, 1, 16, 16}, images, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{n, first} {
		args := []string{"eval", "--npy", npy, "--dataset", "mnist", "--fit", "resize", "--cache", cache}
		if k != n {
			args = append(args, "--n", fmt.Sprint(k))
		}
		out, code := runICT(t, bin, []string{"ICT_VALIDATE=1"}, args...)
		if code != 0 || strings.Contains(out, "validation") {
			t.Fatalf("ict %v: exit %d\n%s", args, code, out)
		}
		t.Logf("ict %v:\n%s", args, out)
		sc := score(images[:k*256], k)
		for _, want := range []string{
			fmt.Sprintf("%s: %d images of 1x16x16", npy, k),
			fmt.Sprintf("FID                %10.3f", sc.FID),
			fmt.Sprintf("class coverage     %10.3f", sc.Coverage),
			fmt.Sprintf("mean confidence    %10.3f", sc.Confidence),
		} {
			if !strings.Contains(out, want) {
				t.Errorf("ict %v: output lacks %q (the in-memory score):\n%s", args, want, out)
			}
		}
		if !regexp.MustCompile(`real-vs-real baseline [0-9.]+ \(` + fmt.Sprint(k) + ` random test images`).MatchString(out) {
			t.Errorf("ict %v: no baseline of %d images:\n%s", args, k, out)
		}
	}
}
