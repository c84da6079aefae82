package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/vk"
)

// runBench times training steps of a preset on the chosen device, split
// into phases and kernels by timestamp queries, and a few ops alone.
func runBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stderr)
	env, err := deviceFlag(fs)
	if err != nil {
		return err
	}
	var f trainFlags
	preset := presetFlag(fs, "configuration to time")
	f.netFlags.register(fs)
	steps := fs.Int("steps", 5, "timed training steps")
	warm := fs.Int("warmup", 2, "untimed steps first (they build the pipelines)")
	top := fs.Int("top", 12, "kernels to list")
	ops := fs.Bool("ops", true, "also time the main ops alone")
	fs.StringVar(&f.devices, "devices", "", "time a step on several devices at once (as 'ict train --devices'): `LIST` of indices; device times are the first device's")
	if err := parse(fs, args); err != nil {
		return err
	}
	f.preset, f.given = *preset, givenFlags(fs)
	if err := checkDevicesFlag(f.given, env.Device, f.devices); err != nil {
		return err
	}
	delete(f.given, "warmup") // bench's --warmup counts untimed steps, not the recipe's warm-up
	if *steps < 1 {
		return fmt.Errorf("--steps %d: want at least 1", *steps)
	}
	if *warm < 0 {
		return fmt.Errorf("--warmup %d: want at least 0", *warm)
	}
	p, err := presetWithFlags(f)
	if err != nil {
		return err
	}
	engines, err := openEngines(nn.Options{Device: *env, Stream: vk.StreamOptions{Timestamps: true}}, f.devices, p.Run, 1)
	if err != nil {
		return err
	}
	defer closeEngines(engines)
	e := engines[0]
	t0 := time.Now()
	tr, group, err := newTrainers(engines, p.Run, nil)
	if err != nil {
		return err
	}
	var stepper interface{ TrainStep([]float32) error } = tr
	if group != nil {
		stepper = group
	}
	net, b := p.Run.Net, p.Run.Recipe.BatchSize
	fmt.Fprintf(stdout, "bench %s on %s (%s): %d parameters, batch %d%s of %dx%dx%d\n", p.Name, deviceNames(engines),
		e.Dev.Info.Type, tr.Student.ParamCount(), b, passesNote(tr), net.ImageChannels, net.ImageSize, net.ImageSize)
	if f := tr.Fit; f != nil {
		printFit(stdout, *f, b/len(engines), tr.MicroBatch(), time.Since(t0))
	}

	var stepStart time.Time
	if m := tr.MicroBatch(); b/m >= 16 {
		// Steps of many passes take long on small devices: show them go.
		tr.PassRecorded = func(pass, passes int) {
			if pass&(pass-1) == 0 || pass%64 == 0 || pass == passes {
				s := time.Since(stepStart).Seconds()
				fmt.Fprintf(stdout, "  pass %d/%d recorded after %.1f s (%.2f s per pass)\n", pass, passes, s, s/float64(pass))
			}
		}
	}
	// Images of a fixed random draw: the step's cost does not depend on them.
	rng := rand.New(rand.NewPCG(1, 2))
	batch := make([]float32, b*net.ImageChannels*net.ImageSize*net.ImageSize)
	for i := range batch {
		batch[i] = float32(rng.Float64()*2 - 1)
	}
	step := func() error {
		stepStart = time.Now()
		if err := stepper.TrainStep(batch); err != nil {
			return err
		}
		_, err := tr.LastLoss()
		return err
	}
	t0 = time.Now()
	for i := 0; i < *warm; i++ {
		if err := step(); err != nil {
			return fmt.Errorf("warm-up step %d: %w", i+1, err)
		}
	}
	if *warm > 0 {
		fmt.Fprintf(stdout, "warm-up: %d steps in %.1f s (first use builds the pipelines)\n", *warm, time.Since(t0).Seconds())
	}
	printPipelines(stdout, e.Dev.PipelineStats(), 5)
	e.S.Timings() // drop the warm-up's
	e.ResetPeakMemory()
	barriers := e.S.Stats().Barriers
	reduced := tr.ReduceStats()
	t0 = time.Now()
	stepSeconds := make([]float64, *steps)
	cpuSeconds := make([]float64, *steps)
	for i := range stepSeconds {
		cpu0 := processCPUSeconds()
		if err := step(); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
		stepSeconds[i] = time.Since(stepStart).Seconds()
		cpuSeconds[i] = processCPUSeconds() - cpu0
	}
	wall := time.Since(t0).Seconds() / float64(*steps)
	fmt.Fprintf(stdout, "training: %.3f s per step, %.1f images/s (wall clock, %d steps)\n", wall, float64(b)/wall, *steps)
	// Each step alone, for medians over runs (bench/compare.py).
	fmt.Fprintf(stdout, "  steps: %s s\n", strings.Trim(fmt.Sprintf("%.3f", stepSeconds), "[]"))
	// The CPU time this process spent on each step (on lavapipe, the
	// device's work too): on a machine shared with other jobs it varies
	// far less than the wall clock, so A/B comparisons there read it.
	fmt.Fprintf(stdout, "  steps, process CPU: %s s\n", strings.Trim(fmt.Sprintf("%.3f", cpuSeconds), "[]"))
	if m, share := tr.MicroBatch(), b/len(engines); m < share {
		fmt.Fprintf(stdout, "  %d passes of %d per step: %.3f s per pass\n", share/m, m, wall*float64(m)/float64(share))
	}
	if group != nil {
		printReduce(stdout, tr.ReduceStats(), reduced, len(engines), wall)
	}
	printMemory(stdout, e, tr.MicroBatch(), float64(e.S.Stats().Barriers-barriers)/float64(*steps))
	printTimings(stdout, e.S.Timings(), *steps, *top)
	if *ops {
		return benchOps(stdout, e, net.BaseChannels, net.ImageSize, b)
	}
	return nil
}

