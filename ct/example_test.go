package ct_test

import (
	"fmt"

	"github.com/ictvk/ictvk/ct"
)

// The host side of one training step: find N(k), build the grid for it,
// and draw a batch of noise pairs with a checkpointable generator.
func Example() {
	recipe := ct.DefaultRecipe()
	curriculum, err := recipe.Curriculum()
	if err != nil {
		panic(err)
	}
	k := 123456
	n := curriculum.GridSize(k)
	grid, err := recipe.NoiseGrid(n)
	if err != nil {
		panic(err)
	}
	sampler, err := ct.NewIndexSampler(grid.Probs)
	if err != nil {
		panic(err)
	}
	rng := ct.NewRand(2024)
	batch := make([]int32, 4)
	sampler.Fill(rng, batch)

	fmt.Printf("k = %d: N = %d, %d pairs\n", k, n, grid.Pairs())
	for _, j := range batch {
		fmt.Printf("pair %3d: sigma %.4f -> %.4f, weight %.2f\n", j, grid.Sigmas[j], grid.Sigmas[j+1], grid.Weights[j])
	}
	// A checkpoint stores rng.State(); a resumed run calls SetState.
	_ = rng.State()
	// Output:
	// k = 123456: N = 41, 40 pairs
	// pair   6: sigma 0.0395 -> 0.0586, weight 52.43
	// pair   2: sigma 0.0063 -> 0.0104, weight 241.12
	// pair  10: sigma 0.1698 -> 0.2341, weight 15.54
	// pair  15: sigma 0.7434 -> 0.9654, weight 4.50
}

func ExampleCurriculum_Stages() {
	recipe := ct.DefaultRecipe()
	curriculum, err := recipe.Curriculum()
	if err != nil {
		panic(err)
	}
	fmt.Println("K' =", curriculum.DoublingPeriod())
	for _, s := range curriculum.Stages() {
		fmt.Printf("k in [%6d, %6d]: N = %d\n", s.FirstIter, s.LastIter, s.GridSize)
	}
	// Output:
	// K' = 50000
	// k in [     0,  49999]: N = 11
	// k in [ 50000,  99999]: N = 21
	// k in [100000, 149999]: N = 41
	// k in [150000, 199999]: N = 81
	// k in [200000, 249999]: N = 161
	// k in [250000, 299999]: N = 321
	// k in [300000, 349999]: N = 641
	// k in [350000, 399999]: N = 1281
}
