// Package runconfig reads what the bench commands train or load from:
// 'ict model --json' output or a run folder's config.json.
package runconfig

import (
	"encoding/json"
	"fmt"
	"os"

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

// Read reads a config from path; a non-empty dataDir replaces its DataDir.
func Read(path, dataDir string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
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
