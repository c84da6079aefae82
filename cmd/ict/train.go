package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"

	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/ct/report"
	"github.com/ictvk/ictvk/internal/atomicfile"
	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/checkpoint"
	"github.com/ictvk/ictvk/vk"
)

// trainFlags are the knobs of 'ict train'; flags not given leave the
// preset's values.
type trainFlags struct {
	preset, dataset, dataDir, out, resume string
	imageSize, channels, batch, total     int
	microBatch                            int
	given                                 map[string]bool // the flags set on the command line
	baseChannels, blocks                  int
	channelMults, attention               string
	fit                                   string
	lr, dropout, fourierScale, ema        float64
	s0, s1                                int
	seed                                  uint64
	device                                int
	logEvery, sampleEvery, ckptEvery      int
	keepEvery                             int
	budget                                time.Duration
	quiet                                 bool
	// ablations of the original CT settings (empty: the preset's)
	metric, weighting, noiseDist, curriculum string
	teacherEMA, clipNorm                     float64
	warmup                                   int
	view                                     bool
	live                                     *liveView // the --view window (view.go)
	// sample scores during training (0: off)
	evalEvery, evalN int
	evalCache        string
}

const batcherMeta = "ictvk.batcher"

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", stderr)
	var f trainFlags
	env, err := vk.OptionsFromEnv()
	if err != nil {
		return err
	}
	fs.StringVar(&f.preset, "preset", "mnist", "starting configuration: "+joinNames(ct.PresetNames()))
	fs.StringVar(&f.dataset, "dataset", "", "dataset: mnist, fashion-mnist, cifar10 or folder (default: the preset's)")
	fs.StringVar(&f.dataDir, "data", "", "folder of the dataset's files (default: where 'make data' puts them)")
	fs.StringVar(&f.out, "out", "", "run folder to create (default: runs/PRESET-TIME)")
	fs.StringVar(&f.resume, "resume", "", "continue the run in this folder from its latest checkpoint")
	fs.IntVar(&f.imageSize, "image-size", 0, "image height and width")
	fs.IntVar(&f.channels, "channels", 0, "image channels (1 or 3)")
	fs.IntVar(&f.baseChannels, "base-channels", 0, "U-Net channels at full resolution")
	fs.StringVar(&f.channelMults, "channel-mults", "", "U-Net channel multipliers per resolution level, e.g. 1,2,2")
	fs.IntVar(&f.blocks, "blocks", 0, "U-Net residual blocks per level")
	fs.StringVar(&f.attention, "attention", "", "feature-map sizes with self-attention, e.g. 16,8 (\"none\": only the middle block's)")
	fs.StringVar(&f.fit, "fit", "", "how 28x28 or 32x32 images reach --image-size: pad (or center-crop) or resize (default: the preset's)")
	fs.IntVar(&f.batch, "batch", 0, "images per step")
	fs.IntVar(&f.microBatch, "micro-batch", 0, microBatchUsage)
	fs.IntVar(&f.total, "total", 0, "training iterations K (sets the curriculum)")
	fs.Float64Var(&f.lr, "lr", 0, "learning rate")
	fs.Float64Var(&f.dropout, "dropout", 0, "dropout probability (default: the preset's)")
	fs.Float64Var(&f.fourierScale, "fourier-scale", 0, "scale of the Fourier noise embedding")
	fs.Float64Var(&f.ema, "ema", 0, "decay of the evaluation EMA")
	fs.IntVar(&f.s0, "s0", 0, "initial discretization steps s0")
	fs.IntVar(&f.s1, "s1", 0, "final discretization steps s1")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of every random draw (default: the preset's)")
	fs.IntVar(&f.device, "device", env.Device, "Vulkan device index (see 'ict devices'; default ICT_DEVICE or automatic)")
	fs.IntVar(&f.logEvery, "log-every", 50, "steps between metrics lines")
	fs.IntVar(&f.sampleEvery, "sample-every", 250, "steps between sample grids")
	fs.IntVar(&f.ckptEvery, "ckpt-every", 250, "steps between checkpoints (checkpoints/latest.safetensors)")
	fs.IntVar(&f.keepEvery, "keep-every", 1000, "steps between checkpoints kept for good as checkpoints/stepNNNNNNN.safetensors (0: none)")
	fs.StringVar(&f.metric, "metric", "", "loss metric: pseudo-huber (iCT), squared-l2 or l1")
	fs.StringVar(&f.weighting, "weighting", "", "loss weighting: inverse-gap (iCT) or uniform")
	fs.StringVar(&f.noiseDist, "noise-dist", "", "noise-index distribution: lognormal (iCT) or uniform")
	fs.StringVar(&f.curriculum, "curriculum", "", "discretization curriculum: exponential (iCT) or square-root (CT)")
	fs.Float64Var(&f.teacherEMA, "teacher-ema", 0, "mu0 of the original CT's teacher EMA (0: iCT's teacher without EMA; default: the preset's)")
	fs.Float64Var(&f.clipNorm, "clip-norm", 0, "clip gradients to this global L2 norm (0: off)")
	fs.IntVar(&f.warmup, "warmup", 0, "learning-rate warm-up steps (default: the preset's)")
	fs.DurationVar(&f.budget, "budget", 0, "fit the run into this wall time (e.g. 15m): measures a step and sets --total")
	fs.BoolVar(&f.quiet, "quiet", false, "print only errors and the final line")
	fs.BoolVar(&f.view, "view", false, "show samples in a window while training: space pauses, 1/2 one- or two-step, n new noise, s saves, q stops, Esc closes the window")
	fs.IntVar(&f.evalEvery, "eval-every", 0, "steps between FID evaluations recorded in metrics.jsonl (0: off; needs 'ict classifier train')")
	fs.IntVar(&f.evalN, "eval-n", 1000, "samples per FID evaluation")
	fs.StringVar(&f.evalCache, "eval-cache", "", "folder of cached classifiers (default $XDG_CACHE_HOME/ictvk/eval)")
	if err := parse(fs, args); err != nil {
		return err
	}
	f.given = givenFlags(fs)
	if f.logEvery < 1 || f.sampleEvery < 1 || f.ckptEvery < 1 || f.evalEvery < 0 {
		return fmt.Errorf("--log-every, --sample-every and --ckpt-every must be at least 1, --eval-every at least 0")
	}
	if f.keepEvery < 0 {
		return fmt.Errorf("--keep-every %d: want 0 (none) or a number of steps", f.keepEvery)
	}
	env.Device = f.device
	if f.view {
		return trainWithView(f, env, stdout)
	}
	return train(f, env, stdout)
}

