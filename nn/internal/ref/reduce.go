package ref

import "fmt"

// reduceIndex maps every flat index of a tensor of the given shape to the
// flat index of its slot in the reduction over axes (kept as size 1).
func reduceIndex(op string, shape, axes []int) (out []int, outShape []int) {
	outShape = append([]int(nil), shape...)
	for _, a := range axes {
		if a < 0 || a >= len(shape) {
			panic(fmt.Sprintf("ref.%s: axis %d out of range for shape %v", op, a, shape))
		}
		outShape[a] = 1
	}
	n := numel(shape...)
	out = make([]int, n)
	idx := make([]int, len(shape)) // multi-index of flat element i
	for i := 0; i < n; i++ {
		o := 0
		for d := range shape {
			o = o*outShape[d] + min(idx[d], outShape[d]-1)
		}
		out[i] = o
		for d := len(shape) - 1; d >= 0; d-- { // advance the multi-index
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out, outShape
}

// Sum adds x over the given axes. The result keeps every axis, reduced ones
// with size 1, so it broadcasts back against x.
func Sum(x []float64, shape, axes []int) (y []float64, ys []int) {
	checkLen("Sum", "x", x, numel(shape...))
	to, ys := reduceIndex("Sum", shape, axes)
	y = make([]float64, numel(ys...))
	for i, v := range x {
		y[to[i]] += v
	}
	return y, ys
}

// SumBackward broadcasts gy (shaped as Sum's result) back over x's shape.
func SumBackward(shape, axes []int, gy []float64) []float64 {
	to, ys := reduceIndex("SumBackward", shape, axes)
	checkLen("SumBackward", "gy", gy, numel(ys...))
	gx := make([]float64, len(to))
	for i, o := range to {
		gx[i] = gy[o]
	}
	return gx
}

// Mean averages x over the given axes, keeping them with size 1.
func Mean(x []float64, shape, axes []int) (y []float64, ys []int) {
	y, ys = Sum(x, shape, axes)
	k := float64(len(x) / len(y))
	for i := range y {
		y[i] /= k
	}
	return y, ys
}

// MeanBackward spreads gy evenly back over the averaged elements.
func MeanBackward(shape, axes []int, gy []float64) []float64 {
	gx := SumBackward(shape, axes, gy)
	k := float64(len(gx) / len(gy))
	for i := range gx {
		gx[i] /= k
	}
	return gx
}

// SumSquares returns, for x holding batch samples of equal size, each
// sample's sum of squares: [B,...] -> [B].
func SumSquares(x []float64, batch int) []float64 {
	per := perSample("SumSquares", x, batch)
	y := make([]float64, batch)
	for i, v := range x {
		y[i/per] += v * v
	}
	return y
}

// SumSquaresBackward returns 2 x gy[b].
func SumSquaresBackward(x []float64, batch int, gy []float64) []float64 {
	per := perSample("SumSquaresBackward", x, batch)
	checkLen("SumSquaresBackward", "gy", gy, batch)
	gx := make([]float64, len(x))
	for i, v := range x {
		gx[i] = 2 * v * gy[i/per]
	}
	return gx
}

// perSample is the number of elements per sample of x, which must split
// evenly into batch samples.
func perSample(op string, x []float64, batch int) int {
	if batch <= 0 || len(x)%batch != 0 {
		panic(fmt.Sprintf("ref.%s: %d elements do not split into %d samples", op, len(x), batch))
	}
	return len(x) / batch
}
