package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ictvk/ictvk/nn/checkpoint"
)

// buildMPI builds the MPI binary ('make mpi'), skipping the test where
// OpenMPI is not installed ('make deps' installs it, so CI runs these).
func buildMPI(t *testing.T) (bin, mpirun string) {
	t.Helper()
	if testing.Short() {
		t.Skip("trains for real")
	}
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Skip("mpirun is missing: 'make deps' installs openmpi-bin and libopenmpi-dev")
	}
	if exec.Command("pkg-config", "--exists", "ompi-c").Run() != nil {
		t.Skip("OpenMPI's headers are missing (pkg-config ompi-c): 'make deps' installs libopenmpi-dev")
	}
	bin = filepath.Join(t.TempDir(), "ict-mpi")
	if out, err := exec.Command("go", "build", "-tags", "mpi", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build -tags mpi: %v\n%s", err, out)
	}
	return bin, mpirun
}

// mpirunArgs runs n ranks of bin on this machine, as root too (CI) and
// with more ranks than cores.
func mpirunArgs(n int, bin string, args ...string) []string {
	return append([]string{"--allow-run-as-root", "--oversubscribe", "-np", strconv.Itoa(n), bin}, args...)
}

// TestMPIEqualsOneDevice: 'mpirun -np 2' of the MPI binary trains
// mnist-tiny at batch 16 as one device does (losses and weights within
// 1e-5, compareRuns); only rank 0 writes and prints; put back to its
// step-3 checkpoint as a kill leaves it, it resumes on two ranks and on
// one process, both ending as the one-device run.
func TestMPIEqualsOneDevice(t *testing.T) {
	bin, mpirun := buildMPI(t)
	env := []string{"ICT_VALIDATE=1", "ICT_MPI_TIMEOUT=60s"} // a rank that waits past it fails the run
	tmp := t.TempDir()
	common := append([]string{"--keep-every", "3"}, everyStepFlags(3)...)
	run := append([]string{"--preset", "mnist-tiny", "--total", "8", "--batch", "16"}, common...)
	one, two := filepath.Join(tmp, "one"), filepath.Join(tmp, "two")
	if out, code := runICT(t, bin, env, append([]string{"train", "--out", one}, run...)...); code != 0 {
		t.Fatalf("one process: exit %d\n%s", code, out)
	}
	want := readMetrics(t, filepath.Join(one, "metrics.jsonl"))
	mpi := func(what string, args ...string) {
		t.Helper()
		out, code := runICT(t, mpirun, env, mpirunArgs(2, bin, args...)...)
		if code != 0 || strings.Contains(out, "validation") {
			t.Fatalf("%s: exit %d\n%s", what, code, out)
		}
		if n := strings.Count(out, "done: 8 steps"); n != 1 {
			t.Errorf("%s: %d ranks printed the final line, want rank 0 alone:\n%s", what, n, out)
		}
	}
	mpi("mpirun -np 2", append([]string{"train", "--out", two}, run...)...)
	compareRuns(t, "two ranks", two, one, want)

	before := readMetrics(t, filepath.Join(two, "metrics.jsonl"))[:5]
	copyOnto := filepath.Join(tmp, "two-on-one")
	if err := os.CopyFS(copyOnto, os.DirFS(two)); err != nil {
		t.Fatal(err)
	}
	rewind(t, two, 3, before)
	rewind(t, copyOnto, 3, before)
	mpi("mpirun -np 2 resumed", append([]string{"train", "--resume", two}, common...)...)
	compareRuns(t, "two ranks resumed on two", two, one, want)
	if out, code := runICT(t, bin, env, append([]string{"train", "--resume", copyOnto}, common...)...); code != 0 {
		t.Fatalf("resumed on one process: exit %d\n%s", code, out)
	}
	compareRuns(t, "two ranks resumed on one", copyOnto, one, want)

	// Three ranks cannot split 16.
	out, code := runICT(t, mpirun, nil, mpirunArgs(3, bin, "train", "--preset", "mnist-tiny", "--batch", "16", "--out", filepath.Join(tmp, "three"))...)
	if code == 0 || !strings.Contains(out, "mpirun -np 3: the batch 16 does not divide among 3 ranks") {
		t.Errorf("three ranks at batch 16: exit %d\n%s", code, out)
	}
}

