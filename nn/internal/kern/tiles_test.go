package kern

import "testing"

// TestChooseCPUTile pins the choices the benchmarks were tuned on: the
// largest tile for large products, lanes that share rows of A for narrow
// ones, small tiles where a large one would be mostly padding.
func TestChooseCPUTile(t *testing.T) {
	for _, c := range []struct {
		batch, m, n, k int
		want           cpuTile
	}{
		{1, 1024, 1024, 1024, cpuTile{32, 64, 8, 1}},
		{32, 256, 64, 256, cpuTile{16, 8, 8, 1}},
		{1, 64, 64 * 1024, 576, cpuTile{32, 64, 8, 1}},
		{1, 7, 9, 5, cpuTile{4, 4, 8, 1}},
	} {
		if got := chooseCPUTile(c.batch, c.m, c.n, c.k, 2, 8, cpuTileSizes); got != c.want {
			t.Errorf("batch %d, %dx%dx%d: got %+v, want %+v", c.batch, c.m, c.n, c.k, got, c.want)
		}
	}
	// Every choice keeps both threads busy when the product allows it.
	if got := chooseCPUTile(1, 64, 64, 64, 2, 8, cpuTileSizes); ceilDiv(64, got.ly*got.tm)*ceilDiv(64, got.lx*got.tn) < 2 {
		t.Errorf("64x64x64 got %+v: one workgroup for two threads", got)
	}
}
