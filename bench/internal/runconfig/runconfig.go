// Package runconfig reads what the bench commands train or load from:
// 'ict model --json' output or a run folder's config.json.
package runconfig

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
)

// Config is the part of a run's configuration the bench commands use.
type Config struct {
	Dataset data.Source
	DataDir string
	Fit     data.Fit
	Flip    bool
	Run     ct.Run
}

// want is what Read's errors say a config file is.
const want = "want 'ict model --json' output or a run folder's config.json"

// Read reads a config from path; a non-empty dataDir replaces its DataDir.
// A file without a Dataset and a Run (another JSON file) is refused
// rather than read as an empty run; every error names the file.
func Read(path, dataDir string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err // names the path
	}
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return Config{}, fmt.Errorf("%s: %w (%s)", path, err, want)
	}
	// Pointers tell a key left out (or null) from a zero value.
	var has struct{ Dataset, Run *json.RawMessage }
	if err := json.Unmarshal(raw, &has); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case has.Dataset == nil:
		return Config{}, fmt.Errorf("%s has no Dataset: %s", path, want)
	case has.Run == nil:
		return Config{}, fmt.Errorf("%s has no Run: %s", path, want)
	case !slices.Contains(data.Sources(), c.Dataset):
		return Config{}, fmt.Errorf("%s: Dataset %q: want one of %v", path, c.Dataset, data.Sources())
	}
	if err := c.Run.Net.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: Run.Net: %w", path, err)
	}
	if dataDir != "" {
		c.DataDir = dataDir
	}
	return c, nil
}

// Load loads the config's training images at the network's size, at
// most limit of them (0: all).
func (c Config) Load(limit int) (*data.Dataset, error) {
	net := c.Run.Net
	return data.Load(c.Dataset, c.DataDir, data.Options{Split: data.Train, Size: net.ImageSize, Channels: net.ImageChannels, Fit: c.Fit, Limit: limit})
}
