package main

import (
	"fmt"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/loop"
	"github.com/ictvk/ictvk/eval/classifier"
	"github.com/ictvk/ictvk/nn"
)

// 'ict train --eval-every': sample scores recorded during training.

// evalSeed fixes the noise of evaluation samples, so scores along a run
// differ only by the weights.
const evalSeed = 0xe7a1

// trainEval is the observer that scores the EMA network's one-step
// samples every so many steps and at the last, for the observers after
// it (State.Scores: the metrics line, the progress).
type trainEval struct {
	ev       *classifier.Evaluator
	every, n int
	baseline float64
}

// openTrainEval loads the classifier for the run's images, or explains
// how to train one, before any training step is spent; nil without
// --eval-every.
func openTrainEval(f trainFlags, plan runPlan, e *nn.Engine, logf func(string, ...any)) (*trainEval, error) {
	every, n := plan.rhythm.EvalEvery, plan.rhythm.EvalN
	if every == 0 {
		return nil, nil
	}
	net := plan.preset.Run.Net
	ef := evalFlags{dataset: string(plan.preset.Dataset), fit: plan.preset.Fit.String(), imageSize: net.ImageSize, channels: net.ImageChannels, cache: f.evalCache}
	cfg, err := ef.config()
	if err != nil {
		return nil, fmt.Errorf("--eval-every: %w", err)
	}
	dir, err := ef.cacheDir()
	if err != nil {
		return nil, err
	}
	ev, err := classifier.OpenEvaluator(e, dir, cfg, plan.dataDir, logf)
	if err != nil {
		return nil, fmt.Errorf("--eval-every: %w", err)
	}
	b, err := ev.Baseline(n)
	if err != nil {
		ev.Free()
		return nil, err
	}
	logf("evaluating every %d steps with %d one-step samples (classifier %s; real-vs-real FID %.3f, %s)",
		every, n, cfg.Key(), b.Scores.FID, classifier.DescribeBaseline(b, ev.Ref))
	return &trainEval{ev: ev, every: every, n: n, baseline: b.Scores.FID}, nil
}

// Start does nothing: the classifier is loaded.
func (t *trainEval) Start(*loop.State) error { return nil }

// Step scores the samples when due.
func (t *trainEval) Step(s *loop.State) error {
	if s.Step%t.every != 0 && !s.Last {
		return nil
	}
	if _, err := s.Measure(); err != nil {
		return err
	}
	sc, err := t.score(s.Trainer)
	if err != nil {
		return err
	}
	s.Scores = sc
	return nil
}

// End frees the classifier.
func (t *trainEval) End(*loop.State, error) error {
	t.ev.Free()
	return nil
}

// score samples the trainer's EMA network and scores the samples.
func (t *trainEval) score(tr *ct.Trainer) (*loop.Scores, error) {
	start := time.Now()
	images, err := ct.SampleImages(tr.E, tr.EMA, tr.Run.Recipe, t.n, tr.Run.Recipe.OneStepSigmas(), evalSeed, tr.MicroBatch())
	if err != nil {
		return nil, fmt.Errorf("evaluation at step %d: %w", tr.Step, err)
	}
	sc, err := t.ev.Score(images, t.n)
	if err != nil {
		return nil, fmt.Errorf("evaluation at step %d: %w", tr.Step, err)
	}
	return &loop.Scores{FID: sc.FID, FIDBaseline: t.baseline, Coverage: sc.Coverage, Confidence: sc.Confidence,
		EvalSamples: t.n, EvalSeconds: time.Since(start).Seconds()}, nil
}
