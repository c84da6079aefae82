package vk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unsafe"
)

func TestChooseDevice(t *testing.T) {
	gpu := func(name string, typ DeviceType, mib uint64) DeviceInfo {
		return DeviceInfo{Name: name, Type: typ, ComputeFamily: 0, Heaps: []Heap{{Size: mib << 20, DeviceLocal: true}}, Limits: Limits{SubgroupShuffle: true}}
	}
	noCompute := gpu("display only", TypeDiscrete, 8192)
	noCompute.ComputeFamily = -1
	noShuffle := gpu("old gpu", TypeDiscrete, 8192)
	noShuffle.Limits.SubgroupShuffle = false
	cases := []struct {
		name    string
		devices []DeviceInfo
		want    int
		chosen  int
		errHas  string
	}{
		{"empty", nil, -1, -1, "no Vulkan device"},
		{"cpu only", []DeviceInfo{gpu("llvmpipe", TypeCPU, 2048)}, -1, 0, ""},
		{"discrete beats cpu", []DeviceInfo{gpu("llvmpipe", TypeCPU, 2048), gpu("big", TypeDiscrete, 8192)}, -1, 1, ""},
		{"integrated beats virtual", []DeviceInfo{gpu("virt", TypeVirtual, 4096), gpu("igpu", TypeIntegrated, 1024)}, -1, 1, ""},
		{"more memory wins a tie", []DeviceInfo{gpu("small", TypeDiscrete, 4096), gpu("large", TypeDiscrete, 16384)}, -1, 1, ""},
		{"first wins an exact tie", []DeviceInfo{gpu("a", TypeDiscrete, 4096), gpu("b", TypeDiscrete, 4096)}, -1, 0, ""},
		{"skips no-compute", []DeviceInfo{noCompute, gpu("llvmpipe", TypeCPU, 2048)}, -1, 1, ""},
		{"all without compute", []DeviceInfo{noCompute}, -1, -1, "0: display only has no compute queue"},
		{"skips no-shuffle", []DeviceInfo{noShuffle, gpu("llvmpipe", TypeCPU, 2048)}, -1, 1, ""},
		{"all unusable", []DeviceInfo{noShuffle, noCompute}, -1, -1, "0: old gpu has no subgroup shuffles in compute shaders"},
		{"named without shuffle", []DeviceInfo{noShuffle}, 0, -1, "device 0 (old gpu) has no subgroup shuffles"},
		{"named", []DeviceInfo{gpu("big", TypeDiscrete, 8192), gpu("llvmpipe", TypeCPU, 2048)}, 1, 1, ""},
		{"named out of range", []DeviceInfo{gpu("big", TypeDiscrete, 8192)}, 3, -1, "device 3 does not exist"},
		{"named without compute", []DeviceInfo{noCompute}, 0, -1, "no compute queue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ChooseDevice(c.devices, c.want)
			if c.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), c.errHas) {
					t.Fatalf("got %d, %v; want an error containing %q", got, err, c.errHas)
				}
				return
			}
			if err != nil || got != c.chosen {
				t.Fatalf("got %d, %v; want %d", got, err, c.chosen)
			}
		})
	}
}

func TestOptionsFromEnv(t *testing.T) {
	t.Setenv("ICT_DEVICE", "2")
	t.Setenv("ICT_VALIDATE", "1")
	opt, err := OptionsFromEnv()
	if err != nil || opt.Device != 2 || !opt.Validate {
		t.Fatalf("got %+v, %v", opt, err)
	}
	if opt.NoUMA || opt.NoPushDescriptors {
		t.Fatalf("unset ICT_NO_UMA and ICT_NO_PUSH_DESCRIPTORS gave %+v", opt)
	}
	t.Setenv("ICT_NO_UMA", "1")
	t.Setenv("ICT_NO_PUSH_DESCRIPTORS", "true")
	if opt, err = OptionsFromEnv(); err != nil || !opt.NoUMA || !opt.NoPushDescriptors {
		t.Fatalf("ICT_NO_UMA=1 ICT_NO_PUSH_DESCRIPTORS=true gave %+v, %v", opt, err)
	}
	for _, bad := range []struct{ name, value string }{
		{"ICT_DEVICE", "gpu"},
		{"ICT_VALIDATE", "yes"},
		{"ICT_NO_UMA", "2"},
		{"ICT_NO_PUSH_DESCRIPTORS", "on"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			t.Setenv(bad.name, bad.value)
			_, err := OptionsFromEnv()
			if err == nil || !strings.Contains(err.Error(), bad.name) || !strings.Contains(err.Error(), bad.value) {
				t.Fatalf("%s=%s gave %v", bad.name, bad.value, err)
			}
		})
	}
}

