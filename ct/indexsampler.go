package ct

import (
	"fmt"
	"math"
)

// IndexSampler draws noise indices j (pairs (sigma_j, sigma_{j+1}),
// 0-based; see the package doc) from a fixed discrete distribution in
// constant time per draw, by Vose's alias method: pick a column j
// uniformly, keep it with probability keep[j], else take alias[j].
type IndexSampler struct {
	keep  []float64
	alias []int32
}

// NewIndexSampler builds a sampler for probs, which need not be
// normalized but must be finite, non-negative and not all zero.
func NewIndexSampler(probs []float64) (*IndexSampler, error) {
	n := len(probs)
	if n == 0 {
		return nil, fmt.Errorf("ct: index sampler needs at least one probability")
	}
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("ct: index sampler over %d indices does not fit int32", n)
	}
	var total float64
	for j, p := range probs {
		if !(p >= 0) || math.IsInf(p, 0) {
			return nil, fmt.Errorf("ct: index sampler probability probs[%d] = %v is negative or not finite", j, p)
		}
		total += p
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return nil, fmt.Errorf("ct: index sampler probabilities sum to %v; need a positive finite sum", total)
	}

	s := &IndexSampler{keep: make([]float64, n), alias: make([]int32, n)}
	// scaled[j] is column j's remaining mass, in units of one column (1/n).
	scaled := make([]float64, n)
	var small, large []int32
	for j, p := range probs {
		scaled[j] = p * float64(n) / total
		if scaled[j] < 1 {
			small = append(small, int32(j))
		} else {
			large = append(large, int32(j))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		l := small[len(small)-1]
		small = small[:len(small)-1]
		g := large[len(large)-1]
		large = large[:len(large)-1]
		s.keep[l] = scaled[l]
		s.alias[l] = g
		// g gives column l what l lacks.
		scaled[g] = (scaled[g] + scaled[l]) - 1
		if scaled[g] < 1 {
			small = append(small, g)
		} else {
			large = append(large, g)
		}
	}
	// What is left is full up to rounding.
	for _, rest := range [][]int32{small, large} {
		for _, j := range rest {
			s.keep[j] = 1
			s.alias[j] = j
		}
	}
	return s, nil
}

// Len returns the number of indices the sampler draws from.
func (s *IndexSampler) Len() int { return len(s.keep) }

// Draw returns one index in [0, Len()).
func (s *IndexSampler) Draw(rng *Rand) int {
	j := rng.Uint64n(uint64(len(s.keep)))
	if rng.Float64() < s.keep[j] {
		return int(j)
	}
	return int(s.alias[j])
}

// Fill draws len(dst) indices into dst, in order, for uploading a batch.
func (s *IndexSampler) Fill(rng *Rand, dst []int32) {
	for i := range dst {
		dst[i] = int32(s.Draw(rng))
	}
}

// Probs returns the distribution the sampler actually draws from, as
// implied by its alias table; it equals the normalized input up to
// rounding.
func (s *IndexSampler) Probs() []float64 {
	n := len(s.keep)
	probs := make([]float64, n)
	for j := range s.keep {
		probs[j] += s.keep[j] / float64(n)
		probs[s.alias[j]] += (1 - s.keep[j]) / float64(n)
	}
	return probs
}
