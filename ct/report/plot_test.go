package report

import (
	"slices"
	"testing"
)

// TestLogTicksLabelNarrowRanges checks that a log axis gets labels whether
// it spans decades (powers of ten) or less than one (round values).
func TestLogTicksLabelNarrowRanges(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
	}{
		{3.7, 9.2, []string{"4", "6", "8"}},
		{0.02, 30, []string{"0.1", "1", "10"}},
	} {
		var labels []string
		for _, tk := range (logTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		for _, w := range c.want {
			if !slices.Contains(labels, w) {
				t.Errorf("ticks of [%v, %v]: labels %q lack %q", c.lo, c.hi, labels, w)
			}
		}
	}
}
