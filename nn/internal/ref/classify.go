package ref

import (
	"fmt"
	"math"
)

// The ops of the evaluation classifier: 2x2 average pooling and the
// softmax cross-entropy with integer class labels.

// AvgPool2x2 averages each 2x2 block of x [B,C,H,W] into
// y [B,C,H/2,W/2] (floor: an odd last row or column is dropped, as
// PyTorch's avg_pool2d(2) does).
func AvgPool2x2(x []float64, xs [4]int) (y []float64, ys [4]int) {
	checkLen("AvgPool2x2", "x", x, numel(xs[:]...))
	ho, wo := xs[2]/2, xs[3]/2
	if ho < 1 || wo < 1 {
		panic(fmt.Sprintf("ref.AvgPool2x2: image %dx%d is smaller than 2x2", xs[2], xs[3]))
	}
	ys = [4]int{xs[0], xs[1], ho, wo}
	y = make([]float64, numel(ys[:]...))
	for p := 0; p < xs[0]*xs[1]; p++ {
		for oy := 0; oy < ho; oy++ {
			for ox := 0; ox < wo; ox++ {
				s := 0.0
				for dy := 0; dy < 2; dy++ {
					for dx := 0; dx < 2; dx++ {
						s += x[(p*xs[2]+2*oy+dy)*xs[3]+2*ox+dx]
					}
				}
				y[(p*ho+oy)*wo+ox] = s / 4
			}
		}
	}
	return y, ys
}

// AvgPool2x2Backward spreads gy/4 over each block; dropped pixels get 0.
func AvgPool2x2Backward(xs [4]int, gy []float64) []float64 {
	ho, wo := xs[2]/2, xs[3]/2
	checkLen("AvgPool2x2Backward", "gy", gy, xs[0]*xs[1]*ho*wo)
	gx := make([]float64, numel(xs[:]...))
	for p := 0; p < xs[0]*xs[1]; p++ {
		for oy := 0; oy < ho; oy++ {
			for ox := 0; ox < wo; ox++ {
				g := gy[(p*ho+oy)*wo+ox] / 4
				for dy := 0; dy < 2; dy++ {
					for dx := 0; dx < 2; dx++ {
						gx[(p*xs[2]+2*oy+dy)*xs[3]+2*ox+dx] = g
					}
				}
			}
		}
	}
	return gx
}

// SoftmaxCrossEntropy returns mean_b (logsumexp(x_b) - x_b[label_b]) for
// logits x [B, classes] and labels [B] holding whole numbers in
// [0, classes).
func SoftmaxCrossEntropy(x, labels []float64, classes int) float64 {
	batch := crossEntropyBatch("SoftmaxCrossEntropy", x, labels, classes)
	total := 0.0
	for b := 0; b < batch; b++ {
		row := x[b*classes : (b+1)*classes]
		total += logSumExp(row) - row[int(labels[b])]
	}
	return total / float64(batch)
}

// SoftmaxCrossEntropyBackward returns the gradient of gy*SoftmaxCrossEntropy
// with respect to x: gy/B (softmax(x_b) - onehot(label_b)).
func SoftmaxCrossEntropyBackward(x, labels []float64, classes int, gy float64) []float64 {
	batch := crossEntropyBatch("SoftmaxCrossEntropyBackward", x, labels, classes)
	gx := Softmax(x, classes)
	for b := 0; b < batch; b++ {
		gx[b*classes+int(labels[b])] -= 1
	}
	return Scale(gx, gy/float64(batch))
}

func logSumExp(row []float64) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range row {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

func crossEntropyBatch(op string, x, labels []float64, classes int) int {
	if classes <= 0 || len(x)%classes != 0 {
		panic(fmt.Sprintf("ref.%s: %d logits are not rows of %d classes", op, len(x), classes))
	}
	batch := len(x) / classes
	checkLen(op, "labels", labels, batch)
	for b, l := range labels {
		if l != math.Trunc(l) || l < 0 || int(l) >= classes {
			panic(fmt.Sprintf("ref.%s: label %d is %v, not a class in [0, %d)", op, b, l, classes))
		}
	}
	return batch
}
