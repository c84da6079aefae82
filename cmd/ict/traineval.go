package main

import (
	"fmt"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/report"
	"github.com/ictvk/ictvk/eval/classifier"
	"github.com/ictvk/ictvk/nn"
)

// 'ict train --eval-every': sample scores recorded during training.

// EvalMetrics are the scores a metrics line carries at an evaluation step
// (the line's other fields as usual); absent on other lines.
type EvalMetrics struct {
	FID         float64 `json:"fid"`
	FIDBaseline float64 `json:"fid_baseline"`
	Coverage    float64 `json:"coverage"`
	Confidence  float64 `json:"confidence"`
	EvalSamples int     `json:"eval_n"`
	EvalSeconds float64 `json:"eval_seconds"`
}

// evalSeed fixes the noise of evaluation samples, so scores along a run
// differ only by the weights.
const evalSeed = 0xe7a1

// trainEval scores the EMA network's one-step samples.
type trainEval struct {
	ev       *classifier.Evaluator
	n        int
	baseline float64
}

// openTrainEval loads the classifier for the run's images, or explains
// how to train one, before any training step is spent.
func openTrainEval(f trainFlags, preset ct.Preset, dataDir string, e *nn.Engine, logf func(string, ...any)) (*trainEval, error) {
	if f.evalEvery == 0 {
		return nil, nil
	}
	if f.evalN < 2 {
		return nil, fmt.Errorf("--eval-n %d: want at least 2 samples", f.evalN)
	}
	net := preset.Run.Net
	ef := evalFlags{dataset: string(preset.Dataset), fit: preset.Fit.String(), imageSize: net.ImageSize, channels: net.ImageChannels, cache: f.evalCache}
	cfg, err := ef.config()
	if err != nil {
		return nil, fmt.Errorf("--eval-every: %w", err)
	}
	dir, err := ef.cacheDir()
	if err != nil {
		return nil, err
	}
	ev, err := classifier.OpenEvaluator(e, dir, cfg, dataDir, logf)
	if err != nil {
		return nil, fmt.Errorf("--eval-every: %w", err)
	}
	b, err := ev.Baseline(f.evalN)
	if err != nil {
		ev.Free()
		return nil, err
	}
	logf("evaluating every %d steps with %d one-step samples (classifier %s; real-vs-real FID %.3f, %s)",
		f.evalEvery, f.evalN, cfg.Key(), b.Scores.FID, classifier.DescribeBaseline(b, ev.Ref))
	return &trainEval{ev: ev, n: f.evalN, baseline: b.Scores.FID}, nil
}

// score samples the trainer's EMA network and scores the samples.
func (t *trainEval) score(tr *ct.Trainer) (*EvalMetrics, error) {
	start := time.Now()
	images, err := ct.SampleImages(tr.E, tr.EMA, tr.Run.Recipe, t.n, tr.Run.Recipe.OneStepSigmas(), evalSeed, tr.MicroBatch())
	if err != nil {
		return nil, fmt.Errorf("evaluation at step %d: %w", tr.Step, err)
	}
	sc, err := t.ev.Score(images, t.n)
	if err != nil {
		return nil, fmt.Errorf("evaluation at step %d: %w", tr.Step, err)
	}
	return &EvalMetrics{FID: sc.FID, FIDBaseline: t.baseline, Coverage: sc.Coverage, Confidence: sc.Confidence,
		EvalSamples: t.n, EvalSeconds: time.Since(start).Seconds()}, nil
}

// fidSeries are the FID curve and its baseline from the metrics lines that
// carry scores; none when no line does.
func fidSeries(history []metricsLine) []report.Series {
	fid := report.Series{Name: "FID (1-step EMA samples)"}
	base := report.Series{Name: "real-vs-real baseline"}
	for _, m := range history {
		if m.EvalMetrics != nil {
			fid.Steps, fid.Y = append(fid.Steps, float64(m.Step)), append(fid.Y, m.FID)
			base.Steps, base.Y = append(base.Steps, float64(m.Step)), append(base.Y, m.FIDBaseline)
		}
	}
	if len(fid.Y) == 0 {
		return nil
	}
	return []report.Series{fid, base}
}
