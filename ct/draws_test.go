package ct

import (
	"slices"
	"testing"

	"github.com/ictvk/ictvk/nn"
)

// TestLastDrawsAreTheStepsDraws checks LastDraws against the draws
// TestStepLossMatchesTheFormulas shows a step uses: the indices of the
// trainer's index stream and the normals of the key (seed ^ noiseStream,
// k), at steps 0 and 1.
func TestLastDrawsAreTheStepsDraws(t *testing.T) {
	e := openEngine(t)
	run := tinyRun()
	tr, err := NewTrainer(e, run)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.LastDraws(); err == nil {
		t.Error("LastDraws before any step: no error")
	}
	c, b := run.Net, run.Recipe.BatchSize
	shape := []int{b, c.ImageChannels, c.ImageSize, c.ImageSize}
	rng := NewRand(run.Seed)
	for k := 0; k < 2; k++ {
		n := tr.GridSize()
		grid, err := run.Recipe.NoiseGrid(n)
		if err != nil {
			t.Fatal(err)
		}
		sampler, err := NewIndexSampler(grid.Probs)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]int32, b)
		sampler.Fill(rng, want)
		if err := tr.TrainStep(batchOf(uint64(k), b*c.ImageChannels*c.ImageSize*c.ImageSize)); err != nil {
			t.Fatal(err)
		}
		got, err := tr.LastDraws()
		if err != nil {
			t.Fatal(err)
		}
		if got.Step != k || got.GridSize != n || !slices.Equal(got.Indices, want) {
			t.Errorf("step %d: LastDraws gives step %d, N %d, indices %v; want N %d, indices %v", k, got.Step, got.GridSize, got.Indices, n, want)
		}
		z := deviceNormals(t, e, nn.RNGKey{Seed: run.Seed ^ noiseStream, Step: uint32(k)}, shape...)
		if !slices.Equal(f64(got.Noise), z) {
			t.Errorf("step %d: LastDraws' noise is not the step's", k)
		}
	}
}