// printReduce reports replica 0's sums of the gradients over the steps
// since before: what the all-reduces took (waits for slower replicas
// included), and how much of it the step waited for after its own device
// work was done (exposed) rather than overlapping the backward pass
// (hidden).
func printReduce(w io.Writer, now, before ct.ReduceStats, devices int, stepSeconds float64) {
	steps := float64(now.Steps - before.Steps)
	comm := (now.Comm - before.Comm).Seconds() / steps
	exposed := (now.Exposed - before.Exposed).Seconds() / steps
	buckets := float64(now.Buckets-before.Buckets) / steps
	early := float64(now.Overlapped-before.Overlapped) / steps
	fmt.Fprintf(w, "  summing gradients over %d devices: %.3f s per step in %.1f buckets (%.1f began during the backward); exposed %.3f s, %.1f%% of a step; hidden %.3f s\n",
		devices, comm, buckets, early, exposed, 100*exposed/stepSeconds, max(comm-exposed, 0))
}

// printFit reports the measured memory of a training pass and the
// micro-batch it gives here and on devices of common sizes.
func printFit(w io.Writer, f ct.PassFit, b, m int, took time.Duration) {
	var runs []string
	for _, r := range f.Runs {
		runs = append(runs, r.String())
	}
	fmt.Fprintf(w, "memory of a training pass (passes run in %.1f s: %s): %.1f MiB + %.2f MiB per sample, largest tensor %.2f MiB per sample; parameters and optimizer state %s\n",
		took.Seconds(), strings.Join(runs, ", "), f.FixedBytes/(1<<20), f.BytesPerSample/(1<<20), f.LargestPerSample/(1<<20), mib(f.PersistentBytes))
	fmt.Fprintf(w, "  %s\n", f.Explain(b, m))
	for _, gib := range []uint64{8, 16, 24, 80} {
		fmt.Fprintf(w, "  on a %d GiB device (this device's buffer limit): micro-batch %d\n", gib, f.LargestDivisorIn(b, f.AvailableOn(gib<<30)))
	}
}

// printMemory reports the peak memory of the timed steps: the step's
// tensors at their fullest (activations, gradients, temporaries), what the
// device allocator held at its fullest (those, the pool's idle buffers,
// parameters and optimizer state, staging), and the process's peak
// resident size (on lavapipe device memory is host memory). Per image is
// per image of a pass: a step of several micro-batches peaks at one pass.
func printMemory(w io.Writer, e *nn.Engine, pass int, barriersPerStep float64) {
	ps, as := e.PoolStats(), e.Dev.AllocStats()
	fmt.Fprintf(w, "memory: step tensors peak %s (%s per image); device memory held peak %s (%s in use at peak) of a %s limit",
		mib(ps.PeakLentBytes), mib(ps.PeakLentBytes/uint64(pass)), mib(as.PeakReservedBytes), mib(as.PeakInUseBytes), mib(e.Dev.MemoryLimit()))
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		fmt.Fprintf(w, "; process peak resident %s", mib(uint64(ru.Maxrss)*1024))
	}
	// Reusing memory within a step orders more commands after earlier
	// ones: the barriers show what liveness costs in synchronization.
	fmt.Fprintf(w, "; %.0f barriers per step\n", barriersPerStep)
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// printTimings splits the device time of steps by phase and by kernel.
func printTimings(w io.Writer, ts []vk.Timing, steps, top int) {
	if len(ts) == 0 {
		fmt.Fprintln(w, "device timings: none (the device has no timestamp queries)")
		return
	}
	type agg struct {
		name    string
		seconds float64
		calls   int
	}
	phases := map[string]*agg{}
	kernels := map[string]*agg{}
	total := 0.0
	for _, t := range ts {
		ph := t.Phase
		if ph == "" {
			ph = "other"
		}
		for _, m := range []struct {
			into map[string]*agg
			key  string
		}{{phases, ph}, {kernels, ph + "/" + t.Name}} {
			a := m.into[m.key]
			if a == nil {
				a = &agg{name: m.key}
				m.into[m.key] = a
			}
			a.seconds += t.Seconds
			a.calls++
		}
		total += t.Seconds
	}
	sorted := func(m map[string]*agg) []*agg {
		out := make([]*agg, 0, len(m))
		for _, a := range m {
			out = append(out, a)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].seconds > out[j].seconds })
		return out
	}
	n := float64(steps)
	fmt.Fprintf(w, "device time: %.3f s per step in %d commands", total/n, len(ts)/steps)
	for _, a := range sorted(phases) {
		fmt.Fprintf(w, ", %s %.3f s (%.0f%%)", a.name, a.seconds/n, 100*a.seconds/total)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-34s %10s %6s %8s\n", "phase/kernel", "s/step", "share", "calls")
	for i, a := range sorted(kernels) {
		if i == top {
			break
		}
		fmt.Fprintf(w, "%-34s %10.4f %5.1f%% %8d\n", a.name, a.seconds/n, 100*a.seconds/total, a.calls/steps)
	}
}

