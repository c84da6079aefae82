// Package ct holds the host-side mathematics of Improved Consistency
// Training (iCT; Song & Dhariwal, "Improved Techniques for Training
// Consistency Models", ICLR 2024, arXiv:2310.14189), and of the original
// consistency training it improves on (CT; Song, Dhariwal, Chen &
// Sutskever, "Consistency Models", ICML 2023, arXiv:2303.01469).
//
// The package has two layers. The recipe's mathematics is plain float64
// arithmetic on the host: the constants (Recipe), the Karras noise grid,
// the discretization curriculum N(k), the discretized lognormal
// distribution over noise indices and its sampler, the loss weighting, the
// consistency parameterization (c_skip, c_out, c_in, c_noise), the
// Pseudo-Huber constant and the sampler's noise levels. These give the few
// numbers a step uploads; the device never recomputes them.
//
// On top of it, the device side drives package nn: Trainer runs a training
// step (student and teacher passes, the loss, backprop, RAdam, the EMAs)
// in compute shaders, with FitPass choosing how many samples a pass can
// hold; Save and Load write and read checkpoints; SampleChunks and its
// relatives run multistep consistency sampling in chunks that fit. The
// host reads back only losses and finished images.
//
// Index convention. The paper numbers the grid sigma_1 < ... < sigma_N and
// draws i in {1, ..., N-1}, pairing sigma_i with sigma_{i+1}. Go slices
// start at 0, so throughout this package a noise index j = i-1 is in
// [0, N-1) and names the adjacent pair (sigmas[j], sigmas[j+1]); the
// probability and weight slices have N-1 entries indexed by j.
//
// References to "iCT §3.x" are section numbers of the iCT paper; "CM" is
// the 2023 consistency-models paper and its code
// (github.com/openai/consistency_models and
// github.com/openai/consistency_models_cifar10).
package ct
