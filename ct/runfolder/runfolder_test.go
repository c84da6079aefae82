package runfolder

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/ct/loop"
	"github.com/ictvk/ictvk/nn/nntest"
	"github.com/ictvk/ictvk/nn/unet"
)

// TestOpenMetricsKeepsTheCheckpointsSteps: a run killed after logging
// steps past its checkpoint, resumed from it, would log them twice; the
// lines of later steps go (and a line the kill cut short), the earlier
// ones stay byte for byte.
func TestOpenMetricsKeepsTheCheckpointsSteps(t *testing.T) {
	f := Folder{Dir: t.TempDir()}
	lines := `{"step":3,"loss":1,"N":11,"lr":0.001,"images_per_s":10,"seconds":1}
{"step":6,"loss":0.5,"N":11,"lr":0.001,"images_per_s":10,"seconds":2,"fid":30,"fid_baseline":1,"coverage":2,"confidence":0.9,"eval_n":40,"eval_seconds":1}
`
	past := `{"step":9,"loss":0.25,"N":21,"lr":0.001,"images_per_s":10,"seconds":3}
{"step":12,"loss":0.2`
	path := f.Path("metrics.jsonl")
	if err := os.WriteFile(path, []byte(lines+past), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := f.OpenMetrics(6, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got, _ := os.ReadFile(path); string(got) != lines {
		t.Errorf("metrics.jsonl after resuming at step 6:\n%s\nwant:\n%s", got, lines)
	}
	if h := m.History(); m.Dropped != 2 || len(h) != 2 || h[1].Step != 6 || h[1].Scores == nil || h[1].FID != 30 {
		t.Errorf("dropped %d, history %+v", m.Dropped, h)
	}
	// Nothing past the step: the file is left alone.
	m.Close()
	st, _ := os.Stat(path)
	if m, err = f.OpenMetrics(100, 3, 3); err != nil || m.Dropped != 0 {
		t.Fatalf("dropped %d, %v", m.Dropped, err)
	}
	if st2, _ := os.Stat(path); !os.SameFile(st, st2) {
		t.Error("metrics.jsonl was rewritten though no line went")
	}
	// A fresh start of a folder without a checkpoint keeps no line.
	m.Close()
	if m, err = f.OpenMetrics(0, 3, 3); err != nil || len(m.History()) != 0 {
		t.Fatalf("history %+v, %v", m.History(), err)
	}
	if got, _ := os.ReadFile(path); len(got) != 0 {
		t.Errorf("metrics.jsonl of a fresh start holds %q", got)
	}
}

func TestConfigRoundTrip(t *testing.T) {
	f := Folder{Dir: t.TempDir()}
	if _, err := f.ReadConfig(); !errors.Is(err, ErrNoConfig) {
		t.Fatalf("a folder without config.json: %v", err)
	}
	p, err := ct.LookupPreset("mnist-tiny")
	if err != nil {
		t.Fatal(err)
	}
	r := DefaultRhythm()
	r.LogEvery = 7
	if err := f.WriteConfig(NewConfig(p, "/data", r)); err != nil {
		t.Fatal(err)
	}
	c, err := f.ReadConfig()
	if err != nil {
		t.Fatal(err)
	}
	p.Description = "" // not recorded
	if jsonOf(c.AsPreset()) != jsonOf(p) || c.DataDir != "/data" || c.Rhythm == nil || *c.Rhythm != r {
		t.Errorf("read back %+v", c)
	}
	if err := (Rhythm{LogEvery: 1, SampleEvery: 1, CkptEvery: 0, EvalN: 2}).Validate(); err == nil || err.Error() != "--ckpt-every 0: want at least 1" {
		t.Errorf("Validate: %v", err)
	}
}

// zeroBatcher stands for the data batcher.
type zeroBatcher struct{}

func (zeroBatcher) State() data.BatcherState { return data.BatcherState{} }

type patternData struct{}

func (patternData) Next(dst []float32) (data.Batch, error) {
	for i := range dst {
		dst[i] = float32(i%7)/4 - 0.75
	}
	return data.Batch{}, nil
}

func tinyTrainer(t *testing.T, total int) *ct.Trainer {
	t.Helper()
	r := ct.DefaultRecipe()
	r.BatchSize, r.TotalIters = 2, total
	run := ct.Run{Recipe: r, Seed: 3, MicroBatch: 2, Net: unet.Config{ImageChannels: 1, ImageSize: 8, BaseChannels: 4,
		ChannelMults: []int{1, 2}, BlocksPerLevel: 1, AttentionHeads: 1, Groups: 2,
		Embedding: unet.Fourier, FourierScale: ct.ICTFourierScale}}
	tr, err := ct.NewTrainer(nntest.Open(t, false), run)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestCheckpointWriteFailure: a disk that fills up makes a checkpoint fail;
// the message says whether an earlier checkpoint is intact, which is then
// still there, or that the run has none.
func TestCheckpointWriteFailure(t *testing.T) {
	full := &os.PathError{Op: "write", Path: "latest.safetensors", Err: syscall.ENOSPC}
	for _, c := range []struct {
		name    string
		goodFor int // saves that succeed before the disk is full
		want    string
	}{
		{"before any checkpoint", 0, "checkpoint at step 1 (the run has no earlier checkpoint)"},
		{"after one", 1, "checkpoint at step 2 (the previous one, of step 1, is intact)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := Folder{Dir: t.TempDir()}
			if err := f.Create(); err != nil {
				t.Fatal(err)
			}
			ck := NewCheckpoints(f, 1, 0, zeroBatcher{}, nil, -1)
			saves := 0
			ck.save = func(tr *ct.Trainer, path string, b BatcherState) error {
				if saves++; saves > c.goodFor {
					return full
				}
				return saveCheckpoint(tr, path, b)
			}
			l := loop.Loop{Trainer: tinyTrainer(t, 5), Data: patternData{}, Observers: []loop.Observer{ck}}
			err := l.Run()
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("got %v, want %q and the disk's error", err, c.want)
			}
			have, err := f.HasCheckpoint()
			if err != nil || have != (c.goodFor > 0) {
				t.Fatalf("a checkpoint is there: %v (%v)", have, err)
			}
			if have {
				file, _, err := ct.ReadRun(f.CheckpointPath())
				if err != nil {
					t.Fatal(err)
				}
				if step, err := ct.CheckpointStep(file); err != nil || step != 1 {
					t.Errorf("the intact checkpoint holds step %d (%v), want 1", step, err)
				}
			}
			if want := map[int]int{0: -1, 1: 1}[c.goodFor]; ck.Saved() != want {
				t.Errorf("Saved() = %d, want %d", ck.Saved(), want)
			}
		})
	}
}

// TestCheckpointsRecordARefitTotal: a checkpoint whose run changed since
// config.json (a budget re-fit its total) writes config.json again, so
// that a resume reads the same run from both.
func TestCheckpointsRecordARefitTotal(t *testing.T) {
	f := Folder{Dir: t.TempDir()}
	if err := f.Create(); err != nil {
		t.Fatal(err)
	}
	tr := tinyTrainer(t, 50)
	cfg := NewConfig(ct.Preset{Name: "tiny", Run: tr.Run}, "", DefaultRhythm())
	if err := f.WriteConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if err := tr.SetTotalIters(2); err != nil {
		t.Fatal(err)
	}
	ck := NewCheckpoints(f, 1, 0, zeroBatcher{}, &cfg, -1)
	l := loop.Loop{Trainer: tr, Data: patternData{}, Observers: []loop.Observer{ck}}
	if err := l.Run(); err != nil {
		t.Fatal(err)
	}
	read, err := f.ReadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if read.Run.Recipe.TotalIters != 2 {
		t.Errorf("config.json records %d steps, the checkpoint 2", read.Run.Recipe.TotalIters)
	}
	if _, err := os.Stat(filepath.Join(f.Dir, "checkpoints", "latest.safetensors")); err != nil {
		t.Error(err)
	}
}
