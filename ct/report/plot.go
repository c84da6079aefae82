package report

import (
	"bytes"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Series is one curve of a plot: y against the training step.
type Series struct {
	Name  string
	Steps []float64
	Y     []float64
}

// PlotLoss draws curves against the training step on a log-scaled y axis
// (losses span decades over a run) and writes a PNG, atomically. Points
// that are not positive and finite are left out.
func PlotLoss(path, title string, curves ...Series) error {
	p, err := lossPlot(path, title, curves)
	if err != nil {
		return err
	}
	w, err := p.WriterTo(8*vg.Inch, 4.5*vg.Inch, "png")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return err
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// lossPlot is PlotLoss's plot: curves on a log-scaled y axis.
func lossPlot(path, title string, curves []Series) (*plot.Plot, error) {
	p, drawn, err := logPanel("loss", curves)
	if err != nil {
		return nil, err
	}
	p.Title.Text = title
	if drawn == 0 {
		return nil, fmt.Errorf("report: nothing to plot in %s (no positive values yet)", path)
	}
	return p, nil
}

// logPanel plots curves against the step on a log-scaled y axis named
// yLabel, leaving out points that are not positive and finite; it reports
// how many curves had points.
func logPanel(yLabel string, curves []Series) (*plot.Plot, int, error) {
	p := plot.New()
	p.X.Label.Text = "step"
	p.Y.Label.Text = yLabel
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.Add(plotter.NewGrid())
	drawn, err := addCurves(p, curves, func(y float64) bool { return y > 0 && !math.IsInf(y, 0) })
	return p, drawn, err
}

// logTicks labels a log-scaled axis at powers of ten when it spans at
// least two of them, and at round linear values otherwise: a loss that
// falls from 9 to 4 would get no label at all from plot.LogTicks.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo > 0 && math.Floor(math.Log10(hi)) > math.Ceil(math.Log10(lo)) {
		return plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	}
	return plot.DefaultTicks{}.Ticks(lo, hi)
}

// addCurves adds the points of curves that keep accepts as lines with a
// legend entry each, and returns how many curves had points.
func addCurves(p *plot.Plot, curves []Series, keep func(float64) bool) (int, error) {
	drawn := 0
	for i, c := range curves {
		if len(c.Steps) != len(c.Y) {
			return 0, fmt.Errorf("report: curve %q has %d steps and %d values", c.Name, len(c.Steps), len(c.Y))
		}
		var pts plotter.XYs
		for j := range c.Y {
			if y := c.Y[j]; keep(y) {
				pts = append(pts, plotter.XY{X: c.Steps[j], Y: y})
			}
		}
		if len(pts) == 0 {
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return 0, err
		}
		line.Color = plotColors[i%len(plotColors)]
		p.Add(line)
		if c.Name != "" {
			p.Legend.Add(c.Name, line)
		}
		drawn++
	}
	return drawn, nil
}
