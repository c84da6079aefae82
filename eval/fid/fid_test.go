package fid

import (
	"math"
	"math/rand/v2"
	"testing"
)

// gaussian draws n vectors with independent coordinates of the given means
// and standard deviations, then rotates them by q (row-major, orthogonal)
// when q is not nil.
func gaussian(rng *rand.Rand, n int, mean, std, q []float64) []float32 {
	d := len(mean)
	out := make([]float32, n*d)
	z := make([]float64, d)
	for i := 0; i < n; i++ {
		for j := range z {
			z[j] = std[j] * rng.NormFloat64()
		}
		for j := 0; j < d; j++ {
			v := z[j]
			if q != nil {
				v = 0
				for k := 0; k < d; k++ {
					v += q[j*d+k] * z[k]
				}
			}
			out[i*d+j] = float32(mean[j] + v)
		}
	}
	return out
}

// closedFormDiag is the FID of N(m1, diag(s1^2)) and N(m2, diag(s2^2)):
// ||m1-m2||^2 + sum (s1 - s2)^2.
func closedFormDiag(m1, s1, m2, s2 []float64) float64 {
	f := 0.0
	for i := range m1 {
		f += (m1[i]-m2[i])*(m1[i]-m2[i]) + (s1[i]-s2[i])*(s1[i]-s2[i])
	}
	return f
}

// rotation is a random orthogonal matrix (Gram-Schmidt on a Gaussian one).
func rotation(rng *rand.Rand, d int) []float64 {
	q := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for {
			row := q[i*d : (i+1)*d]
			for j := range row {
				row[j] = rng.NormFloat64()
			}
			for k := 0; k < i; k++ {
				dot := 0.0
				for j := 0; j < d; j++ {
					dot += row[j] * q[k*d+j]
				}
				for j := 0; j < d; j++ {
					row[j] -= dot * q[k*d+j]
				}
			}
			norm := 0.0
			for _, v := range row {
				norm += v * v
			}
			if norm > 1e-6 {
				for j := range row {
					row[j] /= math.Sqrt(norm)
				}
				break
			}
		}
	}
	return q
}

// TestClosedForm checks FID on exact moments against the closed form:
// commuting covariances (one rotation of two diagonal ones), where
// tr sqrt(S1 S2) = sum s1_i s2_i.
func TestClosedForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, d := range []int{1, 3, 17} {
		q := rotation(rng, d)
		m1, m2 := make([]float64, d), make([]float64, d)
		s1, s2 := make([]float64, d), make([]float64, d)
		for i := 0; i < d; i++ {
			m1[i], m2[i] = rng.NormFloat64(), rng.NormFloat64()
			s1[i], s2[i] = 0.1+2*rng.Float64(), 0.1+2*rng.Float64()
		}
		cov := func(s []float64) []float64 { // Q diag(s^2) Q^T
			c := make([]float64, d*d)
			for i := 0; i < d; i++ {
				for j := 0; j < d; j++ {
					for k := 0; k < d; k++ {
						c[i*d+j] += q[i*d+k] * s[k] * s[k] * q[j*d+k]
					}
				}
			}
			return c
		}
		a := &Stats{Mean: m1, Cov: cov(s1), N: 100}
		b := &Stats{Mean: m2, Cov: cov(s2), N: 100}
		got, err := FID(a, b)
		if err != nil {
			t.Fatal(err)
		}
		want := closedFormDiag(m1, s1, m2, s2)
		if math.Abs(got-want) > 1e-9*math.Max(1, want) {
			t.Errorf("d=%d: FID %.12g, closed form %.12g", d, got, want)
		}
	}
}

// TestSampledGaussians estimates the moments from samples: the FID of two
// sampled Gaussians approaches the closed form as the sample grows.
func TestSampledGaussians(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const d, n = 8, 200000
	m1, m2 := make([]float64, d), make([]float64, d)
	s1, s2 := make([]float64, d), make([]float64, d)
	for i := 0; i < d; i++ {
		m1[i], m2[i] = rng.NormFloat64(), rng.NormFloat64()
		s1[i], s2[i] = 0.5+rng.Float64(), 0.5+rng.Float64()
	}
	q := rotation(rng, d)
	a, err := FromFeatures(gaussian(rng, n, m1, s1, nil), n, d)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FromFeatures(gaussian(rng, n, m2, s2, nil), n, d)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := FID(a, b)
	want := closedFormDiag(m1, s1, m2, s2)
	// Sampling error of the moments: about sqrt(d/n) relative.
	if math.Abs(got-want) > 0.02*want {
		t.Errorf("FID of sampled Gaussians %.5g, closed form %.5g", got, want)
	}
	// A rotation of both sets leaves FID unchanged; mean shifts are not
	// rotated here, so rotate the means too.
	rm1, rm2 := rotate(q, m1), rotate(q, m2)
	zero := make([]float64, d)
	ra, _ := FromFeatures(shift(gaussian(rng, n, zero, s1, q), rm1, d), n, d)
	rb, _ := FromFeatures(shift(gaussian(rng, n, zero, s2, q), rm2, d), n, d)
	rot, _ := FID(ra, rb)
	if math.Abs(rot-want) > 0.02*want {
		t.Errorf("FID of rotated sampled Gaussians %.5g, closed form %.5g", rot, want)
	}
}

