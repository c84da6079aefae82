package runfolder

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/ct/loop"
	"github.com/ictvk/ictvk/internal/atomicfile"
)

// batcherMeta is the checkpoint metadata entry of the data batcher's
// state, so that a resumed run draws the batches the uninterrupted one
// would have.
const batcherMeta = "ictvk.batcher"

// BatcherState is what Checkpoints saves of the data: a *data.Batcher.
type BatcherState interface{ State() data.BatcherState }

// Checkpoints is the observer that saves the training state to
// checkpoints/latest.safetensors every Every steps, at the last step and
// when the run is interrupted, and keeps it every KeepEvery steps (0:
// never) as checkpoints/stepNNNNNNN.safetensors. Before each save it
// measures, which checks that every step's loss since the last check was
// finite: weights a NaN reached never overwrite a good checkpoint.
type Checkpoints struct {
	Folder           Folder
	Every, KeepEvery int
	Batcher          BatcherState
	// Config, when set, is rewritten beside a checkpoint whose run changed
	// since (a budget re-fit its total), so that the two agree.
	Config *Config

	saved int // the step latest.safetensors holds; -1: none
	// save writes a checkpoint; tests make it fail.
	save func(tr *ct.Trainer, path string, b BatcherState) error
}

// NewCheckpoints returns the observer for a run whose latest checkpoint
// holds step saved (-1: there is none yet).
func NewCheckpoints(f Folder, every, keepEvery int, b BatcherState, cfg *Config, saved int) *Checkpoints {
	return &Checkpoints{Folder: f, Every: every, KeepEvery: keepEvery, Batcher: b, Config: cfg, saved: saved,
		save: saveCheckpoint}
}

// Saved is the step latest.safetensors holds, -1 when none was written.
func (c *Checkpoints) Saved() int { return c.saved }

// Start does nothing.
func (c *Checkpoints) Start(*loop.State) error { return nil }

// Step saves and keeps checkpoints when they are due.
func (c *Checkpoints) Step(s *loop.State) error {
	keep := c.KeepEvery > 0 && s.Step%c.KeepEvery == 0
	if s.Step%c.Every != 0 && !s.Last && !keep {
		return nil
	}
	if err := c.Save(s); err != nil {
		return err
	}
	if keep {
		return c.keep(s.Step)
	}
	return nil
}

// End saves the checkpoint of an interrupted run.
func (c *Checkpoints) End(s *loop.State, reason error) error {
	var in *loop.Interrupted
	if errors.As(reason, &in) && c.saved != s.Step {
		return c.Save(s)
	}
	return nil
}

// Save checks the losses and writes latest.safetensors, atomically: a
// failed write leaves the previous one as it was.
func (c *Checkpoints) Save(s *loop.State) error {
	if _, err := s.Measure(); err != nil {
		return err
	}
	tr := s.Trainer
	if err := c.save(tr, c.Folder.CheckpointPath(), c.Batcher); err != nil {
		if c.saved < 0 {
			return fmt.Errorf("checkpoint at step %d (the run has no earlier checkpoint): %w", s.Step, err)
		}
		return fmt.Errorf("checkpoint at step %d (the previous one, of step %d, is intact): %w", s.Step, c.saved, err)
	}
	c.saved = s.Step
	if c.Config != nil && jsonOf(c.Config.Run) != jsonOf(tr.Run) {
		c.Config.Run = tr.Run
		if err := c.Folder.WriteConfig(*c.Config); err != nil {
			return err
		}
	}
	return nil
}

// SaveCheckpoint writes the training state of tr and b to
// latest.safetensors, atomically.
func (f Folder) SaveCheckpoint(tr *ct.Trainer, b BatcherState) error {
	return saveCheckpoint(tr, f.CheckpointPath(), b)
}

func saveCheckpoint(tr *ct.Trainer, path string, b BatcherState) error {
	st, err := b.State().MarshalBinary()
	if err != nil {
		return err
	}
	return tr.Save(path, map[string]string{batcherMeta: base64.StdEncoding.EncodeToString(st)})
}

// keep keeps the checkpoint just written under the step's name: a hard
// link (no copy; replacing latest later leaves it be), or a copy where the
// file system has no links.
func (c *Checkpoints) keep(step int) error {
	latest := c.Folder.CheckpointPath()
	kept := c.Folder.Path("checkpoints", fmt.Sprintf("step%07d.safetensors", step))
	os.Remove(kept) // a resumed run may pass the same step again
	if err := os.Link(latest, kept); err == nil {
		return nil
	}
	raw, err := os.ReadFile(latest)
	if err == nil {
		err = atomicfile.Write(kept, raw)
	}
	if err != nil {
		return fmt.Errorf("keeping the checkpoint of step %d: %w", step, err)
	}
	return nil
}

// HasCheckpoint says whether the run has a latest checkpoint.
func (f Folder) HasCheckpoint() (bool, error) {
	_, err := os.Stat(f.CheckpointPath())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// LoadCheckpoint restores the training state of latest.safetensors into
// tr (built for the run) and b.
func (f Folder) LoadCheckpoint(tr *ct.Trainer, b *data.Batcher) error {
	path := f.CheckpointPath()
	meta, err := tr.Load(path)
	if err != nil {
		return err
	}
	var st data.BatcherState
	raw, err := base64.StdEncoding.DecodeString(meta[batcherMeta])
	if err == nil {
		err = st.UnmarshalBinary(raw)
	}
	if err == nil {
		err = b.Restore(st)
	}
	if err != nil {
		return fmt.Errorf("%s: the data batcher's state: %v", path, err)
	}
	return nil
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
