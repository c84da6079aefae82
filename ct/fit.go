package ct

import (
	"errors"
	"fmt"
	"math"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/unet"
	"github.com/ictvk/ictvk/vk"
)

// How large a pass of the network fits the device: a micro-batch of a
// training step, or a chunk of sampling. Rather than model the U-Net's
// tensors by hand, FitPass records the pass at 1 and 2 samples, reads the
// pool's peak step-tensor bytes and its largest tensor, and extrapolates
// linearly (fixed bytes plus bytes per sample). Unless that estimate is
// under half the memory free, the size it picks is run once more and
// measured (and shrunk until it fits), so the figure that decides is a
// measured one. Persistent tensors (parameters, gradients, optimizer
// moments, EMA) are whatever the allocator holds outside the pool when
// FitPass runs: call it once they exist. The passes are recorded dry
// (nn.Engine.DryRun): recording alone sets the pool's peak, so no shader
// runs, and lavapipe compiles no pipeline for sizes only the fit uses.
//
// Passes of one size reuse the pool's buffers; a last pass of another
// size needs buffers of other size classes, which the pool makes room for
// by giving its idle buffers back to the allocator first.

// PassMode is the work of one pass.
type PassMode int

const (
	// TrainPass is one micro-batch of a training step: the teacher's
	// forward under NoGrad, the student's forward on the tape, the loss
	// and the backward pass.
	TrainPass PassMode = iota
	// SamplePass is one step of sampling: a forward of the network under
	// NoGrad, with the scalings around it (Sample with one sigma; k steps
	// without a Release between them hold k times the step tensors).
	SamplePass
	// CustomPass is any pass FitFunc measures.
	CustomPass
)

func (m PassMode) String() string {
	switch m {
	case TrainPass:
		return "training pass"
	case SamplePass:
		return "sampling pass"
	}
	return "pass"
}

// fitMargin is the share of the device's memory limit that persistent and
// step tensors may fill together: the rest absorbs the allocator's block
// fragmentation, staging buffers for uploads, and the pool's size classes
// of a pass larger than the probes.
const fitMargin = 0.85

// bufferMargin keeps the largest tensor's bytes below maxStorageBufferRange
// by more than the pool's size-class rounding (at most a quarter up).
const bufferMargin = 0.8

// PassFit is what FitPass measured: a pass of n samples needs about
// FixedBytes + n*BytesPerSample of step tensors, and its largest tensor
// has about LargestFixed + n*LargestPerSample bytes.
type PassFit struct {
	Mode                           PassMode
	FixedBytes, BytesPerSample     float64
	LargestFixed, LargestPerSample float64
	// LimitBytes is the device's memory limit (vk.Device.MemoryLimit),
	// PersistentBytes what is allocated outside the tensor pool when
	// measured, and AvailableBytes what step tensors may use:
	// fitMargin*LimitBytes - PersistentBytes.
	LimitBytes, PersistentBytes, AvailableBytes uint64
	// MaxBufferBytes is maxStorageBufferRange, the most one tensor may hold.
	MaxBufferBytes uint64
	// Chosen is the pass size FitPass picked, and MeasuredBytes its peak
	// step-tensor bytes as run; 0 when the estimate was so far below the
	// memory free that FitPass did not run it.
	Chosen        int
	MeasuredBytes uint64
	// Runs lists the passes run while fitting, in order.
	Runs []PassRun
}

// PassRun is one pass FitPass ran: its size, and its peak step-tensor
// bytes, or OutOfMemory.
type PassRun struct {
	Samples     int
	PeakBytes   uint64
	OutOfMemory bool
}

func (r PassRun) String() string {
	if r.OutOfMemory {
		return fmt.Sprintf("%d: out of memory", r.Samples)
	}
	return fmt.Sprintf("%d: %s", r.Samples, human(float64(r.PeakBytes)))
}

