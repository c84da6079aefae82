package main

import (
	"bufio"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ictvk/ictvk/nn/checkpoint"
)

// TestTrainEndToEnd runs the real binary on the tiny preset and checks the
// run folder; then kills a second run with SIGKILL, resumes it, and
// samples from the checkpoint.
func TestTrainEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for real")
	}
	bin := buildICT(t)
	dir := filepath.Join(t.TempDir(), "run")
	env := []string{"ICT_VALIDATE=1"}
	out, code := runICT(t, bin, env, "train", "--preset", "mnist-tiny", "--total", "8", "--out", dir,
		"--log-every", "4", "--sample-every", "4", "--ckpt-every", "4", "--keep-every", "4")
	if code != 0 {
		t.Fatalf("train exited %d:\n%s", code, out)
	}
	if strings.Contains(out, "validation") {
		t.Errorf("validation messages:\n%s", out)
	}
	for _, f := range []string{"config.json", "metrics.jsonl", "loss.png", "checkpoints/latest.safetensors",
		"samples/step0000008_1step.png", "samples/step0000008_2step.png", "samples/latest_1step.png",
		"checkpoints/step0000004.safetensors", "checkpoints/step0000008.safetensors"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("run folder lacks %s: %v", f, err)
		}
	}
	// The kept checkpoint of step 4 is not overwritten by later ones.
	kept4, _ := os.ReadFile(filepath.Join(dir, "checkpoints/step0000004.safetensors"))
	kept8, _ := os.ReadFile(filepath.Join(dir, "checkpoints/step0000008.safetensors"))
	latest, _ := os.ReadFile(filepath.Join(dir, "checkpoints/latest.safetensors"))
	if len(kept4) == 0 || string(kept4) == string(latest) || string(kept8) != string(latest) {
		t.Errorf("kept checkpoints: step 4 (%d bytes) should differ from latest, step 8 (%d bytes) equal it", len(kept4), len(kept8))
	}
	lines := readMetrics(t, filepath.Join(dir, "metrics.jsonl"))
	if len(lines) != 2 || lines[1].Step != 8 || !(lines[1].Loss > 0) {
		t.Errorf("metrics: %+v", lines)
	}

	// The same folder again is refused; a bad preset and flag are usage errors.
	if out, code := runICT(t, bin, nil, "train", "--preset", "mnist-tiny", "--out", dir); code != 1 || !strings.Contains(out, "--resume") {
		t.Errorf("reusing a run folder: exit %d\n%s", code, out)
	}
	if out, code := runICT(t, bin, nil, "train", "--preset", "imagenet"); code != 1 || !strings.Contains(out, `unknown preset "imagenet"`) {
		t.Errorf("unknown preset: exit %d\n%s", code, out)
	}

	// ict sample from the checkpoint.
	grid := filepath.Join(t.TempDir(), "grid.png")
	if out, code := runICT(t, bin, nil, "sample", "--ckpt", filepath.Join(dir, "checkpoints/latest.safetensors"), "--n", "9", "--steps", "2", "--out", grid); code != 0 {
		t.Fatalf("sample: exit %d\n%s", code, out)
	}
	f, err := os.Open(grid)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	// 3x3 images of 16x16 enlarged 8x (the cap) with 2-pixel separators.
	if err != nil || img.Bounds().Dx() != 3*(16*8+2)+2 {
		t.Errorf("sample grid: %v, %v", img.Bounds(), err)
	}
	if out, code := runICT(t, bin, nil, "sample", "--ckpt", filepath.Join(dir, "config.json")); code != 1 || !strings.Contains(out, "config.json") {
		t.Errorf("sampling from a non-checkpoint: exit %d\n%s", code, out)
	}
}

