// Package fid computes the Fréchet distance between two sets of feature
// vectors (the FID of Heusel et al. 2017 when the features come from an
// image network), in float64 with gonum.
//
// Each set is summarized by its mean and covariance (Stats); the distance
// between the Gaussians with those moments is
//
//	FID = ||mu1 - mu2||^2 + tr S1 + tr S2 - 2 tr sqrt(sqrt(S1) S2 sqrt(S1)).
//
// The last trace equals tr sqrtm(S1 S2), which pytorch-fid computes with a
// general (non-symmetric) matrix square root that turns complex and
// unstable when a covariance is singular. Here both square roots come
// from symmetric eigen-decompositions of positive semi-definite matrices,
// with rounding's tiny negative eigenvalues clamped to zero, so
// rank-deficient covariances (fewer samples than features, dead
// features) give a finite, accurate answer.
package fid

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Stats are the first two moments of a set of feature vectors.
type Stats struct {
	// Mean has Dim() values.
	Mean []float64
	// Cov is the Dim() x Dim() covariance, row-major, with the unbiased
	// 1/(N-1) normalization (numpy.cov's default, as pytorch-fid uses).
	Cov []float64
	// N is the number of vectors the moments came from.
	N int
}

// Dim is the feature dimension.
func (s *Stats) Dim() int { return len(s.Mean) }

// Validate checks that the fields fit together and hold finite numbers.
func (s *Stats) Validate() error {
	d := len(s.Mean)
	switch {
	case d == 0:
		return errors.New("fid: stats have no features")
	case len(s.Cov) != d*d:
		return fmt.Errorf("fid: stats of %d features hold a covariance of %d values, want %d", d, len(s.Cov), d*d)
	case s.N < 2:
		return fmt.Errorf("fid: stats from %d vectors; a covariance needs at least 2", s.N)
	}
	for i, v := range s.Mean {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("fid: feature mean %d is %v", i, v)
		}
	}
	for i, v := range s.Cov {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("fid: covariance entry (%d, %d) is %v", i/d, i%d, v)
		}
	}
	return nil
}

// FromFeatures returns the moments of n vectors of dim values each, stored
// row after row in feats (float32, as the device returns them).
func FromFeatures(feats []float32, n, dim int) (*Stats, error) {
	if n < 2 || dim < 1 {
		return nil, fmt.Errorf("fid: %d vectors of %d features: need at least 2 vectors of at least 1 feature", n, dim)
	}
	if len(feats) != n*dim {
		return nil, fmt.Errorf("fid: %d values for %d vectors of %d features", len(feats), n, dim)
	}
	mean := make([]float64, dim)
	for i := 0; i < n; i++ {
		row := feats[i*dim : (i+1)*dim]
		for j, v := range row {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("fid: feature %d of vector %d is %v", j, i, v)
			}
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	// Center first, then form X^T X: the two-pass formula keeps the
	// precision that E[x^2] - E[x]^2 would lose to cancellation.
	centered := mat.NewDense(n, dim, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < dim; j++ {
			centered.Set(i, j, float64(feats[i*dim+j])-mean[j])
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n-1), centered.T())
	out := make([]float64, dim*dim)
	for i := 0; i < dim; i++ {
		for j := 0; j < dim; j++ {
			out[i*dim+j] = cov.At(i, j)
		}
	}
	return &Stats{Mean: mean, Cov: out, N: n}, nil
}

// FID returns the Fréchet distance between the Gaussians of a and b. It is
// never negative: rounding below zero is returned as 0.
func FID(a, b *Stats) (float64, error) {
	if err := a.Validate(); err != nil {
		return 0, err
	}
	if err := b.Validate(); err != nil {
		return 0, err
	}
	d := a.Dim()
	if b.Dim() != d {
		return 0, fmt.Errorf("fid: stats of %d and %d features cannot be compared", d, b.Dim())
	}
	meanTerm := 0.0
	for i := range a.Mean {
		diff := a.Mean[i] - b.Mean[i]
		meanTerm += diff * diff
	}
	trA, trB := 0.0, 0.0
	for i := 0; i < d; i++ {
		trA += a.Cov[i*d+i]
		trB += b.Cov[i*d+i]
	}
	cross, err := TraceSqrtProduct(a.Cov, b.Cov, d)
	if err != nil {
		return 0, err
	}
	return math.Max(0, meanTerm+trA+trB-2*cross), nil
}

// TraceSqrtProduct returns tr sqrt(sqrt(A) B sqrt(A)) (= tr sqrtm(A B)) for
// symmetric positive semi-definite d x d matrices A and B, row-major.
func TraceSqrtProduct(a, b []float64, d int) (float64, error) {
	sa, err := psdSqrt(symmetric(a, d))
	if err != nil {
		return 0, fmt.Errorf("fid: square root of the first covariance: %w", err)
	}
	var tmp, m mat.Dense
	tmp.Mul(sa, symmetric(b, d))
	m.Mul(&tmp, sa)
	vals, err := eigenvalues(symmetrize(&m))
	if err != nil {
		return 0, fmt.Errorf("fid: eigenvalues of sqrt(S1) S2 sqrt(S1): %w", err)
	}
	tr := 0.0
	for _, v := range vals {
		tr += math.Sqrt(math.Max(v, 0))
	}
	return tr, nil
}

// symmetric wraps a row-major d x d matrix, averaging it with its transpose
// so that rounding asymmetries do not reach the eigen-solver.
func symmetric(v []float64, d int) *mat.SymDense {
	s := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			s.SetSym(i, j, (v[i*d+j]+v[j*d+i])/2)
		}
	}
	return s
}

func symmetrize(m *mat.Dense) *mat.SymDense {
	d, _ := m.Dims()
	s := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			s.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
		}
	}
	return s
}

func eigenvalues(s *mat.SymDense) ([]float64, error) {
	var es mat.EigenSym
	if !es.Factorize(s, false) {
		return nil, errors.New("the symmetric eigen-decomposition did not converge")
	}
	return es.Values(nil), nil
}

// psdSqrt returns V diag(sqrt(max(l, 0))) V^T for s = V diag(l) V^T.
func psdSqrt(s *mat.SymDense) (*mat.Dense, error) {
	var es mat.EigenSym
	if !es.Factorize(s, true) {
		return nil, errors.New("the symmetric eigen-decomposition did not converge")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	d := len(vals)
	scaled := mat.DenseCopyOf(&vecs)
	for j, l := range vals {
		r := math.Sqrt(math.Max(l, 0))
		for i := 0; i < d; i++ {
			scaled.Set(i, j, scaled.At(i, j)*r)
		}
	}
	var out mat.Dense
	out.Mul(scaled, vecs.T())
	return &out, nil
}
