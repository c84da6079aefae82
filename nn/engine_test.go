package nn

import (
	"strings"
	"testing"

	"github.com/ictvk/ictvk/vk"
)

func TestTuneFor(t *testing.T) {
	cpu := vk.DeviceInfo{Type: vk.TypeCPU, Limits: vk.Limits{MaxComputeWorkGroupInvocations: 1024}}
	gpu := vk.DeviceInfo{Type: vk.TypeDiscrete, Limits: vk.Limits{MaxComputeWorkGroupInvocations: 1024}}
	small := vk.DeviceInfo{Type: vk.TypeIntegrated, Limits: vk.Limits{MaxComputeWorkGroupInvocations: 128}}
	cases := []struct {
		name      string
		info      vk.DeviceInfo
		class     TuningClass
		wantFor   TuningClass
		wantLocal uint32
	}{
		{"cpu auto", cpu, TuneAuto, TuneCPU, 64},
		{"cpu forced to gpu", cpu, TuneGPU, TuneGPU, 256},
		{"gpu auto", gpu, TuneAuto, TuneGPU, 256},
		{"gpu forced to cpu", gpu, TuneCPU, TuneCPU, 64},
		{"gpu within its invocation limit", small, TuneAuto, TuneGPU, 128},
	}
	for _, c := range cases {
		got := tuneFor(c.info, c.class)
		if got.For != c.wantFor || got.Local != c.wantLocal {
			t.Errorf("%s: tuned for %v with workgroups of %d, want %v and %d", c.name, got.For, got.Local, c.wantFor, c.wantLocal)
		}
	}
}

func TestParseTuning(t *testing.T) {
	for s, want := range map[string]TuningClass{"": TuneAuto, "auto": TuneAuto, "cpu": TuneCPU, " GPU ": TuneGPU} {
		if got, err := ParseTuning(s); err != nil || got != want {
			t.Errorf("ParseTuning(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	// A bad ICT_TUNING fails NewEngine before it opens a device.
	t.Setenv("ICT_TUNING", "fast")
	if _, err := NewEngine(Options{Device: vk.Options{Device: -1}}); err == nil || !strings.Contains(err.Error(), "ICT_TUNING") || !strings.Contains(err.Error(), "fast") {
		t.Errorf("ICT_TUNING=fast gave %v", err)
	}
}