func rotate(q, v []float64) []float64 {
	d := len(v)
	out := make([]float64, d)
	for i := 0; i < d; i++ {
		for k := 0; k < d; k++ {
			out[i] += q[i*d+k] * v[k]
		}
	}
	return out
}

func shift(x []float32, m []float64, d int) []float32 {
	for i := range x {
		x[i] += float32(m[i%d])
	}
	return x
}

// TestSelf: a set against itself is 0 up to rounding, also when its
// covariance is singular (fewer vectors than features, a constant feature).
func TestSelf(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct{ n, d int }{{500, 16}, {10, 64}, {3, 128}} {
		feats := make([]float32, c.n*c.d)
		for i := range feats {
			if i%c.d == 0 {
				feats[i] = 7 // a dead feature: zero variance
				continue
			}
			feats[i] = float32(3 * rng.NormFloat64())
		}
		s, err := FromFeatures(feats, c.n, c.d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := FID(s, s)
		if err != nil {
			t.Fatal(err)
		}
		tr := 0.0
		for i := 0; i < c.d; i++ {
			tr += s.Cov[i*c.d+i]
		}
		if got > 1e-9*tr || math.IsNaN(got) {
			t.Errorf("n=%d d=%d: FID with itself %g (trace of the covariance %g)", c.n, c.d, got, tr)
		}
	}
}

// TestRankDeficient compares two low-rank sets, where sqrtm(S1 S2) of a
// general solver goes complex, with the closed form of their shared
// eigenbasis: S1 = diag(a, 0, ...), S2 = diag(b, 0, ...).
func TestRankDeficient(t *testing.T) {
	const d = 6
	a := &Stats{Mean: make([]float64, d), Cov: make([]float64, d*d), N: 2}
	b := &Stats{Mean: make([]float64, d), Cov: make([]float64, d*d), N: 2}
	a.Cov[0], a.Cov[d+1] = 4, 1
	b.Cov[0], b.Cov[2*d+2] = 9, 2
	got, err := FID(a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := (2.0-3)*(2-3) + 1 + 2 // sum over eigen-directions of (sqrt a - sqrt b)^2
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("rank-deficient FID %v, want %v", got, want)
	}
}

func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := gaussian(rng, 300, make([]float64, 12), ones(12), nil)
	y := gaussian(rng, 300, ones(12), ones(12), nil)
	f := func() float64 {
		a, _ := FromFeatures(x, 300, 12)
		b, _ := FromFeatures(y, 300, 12)
		v, err := FID(a, b)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if a, b := f(), f(); math.Float64bits(a) != math.Float64bits(b) {
		t.Errorf("FID %v then %v", a, b)
	}
}

func ones(d int) []float64 {
	v := make([]float64, d)
	for i := range v {
		v[i] = 1
	}
	return v
}

func TestErrors(t *testing.T) {
	good := &Stats{Mean: []float64{0, 0}, Cov: []float64{1, 0, 0, 1}, N: 10}
	for _, c := range []struct {
		a, b *Stats
		want string
	}{
		{good, &Stats{Mean: []float64{0}, Cov: []float64{1}, N: 10}, "fid: stats of 2 and 1 features cannot be compared"},
		{good, &Stats{Mean: []float64{0, 0}, Cov: []float64{1}, N: 10}, "fid: stats of 2 features hold a covariance of 1 values, want 4"},
		{good, &Stats{Mean: []float64{0, math.NaN()}, Cov: []float64{1, 0, 0, 1}, N: 10}, "fid: feature mean 1 is NaN"},
		{&Stats{Mean: []float64{0, 0}, Cov: []float64{1, 0, 0, 1}, N: 1}, good, "fid: stats from 1 vectors; a covariance needs at least 2"},
	} {
		if _, err := FID(c.a, c.b); err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	if _, err := FromFeatures(make([]float32, 5), 2, 3); err == nil || err.Error() != "fid: 5 values for 2 vectors of 3 features" {
		t.Errorf("FromFeatures: %v", err)
	}
	if _, err := FromFeatures([]float32{0, float32(math.Inf(1)), 1, 1}, 2, 2); err == nil || err.Error() != "fid: feature 1 of vector 0 is +Inf" {
		t.Errorf("FromFeatures: %v", err)
	}
}
