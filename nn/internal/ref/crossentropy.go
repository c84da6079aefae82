package ref

import (
	"fmt"
	"math"
)

// The softmax cross-entropy with integer class labels, the evaluation
// classifier's loss.

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
