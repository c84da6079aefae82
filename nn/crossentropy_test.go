package nn

import (
	"math"
	"testing"

	"github.com/ictvk/ictvk/nn/internal/ref"
)

// A log-sum-exp over a short row and a batch mean: 1e-5 relative.
const crossEntropyTol = 1e-5

func crossEntropyCase(name string, batch, classes int, lo, hi float64) opCase {
	return opCase{
		name: name,
		inputs: []input{
			{shape: []int{batch, classes}, lo: lo, hi: hi},
			{shape: []int{batch}, lo: 0, hi: float64(classes), noGrad: true, whole: true},
		},
		gpu: func(e *Engine, in []*Tensor) *Tensor { return e.SoftmaxCrossEntropy(in[0], in[1]) },
		ref: func(in [][]float64) []float64 {
			return []float64{ref.SoftmaxCrossEntropy(in[0], in[1], classes)}
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{ref.SoftmaxCrossEntropyBackward(in[0], in[1], classes, gy[0]), nil}
		},
		tol: crossEntropyTol,
	}
}

var _ = addCases(
	crossEntropyCase("softmax_cross_entropy", 7, 10, -3, 3),
	crossEntropyCase("softmax_cross_entropy/b1", 1, 3, -1, 1),
	// Rows longer than the reduction's workgroup, not a multiple of it.
	crossEntropyCase("softmax_cross_entropy/131 classes", 5, 131, -4, 4),
	// exp of these logits overflows float32 unless the maximum is
	// subtracted first.
	crossEntropyCase("softmax_cross_entropy/large logits", 9, 11, 200, 230),
	opCase{
		// The logits' gradient added into an existing one.
		name: "softmax_cross_entropy/twice",
		inputs: []input{
			{shape: []int{4, 6}},
			{shape: []int{4}, lo: 0, hi: 6, noGrad: true, whole: true},
		},
		gpu: func(e *Engine, in []*Tensor) *Tensor {
			return e.Add(e.SoftmaxCrossEntropy(in[0], in[1]), e.SoftmaxCrossEntropy(in[0], in[1]))
		},
		ref: func(in [][]float64) []float64 {
			return []float64{2 * ref.SoftmaxCrossEntropy(in[0], in[1], 6)}
		},
		refGrad: func(in [][]float64, gy []float64) [][]float64 {
			return [][]float64{ref.SoftmaxCrossEntropyBackward(in[0], in[1], 6, 2*gy[0]), nil}
		},
		tol: crossEntropyTol,
	},
)

// Closed forms: equal logits give log(classes) whatever the label; a
// logit far above the others at the label gives ~0, and at another
// class the gap.
func TestCrossEntropyClosedForms(t *testing.T) {
	e := engine(t)
	x := e.FromData([]float32{5, 5, 5, 5, 1000, 0, 0, 0, 0, 0, 0, 60}, 3, 4)
	labels := e.FromData([]float32{2, 0, 1}, 3)
	y, err := e.SoftmaxCrossEntropy(x, labels).Download()
	if err != nil {
		t.Fatal(err)
	}
	want := (math.Log(4) + 0 + 60) / 3
	if math.Abs(float64(y[0])-want) > 1e-5*want {
		t.Errorf("loss %v, want %v", y[0], want)
	}
}

// A label outside [0, classes) makes the loss NaN rather than reading
// another row's logits.
func TestCrossEntropyBadLabel(t *testing.T) {
	e := engine(t)
	x := e.FromData([]float32{1, 2, 3, 4}, 2, 2)
	for _, l := range []float32{2, -1, 0.5} {
		y, err := e.SoftmaxCrossEntropy(x, e.FromData([]float32{0, l}, 2)).Download()
		if err != nil {
			t.Fatal(err)
		}
		if !math.IsNaN(float64(y[0])) {
			t.Errorf("label %v: loss %v, want NaN", l, y[0])
		}
	}
}

func TestCrossEntropyShapeErrors(t *testing.T) {
	e := engine(t)
	e.SoftmaxCrossEntropy(e.Empty(3, 4), e.Empty(2))
	want := "nn: softmax_cross_entropy: logits [3 4] and labels [2]: want [B, classes] and [B]"
	if err := e.Err(); err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	e.ClearErr()
}
