package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/ct/loop"
	"github.com/ictvk/ictvk/ct/runfolder"
	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/vk"
)

// 'ict train' turns flags into a run: a preset with the flags applied (or,
// with --resume, the run folder's), the data, the engine and the trainer,
// and the observers of ct/loop that write the run folder and show the
// progress. The loop itself is ct/loop's.

// trainFlags are the knobs of 'ict train'; flags not given leave the
// preset's values.
type trainFlags struct {
	preset, dataset, dataDir, out, resume string
	total                                 int
	netFlags
	fs                    *flag.FlagSet   // for the values of given flags
	given                 map[string]bool // the flags set on the command line
	fit                   string
	lr, fourierScale, ema float64
	s0, s1                int
	seed                  uint64
	rhythm                runfolder.Rhythm
	budget                time.Duration
	quiet                 bool
	// ablations of the original CT settings (empty: the preset's)
	metric, weighting, noiseDist, curriculum string
	teacherEMA, clipNorm                     float64
	warmup                                   int
	view                                     bool
	live                                     *liveView // the --view window (view.go)
	evalCache                                string
	devices                                  string // --devices: several devices, one replica each
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", stderr)
	var f trainFlags
	env, err := deviceFlag(fs)
	if err != nil {
		return err
	}
	rh := runfolder.DefaultRhythm()
	preset := presetFlag(fs, "starting configuration")
	fs.StringVar(&f.dataset, "dataset", "", "dataset: mnist, fashion-mnist, cifar10 or folder (default: the preset's)")
	dataDirFlag(fs, &f.dataDir)
	fs.StringVar(&f.out, "out", "", "run folder to create (default: runs/PRESET-TIME)")
	fs.StringVar(&f.resume, "resume", "", "continue the run in this folder from its latest checkpoint (or afresh from its config.json when it has none); only the run's length, optimizer, rhythm and this command's own flags may change")
	f.registerRunFlags(fs)
	fs.IntVar(&f.rhythm.LogEvery, "log-every", rh.LogEvery, "steps between metrics lines")
	fs.IntVar(&f.rhythm.SampleEvery, "sample-every", rh.SampleEvery, "steps between sample grids")
	fs.IntVar(&f.rhythm.CkptEvery, "ckpt-every", rh.CkptEvery, "steps between checkpoints (checkpoints/latest.safetensors)")
	fs.IntVar(&f.rhythm.KeepEvery, "keep-every", rh.KeepEvery, "steps between checkpoints kept for good as checkpoints/stepNNNNNNN.safetensors (0: none)")
	fs.DurationVar(&f.budget, "budget", 0, "fit the run into this wall time (e.g. 15m): measures steps and sets --total, again as the speed changes")
	quiet := quietFlag(fs)
	fs.BoolVar(&f.view, "view", false, "show samples in a window while training: space pauses, 1/2 one- or two-step, n new noise, s saves, q stops, Esc closes the window")
	fs.IntVar(&f.rhythm.EvalEvery, "eval-every", rh.EvalEvery, "steps between FID evaluations recorded in metrics.jsonl (0: off; needs 'ict classifier train')")
	fs.IntVar(&f.rhythm.EvalN, "eval-n", rh.EvalN, "samples per FID evaluation")
	fs.StringVar(&f.evalCache, "eval-cache", "", "folder of cached classifiers (default $XDG_CACHE_HOME/ictvk/eval)")
	fs.StringVar(&f.devices, "devices", "", "train on several devices at once, `LIST` of indices from 'ict devices' separated by commas (0,1; an index given twice opens that device twice): each trains an equal share of the batch")
	if err := parse(fs, args); err != nil {
		return err
	}
	f.fs, f.given, f.preset, f.quiet = fs, givenFlags(fs), *preset, *quiet
	if err := f.rhythm.Validate(); err != nil {
		return err
	}
	if err := checkDevicesFlag(f.given, env.Device, f.devices); err != nil {
		return err
	}
	if f.given["budget"] && f.budget <= 0 {
		return fmt.Errorf("--budget %v: want a positive duration, e.g. 15m", f.budget)
	}
	if f.view {
		return trainWithView(f, *env, stdout)
	}
	return train(f, *env, stdout)
}

