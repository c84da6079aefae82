// Package runfolder keeps the folder of a training run: config.json (what
// the run trains and how often it reports), metrics.jsonl and loss.png,
// the sample grids and the checkpoints, and reads them back when a run is
// resumed. The files it writes during training come from observers of
// the training loop (package loop): Metrics, Samples and Checkpoints.
package runfolder

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ictvk/ictvk/internal/atomicfile"
	"github.com/ictvk/ictvk/nn/checkpoint"
)

// Folder is where a run leaves its files.
type Folder struct{ Dir string }

// Path joins parts to the folder.
func (f Folder) Path(parts ...string) string {
	return filepath.Join(append([]string{f.Dir}, parts...)...)
}

// CheckpointPath is the run's latest checkpoint.
func (f Folder) CheckpointPath() string { return f.Path("checkpoints", "latest.safetensors") }

// Create makes the folder and its subfolders, and checks that it is
// writable: now, not after an hour of training.
func (f Folder) Create() error {
	for _, d := range []string{f.Dir, f.Path("samples"), f.Path("checkpoints")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("run folder: %w", err)
		}
	}
	probe := f.Path(".write-test")
	if err := os.WriteFile(probe, nil, 0o644); err != nil {
		return fmt.Errorf("run folder %s is not writable: %w", f.Dir, err)
	}
	return os.Remove(probe)
}

// HasFiles says whether the folder exists and holds anything.
func (f Folder) HasFiles() bool {
	entries, err := os.ReadDir(f.Dir)
	return err == nil && len(entries) > 0
}

// RemoveStaleTemps removes the temporary files that killed writes of
// checkpoints, grids or the config left in the folder (nothing else would
// ever remove them) and returns their names.
func (f Folder) RemoveStaleTemps() ([]string, error) {
	var removed []string
	for _, d := range []string{f.Dir, f.Path("samples"), f.Path("checkpoints")} {
		entries, err := os.ReadDir(d)
		if err != nil {
			return removed, fmt.Errorf("run folder: %w", err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || !(checkpoint.IsTemp(e.Name()) || atomicfile.IsTemp(e.Name())) {
				continue
			}
			if err := os.Remove(filepath.Join(d, e.Name())); err != nil {
				return removed, fmt.Errorf("run folder: removing a stale temporary file: %w", err)
			}
			removed = append(removed, e.Name())
		}
	}
	return removed, nil
}
