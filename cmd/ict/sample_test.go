package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ictvk/ictvk/internal/npy"
)

// sampleFixture is the EMA network of 400 steps of the mnist-tiny preset
// (testdata/README.md): its samples are strokes on black, which noise or
// blank images do not resemble.
const sampleFixture = "testdata/mnist-tiny-400.safetensors"

// TestSampleManyImages draws 1000 images through the binary, in one pass
// (the size the device allows) and in chunks of 300: the two .npy files
// hold the same images, and every group of 64 images, the last included,
// and every chunk look like the first 64 (no noise or blank tail). With
// the shaders from before commit 0092a1b (a grid row past 65535 groups
// folded onto the first) the images from 512 on came out nearly black:
// both checks failed.
func TestSampleManyImages(t *testing.T) {
	if testing.Short() {
		t.Skip("samples 2000 images")
	}
	bin := buildICT(t)
	dir := t.TempDir()
	const n = 1000
	draw := func(name string, args ...string) []float32 {
		t.Helper()
		npy := filepath.Join(dir, name+".npy")
		args = append([]string{"sample", "--ckpt", sampleFixture, "--n", strconv.Itoa(n), "--steps", "2", "--seed", "3",
			"--out", filepath.Join(dir, name+".png"), "--npy", npy}, args...)
		out, code := runICT(t, bin, nil, args...)
		if code != 0 || !strings.Contains(out, "wrote 1000 samples (2 steps") {
			t.Fatalf("ict %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
		t.Logf("ict %s:\n%s", strings.Join(args, " "), out)
		shape, vals := readNPY(t, npy)
		if fmt.Sprint(shape) != "[1000 1 16 16]" {
			t.Fatalf("%s has shape %v", npy, shape)
		}
		return vals
	}
	whole := draw("whole")
	chunked := draw("chunked", "--chunk", "300")
	const per = 256
	for i := range whole {
		if d := math.Abs(float64(whole[i] - chunked[i])); !(d <= 1e-6) {
			t.Fatalf("image %d differs by %g between one pass and chunks of 300", i/per, d)
		}
	}
	ref := imageStats(whole[:64*per], per)
	t.Logf("the first 64 images: %s", ref)
	var groups [][2]int
	for first := 0; first < n; first += 64 {
		groups = append(groups, [2]int{first, min(first+64, n)})
	}
	groups = append(groups, [2]int{n - 64, n}, [2]int{300, 600}, [2]int{600, 900}, [2]int{900, 1000})
	for _, g := range groups {
		if why := ref.unlike(imageStats(whole[g[0]*per:g[1]*per], per)); why != "" {
			t.Errorf("images %d..%d are unlike the first 64: %s", g[0], g[1]-1, why)
		}
	}

	// The comparison catches a tail of noise, of black, of mid-grey (an
	// unwritten zero) or of unclamped network output; these stand-ins
	// replace the last chunk (images 900..999).
	rng := rand.New(rand.NewPCG(1, 2))
	tails := map[string]func() float32{
		"noise":     func() float32 { return clamp1(float32(rng.NormFloat64())) },
		"big noise": func() float32 { return clamp1(float32(80 * rng.NormFloat64())) },
		"black":     func() float32 { return -1 },
		"grey":      func() float32 { return 0 },
		"uniform":   func() float32 { return float32(2*rng.Float64() - 1) },
	}
	for name, value := range tails {
		bad := append([]float32(nil), whole...)
		for i := 900 * per; i < n*per; i++ {
			bad[i] = value()
		}
		if ref.unlike(imageStats(bad[936*per:], per)) == "" {
			t.Errorf("a tail of %s images passes as samples", name)
		}
	}
}

func clamp1(v float32) float32 { return min(1, max(-1, v)) }

// sampleStats are per-image statistics averaged over a group of images,
// with their spread from image to image.
type sampleStats struct {
	n          int
	mean, sd   [4]float64 // of: mean, std, fraction < -0.9, fraction > 0.9
	statsNames [4]string
}

func (s sampleStats) String() string {
	var parts []string
	for j, name := range s.statsNames {
		parts = append(parts, fmt.Sprintf("%s %.3f (sd %.3f)", name, s.mean[j], s.sd[j]))
	}
	return strings.Join(parts, ", ")
}

func imageStats(vals []float32, per int) sampleStats {
	s := sampleStats{n: len(vals) / per, statsNames: [4]string{"mean", "std", "fraction near -1", "fraction near +1"}}
	var sum, sumSq [4]float64
	for k := 0; k < s.n; k++ {
		img := vals[k*per : (k+1)*per]
		var m, m2, lo, hi float64
		for _, v := range img {
			x := float64(v)
			m += x
			m2 += x * x
			if x < -0.9 {
				lo++
			}
			if x > 0.9 {
				hi++
			}
		}
		p := float64(per)
		m /= p
		st := [4]float64{m, math.Sqrt(math.Max(m2/p-m*m, 0)), lo / p, hi / p}
		for j, v := range st {
			sum[j] += v
			sumSq[j] += v * v
		}
	}
	for j := range sum {
		s.mean[j] = sum[j] / float64(s.n)
		s.sd[j] = math.Sqrt(math.Max(sumSq[j]/float64(s.n)-s.mean[j]*s.mean[j], 0))
	}
	return s
}

// unlike says how a group of images differs from the reference group s,
// or "" when each statistic's group mean is within 5 standard errors of
// the difference (and 0.02) of the reference's.
func (s sampleStats) unlike(g sampleStats) string {
	var why []string
	for j := range s.mean {
		se := math.Sqrt(s.sd[j]*s.sd[j]/float64(s.n) + g.sd[j]*g.sd[j]/float64(g.n))
		tol := math.Max(5*se, 0.02)
		if d := math.Abs(g.mean[j] - s.mean[j]); !(d <= tol) {
			why = append(why, fmt.Sprintf("%s %.3f, the first 64's %.3f (tolerance %.3f)", s.statsNames[j], g.mean[j], s.mean[j], tol))
		}
	}
	return strings.Join(why, "; ")
}

// readNPY reads a float32 .npy file as ict sample writes it.
func readNPY(t *testing.T, path string) ([]int, []float32) {
	t.Helper()
	a, err := npy.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := a.Float32()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// np.save starts the values at a multiple of 64 bytes; so must we.
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if start := st.Size() - int64(len(a.Data)); start%64 != 0 {
		t.Fatalf("%s: the values start at byte %d, not a multiple of 64", path, start)
	}
	return a.Shape, vals
}

// TestSampleErrors: every bad call names the flag and what is wrong.
func TestSampleErrors(t *testing.T) {
	bin := buildICT(t)
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--n", "0"}, "--n 0: want at least 1 image"},
		{[]string{"--grid", "-1"}, "--grid -1"},
		{[]string{"--chunk", "-2"}, "--chunk -2"},
		{[]string{"--steps", "3"}, "--steps 3: want 1 or 2"},
		{[]string{"--sigmas", "1,2"}, "--sigmas: ct: sampler noise levels must decrease"},
		{[]string{"--n", "16777217"}, "--n 16777217: ct: 16777217 images of 256 values each pass the 2^32 noise values"},
		{[]string{"--npy", filepath.Join(dir, "no", "such", "x.npy")}, "--npy " + filepath.Join(dir, "no", "such", "x.npy")},
	}
	for _, c := range cases {
		args := append([]string{"sample", "--ckpt", sampleFixture, "--out", filepath.Join(dir, "g.png")}, c.args...)
		out, code := runICT(t, bin, nil, args...)
		if code != 1 || !strings.Contains(out, c.want) || strings.Count(strings.TrimSpace(out), "\n") > 0 {
			t.Errorf("ict %s: exit %d, want 1 and one line with %q:\n%s", strings.Join(args, " "), code, c.want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "g.png")); err == nil {
		t.Error("a refused call wrote its grid")
	}
}

// TestSampleInterrupted: SIGINT stops ict sample after a chunk, exit 1,
// and neither the .npy (nor its temporary file) nor the grid is left.
func TestSampleInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("samples for real")
	}
	bin := buildICT(t)
	dir := t.TempDir()
	run := startICT(t, bin, nil, "sample", "--ckpt", sampleFixture, "--n", "100000", "--chunk", "50",
		"--out", filepath.Join(dir, "g.png"), "--npy", filepath.Join(dir, "x.npy"))
	run.waitLine(t, "images 50/100000", 2*time.Minute)
	run.cmd.Process.Signal(syscall.SIGINT)
	select {
	case code := <-run.exit:
		if out := run.output(); code != 1 || !strings.Contains(out, "stopped by interrupt after") || !strings.Contains(out, "nothing written") {
			t.Errorf("after SIGINT: exit %d\n%s", code, out)
		}
	case <-time.After(time.Minute):
		t.Fatalf("ict sample did not stop within a minute of SIGINT:\n%s", run.output())
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left in the folder: %v", left)
	}
}
