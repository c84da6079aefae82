package ct

import (
	"errors"
	"fmt"
)

// StepDraws is what a training step drew besides its images: the noise
// index of each sample (0-based into the grid of N(k): the pair
// sigma_i, sigma_{i+1}) and the noise z. With the step's images and the
// weights it started from, they determine the step, so another
// implementation can replay it (bench/steptrace.go and the PyTorch
// mirror's replay compare ictvk's steps with PyTorch's this way).
type StepDraws struct {
	Step     int       // the step's k (0-based)
	GridSize int       // N(k)
	Indices  []int32   // [B]
	Noise    []float32 // [B, C, H, W]
}

// LastDraws waits for the device and returns the draws of the last step.
// The noise is drawn again from the step's key (a pure function of the
// seed and the step), so it costs the trainer nothing when unused.
func (t *Trainer) LastDraws() (StepDraws, error) {
	if !t.stepped || t.lastIndices == nil {
		return StepDraws{}, errors.New("ct: no step has run")
	}
	k := t.Step - 1
	c := t.Run.Net
	z := t.E.RandNormal(noiseKey(t.Run.Seed, k, 0), t.Run.Recipe.BatchSize, c.ImageChannels, c.ImageSize, c.ImageSize)
	noise, err := z.Download()
	z.Free()
	if err != nil {
		return StepDraws{}, fmt.Errorf("ct: reading step %d's noise: %w", k, err)
	}
	return StepDraws{Step: k, GridSize: t.lastGrid, Indices: append([]int32(nil), t.lastIndices...), Noise: noise}, nil
}
