package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Series is one curve of a plot: y against the training step.
type Series struct {
	Name  string
	Steps []float64
	Y     []float64
	// Smooth, when set, holds a smoothed Y at the same steps (the loss's
	// EMA over every step, where Y is one step's loss at each log step):
	// it is drawn bold over Y, which is drawn faint with its points, in
	// the same colour. Values that cannot be drawn (0 in a metrics line
	// written before the EMA existed) are left out.
	Smooth     []float64
	SmoothName string // Smooth's legend entry
}

// PlotLoss draws curves against the training step on a log-scaled y axis
// (losses span decades over a run) and writes a PNG, atomically. Points
// that are not positive and finite are left out.
func PlotLoss(path, title string, curves ...Series) error {
	p, err := lossPlot(path, title, curves)
	if err != nil {
		return err
	}
	img := vgimg.New(8*vg.Inch, 4.5*vg.Inch)
	p.Draw(draw.New(img))
	return writePNG(path, img)
}

// writePNG encodes a drawn canvas as a PNG file, atomically.
func writePNG(path string, img *vgimg.Canvas) error {
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return err
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// lossPlot is PlotLoss's plot: curves on a log-scaled y axis.
func lossPlot(path, title string, curves []Series) (*plot.Plot, error) {
	p, drawn, err := logPanel(title, "loss", curves)
	if err != nil {
		return nil, err
	}
	if drawn == 0 {
		return nil, fmt.Errorf("report: nothing to plot in %s (no positive values yet)", path)
	}
	return p, nil
}

// logPanel plots curves against the step on a log-scaled y axis named
// yLabel, leaving out points that are not positive and finite, with the
// legend between the title and the data; it reports how many curves had
// points.
func logPanel(title, yLabel string, curves []Series) (*plot.Plot, int, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "step"
	p.X.Tick.Marker = stepTicks{}
	p.Y.Label.Text = yLabel
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.Add(plotter.NewGrid())
	drawn, err := addCurves(p, curves, func(y float64) bool { return y > 0 && !math.IsInf(y, 0) })
	legendAbove(p)
	return p, drawn, err
}

// legendGap separates the legend from the data area below it.
const legendGap = 1.5 * vg.Millimeter

// legendAbove moves p's legend from its corner of the data area, where a
// curve may run under it, to the right end of a strip between the title
// and the data. The strip is the title's padding; a plot without a title
// gets a blank one to hold it.
func legendAbove(p *plot.Plot) {
	box := p.Legend.Rectangle(draw.Canvas{})
	height := box.Max.Y - box.Min.Y
	if height == 0 {
		return
	}
	if p.Title.Text == "" {
		p.Title.Text = " "
	}
	p.Title.Padding += height + 2*legendGap
	// Legend.Draw puts the first entry's baseline a descent below the top
	// of the data area; moving it up by the legend's height, the descent
	// and the gap puts the last entry's bottom legendGap above the data.
	p.Legend.Top, p.Legend.Left = true, false
	p.Legend.YOffs = height + p.Legend.TextStyle.FontExtents().Descent + legendGap
}

// stepTicks labels the step axis with whole numbers: plot.DefaultTicks
// writes steps 250 apart as "250.00".
type stepTicks struct{}

func (stepTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(math.Round(lo), 'f', -1, 64)}}
	}
	major := wholeStep((hi - lo) / 6) // 3 to 7 labels
	minor := 0.0
	for _, parts := range []float64{5, 4, 2} {
		if m := major / parts; m >= 1 && m == math.Trunc(m) {
			minor = m
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/major) * major; v <= hi; v += major {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	if minor > 0 {
		for v := math.Ceil(lo/minor) * minor; v <= hi; v += minor {
			if math.Mod(v, major) != 0 {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	return ticks
}

// wholeStep is the smallest of 1, 2, 5, 10, 20, 25, 50, 100, 200, 250,
// ... that is at least x: a whole number of steps between labels.
func wholeStep(x float64) float64 {
	if x <= 1 {
		return 1
	}
	decade := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if s := m * decade; s >= x && s == math.Trunc(s) {
			return s
		}
	}
	return 10 * decade
}

// logTicks labels a log-scaled axis at powers of ten when it spans at
// least two of them, and at round linear values otherwise: a loss that
// falls from 9 to 4 would get no label at all from plot.LogTicks.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo > 0 && math.Floor(math.Log10(hi)) > math.Ceil(math.Log10(lo)) {
		return plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	}
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i, t := range ticks {
		// "12.50" and "10.00" read as 12.5 and 10.
		if strings.Contains(t.Label, ".") && !strings.ContainsAny(t.Label, "eE") {
			ticks[i].Label = strings.TrimSuffix(strings.TrimRight(t.Label, "0"), ".")
		}
	}
	return ticks
}

// addCurves adds the points of curves that keep accepts as lines with a
// legend entry each, and returns how many curves had points.
func addCurves(p *plot.Plot, curves []Series, keep func(float64) bool) (int, error) {
	drawn := 0
	for i, c := range curves {
		if len(c.Steps) != len(c.Y) || (c.Smooth != nil && len(c.Smooth) != len(c.Y)) {
			return 0, fmt.Errorf("report: curve %q has %d steps, %d values and %d smoothed values", c.Name, len(c.Steps), len(c.Y), len(c.Smooth))
		}
		pts, smooth := kept(c.Steps, c.Y, keep), kept(c.Steps, c.Smooth, keep)
		if len(pts) == 0 && len(smooth) == 0 {
			continue
		}
		col := plotColors[i%len(plotColors)]
		if len(pts) > 0 && len(smooth) == 0 {
			line, err := plotter.NewLine(pts)
			if err != nil {
				return 0, err
			}
			line.Color = col
			p.Add(line)
			if c.Name != "" {
				p.Legend.Add(c.Name, line)
			}
		}
		if len(pts) > 0 && len(smooth) > 0 {
			line, dots, err := plotter.NewLinePoints(pts)
			if err != nil {
				return 0, err
			}
			faint := tint(col, 0.55)
			line.Color, line.Width = faint, vg.Points(0.75)
			dots.Color, dots.Radius, dots.Shape = faint, vg.Points(1.5), draw.CircleGlyph{}
			p.Add(line, dots)
			if c.Name != "" {
				p.Legend.Add(c.Name, line, dots)
			}
		}
		if len(smooth) > 0 {
			line, err := plotter.NewLine(smooth)
			if err != nil {
				return 0, err
			}
			line.Color, line.Width = col, vg.Points(2)
			p.Add(line)
			if c.SmoothName != "" {
				p.Legend.Add(c.SmoothName, line)
			}
		}
		drawn++
	}
	return drawn, nil
}

// kept is the points (steps[j], ys[j]) whose y keep accepts.
func kept(steps, ys []float64, keep func(float64) bool) plotter.XYs {
	var pts plotter.XYs
	for j, y := range ys {
		if keep(y) {
			pts = append(pts, plotter.XY{X: steps[j], Y: y})
		}
	}
	return pts
}

// tint mixes c with white, white's share f: the faint colour of raw
// points under their smoothed curve.
func tint(c color.Color, f float64) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8(math.Round(float64(v>>8)*(1-f) + 255*f)) }
	return color.RGBA{mix(r), mix(g), mix(b), 255}
}