const microBatchUsage = "images per forward/backward pass: a step runs batch/micro-batch passes whose gradients add up before one optimizer step; must divide --batch (default: the largest that fits the device's memory; a resume keeps the run's)"

// givenFlags returns the names of the flags set on the command line, so
// that a flag given as 0 is told from one left out.
func givenFlags(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given
}

// checkMicroBatchFlag refuses a --micro-batch that cannot split batch.
func checkMicroBatchFlag(m, batch int) error {
	if m < 1 || m > batch || batch%m != 0 {
		return fmt.Errorf("--micro-batch %d: want a divisor of the batch %d from 1 to %d (leave the flag out to choose one from the device's memory)", m, batch, batch)
	}
	return nil
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

// applyFlags overrides the preset with the flags that were given; a flag
// given with a value out of its range (0 included) is refused by name.
func applyFlags(p *ct.Preset, f trainFlags) error {
	r, n := &p.Run.Recipe, &p.Run.Net
	if f.given["dataset"] {
		p.Dataset = data.Source(f.dataset)
		valid := false
		for _, s := range data.Sources() {
			valid = valid || s == p.Dataset
		}
		if !valid {
			return fmt.Errorf("--dataset %q: want one of %v", f.dataset, data.Sources())
		}
	}
	for _, x := range []struct {
		flag         string
		value, least int
		dst          *int
	}{
		{"image-size", f.imageSize, 1, &n.ImageSize},
		{"channels", f.channels, 1, &n.ImageChannels},
		{"batch", f.batch, 1, &r.BatchSize},
		{"base-channels", f.baseChannels, 1, &n.BaseChannels},
		{"blocks", f.blocks, 1, &n.BlocksPerLevel},
		{"total", f.total, 1, &r.TotalIters},
		{"s0", f.s0, 1, &r.S0},
		{"s1", f.s1, 1, &r.S1},
		{"warmup", f.warmup, 0, &p.Run.WarmupSteps},
	} {
		if !f.given[x.flag] {
			continue
		}
		if x.value < x.least {
			return fmt.Errorf("--%s %d: want at least %d", x.flag, x.value, x.least)
		}
		*x.dst = x.value
	}
	for _, x := range []struct {
		flag  string
		value float64
		check func(float64) bool
		want  string
		dst   []*float64
	}{
		{"lr", f.lr, positiveFinite, "a positive number", []*float64{&r.LearningRate}},
		{"fourier-scale", f.fourierScale, positiveFinite, "a positive number", []*float64{&n.FourierScale}},
		{"dropout", f.dropout, inUnitInterval, "a number in [0, 1)", []*float64{&n.Dropout}},
		{"ema", f.ema, inUnitInterval, "a number in [0, 1)", []*float64{&r.EvalEMADecay}},
		{"teacher-ema", f.teacherEMA, inUnitInterval, "a number in [0, 1)", []*float64{&r.TeacherEMAStart}},
		{"clip-norm", f.clipNorm, func(v float64) bool { return v == 0 || positiveFinite(v) }, "0 (off) or a positive norm", []*float64{&p.Run.ClipNorm}},
	} {
		if !f.given[x.flag] {
			continue
		}
		if !x.check(x.value) {
			return fmt.Errorf("--%s %v: want %s", x.flag, x.value, x.want)
		}
		for _, d := range x.dst {
			*d = x.value
		}
	}
	if f.given["channel-mults"] {
		m, err := parseInts("--channel-mults", f.channelMults)
		if err != nil {
			return err
		}
		n.ChannelMults = m
	}
	if f.given["attention"] {
		if f.attention == "none" {
			n.AttentionResolutions = nil
		} else {
			a, err := parseInts("--attention", f.attention)
			if err != nil {
				return fmt.Errorf("--attention %q: want feature-map sizes separated by commas, or none", f.attention)
			}
			n.AttentionResolutions = a
		}
	}
	if f.given["fit"] {
		switch f.fit {
		case "pad":
			p.Fit = data.Pad
		case "resize":
			p.Fit = data.Resize
		default:
			return fmt.Errorf("--fit %q: want pad or resize", f.fit)
		}
	}
	if f.given["seed"] {
		p.Run.Seed = f.seed
	}
	for _, x := range []struct {
		flag, value string
		dst         interface{ UnmarshalText([]byte) error }
	}{{"metric", f.metric, &r.Metric}, {"weighting", f.weighting, &r.Weighting}, {"noise-dist", f.noiseDist, &r.NoiseDistribution}, {"curriculum", f.curriculum, &r.CurriculumKind}} {
		if f.given[x.flag] {
			if err := x.dst.UnmarshalText([]byte(x.value)); err != nil {
				return fmt.Errorf("--%s: %v", x.flag, err)
			}
		}
	}
	if f.given["micro-batch"] {
		if err := checkMicroBatchFlag(f.microBatch, r.BatchSize); err != nil {
			return err
		}
		p.Run.MicroBatch = f.microBatch
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return n.Validate()
}

func positiveFinite(v float64) bool { return v > 0 && !math.IsInf(v, 1) }

func inUnitInterval(v float64) bool { return v >= 0 && v < 1 }

// passesNote describes how a step is split, or nothing for one pass.
func passesNote(tr *ct.Trainer) string {
	b, m := tr.Run.Recipe.BatchSize, tr.MicroBatch()
	if m >= b {
		return ""
	}
	return fmt.Sprintf(" in %d passes of %d", b/m, m)
}

// setConfigMicroBatch records a micro-batch given again on resume in the
// run's config.json, keeping the rest of the file as it is.
func setConfigMicroBatch(path string, m int) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("%s is damaged: %v", path, err)
	}
	run, ok := cfg["Run"].(map[string]any)
	if !ok {
		return fmt.Errorf("%s has no Run", path)
	}
	run["MicroBatch"] = m
	out, _ := json.MarshalIndent(cfg, "", "  ")
	return report.WriteFileAtomic(path, append(out, '\n'))
}

