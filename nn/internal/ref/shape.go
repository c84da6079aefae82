package ref

import "fmt"

// numel is the number of elements of a tensor of the given shape.
func numel(shape ...int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// checkLen panics unless x holds exactly n elements; op and name make the
// message point at the offending call.
func checkLen(op, name string, x []float64, n int) {
	if len(x) != n {
		panic(fmt.Sprintf("ref.%s: %s has %d elements, shape needs %d", op, name, len(x), n))
	}
}
