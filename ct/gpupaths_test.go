package ct

import (
	"math"
	"testing"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/nntest"
)

// gpuPathsTol bounds how far a run on a discrete GPU's code paths may drift
// from the default run, relative to the default's magnitude. Only the
// summation order differs (GEMM and convolution tiles, reductions over
// workgroups of up to 256 instead of 8 or 64): float32 rounds each of this
// network's sums of up to ~300 terms by about sqrt(300) * 6e-8 = 1e-6
// relative, and four steps of RAdam (unrectified that early: linear in the
// gradients) carry that into the updates. Measured on lavapipe: equal
// losses, updates within 5.5e-6, a 20-fold margin. Faults measured on these
// paths go far past it: GEMM tiles that skip the last partial depth slice
// moved the losses by 7e-4 to 1.4e-3 and the updates by 100%, and a row
// reduction written for 64 invocations moved the updates by up to 100%.
const gpuPathsTol = 1e-4

// TestTrainingOnGPUPaths trains a tiny U-Net for four iCT steps on the
// default engine and on one that takes a discrete GPU's paths (staging
// copies, pooled descriptor sets, GPU tiles and workgroup sizes): the
// losses and the weights' updates must agree within summation order, and a
// checkpoint saved on either engine must load bit for bit into the other.
func TestTrainingOnGPUPaths(t *testing.T) {
	def := nntest.OpenWith(t, nntest.Options(t, true))
	gpu := nntest.OpenWith(t, nntest.GPUPaths(nntest.Options(t, true)))
	if gpu.Dev.UMA() || gpu.Dev.PushDescriptors() || gpu.Tune.For != nn.TuneGPU {
		t.Fatalf("the GPU-paths engine has UMA %v, push descriptors %v, tuning %v", gpu.Dev.UMA(), gpu.Dev.PushDescriptors(), gpu.Tune.For)
	}
	run := tinyRun()
	run.Recipe.TotalIters = 4 // the curriculum doubles N every step
	trD, err := NewTrainer(def, run)
	if err != nil {
		t.Fatal(err)
	}
	trG, err := NewTrainer(gpu, run)
	if err != nil {
		t.Fatal(err)
	}
	init := downloadSets(t, trD)
	if got := downloadSets(t, trG); !sameBits(got, init) {
		t.Fatal("the two engines start from different weights: uploads or downloads through staging lose bits")
	}
	worstLoss, worstUpdate := 0.0, 0.0
	for step := 0; step < 4; step++ {
		batch := batchOf(uint64(30+step), 3*64)
		var losses [2]float64
		for i, tr := range []*Trainer{trD, trG} {
			if err := tr.TrainStep(batch); err != nil {
				t.Fatalf("step %d on engine %d: %v", step, i, err)
			}
			if losses[i], err = tr.LastLoss(); err != nil {
				t.Fatal(err)
			}
		}
		d := math.Abs(losses[1]-losses[0]) / math.Abs(losses[0])
		worstLoss = math.Max(worstLoss, d)
		if !(d <= gpuPathsTol) {
			t.Errorf("step %d: loss %v on the GPU paths, %v by default (relative difference %.3g > %.3g)", step, losses[1], losses[0], d, gpuPathsTol)
		}
	}
	wantSets, gotSets := downloadSets(t, trD), downloadSets(t, trG)
	for name, want := range wantSets {
		d := updateDiff(init[name], want, gotSets[name])
		worstUpdate = math.Max(worstUpdate, d)
		if !(d <= gpuPathsTol) {
			t.Errorf("%s: the update on the GPU paths differs from the default's by %.3g of its largest element (> %.3g)", name, d, gpuPathsTol)
		}
	}

	t.Logf("GPU paths against default: losses within %.3g, updates within %.3g (relative; tolerance %.3g)", worstLoss, worstUpdate, gpuPathsTol)

	// Checkpoints: saved through staging downloads and loaded through
	// staging uploads (and the reverse), every bit must survive.
	dir := t.TempDir()
	for _, c := range []struct {
		name     string
		from     *Trainer
		to       *nn.Engine
		fromSets map[string][]float32
	}{
		{"GPU paths to default", trG, def, gotSets},
		{"default to GPU paths", trD, gpu, wantSets},
	} {
		path := dir + "/" + c.name + ".safetensors"
		if err := c.from.Save(path, nil); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		other := run
		other.Seed = 7 // the checkpoint, not the fresh init, must decide the weights
		loaded, err := NewTrainer(c.to, other)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := loaded.Load(path); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !sameBits(downloadSets(t, loaded), c.fromSets) {
			t.Errorf("%s: the loaded checkpoint differs from the saved state", c.name)
		}
	}
}

// downloadSets reads every tensor a checkpoint holds (student, EMA, the
// optimizer's moments), keyed by checkpoint name.
func downloadSets(t *testing.T, tr *Trainer) map[string][]float32 {
	t.Helper()
	out := map[string][]float32{}
	for set, params := range tr.checkpointSets() {
		for _, p := range params {
			v, err := p.Tensor.Download()
			if err != nil {
				t.Fatalf("downloading %s.%s: %v", set, p.Name, err)
			}
			out[set+"."+p.Name] = v
		}
	}
	return out
}

func sameBits(a, b map[string][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for name, x := range a {
		y, ok := b[name]
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
	}
	return true
}

// updateDiff is the largest difference between two runs' updates of one
// tensor (got-init against want-init), relative to the largest element of
// the default run's update; a tensor the default run left unchanged must
// stay unchanged. NaN anywhere is an infinite difference.
func updateDiff(init, want, got []float32) float64 {
	if len(got) != len(want) || len(init) != len(want) {
		return math.Inf(1)
	}
	scale, worst := 0.0, 0.0
	for i := range want {
		dw := float64(want[i]) - float64(init[i])
		dg := float64(got[i]) - float64(init[i])
		if math.IsNaN(dw) || math.IsNaN(dg) {
			return math.Inf(1)
		}
		scale = math.Max(scale, math.Abs(dw))
		worst = math.Max(worst, math.Abs(dg-dw))
	}
	if scale == 0 {
		if worst == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return worst / scale
}
