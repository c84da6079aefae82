package runconfig

import (
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/ct/runfolder"
)

// configJSON is preset p as the two writers Read follows write it: a run
// folder's config.json (runfolder.Config), and, with extra, 'ict model
// --json' (the same keys and what only a built network knows). edit, when
// not nil, changes the decoded object before it is written back.
func configJSON(t *testing.T, p ct.Preset, dataDir string, extra map[string]any, edit func(map[string]any)) []byte {
	t.Helper()
	raw, err := json.Marshal(runfolder.NewConfig(p, dataDir, runfolder.DefaultRhythm()))
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatal(err)
	}
	for k, v := range extra {
		obj[k] = v
	}
	if edit != nil {
		edit(obj)
	}
	out, err := json.MarshalIndent(obj, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeFile(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRead(t *testing.T) {
	p, err := ct.LookupPreset("mnist-tiny")
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Dataset: p.Dataset, DataDir: "/data/mnist", Fit: p.Fit, Flip: p.Flip, Run: p.Run}
	modelExtra := map[string]any{"Description": p.Description, "FitName": p.Fit.String(), "Parameters": 1234,
		"Tensors": []map[string]any{{"Name": "in.weight", "Shape": []int{8, 1, 3, 3}}}}
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		file    []byte // nil: no file at path
		path    string // instead of a file in dir
		dataDir string
		want    Config
		err     string // a part of the error; "" for none
	}{
		{name: "run folder config.json", file: configJSON(t, p, "/data/mnist", nil, nil), want: want},
		{name: "ict model --json", file: configJSON(t, p, "/data/mnist", modelExtra, nil), want: want},
		{name: "config.json from before Rhythm", file: configJSON(t, p, "/data/mnist", nil, func(o map[string]any) { delete(o, "Rhythm") }), want: want},
		{name: "dataDir replaces DataDir", file: configJSON(t, p, "/data/mnist", nil, nil), dataDir: "/elsewhere",
			want: Config{Dataset: p.Dataset, DataDir: "/elsewhere", Fit: p.Fit, Flip: p.Flip, Run: p.Run}},

		{name: "missing", err: "no such file or directory"},
		{name: "a folder", path: dir, err: dir + ": is a directory"},
		{name: "empty", file: []byte{}, err: "unexpected end of JSON input (want 'ict model --json' output or a run folder's config.json)"},
		{name: "truncated", file: configJSON(t, p, "", nil, nil)[:100], err: "unexpected end of JSON input"},
		{name: "not JSON", file: []byte("safetensors\x00"), err: "invalid character"},
		{name: "an array", file: []byte("[1, 2]"), err: "cannot unmarshal array"},
		{name: "null", file: []byte("null"), err: "has no Dataset: want 'ict model --json' output or a run folder's config.json"},
		{name: "another JSON object", file: []byte(`{"step": 10, "loss": 0.5}`), err: "has no Dataset"},
		{name: "no Run", file: configJSON(t, p, "", nil, func(o map[string]any) { delete(o, "Run") }), err: "has no Run"},
		{name: "Run null", file: configJSON(t, p, "", nil, func(o map[string]any) { o["Run"] = nil }), err: "has no Run"},
		{name: "unknown dataset", file: configJSON(t, p, "", nil, func(o map[string]any) { o["Dataset"] = "imagenet" }),
			err: `Dataset "imagenet": want one of [mnist fashion-mnist cifar10 folder]`},
		{name: "bad network", file: configJSON(t, p, "", nil, func(o map[string]any) {
			o["Run"].(map[string]any)["Net"].(map[string]any)["channel_mults"] = []int{}
		}), err: "Run.Net: unet: channel_mults is empty"},
		{name: "wrong type", file: configJSON(t, p, "", nil, func(o map[string]any) { o["Flip"] = "yes" }), err: "cannot unmarshal string"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := c.path
			if path == "" {
				path = filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".json")
				if c.file != nil {
					writeFile(t, path, c.file)
				}
			}
			got, err := Read(path, c.dataDir)
			if c.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Fatalf("read %+v\nwant %+v", got, c.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("read %+v; want an error with %q", got, c.err)
			}
			// Every error names the file, so that a bench command's
			// log.Fatal says which of its inputs is wrong.
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("error %q; want one naming %s with %q", err, path, c.err)
			}
		})
	}
}

// TestLoad reads a config of an image folder and loads at most limit of
// its images at the network's size.
func TestLoad(t *testing.T) {
	p, err := ct.LookupPreset("mnist-tiny")
	if err != nil {
		t.Fatal(err)
	}
	p.Dataset = data.ImageFolder
	images := t.TempDir()
	for _, name := range []string{"a.png", "b.png", "c.png"} {
		img := image.NewGray(image.Rect(0, 0, 20, 20))
		for i := range img.Pix {
			img.Pix[i] = uint8(10 * i)
		}
		f, err := os.Create(filepath.Join(images, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	path := writeFile(t, filepath.Join(t.TempDir(), "config.json"), configJSON(t, p, "/not/there", nil, nil))
	cfg, err := Read(path, images)
	if err != nil {
		t.Fatal(err)
	}
	net := p.Run.Net
	for _, c := range []struct{ limit, n int }{{0, 3}, {2, 2}} {
		ds, err := cfg.Load(c.limit)
		if err != nil {
			t.Fatal(err)
		}
		if ch, h, w := ds.Shape(); ds.N() != c.n || ch != net.ImageChannels || h != net.ImageSize || w != net.ImageSize {
			t.Errorf("limit %d: %d images of %dx%dx%d; want %d of %dx%dx%d", c.limit, ds.N(), ch, h, w, c.n, net.ImageChannels, net.ImageSize, net.ImageSize)
		}
	}
	// Without dataDir, the config's own folder, which is not there.
	if cfg, err = Read(path, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Load(0); err == nil || !strings.Contains(err.Error(), "/not/there") {
		t.Errorf("loading from a folder that is not there: %v; want an error naming it", err)
	}
}
