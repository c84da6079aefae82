package kern

// cpuTile is a launch shape of the CPU variant: each invocation computes a
// tm x tn tile, a workgroup is lx x ly invocations (one SIMD vector of 8
// lanes on lavapipe).
type cpuTile struct{ tm, tn, lx, ly, ku int }

// cpuTileSizes are the register tiles the CPU kernels are built for, largest
// first. 32 x 64 floats is as far as the shader compiler keeps the
// accumulators in (spilled) registers rather than indexed memory.
var cpuTileSizes = [][2]int{{32, 64}, {32, 32}, {16, 32}, {32, 16}, {16, 16}, {8, 16}, {8, 8}, {4, 8}, {4, 4}}

// Cost model of a CPU tile, in cycles of one SIMD vector, calibrated on
// lavapipe (LLVM 15, 8-wide AVX2): a vec4 load that differs per lane costs
// about 100 cycles (the driver loops over the lanes), a vector multiply-add
// about one.
const (
	loadCycles = 100
	fmaCycles  = 1
)

// chooseCPUTile picks the tile that minimizes the modelled time of a
// batch x (m x n x k) product on threads worker threads: large tiles need
// fewer loads per multiply-add, small ones waste less at the edges and
// leave no thread idle.
func chooseCPUTile(batch, m, n, k, threads int, sizes [][2]int) cpuTile {
	best, bestCost := cpuTile{}, -1.0
	for _, s := range sizes {
		tm, tn := s[0], s[1]
		for lx := 8; lx >= 1; lx /= 2 {
			ly := 8 / lx
			vectors := batch * ceilDiv(m, ly*tm) * ceilDiv(n, lx*tn)
			perVector := float64(ceilDiv(k, 4))*float64(loadCycles*(tm+tn)+fmaCycles*4*tm*tn) +
				float64(loadCycles*tm*tn/4) // the stores
			cost := float64(ceilDiv(vectors, threads)) * perVector
			if bestCost < 0 || cost < bestCost {
				best, bestCost = cpuTile{tm, tn, lx, ly, 1}, cost
			}
		}
	}
	return best
}
