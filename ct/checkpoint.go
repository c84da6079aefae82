package ct

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/checkpoint"
	"github.com/ictvk/ictvk/nn/unet"
)

// Checkpoints are safetensors files. Tensors are named
// "<set>.<parameter>", with sets student, ema, teacher (original CT only),
// adam_m and adam_v; the metadata holds the run's config as JSON, the step,
// the optimizer's step count, the noise-index RNG state, the loss's moving
// average (so a resumed run's smoothed loss curve goes on where it
// stopped), and whatever the caller adds (the data batcher's state, say).

const (
	metaFormat   = "ictvk.format"
	metaRun      = "ictvk.run"
	metaStep     = "ictvk.step"
	metaAdam     = "ictvk.adam_steps"
	metaRNG      = "ictvk.index_rng"
	metaLossEMA  = "ictvk.loss_ema"
	formatString = "ictvk-ict-1"
)

// checkpointSets lists the networks and optimizer moments saved.
func (t *Trainer) checkpointSets() map[string][]unet.Param {
	sets := map[string][]unet.Param{
		"student": append(append([]unet.Param(nil), t.Student.Params()...), t.Student.Buffers()...),
		"ema":     append(append([]unet.Param(nil), t.EMA.Params()...), t.EMA.Buffers()...),
	}
	if t.Teacher != nil {
		sets["teacher"] = append(append([]unet.Param(nil), t.Teacher.Params()...), t.Teacher.Buffers()...)
	}
	var m, v []unet.Param
	for i, p := range t.Student.Params() {
		m = append(m, unet.Param{Name: p.Name, Tensor: t.Opt.M[i]})
		v = append(v, unet.Param{Name: p.Name, Tensor: t.Opt.V[i]})
	}
	sets["adam_m"], sets["adam_v"] = m, v
	return sets
}

// Save writes the whole training state to path (atomically). extra adds
// metadata entries, for example the data batcher's state.
func (t *Trainer) Save(path string, extra map[string]string) error {
	runJSON, err := json.Marshal(t.Run)
	if err != nil {
		return err
	}
	rng, err := json.Marshal(t.rng.State())
	if err != nil {
		return err
	}
	avg, err := t.lossEMA.Download()
	if err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	lossEMA, err := json.Marshal(lossEMAState{Average: strconv.FormatFloat(float64(avg[0]), 'g', -1, 32), Weight: t.lossEMAWeight})
	if err != nil {
		return err
	}
	f := &checkpoint.File{Metadata: map[string]string{
		metaFormat:  formatString,
		metaRun:     string(runJSON),
		metaStep:    strconv.Itoa(t.Step),
		metaAdam:    strconv.Itoa(t.Opt.Steps),
		metaRNG:     string(rng),
		metaLossEMA: string(lossEMA),
	}}
	for k, v := range extra {
		f.Metadata[k] = v
	}
	for set, params := range t.checkpointSets() {
		for _, p := range params {
			data, err := p.Tensor.Download()
			if err != nil {
				return fmt.Errorf("saving %s: %w", path, err)
			}
			f.Tensors = append(f.Tensors, checkpoint.Tensor{Name: set + "." + p.Name, Shape: p.Tensor.Shape(), Data: data})
		}
	}
	return checkpoint.Write(path, f)
}

// lossEMAState is the loss's moving average in a checkpoint: the device's
// float32, as text that round-trips it (NaN included), and the weight it
// has gathered (Trainer.LossEMA).
type lossEMAState struct {
	Average string  `json:"average"`
	Weight  float64 `json:"weight"`
}

// ReadRun reads a checkpoint and the run config stored in it.
func ReadRun(path string) (*checkpoint.File, Run, error) {
	f, err := checkpoint.Read(path, checkpoint.Limits{})
	if err != nil {
		return nil, Run{}, err
	}
	if f.Metadata[metaFormat] != formatString {
		return nil, Run{}, fmt.Errorf("%s: not an ictvk iCT checkpoint (metadata %s = %q, want %q)", path, metaFormat, f.Metadata[metaFormat], formatString)
	}
	var run Run
	if err := json.Unmarshal([]byte(f.Metadata[metaRun]), &run); err != nil {
		return nil, Run{}, fmt.Errorf("%s: the run config in its metadata is damaged: %v", path, err)
	}
	return f, run, nil
}