// PassBytes estimates the step-tensor bytes of a pass of n samples.
func (f PassFit) PassBytes(n int) uint64 {
	if n == f.Chosen && f.MeasuredBytes > 0 {
		return f.MeasuredBytes
	}
	return uint64(math.Max(0, f.FixedBytes+float64(n)*f.BytesPerSample))
}

// LargestTensorBytes estimates the bytes of a pass's largest tensor.
func (f PassFit) LargestTensorBytes(n int) uint64 {
	return uint64(math.Max(0, f.LargestFixed+float64(n)*f.LargestPerSample))
}

// Fits reports whether a pass of n samples fits AvailableBytes and keeps
// every tensor within MaxBufferBytes.
func (f PassFit) Fits(n int) bool {
	return f.FitsIn(n, f.AvailableBytes)
}

// FitsIn is Fits for another amount of memory for step tensors: what a
// pass would need on a device with more (or less) memory.
func (f PassFit) FitsIn(n int, availableBytes uint64) bool {
	return n >= 1 && f.PassBytes(n) <= availableBytes &&
		float64(f.LargestTensorBytes(n)) <= bufferMargin*float64(f.MaxBufferBytes)
}

// Largest is the largest n <= max that fits, or 0 if not even one sample does.
func (f PassFit) Largest(max int) int { return f.largest(max, f.AvailableBytes, 0) }

// LargestDivisor is the largest divisor of b that fits, or 0: the
// micro-batch of a training step of batch b.
func (f PassFit) LargestDivisor(b int) int { return f.largest(b, f.AvailableBytes, b) }

// AvailableOn is what step tensors could use on a device with a memory
// limit of limitBytes, holding the same persistent tensors.
func (f PassFit) AvailableOn(limitBytes uint64) uint64 {
	return available(limitBytes, f.PersistentBytes)
}

func available(limit, persistent uint64) uint64 {
	if budget := fitMargin * float64(limit); budget > float64(persistent) {
		return uint64(budget) - persistent
	}
	return 0
}

// LargestDivisorIn is LargestDivisor on a device that leaves
// availableBytes to step tensors.
func (f PassFit) LargestDivisorIn(b int, availableBytes uint64) int {
	return f.largest(b, availableBytes, b)
}

// largest is the largest n <= max that fits avail (and divides of, if
// of > 0).
func (f PassFit) largest(max int, avail uint64, of int) int {
	for n := max; n >= 1; n-- {
		if of > 0 && of%n != 0 {
			continue
		}
		if f.FitsIn(n, avail) {
			return n
		}
	}
	return 0
}

// Explain says why a pass of n samples was chosen for a batch of b, e.g.
// "micro-batch 128 (a pass of 1024 needs ~9.1 GiB; this device has 2.0 GiB)".
func (f PassFit) Explain(b, n int) string {
	why := fmt.Sprintf("a pass of %d needs ~%s", b, human(float64(f.PassBytes(b))))
	if float64(f.LargestTensorBytes(b)) > bufferMargin*float64(f.MaxBufferBytes) {
		why += fmt.Sprintf(", one tensor of ~%s past the %s a buffer may hold", human(float64(f.LargestTensorBytes(b))), human(float64(f.MaxBufferBytes)))
	}
	noun := "micro-batch"
	if f.Mode != TrainPass {
		noun = "chunks of"
	}
	return fmt.Sprintf("%s %d (%s; this device has %s, %s of it free for a pass)", noun, n, why,
		human(float64(f.LimitBytes)), human(float64(f.AvailableBytes)))
}

func human(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	}
	return fmt.Sprintf("%.1f KiB", b/(1<<10))
}

// PassSize returns the largest pass of at most max samples that fits e's
// memory and buffer limits, for net in the given mode; an error when not
// even one sample fits. For TrainPass net must be trainable (unet.New);
// the probe's gradients are cleared afterwards. Step tensors of e are
// released, so call it between steps.
func PassSize(e *nn.Engine, net *unet.Net, mode PassMode, max int) (int, error) {
	f, err := FitPass(e, net, mode, max, false)
	if err != nil {
		return 0, err
	}
	return f.Chosen, nil
}

