package nn

import (
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

var _ = addCases(opCase{
	name:   "relu",
	inputs: []input{{shape: []int{3, 5, 7}}},
	gpu:    func(e *Engine, in []*Tensor) *Tensor { return e.ReLU(in[0]) },
	ref:    func(in [][]float64) []float64 { return ref.ReLU(in[0]) },
	tol:    0,
})

// The inference-only ops refuse a tensor that needs a gradient rather than
// silently dropping it.
func TestInferenceOnlyOpsRefuseGradients(t *testing.T) {
	e := engine(t)
	x := e.NewParam(make([]float32, 2*3*5*5), 2, 3, 5, 5)
	defer x.Free()
	for name, f := range map[string]func(){
		"nn: relu: inference only":            func() { e.ReLU(x) },
		"nn: maxpool2d: inference only":       func() { e.MaxPool2d(x, 3, 2, 0) },
		"nn: avgpool2d: inference only":       func() { e.AvgPool2d(x, 3, 1, 1) },
		"nn: resize_bilinear: inference only": func() { e.ResizeBilinear(x, 7, 7) },
	} {
		f()
		if err := e.Err(); err == nil || len(err.Error()) < len(name) || err.Error()[:len(name)] != name {
			t.Errorf("got %v, want an error starting %q", err, name)
		}
		e.ClearErr()
	}
	// Under NoGrad they run.
	e.NoGrad(func() { e.ReLU(x) })
	if err := e.Err(); err != nil {
		t.Errorf("relu under NoGrad: %v", err)
	}
}
