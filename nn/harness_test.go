package nn

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/internal/approx"
	"github.com/ictvk/ictvk/nn/internal/kern"
	"github.com/ictvk/ictvk/nn/internal/ref"
	"github.com/ictvk/ictvk/shaders"
	"github.com/ictvk/ictvk/vk"
)

// The op harness: every op's test file adds cases with addCases, and
// TestOps runs each through the same checks:
//   - forward against the float64 reference, outputs poisoned with NaN first
//     (the pool fills every buffer it hands out);
//   - backward (through the tape) against the reference's backward;
//   - the reference's backward against central finite differences of the
//     reference's forward, so a wrong reference cannot pass unnoticed;
//   - no validation message;
//   - the backward reads only what the op saved (see runCase);
//   - and, over all cases, every kernel the engine may dispatch runs
//     (runCases; TestShadersAreDeclared ties every shader to a kernel).

// input describes one random input of a case.
type input struct {
	shape  []int
	lo, hi float64 // uniform range; both 0 means [-1, 1]
	noGrad bool    // a constant, not differentiated
	whole  bool    // whole numbers in [lo, hi): class labels
	// kinks are points where the op is not differentiable (clamp's
	// bounds): draws stay kinkGap away, so finite differences hold.
	kinks []float64
}

// kinkGap is how far a random input stays from its kinks: far past the
// finite-difference steps (1e-5 relative).
const kinkGap = 1e-3

type opCase struct {
	name    string
	inputs  []input
	gpu     func(e *Engine, in []*Tensor) *Tensor
	ref     func(in [][]float64) []float64
	refGrad func(in [][]float64, gy []float64) [][]float64 // nil: forward only
	tol     float64                                        // max error relative to the reference's largest magnitude
}

var opCases []opCase

// addCases registers cases; op test files call it from a var declaration.
func addCases(cs ...opCase) bool {
	opCases = append(opCases, cs...)
	return true
}

// testEngines are the package's validated engines, one per configuration,
// opened on first use and closed by TestMain.
var testEngines = map[string]*Engine{}

func TestMain(m *testing.M) {
	code := m.Run()
	for name, e := range testEngines {
		if err := e.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "closing the %s engine: %v\n", name, err)
			code = 1
		}
	}
	os.Exit(code)
}

// testOptions are the default engine's options: the device the environment
// names (so ICT_NO_UMA=1 and the like reach every test), validation on,
// outputs poisoned, no pipeline cache file.
func testOptions(t *testing.T) Options {
	t.Helper()
	dev, err := vk.OptionsFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	dev.Validate, dev.CacheDir = vk.ValidateInTests(), "off"
	return Options{Device: dev, Poison: true}
}

// gpuPaths changes opt to take a discrete GPU's code paths on any device:
// tensors behind staging copies, descriptor sets from pools, and GPU
// tunings (shared-memory GEMM tiles, workgroups of 256).
func gpuPaths(opt Options) Options {
	opt.Device.NoUMA = true
	opt.Device.NoPushDescriptors = true
	opt.Tuning = TuneGPU
	return opt
}

// engine returns the package's default validated engine and fails t on any
// validation message printed while t runs.
func engine(t *testing.T) *Engine {
	t.Helper()
	return engineFor(t, "default", testOptions(t))
}

// gpuEngine is engine on the discrete-GPU paths (see gpuPaths).
func gpuEngine(t *testing.T) *Engine {
	t.Helper()
	e := engineFor(t, "gpu-paths", gpuPaths(testOptions(t)))
	if e.Dev.UMA() || e.Dev.PushDescriptors() || e.Tune.For != TuneGPU || e.kernels().Variant().String() != "gpu" {
		t.Fatalf("the GPU-paths engine has UMA %v, push descriptors %v, tuning %v, GEMM tiles %v",
			e.Dev.UMA(), e.Dev.PushDescriptors(), e.Tune.For, e.kernels().Variant())
	}
	return e
}

