package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestBench times a step of the tiny preset through the real binary and
// checks that the device time is split into the phases of a step.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("runs training steps")
	}
	bin := buildICT(t)
	out, code := runICT(t, bin, []string{"ICT_VALIDATE=1"}, "bench", "--preset", "mnist-tiny", "--steps", "2", "--warmup", "1", "--top", "40")
	if code != 0 {
		t.Fatalf("bench exited %d:\n%s", code, out)
	}
	if strings.Contains(out, "validation") {
		t.Errorf("validation messages:\n%s", out)
	}
	m := regexp.MustCompile(`training: ([0-9.]+) s per step, ([0-9.]+) images/s`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no step time in:\n%s", out)
	}
	per, _ := strconv.ParseFloat(m[1], 64)
	ips, _ := strconv.ParseFloat(m[2], 64)
	if !(per > 0) || ips < 0.9*8/per || ips > 1.1*8/per {
		t.Errorf("%v s per step and %v images/s disagree for batch 8", per, ips)
	}
	for _, phase := range []string{"forward", "backward", "optimizer"} {
		if !regexp.MustCompile(`device time: .*` + phase + ` [0-9.]+ s \(`).MatchString(out) {
			t.Errorf("device time lacks the %s phase:\n%s", phase, out)
		}
	}
	if !regexp.MustCompile(`steps, process CPU: [0-9.]+ [0-9.]+ s`).MatchString(out) {
		t.Errorf("bench output lacks the steps' CPU times:\n%s", out)
	}
	if !regexp.MustCompile(`memory: step tensors peak [0-9.]+ MiB \([0-9.]+ MiB per image\); device memory held peak [0-9.]+ MiB`).MatchString(out) {
		t.Errorf("bench output lacks the step's peak memory:\n%s", out)
	}
	for _, want := range []string{"forward/conv_", "backward/conv_", "conv3x3", "GFLOP/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("bench output lacks %q:\n%s", want, out)
		}
	}
	if out, code := runICT(t, bin, nil, "bench", "--steps", "0"); code != 1 || !strings.Contains(out, "--steps") {
		t.Errorf("bench --steps 0: exit %d\n%s", code, out)
	}
}
