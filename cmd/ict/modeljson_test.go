package main

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
)

// TestModelJSON: 'ict model --json' describes the run the flags make (the
// preset's Run after the flags, round-tripping through JSON to the same
// Go values), lists every parameter tensor with a count that adds up, and
// has every field bench/torchmirror/config.py reads under the name it
// reads it by (the Python is read as text, never run).
func TestModelJSON(t *testing.T) {
	mirror, err := os.ReadFile("../../bench/torchmirror/config.py")
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string][]string{} // the mirror's dict name -> the Go fields it reads
	for _, dict := range []string{"NET_FIELDS", "RECIPE_FIELDS"} {
		body := regexp.MustCompile(`(?s)` + dict + ` = \{(.*?)\n\}`).FindSubmatch(mirror)
		if body == nil {
			t.Fatalf("bench/torchmirror/config.py has no %s", dict)
		}
		for _, m := range regexp.MustCompile(`"(\w+)": "\w+"`).FindAllSubmatch(body[1], -1) {
			fields[dict] = append(fields[dict], string(m[1]))
		}
	}
	for _, dict := range []string{"TOP_FIELDS", "RUN_FIELDS"} {
		body := regexp.MustCompile(dict + ` = \(([^)]*)\)`).FindSubmatch(mirror)
		if body == nil {
			t.Fatalf("bench/torchmirror/config.py has no %s", dict)
		}
		for _, m := range regexp.MustCompile(`"(\w+)"`).FindAllSubmatch(body[1], -1) {
			fields[dict] = append(fields[dict], string(m[1]))
		}
	}
	if len(fields["NET_FIELDS"]) != 11 || len(fields["RECIPE_FIELDS"]) < 20 {
		t.Fatalf("read %d network and %d recipe fields from the mirror's config.py", len(fields["NET_FIELDS"]), len(fields["RECIPE_FIELDS"]))
	}

	cases := []struct {
		args   []string
		params int // -1: not pinned
		change func(*ct.Preset)
	}{
		{[]string{"--preset", "mnist"}, 177361, nil},
		{[]string{"--preset", "mnist-tiny"}, 44969, nil},
		// The 1.6M-parameter network of issue #14's speed table.
		{[]string{"--preset", "mnist32", "--blocks", "2", "--base-channels", "32", "--channel-mults", "1,2,2"}, 1625729, func(p *ct.Preset) {
			p.Run.Net.BlocksPerLevel, p.Run.Net.BaseChannels, p.Run.Net.ChannelMults = 2, 32, []int{1, 2, 2}
		}},
		{[]string{"--preset", "mnist", "--attention", "none", "--batch", "8", "--micro-batch", "4", "--lr", "0.002", "--total", "50", "--s1", "80", "--fit", "pad", "--seed", "9"}, -1, func(p *ct.Preset) {
			p.Run.Net.AttentionResolutions = nil
			p.Run.Recipe.BatchSize, p.Run.MicroBatch, p.Run.Recipe.LearningRate, p.Run.Recipe.TotalIters, p.Run.Recipe.S1 = 8, 4, 0.002, 50, 80
			p.Fit, p.Run.Seed = data.Pad, 9
		}},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if err := runModel(append(c.args, "--json"), &out, &errb); err != nil {
			t.Fatalf("ict model %v --json: %v\n%s", c.args, err, errb.String())
		}
		var got modelJSON
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("ict model %v --json printed no JSON: %v\n%s", c.args, err, out.String())
		}
		want, _ := ct.LookupPreset(c.args[1])
		if c.change != nil {
			c.change(&want)
		}
		if !reflect.DeepEqual(got.Run, want.Run) {
			t.Errorf("ict model %v --json: Run round-trips to\n%+v\nwant\n%+v", c.args, got.Run, want.Run)
		}
		if got.Preset != want.Name || got.Dataset != want.Dataset || got.Fit != want.Fit || got.FitName != want.Fit.String() || got.Flip != want.Flip {
			t.Errorf("ict model %v --json: preset %q dataset %q fit %v (%q) flip %v, want %q %q %v %v", c.args, got.Preset, got.Dataset, got.Fit, got.FitName, got.Flip,
				want.Name, want.Dataset, want.Fit, want.Flip)
		}
		sum := 0
		for _, tn := range got.Tensors {
			n := 1
			for _, d := range tn.Shape {
				n *= d
			}
			sum += n
		}
		if len(got.Tensors) == 0 || sum != got.Parameters || (c.params >= 0 && got.Parameters != c.params) {
			t.Errorf("ict model %v --json: %d tensors of %d values, Parameters %d, want %d", c.args, len(got.Tensors), sum, got.Parameters, c.params)
		}

		var raw map[string]any
		json.Unmarshal(out.Bytes(), &raw)
		run, _ := raw["Run"].(map[string]any)
		recipe, _ := run["Recipe"].(map[string]any)
		net, _ := run["Net"].(map[string]any)
		for dict, in := range map[string]map[string]any{"TOP_FIELDS": raw, "RUN_FIELDS": run, "NET_FIELDS": net, "RECIPE_FIELDS": recipe} {
			for _, f := range fields[dict] {
				if _, ok := in[f]; !ok {
					t.Errorf("ict model %v --json lacks %s, which the mirror reads (%s in bench/torchmirror/config.py)", c.args, f, dict)
				}
			}
		}
		// Enumerations are written as the words the mirror compares with.
		for _, f := range []string{"CurriculumKind", "NoiseDistribution", "Weighting", "Metric"} {
			if s, ok := recipe[f].(string); !ok || s == "" || strings.ContainsAny(s, "0123456789") {
				t.Errorf("ict model %v --json: Recipe.%s = %v, want its name", c.args, f, recipe[f])
			}
		}
	}

	var out, errb bytes.Buffer
	if err := runModel([]string{"--json", "--blocks", "0"}, &out, &errb); err == nil || !strings.Contains(err.Error(), "--blocks") {
		t.Errorf("ict model --json --blocks 0: error %v, want one naming --blocks", err)
	}
}