func readMetrics(t *testing.T, path string) []metricsLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []metricsLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m metricsLine
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("metrics line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// TestKillAndResume kills a run with SIGKILL between checkpoints and
// resumes it: it continues from the checkpoint's step to the end, and the
// steps it does again after the checkpoint log the losses the killed run
// logged for them, bit for bit. metrics.jsonl holds each loss exactly: the
// float32 loss widened to float64, which JSON writes in the shortest form
// that reads back as the same float64.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for real")
	}
	bin := buildICT(t)
	dir := filepath.Join(t.TempDir(), "run")
	metricsPath := filepath.Join(dir, "metrics.jsonl")
	const ckptEvery = 3
	killBeforeCheckpoint(t, exec.Command(bin, append([]string{"train", "--preset", "mnist-tiny", "--total", "60", "--out", dir}, everyStepFlags(ckptEvery)...)...), metricsPath, ckptEvery)
	before := readMetrics(t, metricsPath)
	lastBefore := before[len(before)-1].Step
	ckptStep := lastBefore - lastBefore%ckptEvery
	out, code := runICT(t, bin, nil, append([]string{"train", "--resume", dir}, everyStepFlags(ckptEvery)...)...)
	if code != 0 {
		t.Fatalf("resume: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "resuming") {
		t.Errorf("no resume line:\n%s", out)
	}
	after := readMetrics(t, metricsPath)
	if last := after[len(after)-1]; last.Step != 60 {
		t.Errorf("resumed run ended at step %d, want 60", last.Step)
	}
	// The lines up to the checkpoint stay as they were (the resume drops
	// the later ones, whose steps it trains again).
	kept := 0
	for kept < len(before) && kept < len(after) && after[kept] == before[kept] {
		kept++
	}
	resumed := after[kept:]
	if len(resumed) == 0 || resumed[0].Step != ckptStep+1 {
		t.Fatalf("the killed run logged up to step %d (checkpoint at %d); the resumed run's first lines: %+v", lastBefore, ckptStep, resumed[:min(len(resumed), 2)])
	}
	first := map[int]float64{}
	for _, m := range before {
		first[m.Step] = m.Loss
	}
	repeated := 0
	for _, m := range resumed {
		if float64(float32(m.Loss)) != m.Loss {
			t.Errorf("step %d: loss %v is not a float32 value written in full", m.Step, m.Loss)
		}
		if want, ok := first[m.Step]; ok {
			repeated++
			if m.Loss != want {
				t.Errorf("step %d: loss %v after the resume, %v before the kill", m.Step, m.Loss, want)
			}
		}
	}
	if repeated != lastBefore-ckptStep {
		t.Errorf("compared %d repeated steps, want %d (steps %d..%d)", repeated, lastBefore-ckptStep, ckptStep+1, lastBefore)
	}
	t.Logf("killed after step %d, resumed from step %d: compared the losses of %d repeated steps", lastBefore, ckptStep, repeated)
	checkStepsOnce(t, after)
}

// everyStepFlags log every step, sample never and keep a checkpoint
// every ckptEvery steps: the flags of the tests that compare runs step by
// step and resume them.
func everyStepFlags(ckptEvery int) []string {
	return []string{"--log-every", "1", "--sample-every", "1000", "--ckpt-every", strconv.Itoa(ckptEvery)}
}

// killBeforeCheckpoint starts a training run and kills it with SIGKILL
// once the last step it logged to metricsPath is the one before a
// checkpoint (past the first): a step's metrics line is written before
// its checkpoint, so the last checkpoint is then the multiple of
// ckptEvery two steps back, and a resume repeats the steps in between.
// The run is stopped (SIGSTOP) to look, and let go on otherwise.
func killBeforeCheckpoint(t *testing.T, cmd *exec.Cmd, metricsPath string, ckptEvery int) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) // stopped or not, on any failure
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if time.Now().After(deadline) {
			t.Fatal("no step just before a checkpoint (past the first) was logged within 3 minutes")
		}
		time.Sleep(20 * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		if lines := readMetricsIfAny(t, metricsPath); len(lines) > 0 {
			if last := lines[len(lines)-1].Step; last > ckptEvery && last%ckptEvery == ckptEvery-1 {
				break
			}
		}
		if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}

// readMetricsIfAny is readMetrics for a run that may not have written
// metrics.jsonl yet.
func readMetricsIfAny(t *testing.T, path string) []metricsLine {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	return readMetrics(t, path)
}

// checkStepsOnce fails when metrics.jsonl logs a step twice (a resume
// forgets the lines of steps after its checkpoint, which it trains again).
func checkStepsOnce(t *testing.T, lines []metricsLine) {
	t.Helper()
	for i := 1; i < len(lines); i++ {
		if lines[i].Step <= lines[i-1].Step {
			t.Errorf("metrics.jsonl logs step %d after step %d", lines[i].Step, lines[i-1].Step)
		}
	}
}