// TestMPIRankFaults kills rank 1 of a running job, and in a second job
// stops it (SIGSTOP, a rank that hangs): rank 0 stops with an error that
// says why, and mpirun exits non-zero, within a minute (the hung rank:
// within ICT_MPI_TIMEOUT, 10 seconds here).
func TestMPIRankFaults(t *testing.T) {
	bin, mpirun := buildMPI(t)
	for _, c := range []struct {
		name string
		sig  syscall.Signal
		want string
	}{
		{"killed", syscall.SIGKILL, "another rank has died"},
		{"hung", syscall.SIGSTOP, "did not complete within 10s: another rank has died or hangs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			cmd, out := startMPIRun(t, mpirun, bin, dir, "10s")
			rank1 := findRank(t, dir, 1)
			if err := syscall.Kill(rank1, c.sig); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { syscall.Kill(rank1, syscall.SIGKILL) })
			hit := time.Now()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err == nil {
					t.Fatalf("mpirun exited 0 after rank 1 was %s:\n%s", c.name, out.String())
				}
			case <-time.After(time.Minute):
				t.Fatalf("mpirun still runs a minute after rank 1 was %s:\n%s", c.name, out.String())
			}
			msg := out.String()
			if !strings.Contains(msg, "rank 0 of 2") || !strings.Contains(msg, c.want) {
				t.Errorf("rank 0's error does not say %q:\n%s", c.want, msg)
			}
			t.Logf("mpirun exited %v after rank 1 was %s", time.Since(hit).Round(time.Millisecond), c.name)
		})
	}
}

// findRank finds the process of rank r of the job writing to dir.
func findRank(t *testing.T, dir string, r int) int {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		cmdline, err1 := os.ReadFile(filepath.Join(p, "cmdline"))
		environ, err2 := os.ReadFile(filepath.Join(p, "environ"))
		if err1 != nil || err2 != nil || !bytes.Contains(cmdline, []byte(dir)) || bytes.Contains(cmdline, []byte("mpirun")) {
			continue
		}
		for _, kv := range bytes.Split(environ, []byte{0}) {
			if string(kv) == "OMPI_COMM_WORLD_RANK="+strconv.Itoa(r) {
				if pid, err := strconv.Atoi(filepath.Base(p)); err == nil {
					return pid
				}
			}
		}
	}
	t.Fatalf("no process of rank %d writing %s", r, dir)
	return 0
}

// TestMPIStopIsAgreed sends SIGINT to one rank of a running job (as a
// Ctrl-C reaching one process, or a scheduler's signal), or SIGUSR1 to
// mpirun: every rank stops after the same step, rank 0 writes the
// checkpoint of that step (the last logged), and mpirun exits non-zero
// with rank 0 saying why, whichever rank the signal reached.
func TestMPIStopIsAgreed(t *testing.T) {
	bin, mpirun := buildMPI(t)
	for _, c := range []struct {
		rank int // -1: mpirun, which passes SIGUSR1 on to every rank
		sig  syscall.Signal
		why  string
	}{{1, syscall.SIGINT, "a stop on another rank"}, {0, syscall.SIGINT, "SIGINT"}, {-1, syscall.SIGUSR1, "SIGUSR1"}} {
		t.Run(fmt.Sprintf("rank%d", c.rank), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			cmd, out := startMPIRun(t, mpirun, bin, dir, "30s", "--ckpt-every", "100000")
			pid := cmd.Process.Pid
			if c.rank >= 0 {
				pid = findRank(t, dir, c.rank)
			}
			if err := syscall.Kill(pid, c.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err == nil {
					t.Fatalf("mpirun exited 0 after an interrupt:\n%s", out.String())
				}
			case <-time.After(time.Minute):
				t.Fatalf("mpirun still runs a minute after rank %d was interrupted:\n%s", c.rank, out.String())
			}
			msg := out.String()
			m := regexp.MustCompile(`rank 0 of 2: interrupted by ` + c.why + ` after step (\d+) of 100000: checkpoint written`).FindStringSubmatch(msg)
			if m == nil {
				t.Fatalf("rank 0 does not say it stopped for %s, with a checkpoint:\n%s", c.why, msg)
			}
			if strings.Contains(msg, "another rank has died") || strings.Contains(msg, "did not complete within") {
				t.Errorf("a rank did not stop with the others:\n%s", msg)
			}
			f, err := checkpoint.Read(filepath.Join(dir, "checkpoints", "latest.safetensors"), checkpoint.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			lines := readMetrics(t, filepath.Join(dir, "metrics.jsonl"))
			if got, last := f.Metadata["ictvk.step"], lines[len(lines)-1].Step; got != m[1] || got != strconv.Itoa(last) {
				t.Errorf("stopped after step %s; the checkpoint holds step %s, the last logged step is %d", m[1], got, last)
			}
		})
	}
}

// startMPIRun starts a long mnist-tiny run on two ranks into dir, with
// ICT_MPI_TIMEOUT timeout and extra flags, and returns once it has logged
// two steps; the run is killed at the test's end if still alive.
func startMPIRun(t *testing.T, mpirun, bin, dir, timeout string, extra ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	args := append([]string{"train", "--preset", "mnist-tiny", "--total", "100000", "--batch", "16",
		"--out", dir, "--log-every", "1", "--sample-every", "100000"}, extra...)
	cmd := exec.Command(mpirun, mpirunArgs(2, bin, args...)...)
	cmd.Env = append(os.Environ(), "ICT_MPI_TIMEOUT="+timeout)
	out := new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(3 * time.Minute)
	for len(readMetricsIfAny(t, filepath.Join(dir, "metrics.jsonl"))) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no two steps within 3 minutes:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return cmd, out
}