// keepCheckpoint keeps the checkpoint just written as latest under the
// step's name: a hard link (no copy; replacing latest later leaves it be),
// or a copy where the file system has no links.
func keepCheckpoint(folder runFolder, step int) error {
	latest := folder.path("checkpoints", "latest.safetensors")
	kept := folder.path("checkpoints", fmt.Sprintf("step%07d.safetensors", step))
	os.Remove(kept) // a resumed run may pass the same step again
	if err := os.Link(latest, kept); err == nil {
		return nil
	}
	raw, err := os.ReadFile(latest)
	if err == nil {
		err = report.WriteFileAtomic(kept, raw)
	}
	if err != nil {
		return fmt.Errorf("keeping the checkpoint of step %d: %w", step, err)
	}
	return nil
}

// parseInts reads a comma-separated list of positive integers.
func parseInts(flagName, s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%s %q: want positive integers separated by commas", flagName, s)
		}
		out = append(out, v)
	}
	return out, nil
}

// runFolder is where a run leaves its artifacts.
type runFolder struct{ dir string }

func (r runFolder) path(parts ...string) string {
	return filepath.Join(append([]string{r.dir}, parts...)...)
}

func (r runFolder) create() error {
	for _, d := range []string{r.dir, r.path("samples"), r.path("checkpoints")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("run folder: %w", err)
		}
	}
	// Fail now, not after an hour of training, if the folder is not writable.
	probe := r.path(".write-test")
	if err := os.WriteFile(probe, nil, 0o644); err != nil {
		return fmt.Errorf("run folder %s is not writable: %w", r.dir, err)
	}
	return os.Remove(probe)
}