// TestMicroBatchFlagAndResume trains with --micro-batch, which the run's
// config records and a resume keeps; given again on resume, it changes.
func TestMicroBatchFlagAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for real")
	}
	bin := buildICT(t)
	dir := filepath.Join(t.TempDir(), "run")
	out, code := runICT(t, bin, nil, "train", "--preset", "mnist-tiny", "--total", "2", "--micro-batch", "4", "--out", dir,
		"--log-every", "1", "--sample-every", "1000", "--ckpt-every", "1")
	if code != 0 || !strings.Contains(out, "batch 8 in 2 passes of 4") {
		t.Fatalf("train --micro-batch 4: exit %d\n%s", code, out)
	}
	microBatch := func() float64 {
		var cfg struct{ Run map[string]any }
		raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
		if err == nil {
			err = json.Unmarshal(raw, &cfg)
		}
		if err != nil {
			t.Fatal(err)
		}
		m, _ := cfg.Run["MicroBatch"].(float64)
		return m
	}
	if m := microBatch(); m != 4 {
		t.Errorf("config.json records micro-batch %v, want 4", m)
	}
	if out, code := runICT(t, bin, nil, "train", "--resume", dir); code != 0 || !strings.Contains(out, "batch 8 in 2 passes of 4") {
		t.Errorf("resume without --micro-batch: exit %d\n%s", code, out)
	}
	if out, code := runICT(t, bin, nil, "train", "--resume", dir, "--micro-batch", "2"); code != 0 || !strings.Contains(out, "batch 8 in 4 passes of 2") {
		t.Errorf("resume with --micro-batch 2: exit %d\n%s", code, out)
	}
	if m := microBatch(); m != 2 {
		t.Errorf("config.json records micro-batch %v after a resume with 2", m)
	}
	if out, code := runICT(t, bin, nil, "train", "--resume", dir, "--micro-batch", "5"); code != 1 || !strings.Contains(out, "--micro-batch 5") {
		t.Errorf("resume with --micro-batch 5: exit %d\n%s", code, out)
	}
}

// TestProgressOnTerminal runs training under script(1), which gives it a
// pseudo-terminal: the run draws a progress bar with the loss and images/s
// instead of plain lines; --quiet leaves only the final line.
func TestProgressOnTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for real")
	}
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) from util-linux is not installed")
	}
	bin := buildICT(t)
	dir := filepath.Join(t.TempDir(), "run")
	out, err := exec.Command(script, "-qec", bin+" train --preset mnist-tiny --total 6 --log-every 3 --out "+dir, "/dev/null").CombinedOutput()
	if err != nil {
		t.Fatalf("train under script: %v\n%s", err, out)
	}
	s := string(out)
	if !regexp.MustCompile(`\(6/6\)`).MatchString(s) || !strings.Contains(s, "img/s") || !strings.Contains(s, "100%") {
		t.Errorf("no progress bar on a terminal:\n%q", s)
	}
	if strings.Contains(s, "step 3/6") {
		t.Errorf("plain log lines on a terminal:\n%q", s)
	}
	out, err = exec.Command(script, "-qec", bin+" train --quiet --preset mnist-tiny --total 2 --out "+dir+"-quiet", "/dev/null").CombinedOutput()
	if err != nil {
		t.Fatalf("quiet train: %v\n%s", err, out)
	}
	if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "done: 2 steps") {
		t.Errorf("--quiet printed more than the final line:\n%q", out)
	}
}

// TestInterruptExitStatus stops a run with SIGINT and its resume with
// SIGTERM: each writes the checkpoint and exits 130 or 143 (not 0, so
// 'ict train && ict eval' stops) with a line that says how to resume. The
// resume removes temporary files that killed writes left.
func TestInterruptExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for real")
	}
	bin := buildICT(t)
	dir := filepath.Join(t.TempDir(), "run")
	ckpt := filepath.Join(dir, "checkpoints", "latest.safetensors")
	args := []string{"--log-every", "1", "--sample-every", "1000", "--ckpt-every", "1000"}
	for _, c := range []struct {
		sig  syscall.Signal
		name string
		code int
		args []string
	}{
		{syscall.SIGINT, "SIGINT", 130, append([]string{"train", "--preset", "mnist-tiny", "--total", "1000", "--out", dir}, args...)},
		{syscall.SIGTERM, "SIGTERM", 143, append([]string{"train", "--resume", dir}, args...)},
	} {
		if c.sig == syscall.SIGTERM {
			plantStaleTemps(t, dir)
		}
		run := startICT(t, bin, nil, c.args...)
		run.waitLine(t, "loss", 3*time.Minute)
		run.cmd.Process.Signal(c.sig)
		select {
		case code := <-run.exit:
			want := "checkpoint written; continue with 'ict train --resume " + dir + "'"
			if out := run.output(); code != c.code || !strings.Contains(out, "interrupted by "+c.name+" after step") || !strings.Contains(out, want) {
				t.Errorf("after %s: exit %d, want %d and %q:\n%s", c.name, code, c.code, want, out)
			}
		case <-time.After(time.Minute):
			t.Fatalf("ict train did not stop within a minute of %s:\n%s", c.name, run.output())
		}
		if st, err := os.Stat(ckpt); err != nil || st.Size() == 0 {
			t.Fatalf("no checkpoint after %s: %v", c.name, err)
		}
	}
	checkStaleTempsRemoved(t, dir)
}