// registerRunFlags adds the flags that change what is trained: the
// dataset's fit, the network, the recipe and the seed. 'ict model' takes
// them too, so that it describes the run 'ict train' would make.
func (f *trainFlags) registerRunFlags(fs *flag.FlagSet) {
	f.netFlags.register(fs)
	fs.StringVar(&f.fit, "fit", "", "how 28x28 or 32x32 images reach --image-size: pad (or center-crop) or resize (default: the preset's)")
	fs.IntVar(&f.total, "total", 0, "training iterations K, which sets the curriculum (default: the preset's)")
	fs.Float64Var(&f.lr, "lr", 0, "learning rate (default: the preset's)")
	fs.Float64Var(&f.fourierScale, "fourier-scale", 0, "scale of the Fourier noise embedding (default: the preset's)")
	fs.Float64Var(&f.ema, "ema", 0, "decay of the evaluation EMA (default: the preset's)")
	fs.IntVar(&f.s0, "s0", 0, "initial discretization steps s0 (default: the preset's)")
	fs.IntVar(&f.s1, "s1", 0, "final discretization steps s1 (default: the preset's)")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of every random draw (default: the preset's)")
	fs.StringVar(&f.metric, "metric", "", "loss metric: pseudo-huber (iCT), squared-l2 or l1")
	fs.StringVar(&f.weighting, "weighting", "", "loss weighting: inverse-gap (iCT) or uniform")
	fs.StringVar(&f.noiseDist, "noise-dist", "", "noise-index distribution: lognormal (iCT) or uniform")
	fs.StringVar(&f.curriculum, "curriculum", "", "discretization curriculum: exponential (iCT) or square-root (CT)")
	fs.Float64Var(&f.teacherEMA, "teacher-ema", 0, "mu0 of the original CT's teacher EMA (0: iCT's teacher without EMA; default: the preset's)")
	fs.Float64Var(&f.clipNorm, "clip-norm", 0, "clip gradients to this global L2 norm (0: off)")
	fs.IntVar(&f.warmup, "warmup", 0, "learning-rate warm-up steps (default: the preset's)")
}

// checkMicroBatchFlag refuses a --micro-batch that cannot split batch.
func checkMicroBatchFlag(m, batch int) error {
	if m < 1 || m > batch || batch%m != 0 {
		return fmt.Errorf("--micro-batch %d: want a divisor of the batch %d from 1 to %d (leave the flag out to choose one from the device's memory)", m, batch, batch)
	}
	return nil
}

// presetWithFlags is the preset --preset names with the flags given
// applied: what 'ict train' (without --resume), 'ict model' and 'ict
// bench' run.
func presetWithFlags(f trainFlags) (ct.Preset, error) {
	p, err := ct.LookupPreset(f.preset)
	if err != nil {
		return ct.Preset{}, err
	}
	return p, applyFlags(&p, f)
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
		fit, err := parseFit(f.fit)
		if err != nil {
			return err
		}
		p.Fit = fit
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

// passesNote describes how a step is split, or nothing for one pass.
func passesNote(tr *ct.Trainer) string {
	rep := tr.Replica()
	b, m := tr.Run.Recipe.BatchSize/rep.Size, tr.MicroBatch()
	note := ""
	if rep.Size > 1 {
		note = fmt.Sprintf(" (%d per device)", b)
	}
	if m >= b {
		return note
	}
	if rep.Size > 1 {
		return fmt.Sprintf(" (%d per device in %d passes of %d)", b, b/m, m)
	}
	return fmt.Sprintf(" in %d passes of %d", b/m, m)
}

// metricsLine is a line of a run's metrics.jsonl.
type metricsLine = runfolder.MetricsLine

// train builds the run the flags describe and runs it: nothing is written
// to the run folder before the data, the device and the networks are
// ready, so a start that fails leaves no folder (or, resumed, the folder
// as it was).
func train(f trainFlags, devOpt vk.Options, stdout io.Writer) (err error) {
	start := time.Now()
	world, err := joinWorld(f, &devOpt)
	if err != nil {
		return err
	}
	if world != nil {
		defer func() { err = world.end(err) }()
		f.quiet = f.quiet || world.Rank() != 0 // rank 0 speaks for the job
	}
	logf := func(format string, args ...any) {
		if !f.quiet {
			fmt.Fprintf(stdout, format+"\n", args...)
		}
	}
	plan, err := planRun(f)
	if err != nil {
		return err
	}
	run := plan.preset.Run
	if err := world.checkBatch(run.Recipe.BatchSize); err != nil {
		return err
	}
	ds, err := loadTrainData(plan)
	if err != nil {
		return err
	}
	engines, err := openEngines(nn.Options{Device: devOpt}, f.devices, run, world.size())
	if err != nil {
		return err
	}
	defer closeEngines(engines)
	e := engines[0]
	tr, group, err := newTrainers(engines, run, world)
	if err != nil {
		return err
	}
	tr.LossEMADecay = ct.LossEMADecayOver(plan.rhythm.LogEvery) // each logged average sums up its interval
	if group != nil {
		group.SetLossEMADecay(tr.LossEMADecay)
	}
	if share := run.Recipe.BatchSize / (len(engines) * world.size()); tr.Fit != nil && tr.MicroBatch() < share {
		logf("%s", tr.Fit.Explain(share, tr.MicroBatch()))
	}
	batcher, err := data.NewBatcher(ds, data.BatchOptions{Size: run.Recipe.BatchSize, Seed: run.Seed, Flip: plan.preset.Flip})
	if err != nil {
		return err
	}
	if world != nil && world.Rank() != 0 {
		return world.follow(plan, tr, batcher)
	}
	scorer, err := openTrainEval(f, plan, e, logf)
	if err != nil {
		return err
	}

	// The run can start: from here on the run folder is written. A signal
	// now stops the loop before its first step, with a checkpoint.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, world.stopSignals()...)
	defer signal.Stop(stop)
	folder := plan.folder
	if err := world.barrier(); err != nil { // every rank has planned the run
		return err
	}
	opened, err := openRunFolder(plan, tr, batcher, logf)
	if err == nil {
		err = world.barrier() // the other ranks may read the folder
	}
	if err == nil {
		err = world.agree(tr)
	}
	if err != nil {
		return err
	}
	metrics, saved, rh := opened.metrics, opened.saved, plan.rhythm
	defer metrics.Close()
	if group != nil && plan.fromCheckpoint {
		if err := group.Load(folder.CheckpointPath()); err != nil {
			return err
		}
	}
	switch {
	case plan.fromCheckpoint:
		logf("resuming %s at step %d of %d (N = %d)", folder.Dir, tr.Step, run.Recipe.TotalIters, tr.GridSize())
	case plan.resumed:
		logf("%s has no checkpoint: starting its run afresh from its config.json", folder.Dir)
	}
	for _, c := range plan.changes {
		logf("%s", c)
	}
	if metrics.Dropped > 0 {
		logf("metrics.jsonl: removed %d line(s) of steps after step %d, which the run trains again", metrics.Dropped, max(saved, 0))
	}
	if world != nil && e.Dev.Info.Type == vk.TypeCPU && runtime.NumCPU() == 1 {
		logf("this rank may use 1 CPU (mpirun binds each rank to a core by default): the CPU device %s runs on that core alone; 'mpirun --bind-to none' lets it use the others", e.Dev.Info.Name)
	}
	logf("training %s on %s (%d images) with %s: %d parameters, batch %d%s, %d steps -> %s",
		plan.preset.Name, ds.Name(), ds.N(), deviceNames(engines), tr.Student.ParamCount(), run.Recipe.BatchSize, passesNote(tr), run.Recipe.TotalIters, folder.Dir)

	ckpts := runfolder.NewCheckpoints(folder, rh.CkptEvery, rh.KeepEvery, batcher, &opened.config, saved)
	var observers []loop.Observer
	if scorer != nil {
		observers = append(observers, scorer) // first: the metrics line carries its scores
	}
	observers = append(observers, metrics, &trainProgress{w: stdout, quiet: f.quiet, logEvery: rh.LogEvery},
		&runfolder.Samples{Folder: folder, Every: rh.SampleEvery}, ckpts)
	if f.live != nil {
		f.live.stop, f.live.saveDir = stop, folder.Path("samples")
		observers = append(observers, f.live)
	}
	// Under MPI a signal to any rank stops every rank after the same step.
	l := loop.Loop{Trainer: tr, Data: batcher, Observers: observers, Stop: stop, AgreeStop: world != nil, Budget: f.budget, Started: start}
	loopStart := time.Now()
	if group != nil {
		l.Replicas = group
	}
	if err := explainStop(l.Run(), tr, folder, ckpts.Saved()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "done: %d steps in %v; samples in %s, checkpoint %s\n", tr.Step, time.Since(start).Round(time.Second),
		folder.Path("samples"), folder.CheckpointPath())
	if n := tr.Replica().Size; n > 1 {
		loop, st := time.Since(loopStart).Seconds(), tr.ReduceStats()
		fmt.Fprintf(stdout, "replica 0 of %d spent %.1f%% of the training loop's %v waiting for sums of gradients with the others (all-reduces took %.1f%%, the rest overlapped the backward pass)\n",
			n, 100*st.Exposed.Seconds()/loop, time.Since(loopStart).Round(time.Second), 100*st.Comm.Seconds()/loop)
	}
	return nil
}

// openedRun is a run folder ready for the loop.
type openedRun struct {
	config  runfolder.Config // as written
	metrics *runfolder.Metrics
	saved   int // the step of its checkpoint, -1: none
}

// openRunFolder creates or reopens the plan's run folder: it removes the
// temporary files of killed writes, restores the checkpoint into tr and
// batcher, records the config (and, when a resume changed the run, the
// checkpoint at once, so the change holds even if the run is killed before
// its next one) and opens metrics.jsonl.
func openRunFolder(plan runPlan, tr *ct.Trainer, batcher *data.Batcher, logf func(string, ...any)) (_ openedRun, err error) {
	folder := plan.folder
	if !plan.resumed {
		// A new run's folder is absent or empty (planRun checks): if it
		// cannot be set up (a full disk writing config.json), take back
		// what was made, so the same command can simply be run again.
		_, statErr := os.Stat(folder.Dir)
		existed := statErr == nil
		defer func() {
			if err != nil {
				removeNewRunFolder(folder.Dir, existed)
			}
		}()
	}
	if err := folder.Create(); err != nil {
		return openedRun{}, err
	}
	if stale, err := folder.RemoveStaleTemps(); err != nil {
		return openedRun{}, err
	} else if len(stale) > 0 {
		logf("removed %d temporary file(s) of writes a kill cut short: %s", len(stale), strings.Join(stale, ", "))
	}
	o := openedRun{config: runfolder.NewConfig(plan.preset, plan.dataDir, plan.rhythm), saved: -1}
	if plan.fromCheckpoint {
		if err := folder.LoadCheckpoint(tr, batcher); err != nil {
			return openedRun{}, err
		}
		o.saved = tr.Step
	}
	if !plan.resumed || jsonOf(o.config) != jsonOf(plan.config) {
		if err := folder.WriteConfig(o.config); err != nil {
			return openedRun{}, err
		}
	}
	if plan.fromCheckpoint && plan.runChanged {
		if err := folder.SaveCheckpoint(tr, batcher); err != nil {
			return openedRun{}, err
		}
	}
	o.metrics, err = folder.OpenMetrics(max(o.saved, 0), plan.rhythm.LogEvery, plan.rhythm.SampleEvery)
	return o, err
}

// removeNewRunFolder removes what a failed start made in dir: the whole
// folder when it did not exist before, else its contents (it was empty).
func removeNewRunFolder(dir string, existed bool) {
	if !existed {
		os.RemoveAll(dir)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// explained is an error told in the command's words; it unwraps to the
// error it explains (mpiWorld.end looks for a loop.Interrupted).
type explained struct {
	err error
	msg string
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

// explainStop turns why the loop stopped into the command's error: an
// interrupt exits 128 + the signal's number, a NaN loss says what was
// kept and how to go on.
func explainStop(err error, tr *ct.Trainer, folder runfolder.Folder, saved int) error {
	var in *loop.Interrupted
	var nan *loop.NonFinite
	switch {
	case errors.As(err, &in):
		// Not 0: 'ict train && ict eval' must tell this from a finished run.
		return stoppedBy(in.Signal, &explained{err: in, msg: fmt.Sprintf("interrupted by %s after step %d of %d: checkpoint written; continue with 'ict train --resume %s'",
			signalName(in.Signal), in.Step, in.Total, folder.Dir)})
	case errors.As(err, &nan):
		lr := tr.Run.Recipe.LearningRate
		if saved < 0 {
			return fmt.Errorf("%v; training stopped and no checkpoint was written; train again with a --lr lower than %g: 'ict train --resume %s --lr %g' starts the run afresh",
				nan, lr, folder.Dir, lr/2)
		}
		return fmt.Errorf("%v; training stopped and %s keeps step %d; continue from it with a --lr lower than %g: 'ict train --resume %s --lr %g'",
			nan, folder.CheckpointPath(), saved, lr, folder.Dir, lr/2)
	}
	return err
}

// loadTrainData loads the run's images, refusing a dataset the host has
// no room for (at most three quarters of the memory available) before it
// is allocated.
func loadTrainData(plan runPlan) (*data.Dataset, error) {
	net := plan.preset.Run.Net
	opt := data.Options{Split: data.Train, Size: net.ImageSize, Channels: net.ImageChannels, Fit: plan.preset.Fit}
	if avail, ok := hostAvailableBytes(); ok {
		opt.MaxBytes = avail / 4 * 3
	}
	ds, err := data.Load(plan.preset.Dataset, plan.dataDir, opt)
	var room *data.RoomError
	if errors.As(err, &room) {
		return nil, fmt.Errorf("--image-size %d: %w; train at a smaller size", net.ImageSize, err)
	}
	if err != nil {
		return nil, err
	}
	if c, h, _ := ds.Shape(); c != net.ImageChannels || h != net.ImageSize {
		return nil, fmt.Errorf("dataset %s gives %dx%dx%d images, the network wants %dx%dx%d", ds.Name(), c, h, h, net.ImageChannels, net.ImageSize, net.ImageSize)
	}
	return ds, nil
}

// checkDeviceRoom refuses a run whose smallest step cannot fit the device,
// before the networks are built: the batch itself and a training pass of
// one image (ct.MinPassBytes).
func checkDeviceRoom(e *nn.Engine, run ct.Run) error {
	c := run.Net
	batchBytes := 4 * uint64(run.Recipe.BatchSize) * uint64(c.ImageChannels*c.ImageSize*c.ImageSize)
	need := batchBytes + ct.MinPassBytes(c)
	if limit := e.Dev.MemoryLimit(); need > limit {
		return fmt.Errorf("--image-size %d: a step needs at least %s of device memory (the batch of %d images and a training pass of one), and %s has %s",
			c.ImageSize, vk.HumanBytes(need), run.Recipe.BatchSize, e.Dev.Info.Name, vk.HumanBytes(limit))
	}
	return nil
}