// FitPass measures passes of net in mode and returns the fit, whose
// Chosen is the largest pass of at most max samples (a divisor of max
// when divisor) that was run and fits.
func FitPass(e *nn.Engine, net *unet.Net, mode PassMode, max int, divisor bool) (PassFit, error) {
	var probe func(n int) error
	reset := func() {}
	switch mode {
	case TrainPass:
		params := net.Tensors()
		if len(params) == 0 || !params[0].Param() {
			return PassFit{}, errors.New("ct: sizing a training pass needs a trainable network (unet.New, not NewFrozen)")
		}
		probe = func(n int) error { return probeTrainPass(e, net, n) }
		reset = func() { e.ZeroGrad(params) }
	case SamplePass:
		probe = func(n int) error {
			_, err := Sample(e, net, DefaultRecipe(), n, DefaultRecipe().OneStepSigmas(), 0)
			return err
		}
	default:
		return PassFit{}, fmt.Errorf("ct: unknown pass mode %d", mode)
	}
	return fitPass(e, mode, probe, reset, max, divisor)
}

// FitFunc is FitPass for any pass: probe(n) records a pass of n samples
// and returns Engine.Err (a sampler's whole multistep chunk, say). The
// fit releases the engine's step tensors after each probe.
func FitFunc(e *nn.Engine, probe func(n int) error, max int, divisor bool) (PassFit, error) {
	return fitPass(e, CustomPass, probe, func() {}, max, divisor)
}

// fitPass runs probe at 1 and 2 samples, extrapolates, and verifies the
// size it picks by running it. reset undoes a probe's effects (the
// gradients it accumulated), after an error too.
func fitPass(e *nn.Engine, mode PassMode, probe func(n int) error, reset func(), max int, divisor bool) (PassFit, error) {
	if max < 1 {
		return PassFit{}, fmt.Errorf("ct: sizing a %v of at most %d samples", mode, max)
	}
	if err := e.Err(); err != nil {
		return PassFit{}, err
	}
	e.Release()
	e.TrimPool()
	if err := e.Wait(); err != nil {
		return PassFit{}, err
	}
	alloc, pool := e.Dev.AllocStats(), e.PoolStats()
	f := PassFit{Mode: mode, LimitBytes: e.Dev.MemoryLimit(), MaxBufferBytes: e.Dev.Info.Limits.MaxStorageBufferRange}
	f.PersistentBytes = alloc.InUseBytes - min(pool.HeldBytes, alloc.InUseBytes)
	f.AvailableBytes = available(f.LimitBytes, f.PersistentBytes)
	// measure runs one pass and reads its peak; an out-of-memory error is
	// a pass that does not fit, not a failure of the fit.
	measure := func(n int) (peak, largest uint64, fits bool, err error) {
		defer func() {
			if err == nil {
				f.Runs = append(f.Runs, PassRun{Samples: n, PeakBytes: peak, OutOfMemory: !fits})
			}
		}()
		e.ResetPeakMemory()
		// Only the pool's peak matters, which recording sets: the pass
		// runs dry, so a driver that compiles pipelines at their first
		// run (lavapipe) compiles none for the sizes only the fit uses.
		perr := e.DryRun(func() error { return probe(n) })
		s := e.PoolStats()
		e.Release()
		if perr == nil {
			perr = e.Err()
		}
		oom := errors.Is(perr, vk.ErrOutOfMemory)
		if oom {
			e.ClearErr()
			perr = nil
		}
		reset()
		e.TrimPool()
		if perr == nil {
			perr = e.Wait()
		}
		if perr == nil && oom {
			return 0, 0, false, nil
		}
		if perr != nil {
			return 0, 0, false, fmt.Errorf("ct: sizing a %v of %d samples: %w", mode, n, perr)
		}
		return s.PeakLentBytes, s.LargestBytes, true, nil
	}
	p1, l1, ok1, err := measure(1)
	if err != nil {
		return f, err
	}
	if !ok1 {
		return f, fmt.Errorf("ct: a %v of one sample runs out of device memory (%s limit, %s held by parameters and optimizer state)",
			mode, human(float64(f.LimitBytes)), human(float64(f.PersistentBytes)))
	}
	f.Chosen, f.MeasuredBytes = 1, p1
	if max == 1 || !f.Fits(1) {
		// A pass of one ran: it is the only choice, even past the margin.
		return f, nil
	}
	p2, l2, ok2, err := measure(2)
	if err != nil {
		return f, err
	}
	if !ok2 {
		// Only one sample fits; take all of its bytes as per sample (the
		// estimate Explain and FitsIn give for larger devices).
		p2, l2 = 2*p1, 2*l1
	}
	f.BytesPerSample, f.FixedBytes = float64(p2)-float64(p1), 2*float64(p1)-float64(p2)
	f.LargestPerSample, f.LargestFixed = float64(l2)-float64(l1), 2*float64(l1)-float64(l2)
	f.Chosen, f.MeasuredBytes = 0, 0
	// Pick from the model, run the pick; when it overshoots, scale the
	// per-sample bytes up to what was seen and pick again.
	of := 0
	if divisor {
		of = max
	}
	for upper := max; ; {
		n := f.largest(upper, f.AvailableBytes, of)
		if n <= 2 {
			if n < 1 {
				n = 1
			}
			if n == 2 && !ok2 {
				n = 1
			}
			f.Chosen, f.MeasuredBytes = n, p1
			if n == 2 {
				f.MeasuredBytes = p2
			}
			return f, nil
		}
		if f.PassBytes(n) <= f.AvailableBytes/2 {
			// Far below the memory free: the model's error (size
			// classes, at most a quarter) cannot matter; skip the run.
			f.Chosen = n
			return f, nil
		}
		peak, _, ok, err := measure(n)
		if err != nil {
			return f, err
		}
		if ok && peak <= f.AvailableBytes {
			f.Chosen, f.MeasuredBytes = n, peak
			return f, nil
		}
		if !ok {
			peak = f.AvailableBytes + f.AvailableBytes/4
		}
		f.BytesPerSample = math.Max(f.BytesPerSample, (float64(peak)-f.FixedBytes)/float64(n))
		upper = n - 1
	}
}

