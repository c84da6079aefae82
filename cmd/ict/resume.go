package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/runfolder"
)

// runPlan is what 'ict train' will run, from the flags and, with
// --resume, the run folder.
type runPlan struct {
	preset  ct.Preset
	folder  runfolder.Folder
	dataDir string
	rhythm  runfolder.Rhythm
	// resumed: the folder exists; fromCheckpoint: it has a checkpoint to
	// continue (else its run starts afresh from its config.json).
	resumed, fromCheckpoint bool
	step                    int // of the checkpoint
	// config is the folder's config.json as it was; runChanged says the
	// flags changed the checkpoint's run; changes describe what changed.
	config     runfolder.Config
	runChanged bool
	changes    []string
}

// planRun resolves the run of a fresh start or of a resume.
func planRun(f trainFlags) (runPlan, error) {
	if f.resume != "" {
		return planResume(f)
	}
	p, err := presetWithFlags(f)
	if err != nil {
		return runPlan{}, err
	}
	if f.out == "" {
		f.out = filepath.Join("runs", fmt.Sprintf("%s-%s", p.Name, time.Now().Format("20060102-150405")))
	}
	folder := runfolder.Folder{Dir: f.out}
	if folder.HasFiles() {
		return runPlan{}, fmt.Errorf("run folder %s already has files: continue it with --resume %s, or pick another --out", folder.Dir, folder.Dir)
	}
	return runPlan{preset: p, folder: folder, dataDir: f.dataDir, rhythm: f.rhythm}, nil
}

// What a resume may change. The rest decides what the run trains (the
// data, the network, the batch, the recipe, the seed, the folder): given
// with another value than the run's, it is refused by name.
var (
	// resumeRunFlags change the run's length and optimizer: they go into
	// the checkpoint's run (written again at once) and config.json.
	resumeRunFlags = []string{"total", "lr", "warmup", "clip-norm", "micro-batch"}
	// resumeRhythmFlags change how often the run reports: config.json.
	resumeRhythmFlags = []string{"log-every", "sample-every", "ckpt-every", "keep-every", "eval-every", "eval-n"}
	// resumeCommandFlags belong to this command only; --data, where the
	// files are, goes into config.json.
	resumeCommandFlags = []string{"resume", "budget", "quiet", "device", "devices", "view", "eval-cache", "data"}
)

// planResume reads the run folder and applies the flags a resume may give.
func planResume(f trainFlags) (runPlan, error) {
	folder := runfolder.Folder{Dir: f.resume}
	cfg, err := folder.ReadConfig()
	if err != nil {
		return runPlan{}, fmt.Errorf("--resume %s: %w", f.resume, err)
	}
	plan := runPlan{folder: folder, resumed: true, config: cfg, preset: cfg.AsPreset(), dataDir: cfg.DataDir}
	if plan.fromCheckpoint, err = folder.HasCheckpoint(); err != nil {
		return runPlan{}, fmt.Errorf("--resume %s: %w", f.resume, err)
	}
	if plan.fromCheckpoint {
		// The checkpoint's run is the state the weights were trained in
		// (a budget may have changed its total since config.json).
		file, run, err := ct.ReadRun(folder.CheckpointPath())
		if err == nil {
			plan.step, err = ct.CheckpointStep(file)
		}
		if err != nil {
			return runPlan{}, fmt.Errorf("--resume %s: %w", f.resume, err)
		}
		plan.preset.Run = run
	}
	if err := refuseTrainingChanges(f, plan.preset); err != nil {
		return runPlan{}, err
	}
	before := plan.preset
	only := f
	only.given = map[string]bool{}
	for _, name := range resumeRunFlags {
		only.given[name] = f.given[name]
	}
	if err := applyFlags(&plan.preset, only); err != nil {
		return runPlan{}, err
	}
	plan.runChanged = jsonOf(before.Run) != jsonOf(plan.preset.Run)
	if f.given["total"] && f.total < plan.step {
		return runPlan{}, fmt.Errorf("--total %d: the run in %s has done %d steps already", f.total, folder.Dir, plan.step)
	}

	plan.rhythm = runfolder.DefaultRhythm()
	if cfg.Rhythm != nil {
		plan.rhythm = *cfg.Rhythm
	}
	for _, x := range []struct {
		flag     string
		dst, src *int
	}{
		{"log-every", &plan.rhythm.LogEvery, &f.rhythm.LogEvery}, {"sample-every", &plan.rhythm.SampleEvery, &f.rhythm.SampleEvery},
		{"ckpt-every", &plan.rhythm.CkptEvery, &f.rhythm.CkptEvery}, {"keep-every", &plan.rhythm.KeepEvery, &f.rhythm.KeepEvery},
		{"eval-every", &plan.rhythm.EvalEvery, &f.rhythm.EvalEvery}, {"eval-n", &plan.rhythm.EvalN, &f.rhythm.EvalN},
	} {
		if f.given[x.flag] {
			*x.dst = *x.src
		}
	}
	if f.given["data"] {
		plan.dataDir = f.dataDir
	}
	for _, name := range append(append(append([]string(nil), resumeRunFlags...), resumeRhythmFlags...), "data") {
		if f.given[name] {
			plan.changes = append(plan.changes, fmt.Sprintf("--%s %s", name, f.fs.Lookup(name).Value))
		}
	}
	if len(plan.changes) > 0 {
		plan.changes = []string{"changed on resume (recorded in config.json): " + strings.Join(plan.changes, ", ")}
	}
	return plan, nil
}

// refuseTrainingChanges refuses, by name, a flag given on resume that
// would change what the run trains.
func refuseTrainingChanges(f trainFlags, run ct.Preset) error {
	allowed := map[string]bool{}
	for _, names := range [][]string{resumeRunFlags, resumeRhythmFlags, resumeCommandFlags} {
		for _, n := range names {
			allowed[n] = true
		}
	}
	var names []string
	for name := range f.given {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if allowed[name] {
			continue
		}
		changes := false
		switch name {
		case "preset":
			changes = f.preset != run.Name
		case "out":
			changes = filepath.Clean(f.out) != filepath.Clean(f.resume)
		default:
			// Apply the flag alone to the run: a value equal to the run's
			// changes nothing, so a resume may repeat the original command.
			p, one := run, f
			one.given = map[string]bool{name: true}
			if err := applyFlags(&p, one); err != nil {
				return err
			}
			changes = jsonOf(p) != jsonOf(run)
		}
		if changes {
			return fmt.Errorf("--%s %s: --resume cannot change what the run trains; leave the flag out (the run keeps its own) or start a new run with --out (a resume may change %s)",
				name, f.fs.Lookup(name).Value, resumableList())
		}
	}
	return nil
}

// resumableList names the flags a resume may change, for messages.
func resumableList() string {
	var flags []string
	for _, names := range [][]string{resumeRunFlags, resumeRhythmFlags, {"budget", "data"}} {
		for _, n := range names {
			flags = append(flags, "--"+n)
		}
	}
	return strings.Join(flags, ", ")
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
