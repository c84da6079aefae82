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
	// Products below bigTileWork get tiles of at most smallTileFloats: the
	// mnist preset's 1x1 skip (48 to 32 channels at 16x16) and a
	// downsampling convolution (16 channels, 16x16 to 8x8, batch 32; the
	// model alone gives both 32x64), and its attention scores. A large
	// product of the same channels still gets a large tile.
	for _, c := range [][4]int{{1, 32, 8192, 48}, {1, 16, 32 * 64, 16 * 9}, {32, 64, 64, 32}} {
		small := chooseCPUTile(c[0], c[1], c[2], c[3], 2, 8, cpuTileSizes)
		if c[0]*c[1]*c[2]*c[3] >= bigTileWork || small.tm*small.tn > smallTileFloats {
			t.Errorf("%v (%d multiply-adds): got %+v, want at most %d floats", c, c[0]*c[1]*c[2]*c[3], small, smallTileFloats)
		}
	}
	if got := chooseCPUTile(1, 32, 32*1024, 96, 2, 8, cpuTileSizes); got.tm*got.tn <= smallTileFloats {
		t.Errorf("the 1.6 M network's 1x1 skip at 32x32 (10^8 multiply-adds): got %+v, want a large tile", got)
	}
	// Every choice keeps both threads busy when the product allows it.
	if got := chooseCPUTile(1, 64, 64, 64, 2, 8, cpuTileSizes); ceilDiv(64, got.ly*got.tm)*ceilDiv(64, got.lx*got.tn) < 2 {
		t.Errorf("64x64x64 got %+v: one workgroup for two threads", got)
	}
}
