package main

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/runfolder"
)

// TestResumeFlags: a resume applies the flags it may change and records
// them (config.json, the checkpoint's run), keeps the rhythm the run
// recorded, and refuses by name a flag that would change what the run
// trains, leaving the run as it was; repeating the run's own values is no
// change.
func TestResumeFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for real")
	}
	bin := buildICT(t)
	dir := filepath.Join(t.TempDir(), "run")
	if out, code := runICT(t, bin, nil, "train", "--preset", "mnist-tiny", "--total", "4", "--out", dir,
		"--log-every", "2", "--sample-every", "1000", "--ckpt-every", "2"); code != 0 {
		t.Fatalf("train: exit %d\n%s", code, out)
	}
	out, code := runICT(t, bin, nil, "train", "--resume", dir, "--total", "6", "--lr", "0.0005", "--log-every", "1")
	if code != 0 || !strings.Contains(out, "changed on resume (recorded in config.json): --total 6, --lr 0.0005, --log-every 1") {
		t.Fatalf("resume with --total, --lr, --log-every: exit %d\n%s", code, out)
	}
	lines := readMetrics(t, filepath.Join(dir, "metrics.jsonl"))
	var steps []int
	for _, l := range lines {
		steps = append(steps, l.Step)
		if want := map[bool]float64{true: 0.0005, false: 0.001}[l.Step > 4]; l.LR != want {
			t.Errorf("step %d trained with lr %v, want %v", l.Step, l.LR, want)
		}
	}
	if !slices.Equal(steps, []int{2, 4, 5, 6}) {
		t.Errorf("metrics lines at steps %v, want 2, 4 and then every step", steps)
	}
	checkRecorded := func(total int) {
		t.Helper()
		cfg, err := runfolder.Folder{Dir: dir}.ReadConfig()
		if err != nil {
			t.Fatal(err)
		}
		_, run, err := ct.ReadRun(filepath.Join(dir, "checkpoints", "latest.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []ct.Run{cfg.Run, run} {
			if r.Recipe.LearningRate != 0.0005 || r.Recipe.TotalIters != total {
				t.Errorf("recorded lr %v and total %d, want 0.0005 and %d", r.Recipe.LearningRate, r.Recipe.TotalIters, total)
			}
		}
		if cfg.Rhythm == nil || cfg.Rhythm.LogEvery != 1 || cfg.Rhythm.CkptEvery != 2 {
			t.Errorf("config.json rhythm %+v, want log-every 1 and ckpt-every 2", cfg.Rhythm)
		}
	}
	checkRecorded(6)

	// The recorded --log-every 1 and --lr hold for the next resume.
	if out, code := runICT(t, bin, nil, "train", "--resume", dir, "--total", "7"); code != 0 {
		t.Fatalf("resume with --total 7: exit %d\n%s", code, out)
	}
	if lines := readMetrics(t, filepath.Join(dir, "metrics.jsonl")); lines[len(lines)-1].Step != 7 || lines[len(lines)-1].LR != 0.0005 {
		t.Errorf("the last line is %+v, want step 7 at lr 0.0005", lines[len(lines)-1])
	}
	checkRecorded(7)

	ckpt, _ := os.ReadFile(filepath.Join(dir, "checkpoints", "latest.safetensors"))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--batch", "16"}, "--batch 16: --resume cannot change what the run trains"},
		{[]string{"--preset", "mnist"}, "--preset mnist: --resume cannot change what the run trains"},
		{[]string{"--channel-mults", "1,2,2"}, "--channel-mults 1,2,2: --resume cannot change"},
		{[]string{"--out", dir + "-other"}, "--out " + dir + "-other: --resume cannot change"},
		{[]string{"--seed", "2"}, "--seed 2: --resume cannot change"},
		{[]string{"--total", "3"}, "--total 3: the run in " + dir + " has done 7 steps already"},
		{[]string{"--lr", "0"}, "--lr 0: want a positive number"},
	} {
		out, code := runICT(t, bin, nil, append([]string{"train", "--resume", dir}, c.args...)...)
		if code != 1 || !strings.Contains(out, c.want) || strings.Count(strings.TrimSpace(out), "\n") > 0 {
			t.Errorf("resume %v: exit %d, want 1 and one line with %q:\n%s", c.args, code, c.want, out)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "checkpoints", "latest.safetensors")); string(after) != string(ckpt) {
		t.Error("a refused resume changed the checkpoint")
	}
	checkRecorded(7)
	// The run's own values change nothing: the original command with
	// --resume added works.
	if out, code := runICT(t, bin, nil, "train", "--preset", "mnist-tiny", "--batch", "8", "--resume", dir, "--out", dir); code != 0 || !strings.Contains(out, "done: 7 steps") {
		t.Errorf("resume repeating the run's values: exit %d\n%s", code, out)
	}
}