// staleTemps are files like those a kill leaves midway through writing a
// checkpoint (nn/checkpoint) or a config or grid (internal/atomicfile);
// keptFiles only look alike and are not ours to remove.
var (
	staleTemps = []string{"checkpoints/.latest.safetensors.tmp-1234567", "checkpoints/.step0000004.safetensors.tmp42",
		".config.json.tmp99", "samples/.latest_1step.png.tmp7"}
	keptFiles = []string{"checkpoints/latest.safetensors.tmp-1", "checkpoints/.notes.tmp-draft", "notes.tmp"}
)

func plantStaleTemps(t *testing.T, dir string) {
	t.Helper()
	for _, f := range append(staleTemps, keptFiles...) {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func checkStaleTempsRemoved(t *testing.T, dir string) {
	t.Helper()
	for _, f := range staleTemps {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("the stale temporary file %s is still there after a resume", f)
		}
	}
	for _, f := range keptFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("a resume removed %s, which is not a temporary file of ours", f)
		}
	}
}

// TestNaNKeepsLastGoodCheckpoint trains with a learning rate that makes the
// loss NaN from about step 3. Losses are read back only at log and
// checkpoint steps, yet no checkpoint of NaN weights replaces the last
// good one: the run stops, exit 1, naming the steps and --lr.
func TestNaNKeepsLastGoodCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for real")
	}
	bin := buildICT(t)
	for _, c := range []struct {
		ckptEvery string
		want      string // in the message besides the --lr hint
		kept      bool   // a checkpoint of an earlier step is left
	}{
		{"20", "no checkpoint was written", false},
		{"1", "keeps step", true},
	} {
		dir := filepath.Join(t.TempDir(), "run")
		out, code := runICT(t, bin, nil, "train", "--preset", "mnist-tiny", "--total", "100", "--lr", "30", "--ckpt-every", c.ckptEvery,
			"--sample-every", "1000", "--out", dir)
		if code != 1 || !strings.Contains(out, "was NaN or infinite") || !strings.Contains(out, "--lr lower than 30") || !strings.Contains(out, c.want) {
			t.Errorf("--ckpt-every %s: exit %d, want 1 and %q:\n%s", c.ckptEvery, code, c.want, out)
			continue
		}
		ckpt := filepath.Join(dir, "checkpoints", "latest.safetensors")
		f, err := checkpoint.Read(ckpt, checkpoint.Limits{})
		if !c.kept {
			if err == nil {
				t.Errorf("--ckpt-every %s: a checkpoint was written", c.ckptEvery)
			}
			continue
		}
		if err != nil {
			t.Fatalf("--ckpt-every %s: %v", c.ckptEvery, err)
		}
		// A checkpoint each step: the check covers one step, and the kept
		// checkpoint is the step before it.
		m := regexp.MustCompile(`the loss of step (\d+) was NaN or infinite; .* keeps step (\d+);`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("the message does not name the step and the kept one:\n%s", out)
		}
		bad, _ := strconv.Atoi(m[1])
		if kept := f.Metadata["ictvk.step"]; kept != m[2] || kept != strconv.Itoa(bad-1) {
			t.Errorf("the checkpoint holds step %s; the message says step %s is kept and step %d went NaN", kept, m[2], bad)
		}
		for _, tensor := range f.Tensors {
			for _, v := range tensor.Data {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("the kept checkpoint's %s holds %v", tensor.Name, v)
				}
			}
		}
	}
}
