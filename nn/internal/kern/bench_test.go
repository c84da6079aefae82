package kern

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/ictvk/ictvk/vk"
)

// Benchmarks run without the validation layer, which slows lavapipe by
// well over an order of magnitude. Each reports GFLOP/s (2 flops per
// multiply-add) of the kernel alone: the operands stay on the device.

func benchKernels(b *testing.B, v Variant) (*vk.Device, *vk.Stream, *Kernels) {
	b.Helper()
	d, err := vk.Open(vk.Options{Device: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	s, err := d.NewStream(vk.StreamOptions{})
	if err != nil {
		b.Fatal(err)
	}
	k, err := New(d, Options{Variant: v})
	if err != nil {
		b.Fatal(err)
	}
	return d, s, k
}

func benchBuffer(b *testing.B, d *vk.Device, s *vk.Stream, n int) vk.Range {
	b.Helper()
	buf, err := d.Alloc(uint64(4 * n))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Free(buf) })
	// Small values: a benchmark must not run into infinities.
	if err := s.Fill(buf, 0x3c23d70a); err != nil { // 0.01
		b.Fatal(err)
	}
	return buf.All()
}

// runBench times f (which records work into s) and reports flops per run
// as GFLOP/s. The first run, outside the timer, builds the pipelines.
func runBench(b *testing.B, s *vk.Stream, flops float64, f func() error) {
	b.Helper()
	if err := f(); err != nil {
		b.Fatal(err)
	}
	if err := s.Wait(); err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f(); err != nil {
			b.Fatal(err)
		}
		if err := s.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	// The machine may be shared: also report the rate per CPU-second of
	// this process, scaled to all CPUs, which other load does not dilute.
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(flops*float64(b.N)/cpu*float64(runtime.NumCPU())/1e9, "GFLOP/s-cpu")
	}
}

// cpuSeconds is the user and system time of this process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// benchMatMulShapes are the square benchmark of issue #3 and the U-Net's
// shapes: attention scores [B*heads, HW, d] x [B*heads, HW, d]^T and
// values [B*heads, HW, HW] x [B*heads, HW, d], and a linear layer of the
// time embedding x w^T.
var benchMatMulShapes = []struct {
	name string
	p    MatMulParams
}{
	{"1024x1024x1024", MatMulParams{Batch: 1, M: 1024, N: 1024, K: 1024}},
	{"attn_scores_b32_256x256x64", MatMulParams{Batch: 32, M: 256, N: 256, K: 64, TransB: true}},
	{"attn_values_b32_256x64x256", MatMulParams{Batch: 32, M: 256, N: 64, K: 256}},
	{"linear_256x512x128", MatMulParams{Batch: 1, M: 256, N: 512, K: 128, TransB: true}},
}

func BenchmarkMatMul(b *testing.B) {
	for _, v := range []Variant{Auto} {
		for _, c := range benchMatMulShapes {
			b.Run(fmt.Sprintf("%s/%s", v, c.name), func(b *testing.B) {
				d, s, k := benchKernels(b, v)
				p := c.p
				if p.Batch > 1 {
					p.StrideA, p.StrideB = p.M*p.K, p.K*p.N
				}
				a := benchBuffer(b, d, s, p.Batch*p.M*p.K)
				bb := benchBuffer(b, d, s, p.Batch*p.K*p.N)
				cc := benchBuffer(b, d, s, p.Batch*p.M*p.N)
				runBench(b, s, 2*float64(p.Batch*p.M*p.N)*float64(p.K), func() error { return k.MatMul(s, a, bb, cc, p) })
			})
		}
	}
}

