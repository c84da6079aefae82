package runfolder

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/ictvk/ictvk/ct/loop"
	"github.com/ictvk/ictvk/ct/report"
	"github.com/ictvk/ictvk/internal/atomicfile"
)

// MetricsLine is one line of metrics.jsonl.
type MetricsLine struct {
	Step         int     `json:"step"`
	Loss         float64 `json:"loss"`
	LossEMA      float64 `json:"loss_ema,omitempty"` // every step's loss, averaged (Trainer.LossEMA)
	N            int     `json:"N"`
	LR           float64 `json:"lr"`
	ImagesPerSec float64 `json:"images_per_s"`
	Seconds      float64 `json:"seconds"`
	*loop.Scores         // at scored steps only
}

// Metrics is the observer that appends a line to metrics.jsonl every
// Every steps, at the last step and at scored steps, and draws loss.png
// from all the lines every PlotEvery steps and at the last.
type Metrics struct {
	Every, PlotEvery int
	// Dropped counts the lines OpenMetrics removed.
	Dropped int

	folder  Folder
	file    *os.File
	history []MetricsLine
	mark    loop.Measurement // of the last line: images/s are since then
}

// OpenMetrics opens metrics.jsonl for appending, keeping the lines of
// steps up to keepThrough: a run resumed from a checkpoint of that step
// trains the later steps again, so the lines a killed process logged for
// them go (the file is rewritten atomically). So do lines that do not
// parse, such as one a kill cut short.
func (f Folder) OpenMetrics(keepThrough, every, plotEvery int) (*Metrics, error) {
	path := f.Path("metrics.jsonl")
	m := &Metrics{Every: every, PlotEvery: plotEvery, folder: f}
	raw, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("run folder: %w", err)
	}
	var kept []byte
	for _, line := range bytes.SplitAfter(raw, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var l MetricsLine
		if json.Unmarshal(line, &l) != nil || l.Step > keepThrough || line[len(line)-1] != '\n' {
			m.Dropped++
			continue
		}
		kept = append(kept, line...)
		m.history = append(m.history, l)
	}
	if m.Dropped > 0 {
		if err := atomicfile.Write(path, kept); err != nil {
			return nil, err
		}
	}
	if m.file, err = os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
		return nil, fmt.Errorf("run folder: %w", err)
	}
	return m, nil
}

// History is the lines so far.
func (m *Metrics) History() []MetricsLine { return m.history }

// Start does nothing: the file is open.
func (m *Metrics) Start(*loop.State) error { return nil }

// Step writes the step's line and draws loss.png when they are due.
func (m *Metrics) Step(s *loop.State) error {
	if s.Step%m.Every == 0 || s.Last || s.Scores != nil {
		meas, err := s.Measure()
		if err != nil {
			return err
		}
		tr := s.Trainer
		line := MetricsLine{Step: s.Step, Loss: meas.Loss, LossEMA: meas.LossEMA, N: tr.GridSize(), LR: tr.Opt.Config.LearningRate(s.Step),
			ImagesPerSec: meas.ImagesPerSec(m.mark), Seconds: meas.Seconds, Scores: s.Scores}
		raw, _ := json.Marshal(line)
		if _, err := m.file.Write(append(raw, '\n')); err != nil {
			return fmt.Errorf("metrics.jsonl: %w", err)
		}
		m.history = append(m.history, line)
		m.mark = meas
	}
	if s.Step%m.PlotEvery == 0 || s.Last {
		return m.plot()
	}
	return nil
}

// End closes the file.
func (m *Metrics) End(*loop.State, error) error { return m.Close() }

// Close closes the file; later calls do nothing.
func (m *Metrics) Close() error {
	if m.file == nil {
		return nil
	}
	err := m.file.Close()
	m.file = nil
	return err
}

// plot draws loss.png: the loss, and the FID where lines carry scores.
func (m *Metrics) plot() error {
	var steps, losses, emas []float64
	for _, l := range m.history {
		steps = append(steps, float64(l.Step))
		losses = append(losses, l.Loss)
		emas = append(emas, l.LossEMA)
	}
	loss := report.Series{Name: "loss of the logged step", Steps: steps, Y: losses,
		Smooth: emas, SmoothName: "EMA of every step's loss"}
	path := m.folder.Path("loss.png")
	var err error
	if fid := fidSeries(m.history); fid != nil {
		err = report.PlotLossAndFID(path, "iCT training loss and sample FID", []report.Series{loss}, fid)
	} else {
		err = report.PlotLoss(path, "iCT training loss", loss)
	}
	if err != nil && len(m.history) > 0 {
		return err
	}
	return nil
}

// fidSeries are the FID curve and its baseline from the lines that carry
// scores; none when no line does.
func fidSeries(history []MetricsLine) []report.Series {
	fid := report.Series{Name: "FID (1-step EMA samples)"}
	base := report.Series{Name: "real-vs-real baseline"}
	for _, m := range history {
		if m.Scores != nil {
			fid.Steps, fid.Y = append(fid.Steps, float64(m.Step)), append(fid.Y, m.FID)
			base.Steps, base.Y = append(base.Steps, float64(m.Step)), append(base.Y, m.FIDBaseline)
		}
	}
	if len(fid.Y) == 0 {
		return nil
	}
	return []report.Series{fid, base}
}
