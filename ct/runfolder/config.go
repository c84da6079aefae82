package runfolder

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/internal/atomicfile"
)

// Config is config.json: what the run trains, and how often it reports.
// A resume reads it back; 'ict eval' reads the dataset from it.
type Config struct {
	Preset  string
	Dataset data.Source
	DataDir string
	Fit     data.Fit
	Flip    bool
	Run     ct.Run
	// Rhythm is nil in the config.json of runs from before it was kept.
	Rhythm *Rhythm `json:",omitempty"`
}

// Rhythm is how often a run reports, in steps.
type Rhythm struct {
	LogEvery    int // metrics lines
	SampleEvery int // sample grids and loss.png
	CkptEvery   int // checkpoints/latest.safetensors
	KeepEvery   int // checkpoints kept for good (0: none)
	EvalEvery   int // sample scores (0: none)
	EvalN       int // samples per score
}

// DefaultRhythm is the rhythm of a run that names none.
func DefaultRhythm() Rhythm {
	return Rhythm{LogEvery: 50, SampleEvery: 250, CkptEvery: 250, KeepEvery: 1000, EvalEvery: 0, EvalN: 1000}
}

// Validate names the first count out of range.
func (r Rhythm) Validate() error {
	for _, x := range []struct {
		name         string
		value, least int
	}{
		{"log-every", r.LogEvery, 1}, {"sample-every", r.SampleEvery, 1}, {"ckpt-every", r.CkptEvery, 1},
		{"keep-every", r.KeepEvery, 0}, {"eval-every", r.EvalEvery, 0}, {"eval-n", r.EvalN, 2},
	} {
		if x.value < x.least {
			return fmt.Errorf("--%s %d: want at least %d", x.name, x.value, x.least)
		}
	}
	return nil
}

// NewConfig is the config of a run of preset p reading its data from
// dataDir.
func NewConfig(p ct.Preset, dataDir string, r Rhythm) Config {
	return Config{Preset: p.Name, Dataset: p.Dataset, DataDir: dataDir, Fit: p.Fit, Flip: p.Flip, Run: p.Run, Rhythm: &r}
}

// AsPreset is the preset the config describes.
func (c Config) AsPreset() ct.Preset {
	return ct.Preset{Name: c.Preset, Dataset: c.Dataset, Fit: c.Fit, Flip: c.Flip, Run: c.Run}
}

// ErrNoConfig is the error of ReadConfig in a folder without config.json.
var ErrNoConfig = errors.New("no config.json")

// ReadConfig reads config.json.
func (f Folder) ReadConfig() (Config, error) {
	path := f.Path("config.json")
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}, fmt.Errorf("%s: %w (not a run folder)", f.Dir, ErrNoConfig)
	}
	if err != nil {
		return Config{}, err
	}
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return Config{}, fmt.Errorf("%s is damaged: %v", path, err)
	}
	return c, nil
}

// WriteConfig writes config.json, atomically.
func (f Folder) WriteConfig(c Config) error {
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(f.Path("config.json"), append(raw, '\n'))
}
