package checkpoint_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ictvk/ictvk/nn/checkpoint"
)

func Example() {
	dir, err := os.MkdirTemp("", "ckpt")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "step-000100.safetensors")

	saved := &checkpoint.File{
		Tensors: []checkpoint.Tensor{
			{Name: "conv.w", Shape: []int{2, 1, 1, 2}, Data: []float32{1, 2, 3, 4}},
			{Name: "conv.b", Shape: []int{2}, Data: []float32{0.5, -0.5}},
		},
		Metadata: map[string]string{"step": "100"},
	}
	if err := checkpoint.Write(path, saved); err != nil {
		log.Fatal(err)
	}

	loaded, err := checkpoint.Read(path, checkpoint.Limits{})
	if err != nil {
		log.Fatal(err)
	}
	w, _ := loaded.Get("conv.w")
	fmt.Println(w.Shape, w.Data, loaded.Metadata["step"])

	// A model whose first layer changed width does not fit this checkpoint.
	err = loaded.Expect([]checkpoint.Spec{
		{Name: "conv.w", Shape: []int{4, 1, 1, 2}},
		{Name: "conv.b", Shape: []int{4}},
	})
	fmt.Println(err)
	// Output:
	// [2 1 1 2] [1 2 3 4] 100
	// checkpoint has conv.w [2 1 1 2], the model wants [4 1 1 2] (and 1 more difference)
}