// engineFor returns the engine of one configuration, opening it on first
// use, and fails t on any validation message printed while t runs.
func engineFor(t *testing.T, name string, opt Options) *Engine {
	t.Helper()
	e := testEngines[name]
	if e == nil {
		var err error
		if e, err = NewEngine(opt); err != nil {
			t.Fatalf("opening the %s engine: %v", name, err)
		}
		testEngines[name] = e
	}
	e.Dev.TakeMessages() // drop what an earlier test left
	t.Cleanup(func() {
		if err := e.Wait(); err != nil {
			t.Errorf("engine: %v", err)
		}
		e.ClearErr()
		e.Release()
		if msgs := e.Dev.TakeMessages(); len(msgs) > 0 {
			t.Errorf("validation layer:\n%s", strings.Join(msgs, "\n"))
		}
	})
	return e
}

func seedOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

func randomData(rng *rand.Rand, in input) []float64 {
	lo, hi := in.lo, in.hi
	if lo == 0 && hi == 0 {
		lo, hi = -1, 1
	}
	v := make([]float64, numel(in.shape))
	for i := range v {
		v[i] = lo + (hi-lo)*rng.Float64()
		if in.whole {
			v[i] = math.Floor(v[i])
		}
		for nearKink(v[i], in.kinks) {
			v[i] = lo + (hi-lo)*rng.Float64()
		}
	}
	return v
}

func nearKink(v float64, kinks []float64) bool {
	for _, k := range kinks {
		if math.Abs(v-k) < kinkGap {
			return true
		}
	}
	return false
}

func toF32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func toF64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// checkClose is the harness's comparison: every element within tol of
// want's largest magnitude (approx.Scaled).
func checkClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	approx.Check(t, what, got, want, approx.Scaled(tol))
}

func TestOps(t *testing.T) { runCases(t, engine) }

// TestOpsGPUPaths runs every case as a discrete GPU would: uploads and
// downloads through staging buffers, descriptor sets from pools, the
// shared-memory GEMM and convolution tiles and workgroups of 256, all on
// whatever device the tests have (lavapipe in CI).
func TestOpsGPUPaths(t *testing.T) { runCases(t, gpuEngine) }

