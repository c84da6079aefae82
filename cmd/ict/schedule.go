package main

import (
	"io"

	"github.com/ictvk/ictvk/ct"
)

// runSchedule prints the iCT curriculum and one noise grid as CSV, so a
// user can inspect what a run of K iterations will train on.
func runSchedule(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("schedule", stderr)
	r := ct.DefaultRecipe()
	fs.IntVar(&r.TotalIters, "total", r.TotalIters, "total training iterations `K`")
	fs.IntVar(&r.S0, "s0", r.S0, "initial discretization steps s0")
	fs.IntVar(&r.S1, "s1", r.S1, "final discretization steps s1")
	fs.TextVar(&r.CurriculumKind, "curriculum", r.CurriculumKind, "curriculum: exponential (iCT) or square-root (original CT)")
	fs.TextVar(&r.NoiseDistribution, "noise", r.NoiseDistribution, "noise-index distribution: lognormal (iCT) or uniform (CT)")
	fs.TextVar(&r.Weighting, "weighting", r.Weighting, "loss weighting: inverse-gap (iCT) or uniform (CT)")
	fs.Float64Var(&r.PMean, "p-mean", r.PMean, "mean of ln(sigma) of the lognormal")
	fs.Float64Var(&r.PStd, "p-std", r.PStd, "standard deviation of ln(sigma) of the lognormal")
	fs.Float64Var(&r.TeacherEMAStart, "teacher-ema", r.TeacherEMAStart, "mu0 of the original CT's teacher EMA (0: iCT, no teacher EMA)")
	n := fs.Int("n", 0, "print the noise grid with `N` levels (default: the curriculum's final N)")
	if err := parse(fs, args); err != nil {
		return err
	}
	return ct.WriteSchedule(stdout, r, *n)
}