// benchOps times the ops a U-Net spends its time in, alone, at the
// preset's sizes: GFLOP/s say how far each is from the device's peak.
func benchOps(w io.Writer, e *nn.Engine, ch, size, batch int) error {
	rng := rand.New(rand.NewPCG(3, 4))
	// The inputs are persistent: each repetition ends with Release, which
	// would hand step tensors' memory to the next repetition's outputs.
	var inputs []*nn.Tensor
	defer func() {
		for _, t := range inputs {
			t.Free()
		}
	}()
	randT := func(shape ...int) *nn.Tensor {
		t := e.Persistent(shape...)
		v := make([]float32, t.Len())
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		t.Upload(v)
		inputs = append(inputs, t)
		return t
	}
	type op struct {
		name  string
		flops float64
		run   func() *nn.Tensor
	}
	x := randT(batch, ch, size, size)
	wc := randT(ch, ch, 3, 3)
	a, bm := randT(512, 512), randT(512, 512)
	g, beta := randT(ch), randT(ch)
	hw := float64(size * size)
	list := []op{
		{fmt.Sprintf("conv3x3 %d->%d %dx%d batch %d", ch, ch, size, size, batch), 2 * float64(batch) * hw * float64(ch*ch*9),
			func() *nn.Tensor { return e.Conv2d(x, wc, nil, 1, 1) }},
		{"matmul 512x512x512", 2 * 512 * 512 * 512, func() *nn.Tensor { return e.MatMul(a, bm, false, false) }},
		{fmt.Sprintf("groupnorm %dx%dx%dx%d", batch, ch, size, size), 0, func() *nn.Tensor { return e.GroupNorm(x, g, beta, min(ch, 4), 1e-5) }},
		{fmt.Sprintf("silu %dx%dx%dx%d", batch, ch, size, size), 0, func() *nn.Tensor { return e.SiLU(x) }},
	}
	fmt.Fprintln(w, "ops alone (device time, best of 3):")
	var err error
	e.NoGrad(func() {
		for _, o := range list {
			best := 0.0
			for rep := 0; rep < 4; rep++ {
				o.run()
				if err = e.Wait(); err != nil {
					return
				}
				var s float64
				for _, t := range e.S.Timings() {
					s += t.Seconds
				}
				e.Release()
				if rep > 0 && (best == 0 || s < best) { // the first builds the pipeline
					best = s
				}
			}
			if o.flops > 0 {
				fmt.Fprintf(w, "  %-40s %9.3f ms %7.1f GFLOP/s\n", o.name, 1e3*best, o.flops/best/1e9)
			} else {
				fmt.Fprintf(w, "  %-40s %9.3f ms\n", o.name, 1e3*best)
			}
		}
	})
	return err
}

// printPipelines reports the pipelines built so far and the slowest few.
func printPipelines(w io.Writer, st vk.PipelineStats, top int) {
	fmt.Fprintf(w, "pipelines: %d created in %.1f s", st.Built, st.CreateSeconds)
	if st.Compiled > 0 {
		fmt.Fprintf(w, ", %d compiled before their first run in %.1f s on %d threads (%d by helper devices)", st.Compiled, st.CompileSeconds, st.CompileThreads, st.ByHelpers)
		if st.CompileNote != "" {
			fmt.Fprintf(w, "; %s", st.CompileNote)
		}
	}
	if st.LoadedBytes > 0 {
		fmt.Fprintf(w, "; cache file %d bytes", st.LoadedBytes)
	}
	fmt.Fprintln(w)
	for i, b := range st.Builds {
		if i == top {
			break
		}
		fmt.Fprintf(w, "  %v\n", b)
	}
}

// processCPUSeconds is the user and system time of this process so far.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