// runCases runs every case on the engine engineFor opens, then, when none
// was left out (by -run), fails naming each kernel the engine may dispatch
// that no case ran: every op's kernels need a case (addCases), as
// TestShadersAreDeclared makes every shader a declared kernel.
func runCases(t *testing.T, engineFor func(*testing.T) *Engine) {
	ran := map[string]bool{}
	all := true
	var e *Engine
	for _, c := range opCases {
		started := false
		t.Run(c.name, func(t *testing.T) {
			started = true
			e = engineFor(t)
			before := e.S.KernelDispatches()
			defer func() {
				for name, n := range e.S.KernelDispatches() {
					if n > before[name] {
						ran[name] = true
					}
				}
			}()
			runCase(t, e, c)
		})
		all = all && started
	}
	if !all || e == nil {
		return
	}
	var missing []string
	for _, name := range kernelsOf(e) {
		if !ran[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("no case of the op harness runs kernel %s: add one (addCases) that does", strings.Join(missing, ", "))
	}
}

// kernelsOf lists the kernels e may dispatch: every kernel nn declares,
// and the GEMM and convolution shaders of e's tiling.
func kernelsOf(e *Engine) []string {
	names := kern.Shaders(e.kernels().Variant())
	for name := range declared {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// TestShadersAreDeclared fails for a shader no kernel declaration uses,
// and for a name declared both here and by package kern: with runCases's
// check, every shader is then run by a case of the op harness.
func TestShadersAreDeclared(t *testing.T) {
	owner := map[string]string{}
	for name := range declared {
		owner[name] = "nn"
	}
	for _, v := range []kern.Variant{kern.CPU, kern.GPU} {
		for _, name := range kern.Shaders(v) {
			if owner[name] == "nn" {
				t.Errorf("kernel %s is declared by both nn and nn/internal/kern", name)
			}
			owner[name] = "kern"
		}
	}
	for _, name := range shaders.Names() {
		if owner[name] == "" {
			t.Errorf("shaders/%s.spv is declared by no kernel (declare it in nn or nn/internal/kern, or delete it and its .comp)", name)
		}
	}
}

func runCase(t *testing.T, e *Engine, c opCase) {
	rng := rand.New(rand.NewPCG(seedOf(c.name), 1))
	data := make([][]float64, len(c.inputs))
	ins := make([]*Tensor, len(c.inputs))
	for i, in := range c.inputs {
		data[i] = randomData(rng, in)
		if in.noGrad || c.refGrad == nil {
			ins[i] = e.FromData(toF32(data[i]), in.shape...)
		} else {
			ins[i] = e.NewParam(toF32(data[i]), in.shape...)
			defer ins[i].Free()
		}
	}
	// Round the inputs as the device sees them, so the reference and the
	// shader start from the same numbers.
	for i := range data {
		data[i] = toF64(toF32(data[i]))
	}
	// The op runs on copies made inside a Tidy scope, which lets go of
	// them when it ends: an op whose backward reads an operand it did not
	// save (record's saves) then panics instead of reading reused memory.
	y := e.Tidy(func() *Tensor {
		copies := make([]*Tensor, len(ins))
		for i, t := range ins {
			copies[i] = e.Copy(t)
		}
		return c.gpu(e, copies)
	})
	got, err := y.Download()
	if err != nil {
		t.Fatalf("forward: %v", err)
	}
	want := c.ref(data)
	checkClose(t, "forward", toF64(got), want, c.tol)
	if c.refGrad == nil {
		return
	}

	gy := toF64(toF32(randomData(rng, input{shape: y.shape})))
	if err := e.BackwardWith(y, e.FromData(toF32(gy), y.shape...)); err != nil {
		t.Fatalf("backward: %v", err)
	}
	wantGrads := c.refGrad(data, gy)
	for i, in := range c.inputs {
		if in.noGrad || wantGrads[i] == nil {
			continue
		}
		g, err := ins[i].Grad().Download()
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, fmt.Sprintf("gradient of input %d", i), toF64(g), wantGrads[i], c.tol)
		checkFiniteDifferences(t, c, data, gy, i, wantGrads[i], rng)
	}
}

// checkFiniteDifferences compares the reference's gradient of input i with
// central differences of sum(ref(x) * gy), in float64, at up to 24 elements.
func checkFiniteDifferences(t *testing.T, c opCase, data [][]float64, gy []float64, i int, grad []float64, rng *rand.Rand) {
	t.Helper()
	objective := func() float64 {
		y := c.ref(data)
		s := 0.0
		for j := range y {
			s += y[j] * gy[j]
		}
		return s
	}
	// fd is the reference's gradient with the sampled elements replaced
	// by finite differences: judged against all of grad, so that the
	// tolerance is relative to the gradient's largest element.
	fd := append([]float64(nil), grad...)
	idx := rng.Perm(len(data[i]))
	if len(idx) > 24 {
		idx = idx[:24]
	}
	for _, j := range idx {
		x := data[i][j]
		h := 1e-5 * math.Max(1, math.Abs(x))
		data[i][j] = x + h
		up := objective()
		data[i][j] = x - h
		down := objective()
		data[i][j] = x
		fd[j] = (up - down) / (2 * h)
	}
	approx.Check(t, fmt.Sprintf("finite differences of the reference's gradient of input %d", i), fd, grad, approx.Scaled(1e-5))
}

// checkGolden compares y with a golden case's y, runs the backward pass
// with its gy, and compares each parameter's gradient with the golden
// array named after it ("g_x" for the input x, ...).
func checkGolden(t *testing.T, e *Engine, g *ref.Golden, y *Tensor, tol float64, grads map[string]*Tensor) {
	t.Helper()
	got, err := y.Download()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := g.Array("y")
	checkClose(t, "y", toF64(got), want, tol)
	gy, _ := g.Array("gy")
	if err := e.BackwardWith(y, e.FromData(toF32(gy), y.Shape()...)); err != nil {
		t.Fatal(err)
	}
	for name, p := range grads {
		got, err := p.Grad().Download()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := g.Array(name)
		checkClose(t, name, toF64(got), want, tol)
	}
}