// TestFailedStartLeavesNoFolder: a start that fails before training (no
// data, no such device) leaves no run folder, so the same --out works once
// the cause is fixed; a run folder without a checkpoint (a NaN before the
// first one) is resumed afresh from its config.json, with the --lr its
// message advises.
func TestFailedStartLeavesNoFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for real")
	}
	bin := buildICT(t)
	dir := filepath.Join(t.TempDir(), "run")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", t.TempDir()}, "dataset not found"},
		{[]string{"--device", "99"}, "device 99 does not exist"},
	} {
		out, code := runICT(t, bin, nil, append([]string{"train", "--preset", "mnist-tiny", "--total", "2", "--out", dir}, c.args...)...)
		if code != 1 || !strings.Contains(out, c.want) {
			t.Errorf("train %v: exit %d, want 1 and %q:\n%s", c.args, code, c.want, out)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("train %v left the run folder %s", c.args, dir)
			os.RemoveAll(dir)
		}
	}
	if out, code := runICT(t, bin, nil, "train", "--preset", "mnist-tiny", "--total", "2", "--out", dir); code != 0 {
		t.Fatalf("train after the failed starts: exit %d\n%s", code, out)
	}

	// NaN before the first checkpoint: config.json but no checkpoint.
	nan := filepath.Join(t.TempDir(), "nan")
	out, code := runICT(t, bin, nil, "train", "--preset", "mnist-tiny", "--total", "40", "--lr", "30", "--ckpt-every", "20",
		"--sample-every", "1000", "--out", nan)
	advice := regexp.MustCompile(`'ict train (--resume \S+) --lr (\S+)' starts the run afresh`).FindStringSubmatch(out)
	if code != 1 || advice == nil || advice[1] != "--resume "+nan {
		t.Fatalf("NaN run: exit %d, want 1 and advice to resume:\n%s", code, out)
	}
	// The advice is followable (with a --lr low enough to stay finite).
	out, code = runICT(t, bin, nil, "train", "--resume", nan, "--lr", "0.001", "--total", "3")
	if code != 0 || !strings.Contains(out, "has no checkpoint: starting its run afresh from its config.json") || !strings.Contains(out, "done: 3 steps") {
		t.Fatalf("resume of a folder without a checkpoint: exit %d\n%s", code, out)
	}
	if lines := readMetrics(t, filepath.Join(nan, "metrics.jsonl")); len(lines) == 0 || lines[0].LR != 0.001 {
		t.Errorf("metrics after the fresh start: %+v", lines)
	}
}

// TestFailedSetupRemovesTheNewFolder: when a new run's folder cannot be
// set up (here config.json cannot be written: a NaN the JSON encoder
// refuses stands in for a full disk), what the start made goes, a folder
// that did not exist as well as the contents of one that was empty, so
// the same command can run again.
func TestFailedSetupRemovesTheNewFolder(t *testing.T) {
	p, err := ct.LookupPreset("mnist-tiny")
	if err != nil {
		t.Fatal(err)
	}
	p.Run.Recipe.LearningRate = math.NaN()
	for _, existed := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "run")
		if existed {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		plan := runPlan{preset: p, folder: runfolder.Folder{Dir: dir}, rhythm: runfolder.DefaultRhythm()}
		if _, err := openRunFolder(plan, nil, nil, t.Logf); err == nil {
			t.Fatalf("existed %v: a config.json with a NaN was written", existed)
		}
		entries, err := os.ReadDir(dir)
		switch {
		case !existed && !os.IsNotExist(err):
			t.Errorf("the failed start left %s (%v)", dir, err)
		case existed && (err != nil || len(entries) > 0):
			t.Errorf("the failed start left %d entries in the empty folder it was given (%v)", len(entries), err)
		}
	}
}
