package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildICT builds the real binary once per test run.
func buildICT(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ict")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func runICT(t *testing.T, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func TestCommands(t *testing.T) {
	bin := buildICT(t)
	cases := []struct {
		name   string
		env    []string
		args   []string
		code   int
		output string
	}{
		{"lists lavapipe", []string{"ICT_VALIDATE=1"}, []string{"devices"}, 0, "* 0  llvmpipe"},
		{"no loader", []string{"ICT_VULKAN_LIB=/nonexistent/libvulkan.so.1"}, []string{"devices"}, 1, "apt-get install libvulkan1"},
		{"no driver", []string{"VK_ICD_FILENAMES=/nonexistent.json", "VK_DRIVER_FILES=/nonexistent.json"}, []string{"devices"}, 1, "no Vulkan driver"},
		{"no such device", nil, []string{"devices", "--device", "9"}, 1, "device 9 does not exist"},
		{"bad ICT_DEVICE", []string{"ICT_DEVICE=gpu"}, []string{"devices"}, 1, "ICT_DEVICE"},
		{"bad ICT_NO_UMA", []string{"ICT_NO_UMA=yes"}, []string{"devices"}, 1, `ICT_NO_UMA="yes": want 1 or 0`},
		{"bad ICT_TUNING", []string{"ICT_TUNING=fast"}, []string{"bench", "--preset", "mnist-tiny", "--steps", "1"}, 1, `ICT_TUNING="fast": want auto, cpu or gpu`},
		{"bad flag", nil, []string{"devices", "--bogus"}, 2, "flag provided but not defined"},
		{"unknown command", nil, []string{"trian"}, 2, `unknown command "trian"`},
		{"sample without --ckpt", nil, []string{"sample", "--n", "4"}, 2, "ict sample: --ckpt is required"},
		{"view without --ckpt", []string{"DISPLAY="}, []string{"view"}, 2, "ict view: --ckpt is required"},
		{"schedule", nil, []string{"schedule", "--total", "1000", "--n", "11"}, 0, "0,0,124,11,0\n1,125,249,21,0"},
		{"schedule bad flag", nil, []string{"schedule", "--noise", "bogus"}, 2, "unknown noise distribution"},
		{"micro-batch 0", nil, []string{"bench", "--preset", "mnist-tiny", "--micro-batch", "0"}, 1, "--micro-batch 0: want a divisor of the batch 8 from 1 to 8"},
		{"negative micro-batch", nil, []string{"train", "--preset", "mnist-tiny", "--micro-batch", "-2"}, 1, "--micro-batch -2: want a divisor of the batch 8"},
		{"micro-batch past the batch", nil, []string{"bench", "--preset", "mnist-tiny", "--batch", "6", "--micro-batch", "12"}, 1, "--micro-batch 12: want a divisor of the batch 6 from 1 to 6"},
		{"micro-batch not a divisor", nil, []string{"train", "--preset", "mnist-tiny", "--micro-batch", "3"}, 1, "--micro-batch 3: want a divisor of the batch 8"},
		// A flag given as 0 (or empty) is refused like a negative one, not
		// taken for "the preset's".
		{"batch 0", nil, []string{"train", "--preset", "mnist-tiny", "--batch", "0"}, 1, "--batch 0: want at least 1"},
		{"total 0", nil, []string{"train", "--preset", "mnist-tiny", "--total", "0"}, 1, "--total 0: want at least 1"},
		{"lr 0", nil, []string{"train", "--preset", "mnist-tiny", "--lr", "0"}, 1, "--lr 0: want a positive number"},
		{"negative lr", nil, []string{"train", "--preset", "mnist-tiny", "--lr", "-1"}, 1, "--lr -1: want a positive number"},
		{"base-channels 0", nil, []string{"train", "--preset", "mnist-tiny", "--base-channels", "0"}, 1, "--base-channels 0: want at least 1"},
		{"blocks 0", nil, []string{"train", "--preset", "mnist-tiny", "--blocks", "0"}, 1, "--blocks 0: want at least 1"},
		{"s0 0", nil, []string{"train", "--preset", "mnist-tiny", "--s0", "0"}, 1, "--s0 0: want at least 1"},
		{"empty channel-mults", nil, []string{"train", "--preset", "mnist-tiny", "--channel-mults="}, 1, `--channel-mults "": want positive integers`},
		{"negative warmup", nil, []string{"train", "--preset", "mnist-tiny", "--warmup", "-2"}, 1, "--warmup -2: want at least 0"},
		{"negative dropout", nil, []string{"train", "--preset", "mnist-tiny", "--dropout", "-0.5"}, 1, "--dropout -0.5: want a number in [0, 1)"},
		{"empty fit", nil, []string{"train", "--preset", "mnist-tiny", "--fit="}, 1, `--fit "": want pad or resize`},
		{"model bad fit", nil, []string{"model", "--preset", "mnist-tiny", "--fit", "stretch"}, 1, `--fit "stretch": want pad or resize`},
		{"bench steps 0", nil, []string{"bench", "--preset", "mnist-tiny", "--steps", "0"}, 1, "--steps 0: want at least 1"},
		{"bench negative warmup", nil, []string{"bench", "--preset", "mnist-tiny", "--warmup", "-1"}, 1, "--warmup -1: want at least 0"},
		{"bench batch 0", nil, []string{"bench", "--preset", "mnist-tiny", "--batch", "0"}, 1, "--batch 0: want at least 1"},
		{"bench blocks 0", nil, []string{"bench", "--preset", "mnist-tiny", "--blocks", "0"}, 1, "--blocks 0: want at least 1"},
		{"classifier image-size 0", nil, []string{"classifier", "train", "--dataset", "mnist", "--image-size", "0"}, 1, "--image-size 0: want at least 1"},
		{"classifier empty fit", nil, []string{"classifier", "train", "--dataset", "mnist", "--fit="}, 1, `--fit "": want pad or resize`},
		// Refused before the dataset is allocated, not a runtime crash.
		{"image-size past memory", nil, []string{"train", "--preset", "mnist-tiny", "--image-size", "2048", "--attention", "none", "--out", "/nonexistent/run"}, 1, "--image-size 2048: data: MNIST train"},
		{"bench --device and --devices", nil, []string{"bench", "--preset", "mnist-tiny", "--device", "0", "--devices", "0,0"}, 1, "--device 0 and --devices 0,0: give one of them"},
		{"bench empty devices", nil, []string{"bench", "--preset", "mnist-tiny", "--devices="}, 1, "--devices: want device indices"},
		{"bench empty channel-mults", nil, []string{"bench", "--preset", "mnist-tiny", "--channel-mults="}, 1, `--channel-mults "": want positive integers`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, code := runICT(t, bin, c.env, c.args...)
			if code != c.code || !strings.Contains(out, c.output) {
				t.Fatalf("exit %d, want %d; output does not contain %q:\n%s", code, c.code, c.output, out)
			}
			if strings.Contains(out, "panic") || strings.Contains(out, "SIGSEGV") {
				t.Fatalf("crashed:\n%s", out)
			}
			if c.code == 1 && strings.Count(strings.TrimSpace(out), "\n") > 0 && !strings.Contains(out, "Vulkan device(s)") {
				t.Errorf("error is not one line:\n%s", out)
			}
		})
	}
}
