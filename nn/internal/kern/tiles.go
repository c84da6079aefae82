package kern

// cpuTile is a launch shape of the CPU variant: each invocation computes a
// tm x tn tile, a workgroup is lx x ly invocations: one SIMD vector (a
// subgroup, 8 lanes on lavapipe with AVX2).
type cpuTile struct{ tm, tn, lx, ly int }

// cpuTileSizes are the register tiles the CPU kernels are built for. 32 x 64
// floats is about as far as the shader compiler keeps the accumulators in
// (spilled) registers rather than indexed memory; it already takes LLVM
// about a minute to compile (once per machine: Mesa caches the result).
// 32 x 8 is left out: it measured slower than 16 x 8 on every shape.
var cpuTileSizes = [][2]int{{32, 64}, {32, 32}, {16, 64}, {16, 32}, {32, 16}, {16, 16}, {8, 32}, {16, 8}, {8, 16}, {8, 8}, {4, 8}, {4, 4}}

// Cost model of a CPU tile, in cycles of one SIMD vector, fitted to
// lavapipe (LLVM 15, 8-wide AVX2, Zen 4) over 1024 x N x K products: a vec4
// load that differs per lane costs about 70 multiply-adds (the driver loops
// over the lanes). Lanes on different rows of A (ly > 1) measured 2 to 3
// times slower than lanes that share rows; the model pays them 4 and 8
// times the load cost, to keep them for products too narrow for the lanes.
const (
	loadCycles = 70
	fmaCycles  = 1
)

// Tiles of more than smallTileFloats accumulators are chosen only for
// products of at least bigTileWork multiply-adds. A large tile's pipeline
// takes seconds to compile, and on small products it runs no faster. At
// 2026-12-03, capping every tile at 16x8 (ICT_MAX_TILE=128) left the
// mnist preset's step as fast (0.227 s against 0.226) and cut its first
// run, with a cold shader cache, from 10.5 s to 7.4 s on Mesa 22.3 and from
// 31.6 s to 19.6 s on Mesa 25.0. Its largest products are below 2^23
// multiply-adds. But at batch 64 the GEMM convolutions of 64 and 128
// channels (1x1, stride 2; 10^8 multiply-adds and more) ran 10-35% slower
// capped, so large products keep large tiles.
const (
	smallTileFloats = 16 * 8
	bigTileWork     = 1 << 24
)

// chooseCPUTile picks the tile that minimizes the modelled time of a
// batch x (m x n x k) product on threads worker threads with SIMD vectors
// of lanes invocations: large tiles need fewer loads per multiply-add,
// small ones waste less at the edges and leave no thread idle.
func chooseCPUTile(batch, m, n, k, threads, lanes int, sizes [][2]int) cpuTile {
	// limit, when non-zero, is the most accumulators a tile may have (the
	// test for a small size keeps a list of only large ones usable).
	limit := 0
	if batch*m*n*k < bigTileWork {
		for _, s := range sizes {
			if s[0]*s[1] <= smallTileFloats {
				limit = smallTileFloats
				break
			}
		}
	}
	best, bestCost := cpuTile{}, -1.0
	for _, s := range sizes {
		tm, tn := s[0], s[1]
		if limit > 0 && tm*tn > limit {
			continue
		}
		for lx := lanes; lx >= 1; lx /= 2 {
			ly := lanes / lx
			vectors := batch * ceilDiv(m, ly*tm) * ceilDiv(n, lx*tn)
			load := float64(loadCycles)
			switch {
			case ly >= 4:
				load *= 8
			case ly == 2:
				load *= 4
			}
			perVector := float64(ceilDiv(k, 4))*(load*float64(tm+tn)+fmaCycles*4*float64(tm*tn)) +
				load*float64(tm*tn/4) // the stores
			cost := float64(ceilDiv(vectors, threads)) * perVector
			if bestCost < 0 || cost < bestCost {
				best, bestCost = cpuTile{tm, tn, lx, ly}, cost
			}
		}
	}
	return best
}
