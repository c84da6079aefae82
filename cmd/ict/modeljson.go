package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/nn/unet"
)

// modelJSON is what 'ict model --json' prints: the keys of the config.json
// that 'ict train' writes into a run folder (Preset, Dataset, DataDir,
// Fit, Flip, Run), so that a reader of one reads the other, and what only
// a built network knows: its parameter tensors in order, with ictvk's
// names and shapes. bench/torchmirror builds its PyTorch network from it
// and checks its own tensors against Tensors.
type modelJSON struct {
	Preset      string
	Description string
	Dataset     data.Source
	// DataDir is the dataset's folder as ict finds it ("" when it is not
	// installed), where a run's config.json keeps "" for the default.
	DataDir string
	// Fit is data.Fit's number (0 pad, 1 resize), as in config.json;
	// FitName spells it out.
	Fit        data.Fit
	FitName    string
	Flip       bool
	Run        ct.Run
	Parameters int
	Tensors    []tensorJSON
}

// tensorJSON is one parameter tensor of the network.
type tensorJSON struct {
	Name  string
	Shape []int
}

// newModelJSON describes preset p, whose network net was built from
// p.Run.Net.
func newModelJSON(p ct.Preset, net *unet.Net) modelJSON {
	m := modelJSON{Preset: p.Name, Description: p.Description, Dataset: p.Dataset, Fit: p.Fit, FitName: p.Fit.String(),
		Flip: p.Flip, Run: p.Run, Parameters: net.ParamCount()}
	if dir, err := data.DefaultDir(p.Dataset); err == nil {
		m.DataDir = dir
	}
	for _, prm := range net.Params() {
		m.Tensors = append(m.Tensors, tensorJSON{Name: prm.Name, Shape: prm.Tensor.Shape()})
	}
	return m
}

func writeModelJSON(w io.Writer, p ct.Preset, net *unet.Net) error {
	raw, err := json.MarshalIndent(newModelJSON(p, net), "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", raw)
	return err
}
