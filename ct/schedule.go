package ct

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// WriteSchedule writes what `ict schedule` prints: the curriculum as CSV
// (WriteCurriculumCSV), an empty line, and the noise grid of gridSize
// levels as CSV (WriteGridCSV). A gridSize of 0 means the curriculum's
// final grid size. The recipe is validated first.
func WriteSchedule(w io.Writer, r Recipe, gridSize int) error {
	if err := r.Validate(); err != nil {
		return err
	}
	c, err := r.Curriculum()
	if err != nil {
		return err
	}
	if gridSize == 0 {
		gridSize = c.GridSize(c.TotalIters - 1)
	}
	g, err := r.NoiseGrid(gridSize)
	if err != nil {
		return err
	}
	if err := WriteCurriculumCSV(w, c); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("ct: writing schedule: %w", err)
	}
	return WriteGridCSV(w, g)
}

// WriteCurriculumCSV writes one row per curriculum stage:
// stage, first_iter, last_iter (inclusive), N, teacher_ema.
func WriteCurriculumCSV(w io.Writer, c Curriculum) error {
	if err := c.Validate(); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"stage", "first_iter", "last_iter", "N", "teacher_ema"})
	for s, st := range c.Stages() {
		cw.Write([]string{
			strconv.Itoa(s),
			strconv.Itoa(st.FirstIter),
			strconv.Itoa(st.LastIter),
			strconv.Itoa(st.GridSize),
			formatFloat(st.TeacherEMA),
		})
	}
	return flushCSV(cw, "curriculum")
}

// WriteGridCSV writes one row per adjacent pair of the grid, numbered as
// in the paper (i = 1..N-1): i, sigma_i, sigma_i_plus_1, p_i, lambda_i.
// Floats are written with the fewest digits that read back exactly.
func WriteGridCSV(w io.Writer, g NoiseGrid) error {
	if len(g.Sigmas) != g.Pairs()+1 || len(g.Weights) != g.Pairs() {
		return fmt.Errorf("ct: noise grid has %d levels, %d probabilities and %d weights; want N, N-1, N-1",
			len(g.Sigmas), len(g.Probs), len(g.Weights))
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"i", "sigma_i", "sigma_i_plus_1", "p_i", "lambda_i"})
	for j := range g.Probs {
		cw.Write([]string{
			strconv.Itoa(j + 1),
			formatFloat(g.Sigmas[j]),
			formatFloat(g.Sigmas[j+1]),
			formatFloat(g.Probs[j]),
			formatFloat(g.Weights[j]),
		})
	}
	return flushCSV(cw, "noise grid")
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// flushCSV flushes and reports the first write error, which csv.Writer
// keeps until Flush.
func flushCSV(cw *csv.Writer, what string) error {
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("ct: writing %s CSV: %w", what, err)
	}
	return nil
}