// CheckpointStep is the number of steps a checkpoint that ReadRun read
// has done.
func CheckpointStep(f *checkpoint.File) (int, error) {
	step, err := strconv.Atoi(f.Metadata[metaStep])
	if err != nil || step < 0 {
		return 0, fmt.Errorf("damaged training state in its metadata (step %q)", f.Metadata[metaStep])
	}
	return step, nil
}

// Load restores the training state saved by Save into t, whose run must
// have the same network config. It returns the checkpoint's metadata.
func (t *Trainer) Load(path string) (map[string]string, error) {
	f, run, err := ReadRun(path)
	if err != nil {
		return nil, err
	}
	if a, b := mustJSON(run.Net), mustJSON(t.Run.Net); a != b {
		return nil, fmt.Errorf("%s holds a network %s, this run builds %s", path, a, b)
	}
	sets := t.checkpointSets()
	var want []checkpoint.Spec
	for set, params := range sets {
		for _, p := range params {
			want = append(want, checkpoint.Spec{Name: set + "." + p.Name, Shape: p.Tensor.Shape()})
		}
	}
	if err := f.Expect(want); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	step, err1 := strconv.Atoi(f.Metadata[metaStep])
	adamSteps, err2 := strconv.Atoi(f.Metadata[metaAdam])
	var rng RandState
	err3 := json.Unmarshal([]byte(f.Metadata[metaRNG]), &rng)
	if err1 != nil || err2 != nil || err3 != nil || step < 0 || adamSteps < 0 {
		return nil, fmt.Errorf("%s: damaged training state in its metadata (step %q, optimizer steps %q, rng %q)", path, f.Metadata[metaStep], f.Metadata[metaAdam], f.Metadata[metaRNG])
	}
	if err := t.rng.SetState(rng); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// A checkpoint from before the loss EMA existed starts it afresh.
	var lossAverage float32
	var lossWeight float64
	if raw, ok := f.Metadata[metaLossEMA]; ok {
		var st lossEMAState
		err := json.Unmarshal([]byte(raw), &st)
		avg, err2 := strconv.ParseFloat(st.Average, 32)
		if err != nil || err2 != nil || !(st.Weight >= 0 && st.Weight <= 1) {
			return nil, fmt.Errorf("%s: damaged loss average in its metadata (%s = %q)", path, metaLossEMA, raw)
		}
		lossAverage, lossWeight = float32(avg), st.Weight
	}
	for set, params := range sets {
		for _, p := range params {
			tensor, _ := f.Get(set + "." + p.Name)
			p.Tensor.Upload(tensor.Data)
		}
	}
	t.lossCheck.Upload([]float32{0}) // steps before the load are not the checkpoint's
	t.lossEMA.Upload([]float32{lossAverage})
	t.lossEMAWeight = lossWeight
	if err := t.E.Err(); err != nil {
		return nil, err
	}
	// The seed keys the noise and dropout draws of every later step.
	t.Run.Seed = run.Seed
	t.Step, t.Opt.Steps = step, adamSteps
	t.checkedStep = step
	t.grid = gridState{}
	return f.Metadata, nil
}

// LoadNet builds the EMA network (or, with set "student", the student)
// stored in a checkpoint, for sampling.
func LoadNet(e *nn.Engine, path, set string) (*unet.Net, Run, error) {
	f, run, err := ReadRun(path)
	if err != nil {
		return nil, Run{}, err
	}
	net, err := unet.NewFrozen(e, run.Net, run.Seed)
	if err != nil {
		return nil, Run{}, err
	}
	params := append(append([]unet.Param(nil), net.Params()...), net.Buffers()...)
	var want []checkpoint.Spec
	for _, p := range params {
		want = append(want, checkpoint.Spec{Name: set + "." + p.Name, Shape: p.Tensor.Shape()})
	}
	for _, s := range want {
		tensor, ok := f.Get(s.Name)
		if !ok {
			net.Free()
			return nil, Run{}, fmt.Errorf("%s has no tensor %s", path, s.Name)
		}
		if fmt.Sprint(tensor.Shape) != fmt.Sprint(s.Shape) {
			net.Free()
			return nil, Run{}, fmt.Errorf("%s has %s %v, the network wants %v", path, s.Name, tensor.Shape, s.Shape)
		}
	}
	for _, p := range params {
		tensor, _ := f.Get(set + "." + p.Name)
		p.Tensor.Upload(tensor.Data)
	}
	return net, run, e.Err()
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
