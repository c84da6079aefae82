package main

import (
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEvalEndToEnd trains a quick classifier for the mnist-tiny preset's
// images (16x16, resized) into a temporary cache, trains a few steps with
// --eval-every, and scores the checkpoint with ict eval, twice with one
// seed (the same numbers) and once with another.
func TestEvalEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for real")
	}
	bin := buildICT(t)
	cache := t.TempDir()
	env := []string{"ICT_VALIDATE=1"}
	validated := func(what, out string) {
		t.Helper()
		if strings.Contains(out, "validation") {
			t.Errorf("%s: validation messages:\n%s", what, out)
		}
	}
	run := filepath.Join(t.TempDir(), "run")
	ckpt := filepath.Join(run, "checkpoints", "latest.safetensors")

	// Without a classifier, training with --eval-every names the command.
	out, code := runICT(t, bin, nil, "train", "--preset", "mnist-tiny", "--total", "2", "--eval-every", "2", "--eval-cache", cache, "--out", filepath.Join(t.TempDir(), "r0"))
	want := "ict classifier train --dataset mnist --image-size 16 --channels 1 --fit resize --cache " + cache
	if code != 1 || !strings.Contains(out, want) {
		t.Fatalf("--eval-every without a classifier: exit %d, want the message %q:\n%s", code, want, out)
	}

	out, code = runICT(t, bin, env, "classifier", "train", "--dataset", "mnist", "--image-size", "16", "--fit", "resize",
		"--limit", "1024", "--epochs", "1", "--cache", cache)
	if code != 0 || !strings.Contains(out, "test accuracy") {
		t.Fatalf("classifier train: exit %d\n%s", code, out)
	}
	validated("classifier train", out)
	for _, f := range []string{"mnist-1x16x16-resize.safetensors", "mnist-1x16x16-resize.reference.json"} {
		if _, err := os.Stat(filepath.Join(cache, f)); err != nil {
			t.Errorf("cache lacks %s: %v", f, err)
		}
	}
	// --if-missing leaves a cached classifier alone.
	before, _ := os.ReadFile(filepath.Join(cache, "mnist-1x16x16-resize.safetensors"))
	out, code = runICT(t, bin, env, "classifier", "train", "--dataset", "mnist", "--image-size", "16", "--fit", "resize",
		"--limit", "1024", "--epochs", "1", "--seed", "7", "--cache", cache, "--if-missing")
	after, _ := os.ReadFile(filepath.Join(cache, "mnist-1x16x16-resize.safetensors"))
	if code != 0 || !strings.Contains(out, "is cached") || string(before) != string(after) {
		t.Errorf("classifier train --if-missing retrained or failed: exit %d\n%s", code, out)
	}

	out, code = runICT(t, bin, env, "train", "--preset", "mnist-tiny", "--total", "4", "--log-every", "3", "--eval-every", "2",
		"--eval-n", "40", "--eval-cache", cache, "--out", run)
	if code != 0 {
		t.Fatalf("train --eval-every: exit %d\n%s", code, out)
	}
	validated("train --eval-every", out)
	var steps []int
	for _, m := range readMetrics(t, filepath.Join(run, "metrics.jsonl")) {
		if m.Scores != nil {
			steps = append(steps, m.Step)
			if !(m.FID > 0) || !(m.FIDBaseline > 0) || m.EvalSamples != 40 || !(m.Coverage >= 0) || !(m.Confidence > 0) || !(m.Loss > 0) {
				t.Errorf("metrics line with scores: %+v %+v", m, *m.Scores)
			}
		}
	}
	if len(steps) != 2 || steps[0] != 2 || steps[1] != 4 {
		t.Errorf("scores recorded at steps %v, want [2 4]", steps)
	}
	// loss.png gains the FID panel: 8x7 inches instead of 8x4.5.
	if f, err := os.Open(filepath.Join(run, "loss.png")); err != nil {
		t.Error(err)
	} else {
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Height*8 != cfg.Width*7 {
			t.Errorf("loss.png is %dx%d (%v), want the two-panel 8:7", cfg.Width, cfg.Height, err)
		}
	}

	eval := func(seed string) string {
		out, code := runICT(t, bin, env, "eval", "--ckpt", ckpt, "--n", "60", "--steps", "2", "--seed", seed, "--cache", cache)
		if code != 0 {
			t.Fatalf("eval: exit %d\n%s", code, out)
		}
		validated("eval", out)
		return out
	}
	first, again, other := eval("3"), eval("3"), eval("4")
	score := regexp.MustCompile(`FID +([0-9.]+) +real-vs-real baseline ([0-9.]+) \(60 random test images vs the 10000 test images\)`)
	m1, m2, m3 := score.FindStringSubmatch(first), score.FindStringSubmatch(again), score.FindStringSubmatch(other)
	if m1 == nil || m2 == nil || m3 == nil {
		t.Fatalf("no FID line:\n%s\n%s\n%s", first, again, other)
	}
	if m1[1] != m2[1] || m1[2] != m2[2] {
		t.Errorf("one seed, two FIDs: %s and %s", m1[0], m2[0])
	}
	if m1[1] == m3[1] || m1[2] != m3[2] {
		t.Errorf("seeds 3 and 4: %s and %s (the samples should differ, the baseline not)", m1[0], m3[0])
	}
	for _, w := range []string{"class coverage", "of at most 2.303 = log(10)", "mean confidence"} {
		if !strings.Contains(first, w) {
			t.Errorf("eval output lacks %q:\n%s", w, first)
		}
	}
}

// TestEvalErrors: every bad call names what is wrong.
func TestEvalErrors(t *testing.T) {
	bin := buildICT(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"eval"}, 2, "--ckpt is required"},
		{[]string{"eval", "--ckpt", "x.safetensors", "--inception", "/nonexistent/inc.safetensors"}, 1, "--inception: stat /nonexistent/inc.safetensors: no such file or directory (the README says how to obtain and convert the weights)"},
		{[]string{"eval", "--ckpt", "x.safetensors", "--steps", "3"}, 1, "--steps 3: want 1 or 2"},
		{[]string{"eval", "--ckpt", "/nonexistent/x.safetensors"}, 1, "/nonexistent/x.safetensors"},
		{[]string{"classifier"}, 2, "ict classifier train --dataset NAME"},
		{[]string{"classifier", "train"}, 2, "--dataset is required"},
		{[]string{"classifier", "train", "--dataset", "folder"}, 1, "needs a labeled dataset"},
		{[]string{"classifier", "train", "--dataset", "mnist", "--fit", "stretch"}, 1, `--fit "stretch": want pad or resize`},
	} {
		out, code := runICT(t, bin, nil, c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("ict %v: exit %d, want %d and %q:\n%s", c.args, code, c.code, c.want, out)
		}
	}
}
