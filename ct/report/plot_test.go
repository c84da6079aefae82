package report

import (
	"image"
	"math"
	"slices"
	"strconv"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestLogTicksLabelNarrowRanges checks that a log axis gets labels whether
// it spans decades (powers of ten) or less than one (round values).
func TestLogTicksLabelNarrowRanges(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
	}{
		{3.7, 9.2, []string{"4", "6", "8"}},
		{0.02, 30, []string{"0.1", "1", "10"}},
	} {
		var labels []string
		for _, tk := range (logTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		for _, w := range c.want {
			if !slices.Contains(labels, w) {
				t.Errorf("ticks of [%v, %v]: labels %q lack %q", c.lo, c.hi, labels, w)
			}
		}
	}
}

// TestStepTicksAreWholeNumbers checks the step axis's labels: whole
// numbers written as such (plot.DefaultTicks wrote "250.00"), inside the
// range, at least two, evenly spaced.
func TestStepTicksAreWholeNumbers(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string // all the labels, in order
	}{
		{250, 1400, []string{"400", "600", "800", "1000", "1200", "1400"}},
		{50, 1400, []string{"250", "500", "750", "1000", "1250"}},
		{3, 6, []string{"3", "4", "5", "6"}},
		{1, 2, []string{"1", "2"}},
		{0, 400000, []string{"0", "100000", "200000", "300000", "400000"}},
		{10, 40, []string{"10", "15", "20", "25", "30", "35", "40"}},
		{0, 20000, []string{"0", "5000", "10000", "15000", "20000"}},
	} {
		var labels []string
		for _, tk := range (stepTicks{}).Ticks(c.lo, c.hi) {
			if tk.Value < c.lo || tk.Value > c.hi {
				t.Errorf("ticks of [%v, %v]: %v is outside", c.lo, c.hi, tk.Value)
			}
			if tk.Label == "" {
				continue
			}
			if want := strconv.Itoa(int(tk.Value)); tk.Label != want || tk.Value != math.Trunc(tk.Value) {
				t.Errorf("ticks of [%v, %v]: label %q at %v, want a whole step %q", c.lo, c.hi, tk.Label, tk.Value, want)
			}
			labels = append(labels, tk.Label)
		}
		if !slices.Equal(labels, c.want) {
			t.Errorf("ticks of [%v, %v]: labels %q, want %q", c.lo, c.hi, labels, c.want)
		}
	}
}

// TestLegendIsOffTheData draws a loss curve that rises into the top right
// corner, where a legend would sit, with its smoothed curve; then the
// same plot without legend entries. The two pictures must differ (the
// legend is drawn) and only outside the data area (it covers no curve).
func TestLegendIsOffTheData(t *testing.T) {
	var steps, loss, ema []float64
	for i := 0; i <= 100; i++ {
		steps = append(steps, float64(i))
		loss = append(loss, math.Exp(float64(i)/40)*(1+0.3*math.Sin(float64(i))))
		ema = append(ema, math.Exp(float64(i)/40))
	}
	curves := []Series{{Name: "loss", Steps: steps, Y: loss, Smooth: ema, SmoothName: "loss EMA"}}
	const w, h = 8 * vg.Inch, 4.5 * vg.Inch
	withLegend, err := lossPlot("x", "title", curves)
	if err != nil {
		t.Fatal(err)
	}
	without, err := lossPlot("x", "title", curves)
	if err != nil {
		t.Fatal(err)
	}
	without.Legend = plot.NewLegend() // no entries; the strip stays
	img := vgimg.New(w, h)
	withLegend.Draw(draw.New(img))
	a := img.Image()
	img2 := vgimg.New(w, h)
	without.Draw(draw.New(img2))
	b := img2.Image()

	// The data area in pixels (vg's y axis points up).
	data := withLegend.DataCanvas(draw.New(vgimg.New(w, h)))
	dpi := float64(vgimg.DefaultDPI)
	px := func(l vg.Length) int { return int(math.Round(l.Dots(dpi))) }
	area := image.Rect(px(data.Min.X), px(h)-px(data.Max.Y), px(data.Max.X), px(h)-px(data.Min.Y))
	if area.Dx() < 400 || area.Dy() < 200 {
		t.Fatalf("data area %v", area)
	}
	inside, outside := 0, 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) == b.At(x, y) {
				continue
			}
			if (image.Point{X: x, Y: y}).In(area) {
				inside++
			} else {
				outside++
			}
		}
	}
	if outside == 0 {
		t.Error("the legend was not drawn")
	}
	if inside > 0 {
		t.Errorf("the legend covers %d pixels of the data area %v", inside, area)
	}
}
