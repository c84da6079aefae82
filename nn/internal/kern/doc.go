// Package kern launches ictvk's GEMM-family compute kernels: batched
// matrix products, linear layers and 2-D convolutions with their gradients.
// It works at the level of package vk (ranges of device buffers recorded
// into a stream); package nn wraps the launchers as tape ops.
//
// # Launchers
//
// New chooses tilings for a device; then
//
//	MatMul           C[b] = alpha op(A[b]) op(B[b]) (+ C[b]) (+ bias[n] or bias[m])
//	Linear           y = x w^T + b
//	LinearGrad       gx = gy w, gw = gy^T x, gb = column sums of gy
//	Conv2d           y = conv(x, w) + b           (NCHW, PyTorch's conv2d)
//	Conv2dGradInput  gx (+)= transposed conv(gy, w)
//	Conv2dGradWeight gw (+)= gradient of w, gb (+)= sums of gy per channel
//	DilateGradOutput gy spread over x's pixels: a strided convolution's
//	                 gradients as those of a same convolution (Dilated)
//
// Every launcher checks its shapes against the ranges, records one or a
// few dispatches (large grids are split to fit maxComputeWorkGroupCount)
// and allocates nothing: the one product that needs scratch memory, the
// dilated gy, is the caller's (see DilatedGradients). Convolutions
// are implicit GEMMs: im2col patches are gathered on the fly, so no buffer
// grows with the batch. Outputs must not overlap inputs.
//
// # Variants
//
// GPU devices get shared-memory tiles (gemm_gpu.glsl): a 16x16-thread
// workgroup stages 64x64 blocks of both operands, 16 depths at a time,
// and each thread keeps a 4x4 register tile (8x8 threads where the device
// allows fewer invocations or less shared memory).
//
// CPU devices (lavapipe) get large per-invocation register tiles and no
// shared memory or barriers (gemm_cpu.glsl). Lavapipe runs a subgroup as
// one SIMD vector and loops over its lanes, with a bounds check and a
// branch each, for every storage-buffer load whose address varies per
// lane: a vec4 load costs as much as about 70 vector multiply-adds. So the
// CPU kernels read their operands as uniform texel buffers (GLSL
// textureBuffer of vec4s, vk.Texel), whose fetches lavapipe compiles to
// vector gathers: 1.2-2x faster kernels (BenchmarkMatMul,
// BenchmarkConvSame, #14). Loads still cost far more than arithmetic,
// while register spills are cheap stack traffic.
// Each invocation therefore computes up to 32x64 outputs from vec4 loads
// (4*TM*TN multiply-adds per TM+TN loads), and lanes of a workgroup share
// rows of A: each lane loads 1/8 of them and subgroup shuffles, which
// lavapipe runs at vector speed, pass them to the others (matmul_cpu.comp).
// chooseCPUTile picks the tile per product from a cost model
// fitted on lavapipe, with enough workgroups for every worker thread.
// Shapes whose rows are not multiples of 4 floats fall back to scalar
// loads; edges clamp their indices and never read outside a matrix.
//
// Same convolutions (stride 1, odd kernels padded to keep the image's
// size: a U-Net's 3x3 layers) with rows of whole vec4s run on their own
// CPU kernels instead (convsame.go, conv_same_cpu.comp and
// conv_same_weight_cpu.comp): the implicit GEMM gathers each input value
// once per tap, KH*KW loads per value, each a loop over the lanes. There a
// workgroup's 8 lanes load each value of a row once, per input channel
// (forward, input gradient) or output row (weight gradient), and pass it
// to the taps and the neighbouring lanes by subgroup shuffles, which
// lavapipe runs at vector speed; weights (forward) and gy (weight
// gradient) are loaded once per workgroup, spread over its lanes, and
// broadcast the same way. The forward and input gradient give a lane up
// to 512 accumulators (32 channels by 4 rows, 16 by 8): each input channel's
// weight loads and broadcasts are paid once for all the rows; the weight
// gradient's tiles stay at 512 or fewer, so that it compiles in a second.
//
// The largest CPU tiles take LLVM up to a minute or two to compile; Mesa
// keeps the result in its shader cache (~/.cache/mesa_shader_cache), so
// that cost is paid once per machine and shader variant.
//
// # Known limits
//
//   - The grad weight of a convolution reduces over the whole batch inside
//     one workgroup: on a GPU, few workgroups run for small weights (a
//     split over the batch would need scratch memory or float atomics).
//   - Convolutions with few channels (the first layer's 3) are bound by
//     their gathers and run at a fraction of the speed of the others.
package kern