// MinPassBytes is a floor of the device memory of a training pass of one
// image, from the network's shape alone: the student keeps at least eight
// full-resolution maps of its base channels for its backward pass (the
// measured pass of the mnist preset takes about seven times this). It lets
// a caller refuse an image size far too large before building anything.
func MinPassBytes(c unet.Config) uint64 {
	return 8 * 4 * uint64(c.BaseChannels) * uint64(c.ImageSize) * uint64(c.ImageSize)
}

// probeTrainPass records a training pass of n samples on net (teacher and
// student alike) with made-up images and noise levels: the memory of a
// pass does not depend on the values.
func probeTrainPass(e *nn.Engine, net *unet.Net, n int) error {
	r := DefaultRecipe()
	c := net.Config
	x := e.Empty(n, c.ImageChannels, c.ImageSize, c.ImageSize)
	x.Fill(0)
	fill := func(v float64) *nn.Tensor {
		t := e.Empty(n)
		t.Fill(float32(v))
		return t
	}
	lo, hi := 0.5, 0.6
	st, ss := r.Scalings(lo), r.Scalings(hi)
	s := sampleInputs{
		sigmaS: fill(hi), sigmaT: fill(lo),
		inS: fill(ss.In), skipS: fill(ss.Skip), outS: fill(ss.Out), noiseS: fill(ss.Noise),
		inT: fill(st.In), skipT: fill(st.Skip), outT: fill(st.Out), noiseT: fill(st.Noise), lamb: fill(1),
	}
	p := pass{e: e, recipe: r, student: net, teacher: net, x: x, samples: s}
	loss, err := p.loss()
	if err != nil {
		return err
	}
	return e.Backward(loss)
}