func TestListDevicesFindsLavapipe(t *testing.T) {
	devs, chosen, err := ListDevices(Options{Device: -1, Validate: true})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range devs {
		if strings.Contains(d.Name, "llvmpipe") {
			found = true
			l := d.Limits
			if l.MaxStorageBufferRange == 0 || l.MaxComputeWorkGroupInvocations == 0 || l.MaxPushConstantsSize < 128 || l.SubgroupSize == 0 {
				t.Errorf("limits not read: %+v", l)
			}
		}
	}
	if !found {
		t.Fatalf("lavapipe (llvmpipe) not among %d devices", len(devs))
	}
	if chosen < 0 || chosen >= len(devs) {
		t.Fatalf("chosen %d of %d", chosen, len(devs))
	}
}

func TestUploadDownloadOddSizes(t *testing.T) {
	forEachConfig(t, func(t *testing.T, d *Device) {
		s := mustStream(t, d, StreamOptions{})
		rng := rand.New(rand.NewPCG(1, 2))
		for _, n := range []int{1, 3, 4, 5, 17, 255, 1023, 4097, 65537, 1<<20 + 3} {
			b := mustAlloc(t, d, uint64(n))
			in := make([]byte, n)
			for i := range in {
				in[i] = byte(rng.Uint32())
			}
			if err := s.Upload(b, in); err != nil {
				t.Fatal(err)
			}
			out := make([]byte, n)
			if err := s.Download(b, out); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(in, out) {
				t.Fatalf("%d bytes: round trip differs", n)
			}
			d.Free(b)
		}
		if err := s.Wait(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestDependentChain records ten dependent dispatches into one submit. The
// result is only right if each waits for the last; synchronization
// validation reports the missing barriers when they are dropped, even on
// a driver that happens to run dispatches in order.
func TestDependentChain(t *testing.T) {
	forEachConfig(t, func(t *testing.T, d *Device) {
		p := affinePipeline(t, d)
		const n, links = 1001, 10
		bufs := make([]*Buffer, links+1)
		for i := range bufs {
			bufs[i] = mustAlloc(t, d, 4*n)
		}
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i%17) - 8
		}
		for _, withBarriers := range []bool{true, false} {
			s := mustStream(t, d, StreamOptions{})
			s.noBarriers = !withBarriers
			upload(t, s, bufs[0], x)
			if err := s.Wait(); err != nil {
				t.Fatal(err)
			}
			before := s.Stats()
			for i := 0; i < links; i++ {
				runAffine(t, s, p, bufs[i], bufs[i+1], n, 2, 1)
			}
			after := s.Stats()
			got := download(t, s, bufs[links], n)
			if after.Submits != before.Submits {
				t.Errorf("the chain took %d submits, want it recorded into one", after.Submits-before.Submits)
			}
			msgs := d.TakeMessages()
			if withBarriers {
				// Each link waits for the last; with staging, the first
				// also waits for the upload's copy.
				want := links - 1
				if !d.UMA() {
					want++
				}
				if b := after.Barriers - before.Barriers; b != want {
					t.Errorf("%d barriers for a chain of %d, want %d", b, links, want)
				}
				for i, v := range got {
					want := x[i]
					for j := 0; j < links; j++ {
						want = 2*want + 1
					}
					if v != want {
						t.Fatalf("element %d: got %v, want %v", i, v, want)
					}
				}
				if len(msgs) > 0 {
					t.Errorf("validation:\n%s", strings.Join(msgs, "\n"))
				}
			} else if !hasHazard(msgs, "READ-AFTER-WRITE") {
				t.Errorf("without barriers the validation layer reported no read-after-write hazard; got %q", msgs)
			}
		}
	})
}

func hasHazard(msgs []string, kind string) bool {
	for _, m := range msgs {
		if strings.Contains(m, "SYNC-HAZARD-"+kind) {
			return true
		}
	}
	return false
}

func TestIndependentDispatchesNeedNoBarrier(t *testing.T) {
	forEachConfig(t, func(t *testing.T, d *Device) {
		p := affinePipeline(t, d)
		s := mustStream(t, d, StreamOptions{})
		const n = 77
		src := mustAlloc(t, d, 4*n)
		upload(t, s, src, make([]float32, n))
		if err := s.Wait(); err != nil {
			t.Fatal(err)
		}
		before, ran := s.Stats().Barriers, s.KernelDispatches()["affine"]
		outs := make([]*Buffer, 8)
		for i := range outs {
			outs[i] = mustAlloc(t, d, 4*n)
			runAffine(t, s, p, src, outs[i], n, 1, float32(i))
		}
		if got := s.KernelDispatches()["affine"] - ran; got != len(outs) {
			t.Errorf("KernelDispatches counts %d dispatches of affine, want %d", got, len(outs))
		}
		// Reading the same source many times is not a hazard; with
		// staging, only the first read waits for the upload's copy.
		want := 0
		if !d.UMA() {
			want = 1
		}
		if got := s.Stats().Barriers - before; got != want {
			t.Errorf("%d barriers around independent dispatches, want %d", got, want)
		}
		for i, o := range outs {
			if v := download(t, s, o, n); v[n-1] != float32(i) {
				t.Errorf("output %d: got %v", i, v[n-1])
			}
		}
	})
}

// TestWriteAfterRead overwrites a buffer that an earlier dispatch reads.
func TestWriteAfterRead(t *testing.T) {
	forEachConfig(t, func(t *testing.T, d *Device) {
		p := affinePipeline(t, d)
		const n = 513
		a, b, c := mustAlloc(t, d, 4*n), mustAlloc(t, d, 4*n), mustAlloc(t, d, 4*n)
		ones := make([]float32, n)
		for i := range ones {
			ones[i] = 1
		}
		for _, withBarriers := range []bool{true, false} {
			s := mustStream(t, d, StreamOptions{})
			s.noBarriers = !withBarriers
			upload(t, s, a, ones)
			upload(t, s, c, ones)
			if err := s.Wait(); err != nil {
				t.Fatal(err)
			}
			runAffine(t, s, p, a, b, n, 3, 0) // reads a
			runAffine(t, s, p, c, a, n, 5, 0) // overwrites a
			gotB, gotA := download(t, s, b, n), download(t, s, a, n)
			msgs := d.TakeMessages()
			if withBarriers {
				if gotB[n-1] != 3 || gotA[n-1] != 5 {
					t.Errorf("got b=%v a=%v, want 3 and 5", gotB[n-1], gotA[n-1])
				}
				if len(msgs) > 0 {
					t.Errorf("validation:\n%s", strings.Join(msgs, "\n"))
				}
			} else if !hasHazard(msgs, "WRITE-AFTER-READ") {
				t.Errorf("without barriers no write-after-read hazard was reported; got %q", msgs)
			}
		}
	})
}

func TestFillAndCopy(t *testing.T) {
	forEachConfig(t, func(t *testing.T, d *Device) {
		s := mustStream(t, d, StreamOptions{})
		a, b := mustAlloc(t, d, 4*31), mustAlloc(t, d, 4*31)
		if err := s.Fill(a, 0x7fc00000); err != nil {
			t.Fatal(err)
		}
		if err := s.Copy(b, 0, a, 0, 4*31); err != nil {
			t.Fatal(err)
		}
		if err := s.Update(b, 8, floatsBytes([]float32{1.5, 2.5})); err != nil {
			t.Fatal(err)
		}
		got := download(t, s, b, 31)
		for i, v := range got {
			switch i {
			case 2:
				if v != 1.5 {
					t.Errorf("element 2 = %v", v)
				}
			case 3:
				if v != 2.5 {
					t.Errorf("element 3 = %v", v)
				}
			default:
				if v == v {
					t.Errorf("element %d = %v, want NaN", i, v)
				}
			}
		}
		if err := s.Update(b, 0, make([]byte, 4*32)); err == nil {
			t.Error("an update past the end was accepted")
		}
	})
}

func TestSubmitCap(t *testing.T) {
	d := openTest(t, configs[0].opt)
	p := affinePipeline(t, d)
	s := mustStream(t, d, StreamOptions{MaxDispatches: 4})
	const n = 50
	a, b := mustAlloc(t, d, 4*n), mustAlloc(t, d, 4*n)
	upload(t, s, a, make([]float32, n))
	for i := 0; i < 11; i++ { // a -> b -> a ...: each adds 1
		if i%2 == 0 {
			runAffine(t, s, p, a, b, n, 1, 1)
		} else {
			runAffine(t, s, p, b, a, n, 1, 1)
		}
	}
	if got := download(t, s, b, n); got[0] != 11 {
		t.Errorf("got %v after 11 increments", got[0])
	}
	if st := s.Stats(); st.Submits < 3 {
		t.Errorf("%d submits for 11 dispatches capped at 4 per submit", st.Submits)
	}
}

func TestDispatchArgumentErrors(t *testing.T) {
	d := openTest(t, configs[0].opt)
	p := affinePipeline(t, d)
	s := mustStream(t, d, StreamOptions{})
	a := mustAlloc(t, d, 64)
	if err := s.Dispatch(p, [3]uint32{1, 1, 1}, Push(uint32(1), float32(1), float32(0)), a); err == nil || !strings.Contains(err.Error(), "takes 2 buffers") {
		t.Errorf("one buffer for two bindings: %v", err)
	}
	if err := s.Dispatch(p, [3]uint32{1, 1, 1}, Push(uint32(1)), a, a); err == nil || !strings.Contains(err.Error(), "push constants") {
		t.Errorf("short push constants: %v", err)
	}
	if _, err := d.Pipeline(Kernel{Name: "junk", SPIRV: []byte("not spirv")}); err == nil || !strings.Contains(err.Error(), "junk") {
		t.Errorf("bad SPIR-V: %v", err)
	}
	if _, err := d.Pipeline(Kernel{Name: "big push", SPIRV: affine.SPIRV, Buffers: affine.Buffers, PushSize: 4096}); err == nil {
		t.Error("a push-constant block beyond the device limit was accepted")
	}
}

// TestKernelFromSPIRV reads affine's interface from its SPIR-V, and
// refuses modules whose bindings vk cannot bind in order.
func TestKernelFromSPIRV(t *testing.T) {
	if len(affine.Buffers) != 2 || affine.Buffers[0] != Read || affine.Buffers[1] != Write || affine.PushSize != 12 {
		t.Errorf("affine: buffers %v, %d bytes of push constants; want [Read Write] (readonly x, writeonly y) and 12 (uint n, float a, b)", affine.Buffers, affine.PushSize)
	}
	// patched is affine's SPIR-V with the operand of every OpDecorate that
	// gives binding (or set) of y's variables replaced: y is bound twice,
	// as floats and as vec4s.
	patched := func(decoration, value uint32) []byte {
		code := append([]byte(nil), affine.SPIRV...)
		word := func(i int) uint32 { return binary.LittleEndian.Uint32(code[4*i:]) }
		const opDecorate, binding = 71, 33
		var ys []uint32
		for i := 5; i < len(code)/4; i += int(word(i) >> 16) {
			if word(i) == 4<<16|opDecorate && word(i+2) == binding && word(i+3) == 1 {
				ys = append(ys, word(i+1))
			}
		}
		if len(ys) == 0 {
			t.Fatal("affine's SPIR-V has no binding 1")
		}
		n := 0
		for j := 5; j < len(code)/4; j += int(word(j) >> 16) {
			if word(j) == 4<<16|opDecorate && slices.Contains(ys, word(j+1)) && word(j+2) == decoration {
				binary.LittleEndian.PutUint32(code[4*(j+3):], value)
				n++
			}
		}
		if n != len(ys) {
			t.Fatalf("%d of y's %d variables have decoration %d", n, len(ys), decoration)
		}
		return code
	}
	const descriptorSet, binding = 34, 33
	for _, c := range []struct {
		name string
		code []byte
		want string
	}{
		{"gap", patched(binding, 2), "set 0, binding 2: want bindings 0 to 1"},
		{"set 1", patched(descriptorSet, 1), "set 1, binding 1"},
		{"not SPIR-V", []byte("not spirv"), "not a SPIR-V module"},
	} {
		if _, err := KernelFromSPIRV("affine", c.code); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "affine") {
			t.Errorf("%s: error %v, want one naming affine and saying %q", c.name, err, c.want)
		}
	}
}

// TestDispatchPastWorkGroupCount: a grid past maxComputeWorkGroupCount on
// any axis is refused with an error that names the kernel, the grid and
// the limit, and nothing is recorded (a driver would cut it silently or
// lose the device). A zero on another axis does not hide the fault.
func TestDispatchPastWorkGroupCount(t *testing.T) {
	d := openTest(t, configs[0].opt)
	p := affinePipeline(t, d)
	s := mustStream(t, d, StreamOptions{})
	a := mustAlloc(t, d, 64)
	lim := d.Info.Limits.MaxComputeWorkGroupCount
	push := Push(uint32(1), float32(1), float32(0))
	for axis := 0; axis < 3; axis++ {
		for _, other := range []uint32{1, 0} {
			groups := [3]uint32{other, other, other}
			groups[axis] = lim[axis] + 1
			before := s.Stats().Dispatches
			err := s.Dispatch(p, groups, push, a, a)
			if err == nil {
				t.Errorf("grid %v past the limit %v was accepted", groups, lim)
				continue
			}
			msg := err.Error()
			for _, want := range []string{"kernel " + p.Kernel.Name, fmt.Sprint(groups), "maxComputeWorkGroupCount", fmt.Sprintf("limit %d", lim[axis]), fmt.Sprintf("along %c", "xyz"[axis])} {
				if !strings.Contains(msg, want) {
					t.Errorf("grid %v: error %q does not name %q", groups, msg, want)
				}
			}
			if s.Stats().Dispatches != before {
				t.Errorf("grid %v: refused, yet a dispatch was recorded", groups)
			}
		}
	}
	// At the limit itself the dispatch is recorded (one workgroup per
	// axis elsewhere; affine's bound check keeps the extra ones idle).
	groups := [3]uint32{lim[0], 1, 1}
	if err := s.Dispatch(p, groups, push, a, a); err != nil {
		t.Errorf("grid %v at the limit: %v", groups, err)
	}
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestAllocatorStress allocates and frees thousands of random sizes, fills
// each live buffer with its own value on the device, and checks that live
// ranges never overlap and every value survives.
func TestAllocatorStress(t *testing.T) {
	forEachConfig(t, func(t *testing.T, d *Device) {
		s := mustStream(t, d, StreamOptions{})
		rng := rand.New(rand.NewPCG(7, 9))
		type live struct {
			b   *Buffer
			val uint32
		}
		var alive []live
		next := uint32(1)
		verify := func() {
			ranges := make([]live, len(alive))
			copy(ranges, alive)
			sort.Slice(ranges, func(i, j int) bool {
				bi, bj := ranges[i].b, ranges[j].b
				if bi.blk != bj.blk {
					return uintptr(unsafe.Pointer(bi.blk)) < uintptr(unsafe.Pointer(bj.blk))
				}
				return bi.offset < bj.offset
			})
			for i := 1; i < len(ranges); i++ {
				p, q := ranges[i-1].b, ranges[i].b
				if p.blk == q.blk && p.offset+p.span > q.offset {
					t.Fatalf("live buffers overlap: [%d,%d) and [%d,%d)", p.offset, p.offset+p.span, q.offset, q.offset+q.span)
				}
			}
			for _, l := range alive {
				out := make([]byte, l.b.Size)
				if err := s.Download(l.b, out); err != nil {
					t.Fatal(err)
				}
				for i := 0; i+4 <= len(out); i += 4 {
					if w := uint32(out[i]) | uint32(out[i+1])<<8 | uint32(out[i+2])<<16 | uint32(out[i+3])<<24; w != l.val {
						t.Fatalf("buffer holding %d has %d at byte %d", l.val, w, i)
					}
				}
			}
		}
		for op := 0; op < 3000; op++ {
			if len(alive) > 0 && rng.IntN(5) < 2 {
				i := rng.IntN(len(alive))
				d.Free(alive[i].b)
				alive = append(alive[:i], alive[i+1:]...)
				continue
			}
			size := uint64(4 * (1 + rng.IntN(1<<rng.IntN(17))))
			if rng.IntN(200) == 0 {
				size = 12 << 20 // a dedicated block now and then
			}
			b, err := d.Alloc(size)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Fill(b, next); err != nil {
				t.Fatal(err)
			}
			alive = append(alive, live{b, next})
			next++
			if op%500 == 499 {
				verify()
			}
		}
		verify()
		for _, l := range alive {
			d.Free(l.b)
		}
		if err := s.Wait(); err != nil {
			t.Fatal(err)
		}
		if st := d.AllocStats(); st.InUseBytes != 0 {
			t.Errorf("%d bytes still in use after freeing everything", st.InUseBytes)
		}
	})
}

func TestAllocationLimits(t *testing.T) {
	opt := configs[0].opt
	opt.MemoryLimit = 48 << 20
	d := openTest(t, opt)
	var held []*Buffer
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		var b *Buffer
		if b, err = d.Alloc(8 << 20); err == nil {
			held = append(held, b)
		}
	}
	if !errors.Is(err, ErrOutOfMemory) || !strings.Contains(err.Error(), d.Info.Name) {
		t.Fatalf("allocating past a 48 MiB limit: %v", err)
	}
	for _, b := range held {
		d.Free(b)
	}
	if _, err := d.Alloc(d.Info.Limits.MaxStorageBufferRange + 4); err == nil || !strings.Contains(err.Error(), "maxStorageBufferRange") {
		t.Errorf("a buffer beyond maxStorageBufferRange: %v", err)
	}
	if _, err := d.Alloc(0); err == nil {
		t.Error("a zero-size buffer was accepted")
	}
}

func TestPipelineCacheReuse(t *testing.T) {
	dir := t.TempDir()
	opt := configs[0].opt
	opt.CacheDir = dir
	d := openTest(t, opt)
	p1 := affinePipeline(t, d)
	p2 := affinePipeline(t, d)
	p3, err := d.Pipeline(affine, 32)
	if err != nil {
		t.Fatal(err)
	}
	if p1 != p2 || p1 == p3 {
		t.Errorf("in-memory cache: same spec gave %p and %p, another spec %p", p1, p2, p3)
	}
	if st := d.PipelineStats(); st.Built != 2 || st.LoadedBytes != 0 {
		t.Errorf("first run: %+v", st)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "pipelines-*.bin"))
	if len(files) != 1 {
		t.Fatalf("cache files after close: %v", files)
	}
	info, err := os.Stat(files[0])
	if err != nil || info.Size() < 32 {
		t.Fatalf("cache file: %v, %v", info, err)
	}

	d2 := openTest(t, opt)
	if st := d2.PipelineStats(); st.LoadedBytes != int(info.Size()) {
		t.Errorf("second run loaded %d bytes, the file has %d", st.LoadedBytes, info.Size())
	}
	affinePipeline(t, d2)

	// A damaged file costs a recompile, not a failure.
	if err := os.WriteFile(files[0], bytes.Repeat([]byte{0xff}, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	d2.Close()
	d3 := openTest(t, opt)
	affinePipeline(t, d3)
}

func TestTimestamps(t *testing.T) {
	d := openTest(t, configs[0].opt)
	if d.Info.Limits.TimestampValidBits == 0 {
		t.Skip("device has no timestamps")
	}
	p := affinePipeline(t, d)
	s := mustStream(t, d, StreamOptions{Timestamps: true})
	const n = 4096
	a, b := mustAlloc(t, d, 4*n), mustAlloc(t, d, 4*n)
	for i := 0; i < 5; i++ {
		runAffine(t, s, p, a, b, n, 1, 0)
	}
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
	tm := s.Timings()
	if len(tm) != 5 {
		t.Fatalf("%d timings for 5 dispatches", len(tm))
	}
	for _, x := range tm {
		if x.Name != "affine" || x.Seconds <= 0 || x.Seconds > 10 {
			t.Errorf("timing %+v", x)
		}
	}
}

// TestLeakIsReported proves the teardown check can fail: a buffer created
// and never destroyed must be named by the validation layer.
func TestLeakIsReported(t *testing.T) {
	d, err := Open(configs[0].opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.mem.createBuffer(256); err != nil {
		t.Fatal(err)
	}
	err = d.Close()
	if err == nil || !strings.Contains(err.Error(), "VkBuffer") {
		t.Fatalf("a leaked VkBuffer was not reported at teardown: %v", err)
	}
}

// Two validated devices open at once (tests compare engines on different
// code paths side by side): each instance keeps its own debug messenger,
// so closing them in either order leaves nothing behind.
func TestTwoValidatedDevicesAtOnce(t *testing.T) {
	for _, firstClosed := range []int{0, 1} {
		var devs [2]*Device
		for i := range devs {
			d, err := Open(Options{Device: -1, Validate: ValidateInTests(), CacheDir: "off", NoUMA: i == 1})
			if err != nil {
				t.Fatal(err)
			}
			devs[i] = d
		}
		for _, i := range []int{firstClosed, 1 - firstClosed} {
			if err := devs[i].Close(); err != nil {
				t.Errorf("closing device %d of 2 (device %d first): %v", i, firstClosed, err)
			}
		}
	}
}

// TestTexelBinding reads ranges of a buffer through uniform texel buffer
// bindings (the add kernel's inputs, both bound to one range, at scale
// 1/2: y is x): each sees its own range (the views are cached by range),
// a range that ends inside a vec4 reads its last floats, and ranges a
// texel view cannot take are refused.
func TestTexelBinding(t *testing.T) {
	add := mustKernel("add")
	if add.Buffers[0]&Texel == 0 || add.Buffers[1]&Texel == 0 {
		t.Fatalf("add's inputs are not texel buffers: %v", add.Buffers)
	}
	forEachConfig(t, func(t *testing.T, d *Device) {
		s := mustStream(t, d, StreamOptions{})
		p, err := d.Pipeline(add, 64, 1)
		if err != nil {
			t.Fatal(err)
		}
		x := mustAlloc(t, d, 4*64)
		defer d.Free(x)
		y := mustAlloc(t, d, 4*32)
		defer d.Free(y)
		v := make([]float32, 64)
		for i := range v {
			v[i] = float32(i) + 0.5
		}
		upload(t, s, x, v)
		// Twice at one range (the cached view), then at another, then one
		// that ends inside a vec4.
		for _, c := range []struct{ off, n int }{{16, 32}, {16, 32}, {4, 12}, {8, 11}} {
			poison := make([]float32, 32)
			for i := range poison {
				poison[i] = float32(math.NaN())
			}
			upload(t, s, y, poison)
			in := Range{Buf: x, Offset: uint64(4 * c.off), Size: uint64(4 * c.n)}
			if err := s.DispatchRanges(p, [3]uint32{1, 1, 1}, Push(uint32(c.n), float32(0.5)), in, in, y.All()); err != nil {
				t.Fatal(err)
			}
			got := download(t, s, y, 32)
			for i, g := range got {
				want := float32(math.NaN())
				if i < c.n {
					want = v[c.off+i]
				}
				if g != want && !(math.IsNaN(float64(g)) && math.IsNaN(float64(want))) {
					t.Fatalf("range [%d, %d): y[%d] = %v, want %v", c.off, c.off+c.n, i, g, want)
				}
			}
		}
		// Lavapipe compiles a kernel again for a view of another shape
		// (see texelBufferSize): every view's size has a bit among 8-15
		// set, and the buffer's is not a power of two.
		blk := x.blk
		if blk.bufSize&(blk.bufSize-1) == 0 || blk.bufSize < blk.size+texelSlack/2 {
			t.Errorf("block of %d usable bytes in a VkBuffer of %d", blk.size, blk.bufSize)
		}
		if len(blk.views) < 3 {
			t.Errorf("%d views of x's block, want one per range", len(blk.views))
		}
		for v := range blk.views {
			if (v.size>>8)&0xff == 0 || v.size%16 != 0 {
				t.Errorf("a view of %d bytes", v.size)
			}
		}
		// The bytes a view reaches past its range count as read: a later
		// write to them waits behind a barrier.
		in := Range{Buf: x, Offset: 16, Size: 32}
		if err := s.DispatchRanges(p, [3]uint32{1, 1, 1}, Push(uint32(8), float32(0.5)), in, in, y.All()); err != nil {
			t.Fatal(err)
		}
		before := s.Stats().Barriers
		if err := s.FillRange(Range{Buf: x, Offset: 64, Size: 16}, 0); err != nil {
			t.Fatal(err)
		}
		if s.Stats().Barriers == before {
			t.Error("no barrier between a texel view's read and a write to the bytes it reaches past its range")
		}
		if err := s.Wait(); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			in   Range
			want string
		}{
			{Range{Buf: x, Offset: 4, Size: 64}, "offsets must be multiples of"},
			{Range{Buf: x, Offset: 16, Size: 256}, "of a 256-byte buffer"},
		} {
			err := s.DispatchRanges(p, [3]uint32{1, 1, 1}, Push(uint32(1), float32(0.5)), c.in, c.in, y.All())
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "add") {
				t.Errorf("binding %+v: %v, want an error naming the kernel and saying %q", c.in, err, c.want)
			}
		}
	})
}
