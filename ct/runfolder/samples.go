package runfolder

import (
	"fmt"

	"github.com/ictvk/ictvk/ct/loop"
	"github.com/ictvk/ictvk/ct/report"
)

// Samples is the observer that writes one- and two-step grids of the EMA
// network's samples every Every steps and at the last step:
// samples/stepNNNNNNN_1step.png, and latest_1step.png beside it (2step
// alike). The noise is report.SampleNoiseSeed's at every step, so the
// grids of a run show how the same draws change.
type Samples struct {
	Folder Folder
	Every  int
}

// Start does nothing.
func (g *Samples) Start(*loop.State) error { return nil }

// Step writes the grids when they are due, in chunks of the training
// micro-batch: a pass of it fits the device, and sampling reuses the
// pipelines training built.
func (g *Samples) Step(s *loop.State) error {
	if s.Step%g.Every != 0 && !s.Last {
		return nil
	}
	if _, err := s.Measure(); err != nil {
		return err
	}
	tr := s.Trainer
	for _, kind := range []struct {
		name   string
		sigmas []float64
	}{{"1step", tr.Run.Recipe.OneStepSigmas()}, {"2step", tr.Run.Recipe.TwoStepSigmas()}} {
		vals, err := report.SampleGrid(tr.E, tr.EMA, tr.Run.Recipe, kind.sigmas, report.SampleNoiseSeed, tr.MicroBatch())
		if err != nil {
			return fmt.Errorf("sample grid at step %d: %w", s.Step, err)
		}
		for _, name := range []string{fmt.Sprintf("step%07d_%s.png", s.Step, kind.name), "latest_" + kind.name + ".png"} {
			if err := report.WriteSampleGrid(g.Folder.Path("samples", name), vals, tr.Run.Net); err != nil {
				return err
			}
		}
	}
	return nil
}

// End does nothing.
func (g *Samples) End(*loop.State, error) error { return nil }