// BenchmarkGonumSgemm is the CPU baseline: gonum's pure-Go blas32 Sgemm on
// the same shapes, one matrix of the batch after another.
func BenchmarkGonumSgemm(b *testing.B) {
	for _, c := range benchMatMulShapes {
		b.Run(c.name, func(b *testing.B) {
			p := c.p
			rng := rand.New(rand.NewPCG(1, 2))
			gen := func(r, cols int) blas32.General {
				g := blas32.General{Rows: r, Cols: cols, Stride: cols, Data: make([]float32, r*cols)}
				for i := range g.Data {
					g.Data[i] = rng.Float32()
				}
				return g
			}
			ta, tb := blas.NoTrans, blas.NoTrans
			a := gen(p.M, p.K)
			if p.TransA {
				a, ta = gen(p.K, p.M), blas.Trans
			}
			bm := gen(p.K, p.N)
			if p.TransB {
				bm, tb = gen(p.N, p.K), blas.Trans
			}
			cm := gen(p.M, p.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := 0; j < p.Batch; j++ {
					blas32.Gemm(ta, tb, 1, a, bm, 0, cm)
				}
			}
			b.ReportMetric(2*float64(p.Batch*p.M*p.N)*float64(p.K)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// benchConvShapes are issue #3's convolution and a few more of the
// U-Net's: the first layer (3 channels in), a deeper 3x3, a stride-2
// downsampling and a 1x1 skip projection.
var benchConvShapes = []struct {
	name string
	p    ConvParams
}{
	{"3x3_64to64_32x32_b64", ConvParams{B: 64, Cin: 64, H: 32, W: 32, Cout: 64, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}},
	{"3x3_3to64_32x32_b64", ConvParams{B: 64, Cin: 3, H: 32, W: 32, Cout: 64, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}},
	{"3x3_128to128_16x16_b64", ConvParams{B: 64, Cin: 128, H: 16, W: 16, Cout: 128, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}},
	{"3x3s2_64to128_32x32_b64", ConvParams{B: 64, Cin: 64, H: 32, W: 32, Cout: 128, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1}},
	{"1x1_128to64_16x16_b64", ConvParams{B: 64, Cin: 128, H: 16, W: 16, Cout: 64, KH: 1, KW: 1, Stride: 1, PadH: 0, PadW: 0}},
}

func BenchmarkConv2d(b *testing.B) {
	for _, c := range benchConvShapes {
		for _, pass := range []string{"forward", "gradinput", "gradweight"} {
			b.Run(c.name+"/"+pass, func(b *testing.B) {
				d, s, k := benchKernels(b, Auto)
				p := c.p
				x := benchBuffer(b, d, s, p.xLen())
				w := benchBuffer(b, d, s, p.wLen())
				y := benchBuffer(b, d, s, p.yLen())
				bias := benchBuffer(b, d, s, p.Cout)
				runBench(b, s, p.Flops(), func() error {
					switch pass {
					case "forward":
						return k.Conv2d(s, x, w, bias, y, p)
					case "gradinput":
						return k.Conv2dGradInput(s, y, w, x, p, false)
					}
					return k.Conv2dGradWeight(s, x, y, w, bias, p, false)
				})
			})
		}
	}
}

// benchSameShapes are the same convolutions of the U-Nets of issue #14:
// the 1.6 M network's levels (32, 64 and 64 channels at 32x32, 16x16 and
// 8x8, and the up path's concatenated inputs) and the mnist preset's
// (16 and 32 channels at 16x16 and 8x8), at batch 32.
var benchSameShapes = []struct {
	name string
	p    ConvParams
}{
	{"32to32_32x32", ConvParams{B: 32, Cin: 32, H: 32, W: 32, Cout: 32, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}},
	{"64to64_16x16", ConvParams{B: 32, Cin: 64, H: 16, W: 16, Cout: 64, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}},
	{"64to64_8x8", ConvParams{B: 32, Cin: 64, H: 8, W: 8, Cout: 64, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}},
	{"128to64_8x8", ConvParams{B: 32, Cin: 128, H: 8, W: 8, Cout: 64, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}},
	{"96to32_32x32", ConvParams{B: 32, Cin: 96, H: 32, W: 32, Cout: 32, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}},
	{"16to16_16x16", ConvParams{B: 32, Cin: 16, H: 16, W: 16, Cout: 16, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}},
	{"32to32_8x8", ConvParams{B: 32, Cin: 32, H: 8, W: 8, Cout: 32, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}},
}

// BenchmarkConvSame compares the CPU variant's same-convolution kernels
// with the implicit GEMM they replace, alternating the two in every
// iteration so that a shared machine slows both alike. It reports each
// one's GFLOP/s per CPU-second of this process (scaled to all CPUs: the
// rate other jobs on the machine do not dilute) and the speed-up. The
// GEMM runs with the tiles the engine allows by default (16x32); run
// with ICT_MAX_TILE=2048 for its largest.
func BenchmarkConvSame(b *testing.B) {
	maxTile := 16 * 32
	if n, err := strconv.Atoi(os.Getenv("ICT_MAX_TILE")); err == nil {
		maxTile = n
	}
	for _, c := range benchSameShapes {
		for _, pass := range []string{"forward", "gradinput", "gradweight"} {
			b.Run(c.name+"/"+pass, func(b *testing.B) {
				d, s, _ := benchKernels(b, CPU)
				p := c.p
				x := benchBuffer(b, d, s, p.xLen())
				w := benchBuffer(b, d, s, p.wLen())
				y := benchBuffer(b, d, s, p.yLen())
				bias := benchBuffer(b, d, s, p.Cout)
				run := func(k *Kernels) float64 {
					c0 := cpuSeconds()
					var err error
					switch pass {
					case "forward":
						err = k.Conv2d(s, x, w, bias, y, p)
					case "gradinput":
						err = k.Conv2dGradInput(s, y, w, x, p, false)
					default:
						err = k.Conv2dGradWeight(s, x, y, w, vk.Range{}, p, false)
					}
					if err == nil {
						err = s.Wait()
					}
					if err != nil {
						b.Fatal(err)
					}
					return cpuSeconds() - c0
				}
				var ks [2]*Kernels
				for i := range ks {
					k, err := New(d, Options{Variant: CPU, MaxTile: maxTile})
					if err != nil {
						b.Fatal(err)
					}
					k.gemmOnly = i == 0
					ks[i] = k
					run(k) // builds the pipelines
				}
				var cpu [2]float64
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					for j := range ks {
						j = (j + i) % 2
						cpu[j] += run(ks[j])
					}
				}
				scale := float64(b.N) * p.Flops() * float64(runtime.NumCPU()) / 1e9
				b.ReportMetric(scale/cpu[0], "gemm-GFLOP/s-cpu")
				b.ReportMetric(scale/cpu[1], "same-GFLOP/s-cpu")
				b.ReportMetric(cpu[0]/cpu[1], "speedup")
			})
		}
	}
}

// BenchmarkStridedGrads compares a strided convolution's gradients on the
// implicit GEMM (the input gradient in Stride*Stride phases) with the
// same-convolution kernels on gy dilated (DilatedGradients; the dilation
// counted in), alternating the two in every iteration, in GFLOP/s per
// CPU-second as BenchmarkConvSame, the GEMM with the engine's 16x32 tiles. The shapes are the mnist preset's
// downsampling (16 channels, 16x16 to 8x8) and the 1.6 M network's (32
// and 64 channels at 32x32 and 16x16), at batch 32.
func BenchmarkStridedGrads(b *testing.B) {
	for _, c := range []struct {
		name string
		p    ConvParams
	}{
		{"16to16_16x16", ConvParams{B: 32, Cin: 16, H: 16, W: 16, Cout: 16, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1}},
		{"32to32_32x32", ConvParams{B: 32, Cin: 32, H: 32, W: 32, Cout: 32, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1}},
		{"64to64_16x16", ConvParams{B: 32, Cin: 64, H: 16, W: 16, Cout: 64, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1}},
	} {
		for _, pass := range []string{"gradinput", "gradweight"} {
			b.Run(c.name+"/"+pass, func(b *testing.B) {
				d, s, _ := benchKernels(b, CPU)
				// The GEMM with the tiles the engine allows by default.
				k, err := New(d, Options{Variant: CPU, MaxTile: 16 * 32})
				if err != nil {
					b.Fatal(err)
				}
				p := c.p
				x := benchBuffer(b, d, s, p.xLen())
				w := benchBuffer(b, d, s, p.wLen())
				gy := benchBuffer(b, d, s, p.yLen())
				dilated := benchBuffer(b, d, s, p.Dilated().yLen())
				run := func(dilate bool) float64 {
					c0 := cpuSeconds()
					var err error
					switch {
					case !dilate && pass == "gradinput":
						err = k.Conv2dGradInput(s, gy, w, x, p, false)
					case !dilate:
						err = k.Conv2dGradWeight(s, x, gy, w, vk.Range{}, p, false)
					default:
						err = k.DilateGradOutput(s, gy, dilated, p)
						if err == nil && pass == "gradinput" {
							err = k.Conv2dGradInput(s, dilated, w, x, p.Dilated(), false)
						} else if err == nil {
							err = k.Conv2dGradWeight(s, x, dilated, w, vk.Range{}, p.Dilated(), false)
						}
					}
					if err == nil {
						err = s.Wait()
					}
					if err != nil {
						b.Fatal(err)
					}
					return cpuSeconds() - c0
				}
				run(false) // builds the pipelines
				run(true)
				var cpu [2]float64
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					for j := range 2 {
						j = (j + i) % 2
						cpu[j] += run(j == 1)
					}
				}
				scale := float64(b.N) * p.Flops() * float64(runtime.NumCPU()) / 1e9
				b.ReportMetric(scale/cpu[0], "gemm-GFLOP/s-cpu")
				b.ReportMetric(scale/cpu[1], "dilated-GFLOP/s-cpu")
				b.ReportMetric(cpu[0]/cpu[1], "speedup")
			})
		}
	}
}
