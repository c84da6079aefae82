package vk

import (
	"strings"
	"testing"
)

// precompileDevice opens a validated device with the given compile threads
// and a Mesa shader cache of the test's own (empty, so that the pipelines
// really compile); it skips on drivers that compile when a pipeline is
// created.
func precompileDevice(t *testing.T, opt Options, threads, cache string) *Device {
	t.Helper()
	t.Setenv("ICT_COMPILE_THREADS", threads)
	t.Setenv("MESA_SHADER_CACHE_DISABLE", cache)
	t.Setenv("MESA_GLSL_CACHE_DISABLE", "")
	t.Setenv("MESA_SHADER_CACHE_DIR", t.TempDir())
	d := openTest(t, opt)
	if !lazyCompile(d.Info) {
		t.Skipf("%s compiles pipelines when they are created", d.Info.Name)
	}
	return d
}

// affineSpecs runs y = a*x + b through the affine kernel built for
// several workgroup sizes, all recorded into one submit, and checks every
// result: pipelines compiled ahead (some by helper devices) must be the
// ones the submit runs.
func affineSpecs(t *testing.T, d *Device, s *Stream, locals []uint32) {
	t.Helper()
	const n = 1000
	x := mustAlloc(t, d, 4*n)
	in := make([]float32, n)
	for i := range in {
		in[i] = float32(i)
	}
	upload(t, s, x, in)
	ys := make([]*Buffer, len(locals))
	for i, local := range locals {
		p, err := d.Pipeline(affine, local)
		if err != nil {
			t.Fatal(err)
		}
		ys[i] = mustAlloc(t, d, 4*n)
		if err := s.Dispatch(p, [3]uint32{(n + local - 1) / local, 1, 1}, Push(uint32(n), float32(i+2), float32(1)), x, ys[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
	for i, y := range ys {
		got := download(t, s, y, n)
		for j, v := range got {
			if want := float32(i+2)*float32(j) + 1; v != want {
				t.Fatalf("local size %d: y[%d] = %v, want %v", locals[i], j, v, want)
			}
		}
	}
}

func TestPrecompileOnHelpers(t *testing.T) {
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			d := precompileDevice(t, c.opt, "3", "")
			s := mustStream(t, d, StreamOptions{})
			locals := []uint32{8, 16, 32, 64}
			affineSpecs(t, d, s, locals)
			st := d.PipelineStats()
			if st.Compiled != len(locals) || st.CompileThreads != 3 || st.CompileNote != "" || st.ByHelpers == 0 {
				t.Errorf("after the first submit: %d of %d pipelines compiled ahead on %d threads (%q), %d by helpers", st.Compiled, len(locals), st.CompileThreads, st.CompileNote, st.ByHelpers)
			}
			if len(d.compiler.helpers) != 0 {
				t.Errorf("%d helper devices left open after compiling", len(d.compiler.helpers))
			}
			// Running them again compiles nothing more; a new one compiles
			// on this device's queue alone (one pipeline: no helper needed).
			affineSpecs(t, d, s, append(locals, 128))
			if st := d.PipelineStats(); st.Compiled != len(locals)+1 || st.Built != len(locals)+1 {
				t.Errorf("after the second submit: %d compiled ahead, %d built; want %d", st.Compiled, st.Built, len(locals)+1)
			}
		})
	}
}

// Without Mesa's shader cache a helper's code cannot reach the device:
// the device compiles on its own queue, with the same results.
func TestPrecompileWithoutMesaCache(t *testing.T) {
	d := precompileDevice(t, configs[0].opt, "3", "true")
	s := mustStream(t, d, StreamOptions{})
	affineSpecs(t, d, s, []uint32{8, 16, 32})
	st := d.PipelineStats()
	if st.Compiled != 3 || st.CompileThreads != 1 || st.ByHelpers != 0 || !strings.Contains(st.CompileNote, "MESA_SHADER_CACHE_DISABLE") {
		t.Errorf("%d pipelines compiled ahead on %d threads (%q), want 3 on 1 naming MESA_SHADER_CACHE_DISABLE", st.Compiled, st.CompileThreads, st.CompileNote)
	}
}

func TestCompileThreadsFromEnv(t *testing.T) {
	t.Setenv("ICT_COMPILE_THREADS", "zero")
	d, err := Open(Options{Device: -1, CacheDir: "off"})
	if err == nil {
		// A driver that compiles when pipelines are created never reads it.
		lazy := lazyCompile(d.Info)
		d.Close()
		if lazy {
			t.Error("ICT_COMPILE_THREADS=zero was accepted")
		}
		return
	}
	if !strings.Contains(err.Error(), "ICT_COMPILE_THREADS") {
		t.Errorf("ICT_COMPILE_THREADS=zero: %v", err)
	}
}

// A discarding stream checks its commands and drops them: nothing runs,
// downloads read zeros, and what was recorded before still runs.
func TestDiscard(t *testing.T) {
	forEachConfig(t, func(t *testing.T, d *Device) {
		const n = 300
		s := mustStream(t, d, StreamOptions{})
		x, y := mustAlloc(t, d, 4*n), mustAlloc(t, d, 4*n)
		ones := make([]float32, n)
		for i := range ones {
			ones[i] = 1
		}
		upload(t, s, x, ones)
		if err := s.Fill(y, 0x40e00000); err != nil { // 7.0
			t.Fatal(err)
		}
		if err := s.SetDiscard(true); err != nil {
			t.Fatal(err)
		}
		p, err := d.Pipeline(affine, 16) // used only while discarding
		if err != nil {
			t.Fatal(err)
		}
		before := s.Stats()
		runAffine(t, s, p, x, y, n, 2, 3)
		if err := s.Fill(y, 0); err != nil {
			t.Fatal(err)
		}
		upload(t, s, y, ones)
		if err := s.Copy(y, 0, x, 0, 4*n); err != nil {
			t.Fatal(err)
		}
		if err := s.Dispatch(p, [3]uint32{1, 1, 1}, Push(uint32(n)), x, y); err == nil {
			t.Error("a dispatch with the wrong push constants was accepted while discarding")
		}
		for i, v := range download(t, s, y, n) {
			if v != 0 {
				t.Fatalf("a download while discarding read y[%d] = %v, want 0", i, v)
			}
		}
		if after := s.Stats(); after != before {
			t.Errorf("discarded commands were counted: %+v, then %+v", before, after)
		}
		if err := s.SetDiscard(false); err != nil {
			t.Fatal(err)
		}
		for i, v := range download(t, s, y, n) {
			if v != 7 {
				t.Fatalf("y[%d] = %v after discarding, want the 7 filled before", i, v)
			}
		}
		if d.compiler != nil {
			if st := d.PipelineStats(); st.Compiled != 0 {
				t.Errorf("%d pipelines compiled for discarded work", st.Compiled)
			}
		}
	})
}
