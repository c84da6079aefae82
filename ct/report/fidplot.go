package report

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PlotLossAndFID draws the loss curves (log scale, as PlotLoss) above a
// panel of sample scores against the same steps (FID and its
// real-vs-real baseline, say; also log scale, positive values only), and
// writes a PNG atomically.
func PlotLossAndFID(path, title string, loss []Series, scores []Series) error {
	top, err := lossPlot(path, title, loss)
	if err != nil {
		return err
	}
	// Log scale too: FID falls by decades, and the baseline sits near the
	// bottom, where a linear axis would flatten it onto 0.
	bottom, drawn, err := logPanel("sample FID (lower is better)", "FID", scores)
	if err != nil {
		return err
	}
	if drawn == 0 {
		return fmt.Errorf("report: no scores to plot in %s", path)
	}
	// One x range for both panels, so steps line up.
	xmin, xmax := math.Min(top.X.Min, bottom.X.Min), math.Max(top.X.Max, bottom.X.Max)
	top.X.Min, top.X.Max, bottom.X.Min, bottom.X.Max = xmin, xmax, xmin, xmax

	img := vgimg.New(8*vg.Inch, 7*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Millimeter, PadY: 2 * vg.Millimeter, PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter}
	plots := [][]*plot.Plot{{top}, {bottom}}
	canvases := plot.Align(plots, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	return writePNG(path, img)
}