// removeStaleTemps removes the temporary files that killed writes of
// checkpoints, grids or the config left in the run folder (nothing else
// would ever remove them) and returns their names.
func (r runFolder) removeStaleTemps() ([]string, error) {
	var removed []string
	for _, d := range []string{r.dir, r.path("samples"), r.path("checkpoints")} {
		entries, err := os.ReadDir(d)
		if err != nil {
			return removed, fmt.Errorf("run folder: %w", err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || !(checkpoint.IsTemp(e.Name()) || atomicfile.IsTemp(e.Name())) {
				continue
			}
			if err := os.Remove(filepath.Join(d, e.Name())); err != nil {
				return removed, fmt.Errorf("run folder: removing a stale temporary file: %w", err)
			}
			removed = append(removed, e.Name())
		}
	}
	return removed, nil
}

type metricsLine struct {
	Step         int     `json:"step"`
	Loss         float64 `json:"loss"`
	LossEMA      float64 `json:"loss_ema,omitempty"` // ct.Trainer.LossEMA: every step's loss, averaged
	N            int     `json:"N"`
	LR           float64 `json:"lr"`
	ImagesPerSec float64 `json:"images_per_s"`
	Seconds      float64 `json:"seconds"`
	*EvalMetrics         // at --eval-every steps only
}

func train(f trainFlags, devOpt vk.Options, stdout io.Writer) error {
	start := time.Now()
	logf := func(format string, args ...any) {
		if !f.quiet {
			fmt.Fprintf(stdout, format+"\n", args...)
		}
	}
	var preset ct.Preset
	var folder runFolder
	var resumeCkpt string
	if f.resume != "" {
		folder = runFolder{f.resume}
		resumeCkpt = folder.path("checkpoints", "latest.safetensors")
		var cfg struct {
			Preset  string
			Dataset data.Source
			DataDir string
			Fit     data.Fit
			Flip    bool
		}
		raw, err := os.ReadFile(folder.path("config.json"))
		if err != nil {
			return fmt.Errorf("--resume %s: %w", f.resume, err)
		}
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return fmt.Errorf("--resume %s: config.json is damaged: %v", f.resume, err)
		}
		_, run, err := ct.ReadRun(resumeCkpt)
		if err != nil {
			return fmt.Errorf("--resume %s: %w", f.resume, err)
		}
		preset = ct.Preset{Name: cfg.Preset, Dataset: cfg.Dataset, Fit: cfg.Fit, Flip: cfg.Flip, Run: run}
		if f.dataDir == "" {
			f.dataDir = cfg.DataDir
		}
		if f.given["micro-batch"] && f.microBatch != run.MicroBatch {
			// The only setting a resume may change: how a step is split,
			// not what it computes.
			if err := checkMicroBatchFlag(f.microBatch, run.Recipe.BatchSize); err != nil {
				return err
			}
			preset.Run.MicroBatch = f.microBatch
			if err := setConfigMicroBatch(folder.path("config.json"), f.microBatch); err != nil {
				return fmt.Errorf("--resume %s: %w", f.resume, err)
			}
		}
	} else {
		var err error
		if preset, err = ct.LookupPreset(f.preset); err != nil {
			return err
		}
		if err := applyFlags(&preset, f); err != nil {
			return err
		}
		if f.out == "" {
			f.out = filepath.Join("runs", fmt.Sprintf("%s-%s", preset.Name, time.Now().Format("20060102-150405")))
		}
		folder = runFolder{f.out}
		if entries, err := os.ReadDir(folder.dir); err == nil && len(entries) > 0 {
			return fmt.Errorf("run folder %s already has files: continue it with --resume %s, or pick another --out", folder.dir, folder.dir)
		}
	}
	if err := folder.create(); err != nil {
		return err
	}
	if stale, err := folder.removeStaleTemps(); err != nil {
		return err
	} else if len(stale) > 0 {
		logf("removed %d temporary file(s) of writes a kill cut short: %s", len(stale), strings.Join(stale, ", "))
	}
	run := preset.Run
	net := run.Net
	ds, err := data.Load(preset.Dataset, f.dataDir, data.Options{Split: data.Train, Size: net.ImageSize, Channels: net.ImageChannels, Fit: preset.Fit})
	if err != nil {
		return err
	}
	if c, h, _ := ds.Shape(); c != net.ImageChannels || h != net.ImageSize {
		return fmt.Errorf("dataset %s gives %dx%dx%d images, the network wants %dx%dx%d", ds.Name(), c, h, h, net.ImageChannels, net.ImageSize, net.ImageSize)
	}
	if f.resume == "" {
		cfg := map[string]any{"Preset": preset.Name, "Dataset": preset.Dataset, "DataDir": f.dataDir, "Fit": preset.Fit, "Flip": preset.Flip, "Run": run}
		raw, _ := json.MarshalIndent(cfg, "", "  ")
		if err := report.WriteFileAtomic(folder.path("config.json"), append(raw, '\n')); err != nil {
			return err
		}
	}

	e, err := nn.NewEngine(nn.Options{Device: devOpt})
	if err != nil {
		return err
	}
	defer e.Close()
	tr, err := ct.NewTrainer(e, run)
	if err != nil {
		return err
	}
	tr.LossEMADecay = ct.LossEMADecayOver(f.logEvery) // each logged average sums up its interval
	if tr.Fit != nil && tr.MicroBatch() < run.Recipe.BatchSize {
		logf("%s", tr.Fit.Explain(run.Recipe.BatchSize, tr.MicroBatch()))
	}
	scorer, err := openTrainEval(f, preset, f.dataDir, e, logf)
	if err != nil {
		return err
	}
	batcher, err := data.NewBatcher(ds, data.BatchOptions{Size: run.Recipe.BatchSize, Seed: run.Seed, Flip: preset.Flip})
	if err != nil {
		return err
	}
	if resumeCkpt != "" {
		meta, err := tr.Load(resumeCkpt)
		if err != nil {
			return err
		}
		var st data.BatcherState
		raw, err := base64.StdEncoding.DecodeString(meta[batcherMeta])
		if err == nil {
			err = st.UnmarshalBinary(raw)
		}
		if err == nil {
			err = batcher.Restore(st)
		}
		if err != nil {
			return fmt.Errorf("%s: the data batcher's state: %v", resumeCkpt, err)
		}
		logf("resuming %s at step %d of %d (N = %d)", folder.dir, tr.Step, run.Recipe.TotalIters, tr.GridSize())
	}
	logf("training %s on %s (%d images) with %s: %d parameters, batch %d%s, %d steps -> %s",
		preset.Name, ds.Name(), ds.N(), e.Dev.Info.Name, tr.Student.ParamCount(), run.Recipe.BatchSize, passesNote(tr), run.Recipe.TotalIters, folder.dir)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stop)
	f.live.attach(e.Dev, tr, stop, folder)
	defer f.live.detach() // before the device closes

	metrics, err := os.OpenFile(folder.path("metrics.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("run folder: %w", err)
	}
	defer metrics.Close()
	history := loadHistory(folder.path("metrics.jsonl"))

	batch := make([]float32, run.Recipe.BatchSize*ds.ImageElements())
	prog := newProgress(stdout, f.quiet, "step", tr.Step, run.Recipe.TotalIters)
	savedStep := -1 // the step latest.safetensors holds
	if resumeCkpt != "" {
		savedStep = tr.Step
	}
	// checkLosses stops the run, before its weights reach a checkpoint,
	// when a step's loss since the last check was NaN or infinite: the
	// step's update spread it to every weight.
	checkLosses := func() error {
		from, finite, err := tr.CheckLosses()
		if err != nil || finite {
			return err
		}
		steps := fmt.Sprintf("a step from %d to %d", from, tr.Step)
		if from == tr.Step {
			steps = fmt.Sprintf("step %d", from)
		}
		kept := "no checkpoint was written"
		if savedStep >= 0 {
			kept = fmt.Sprintf("%s keeps step %d", folder.path("checkpoints", "latest.safetensors"), savedStep)
		}
		prog.clear()
		return fmt.Errorf("the loss of %s was NaN or infinite; training stopped and %s; train again with a --lr lower than %g",
			steps, kept, run.Recipe.LearningRate)
	}
	save := func() error {
		if err := checkLosses(); err != nil {
			return err
		}
		st, err := batcher.State().MarshalBinary()
		if err != nil {
			return err
		}
		meta := map[string]string{batcherMeta: base64.StdEncoding.EncodeToString(st)}
		path := folder.path("checkpoints", "latest.safetensors")
		if err := tr.Save(path, meta); err != nil {
			return fmt.Errorf("checkpoint at step %d (the previous one is intact): %w", tr.Step, err)
		}
		savedStep = tr.Step
		return nil
	}
	lastLog, lastStep := time.Now(), tr.Step
	budgetSet := f.budget == 0
	var budgetFrom time.Time
	for tr.Step < run.Recipe.TotalIters {
		select {
		case sig := <-stop:
			if err := save(); err != nil {
				return err
			}
			prog.clear()
			// Not 0: 'ict train && ict eval' must tell this from a finished run.
			return stoppedBy(sig, fmt.Errorf("interrupted by %s after step %d of %d: checkpoint written; continue with 'ict train --resume %s'",
				signalName(sig), tr.Step, run.Recipe.TotalIters, folder.dir))
		default:
		}
		if _, err := batcher.Next(batch); err != nil {
			return err
		}
		if err := tr.TrainStep(batch); err != nil {
			return fmt.Errorf("step %d: %w", tr.Step, err)
		}
		prog.step(tr.Step)
		if !budgetSet && tr.Step == 2 {
			// The first steps build the pipelines; time the next ones.
			if _, err := tr.LastLoss(); err != nil {
				return err
			}
			budgetFrom = time.Now()
		}
		if !budgetSet && tr.Step == 6 {
			// Fit the rest of the budget, keeping a tenth for samples
			// and checkpoints.
			if _, err := tr.LastLoss(); err != nil {
				return err
			}
			per := time.Since(budgetFrom).Seconds() / 4
			left := f.budget.Seconds()*0.9 - time.Since(start).Seconds()
			total := tr.Step + int(left/per)
			if total < tr.Step+1 {
				return fmt.Errorf("--budget %v leaves no time for training: a step takes %.2fs", f.budget, per)
			}
			if err := tr.SetTotalIters(total); err != nil {
				return err
			}
			run.Recipe.TotalIters = total
			prog.setTotal(total)
			prog.logf("budget %v: %.2fs per step -> %d steps", f.budget, per, total)
			budgetSet = true
		}
		done := tr.Step == run.Recipe.TotalIters
		var scores *EvalMetrics
		if scorer != nil && (tr.Step%f.evalEvery == 0 || done) {
			if scores, err = scorer.score(tr); err != nil {
				return err
			}
			lastLog = lastLog.Add(time.Duration(scores.EvalSeconds * float64(time.Second))) // not training time
		}
		if tr.Step%f.logEvery == 0 || done || scores != nil || prog.wantsDescribe() {
			if err := checkLosses(); err != nil {
				return err
			}
			loss, err := tr.LastLoss()
			if err != nil {
				return err
			}
			lossEMA, err := tr.LossEMA()
			if err != nil {
				return err
			}
			now := time.Now()
			ips := float64((tr.Step-lastStep)*run.Recipe.BatchSize) / now.Sub(lastLog).Seconds()
			prog.describe(tr.GridSize(), loss, ips)
			if tr.Step%f.logEvery == 0 || done || scores != nil {
				line := metricsLine{Step: tr.Step, Loss: loss, LossEMA: lossEMA, N: tr.GridSize(), LR: tr.Opt.Config.LearningRate(tr.Step), ImagesPerSec: ips, Seconds: time.Since(start).Seconds(), EvalMetrics: scores}
				raw, _ := json.Marshal(line)
				if _, err := metrics.Write(append(raw, '\n')); err != nil {
					return fmt.Errorf("metrics.jsonl: %w", err)
				}
				history = append(history, line)
				if !prog.live() {
					eta := time.Duration(float64(run.Recipe.TotalIters-tr.Step) * now.Sub(lastLog).Seconds() / float64(tr.Step-lastStep) * float64(time.Second))
					prog.logf("step %d/%d  N %d  loss %.5f  %.1f img/s  ETA %v", tr.Step, run.Recipe.TotalIters, line.N, loss, ips, eta.Round(time.Second))
				}
				if scores != nil {
					prog.logf("step %d: FID %.3f (real-vs-real %.3f), class coverage %.3f, confidence %.3f", tr.Step, scores.FID, scores.FIDBaseline, scores.Coverage, scores.Confidence)
				}
				lastLog, lastStep = now, tr.Step
			}
		}
		if tr.Step%f.sampleEvery == 0 || done {
			if err := writeSamples(tr, folder, tr.Step); err != nil {
				return err
			}
			if err := plotHistory(folder, history); err != nil {
				return err
			}
		}
		keep := f.keepEvery > 0 && tr.Step%f.keepEvery == 0
		if tr.Step%f.ckptEvery == 0 || done || keep {
			if err := save(); err != nil {
				return err
			}
		}
		if keep {
			if err := keepCheckpoint(folder, tr.Step); err != nil {
				return err
			}
		}
		if err := f.live.afterStep(done); err != nil {
			return err
		}
	}
	prog.finish()
	fmt.Fprintf(stdout, "done: %d steps in %v; samples in %s, checkpoint %s\n", tr.Step, time.Since(start).Round(time.Second),
		folder.path("samples"), folder.path("checkpoints", "latest.safetensors"))
	return nil
}

