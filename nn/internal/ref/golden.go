package ref

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// Golden is one PyTorch-computed op case from testdata/golden/ops/NAME:
// meta.json gives each array's shape and the op's parameters, NAME.f32 holds
// an array as raw little-endian float32.
type Golden struct {
	Name   string
	Dir    string
	Params map[string]any
	Shapes map[string][]int
	tb     testing.TB
}

// GoldenRoot returns the repository's testdata/golden directory (a copy
// of the team's shared/golden, see testdata/README.md), found by walking
// up from the working directory (a test's package directory). The test
// fails if there is none.
func GoldenRoot(tb testing.TB) string {
	tb.Helper()
	dir, ok := findUp(filepath.Join("testdata", "golden", "ops"))
	if !ok {
		tb.Fatalf("golden: no testdata/golden/ops in the working directory or any directory above it (%s)", dir)
	}
	return filepath.Dir(dir)
}

// findUp returns the first path rel below the working directory or one of
// its parents that exists, or the working directory and false.
func findUp(rel string) (string, bool) {
	wd, err := os.Getwd()
	if err != nil {
		return err.Error(), false
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
		if filepath.Dir(dir) == dir {
			return wd, false
		}
	}
}

// SharedGoldenRoot returns the team's shared/golden directory when it sits
// beside (or inside) the repository, for the test that checks the copy.
func SharedGoldenRoot() (string, bool) {
	dir, ok := findUp(filepath.Join("shared", "golden", "ops"))
	if !ok {
		return "", false
	}
	return filepath.Dir(dir), true
}

// LoadGolden reads the meta.json of golden op case name (for example
// "conv3x3_s1"); arrays are read on demand with Array.
func LoadGolden(tb testing.TB, name string) *Golden {
	tb.Helper()
	dir := filepath.Join(GoldenRoot(tb), "ops", name)
	raw, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		tb.Fatalf("golden %s: %v", name, err)
	}
	var meta struct {
		Params map[string]any   `json:"params"`
		Arrays map[string][]int `json:"arrays"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		tb.Fatalf("golden %s: %s: %v", name, filepath.Join(dir, "meta.json"), err)
	}
	return &Golden{Name: name, Dir: dir, Params: meta.Params, Shapes: meta.Arrays, tb: tb}
}

// Array returns array name widened to float64, and its shape.
func (g *Golden) Array(name string) ([]float64, []int) {
	g.tb.Helper()
	shape, ok := g.Shapes[name]
	if !ok {
		g.tb.Fatalf("golden %s: meta.json lists no array %q", g.Name, name)
	}
	path := filepath.Join(g.Dir, name+".f32")
	raw, err := os.ReadFile(path)
	if err != nil {
		g.tb.Fatalf("golden %s: %v", g.Name, err)
	}
	n := numel(shape...)
	if len(raw) != 4*n {
		g.tb.Fatalf("golden %s: %s has %d bytes, shape %v needs %d", g.Name, path, len(raw), shape, 4*n)
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
	}
	return x, shape
}

// Param returns parameter name as decoded from JSON (float64, string,
// []any, ...), failing the test if it is absent.
func (g *Golden) Param(name string) any {
	g.tb.Helper()
	v, ok := g.Params[name]
	if !ok {
		g.tb.Fatalf("golden %s: meta.json has no parameter %q", g.Name, name)
	}
	return v
}

// Float returns a numeric parameter.
func (g *Golden) Float(name string) float64 {
	g.tb.Helper()
	v, ok := g.Param(name).(float64)
	if !ok {
		g.tb.Fatalf("golden %s: parameter %q is %v, not a number", g.Name, name, g.Params[name])
	}
	return v
}

// Int returns an integer parameter.
func (g *Golden) Int(name string) int {
	g.tb.Helper()
	v := g.Float(name)
	if v != math.Trunc(v) {
		g.tb.Fatalf("golden %s: parameter %q is %v, not an integer", g.Name, name, v)
	}
	return int(v)
}

// Floats returns a parameter that is a list of numbers.
func (g *Golden) Floats(name string) []float64 {
	g.tb.Helper()
	list, _ := g.Param(name).([]any)
	out := make([]float64, len(list))
	for i, e := range list {
		f, ok := e.(float64)
		if !ok {
			g.tb.Fatalf("golden %s: parameter %q is %v, not a list of numbers", g.Name, name, g.Params[name])
		}
		out[i] = f
	}
	if len(out) == 0 {
		g.tb.Fatalf("golden %s: parameter %q is %v, not a list of numbers", g.Name, name, g.Params[name])
	}
	return out
}
