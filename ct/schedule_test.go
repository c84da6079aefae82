package ct

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestWriteSchedule(t *testing.T) {
	r := DefaultRecipe()
	r.TotalIters = 1000
	var buf bytes.Buffer
	if err := WriteSchedule(&buf, r, 0); err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(buf.String(), "\n\n", 2)
	if len(parts) != 2 {
		t.Fatalf("schedule is not two CSV blocks separated by an empty line:\n%s", buf.String())
	}
	stages, err := csv.NewReader(strings.NewReader(parts[0])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(stages[0], ","); got != "stage,first_iter,last_iter,N,teacher_ema" {
		t.Errorf("curriculum header %q", got)
	}
	if len(stages) != 9 || strings.Join(stages[1], ",") != "0,0,124,11,0" || strings.Join(stages[8], ",") != "7,875,999,1281,0" {
		t.Errorf("curriculum rows %v", stages)
	}

	rows, err := csv.NewReader(strings.NewReader(parts[1])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "i,sigma_i,sigma_i_plus_1,p_i,lambda_i" {
		t.Errorf("grid header %q", got)
	}
	// gridSize 0 means the final grid, N = 1281; values read back exactly.
	grid, err := r.NoiseGrid(1281)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+grid.Pairs() {
		t.Fatalf("%d grid rows, want %d", len(rows)-1, grid.Pairs())
	}
	for j, row := range rows[1:] {
		want := []float64{float64(j + 1), grid.Sigmas[j], grid.Sigmas[j+1], grid.Probs[j], grid.Weights[j]}
		for col, w := range want {
			got, err := strconv.ParseFloat(row[col], 64)
			if err != nil || got != w {
				t.Fatalf("row %d column %s = %q, want %v", j+1, rows[0][col], row[col], w)
			}
		}
	}
}

func TestWriteScheduleChosenGridSize(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSchedule(&buf, DefaultRecipe(), 21); err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(buf.String(), "\n\n", 2)
	if n := strings.Count(parts[1], "\n"); n != 21 {
		t.Errorf("grid block has %d lines, want header + 20 pairs", n)
	}
}

func TestWriteScheduleRejectsBadInput(t *testing.T) {
	r := DefaultRecipe()
	r.S1 = 5
	err := WriteSchedule(new(bytes.Buffer), r, 0)
	if err == nil || !strings.Contains(err.Error(), "S1") {
		t.Errorf("WriteSchedule with S1 < S0: %v, want an error naming S1", err)
	}
	if err := WriteSchedule(new(bytes.Buffer), DefaultRecipe(), 1); err == nil {
		t.Error("WriteSchedule with a 1-point grid succeeded")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteSchedulePropagatesWriteErrors(t *testing.T) {
	err := WriteSchedule(failingWriter{}, DefaultRecipe(), 0)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteSchedule to a failing writer: %v", err)
	}
}