// sampleNoiseSeed fixes the noise of the sample grids, so grids of one run
// show the same draws as training goes on.
const sampleNoiseSeed = 0x5eed

// writeSamples writes one-step and two-step grids of 64 EMA samples,
// drawn in chunks of the training micro-batch, which fits the device and
// reuses the pipelines training built (the images do not depend on the
// chunk).
func writeSamples(tr *ct.Trainer, folder runFolder, step int) error {
	c := tr.Run.Net
	for _, s := range []struct {
		name   string
		sigmas []float64
	}{{"1step", tr.Run.Recipe.OneStepSigmas()}, {"2step", tr.Run.Recipe.TwoStepSigmas()}} {
		vals, err := sampleGrid(tr.E, tr.EMA, tr.Run.Recipe, s.sigmas, sampleNoiseSeed, tr.MicroBatch())
		if err != nil {
			return err
		}
		for _, name := range []string{fmt.Sprintf("step%07d_%s.png", step, s.name), "latest_" + s.name + ".png"} {
			if err := report.WriteGrid(folder.path("samples", name), vals, gridImages, c.ImageChannels, c.ImageSize, c.ImageSize, gridColumns); err != nil {
				return err
			}
		}
	}
	return nil
}

func loadHistory(path string) []metricsLine {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []metricsLine
	for _, line := range splitLines(raw) {
		var m metricsLine
		if json.Unmarshal(line, &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		out = append(out, b[:i])
		if i < len(b) {
			i++
		}
		b = b[i:]
	}
	return out
}

func plotHistory(folder runFolder, history []metricsLine) error {
	var steps, losses, emas []float64
	for _, m := range history {
		steps = append(steps, float64(m.Step))
		losses = append(losses, m.Loss)
		emas = append(emas, m.LossEMA)
	}
	loss := report.Series{Name: "loss of the logged step", Steps: steps, Y: losses,
		Smooth: emas, SmoothName: "EMA of every step's loss"}
	var err error
	if fid := fidSeries(history); fid != nil {
		err = report.PlotLossAndFID(folder.path("loss.png"), "iCT training loss and sample FID", []report.Series{loss}, fid)
	} else {
		err = report.PlotLoss(folder.path("loss.png"), "iCT training loss", loss)
	}
	if err != nil && len(history) > 0 {
		return err
	}
	return nil
}
