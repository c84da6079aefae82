// Package shaders holds ictvk's GLSL compute shaders and their SPIR-V,
// compiled by 'make shaders' and embedded into the binary.
package shaders

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed *.spv
var spirv embed.FS

// SPIRV returns the compiled shader name (without extension). It panics
// when the shader is missing: that is a build error, fixed by 'make shaders'.
func SPIRV(name string) []byte {
	b, err := spirv.ReadFile(name + ".spv")
	if err != nil {
		panic(fmt.Sprintf("shaders: %s.spv is not embedded (run 'make shaders'): %v", name, err))
	}
	return b
}

// Names lists the embedded shaders by name (without extension), sorted.
func Names() []string {
	entries, err := spirv.ReadDir(".")
	if err != nil {
		panic(fmt.Sprintf("shaders: reading the embedded SPIR-V: %v", err))
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".spv"); ok {
			names = append(names, name)
		}
	}
	return names
}
