package spirv

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
)

// asm builds a module from instructions, each an opcode and its operands.
type asm [][]uint32

func (a asm) bytes(order binary.ByteOrder) []byte {
	words := []uint32{magic, 0x00010300, 0, 100, 0}
	for _, in := range a {
		words = append(words, uint32(len(in))<<16|in[0])
		words = append(words, in[1:]...)
	}
	out := make([]byte, 4*len(words))
	for i, w := range words {
		order.PutUint32(out[4*i:], w)
	}
	return out
}

func (a asm) reflect(t *testing.T) Interface {
	t.Helper()
	in, err := Reflect(a.bytes(binary.LittleEndian))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// Type ids of the modules below.
const (
	tFloat = 1 + iota
	tUint
	tV2
	tV3
	tV4
	tMat // mat3x2: three columns of vec2
	tArr // float[3]
	tInner
	tPush
	tPushPtr
	tRuntime
	tBlock
	tBlockPtr
	cThree
	vPush
	vBuf
)

// types declares float, uint, vectors, mat3x2, float[3] with the constant
// 3, and a runtime float array.
var types = asm{
	{opTypeFloat, tFloat, 32},
	{opTypeInt, tUint, 32, 0},
	{opTypeVector, tV2, tFloat, 2},
	{opTypeVector, tV3, tFloat, 3},
	{opTypeVector, tV4, tUint, 4},
	{opTypeMatrix, tMat, tV2, 3},
	{opConstant, tUint, cThree, 3},
	{opTypeArray, tArr, tFloat, cThree},
	{opDecorate, tArr, decArrayStride, 16},
	{opTypeRuntimeArray, tRuntime, tFloat},
	{opDecorate, tRuntime, decArrayStride, 4},
}

// pushBlock is a push-constant block of the given member types and
// offsets, with the decorations extra adds.
func pushBlock(members, offsets []uint32, extra ...[]uint32) asm {
	a := append(asm{}, types...)
	a = append(a, append([]uint32{opTypeStruct, tPush}, members...))
	for i, off := range offsets {
		a = append(a, []uint32{opMemberDecorate, tPush, uint32(i), decOffset, off})
	}
	a = append(a, extra...)
	return append(a,
		[]uint32{opTypePointer, tPushPtr, classPushConstant, tPush},
		[]uint32{opVariable, tPushPtr, vPush, classPushConstant})
}

func TestPushSize(t *testing.T) {
	for _, c := range []struct {
		name             string
		members, offsets []uint32
		extra            [][]uint32
		want             uint32
	}{
		{"uint", []uint32{tUint}, []uint32{0}, nil, 4},
		{"scalars", []uint32{tUint, tFloat, tUint}, []uint32{0, 4, 8}, nil, 12},
		// The block ends where its last byte is, not at its alignment.
		{"vec3 last", []uint32{tUint, tV3}, []uint32{0, 16}, nil, 28},
		{"uvec4", []uint32{tUint, tV4, tFloat}, []uint32{0, 16, 32}, nil, 36},
		{"members out of order", []uint32{tFloat, tUint}, []uint32{8, 0}, nil, 12},
		// float[3] with stride 16: the last element ends at 2*16+4.
		{"array", []uint32{tUint, tArr}, []uint32{0, 16}, nil, 16 + 36},
		{"column-major matrix", []uint32{tMat}, []uint32{0},
			[][]uint32{{opMemberDecorate, tPush, 0, decMatrixStride, 8}}, 2*8 + 8},
		{"row-major matrix", []uint32{tMat}, []uint32{0},
			[][]uint32{{opMemberDecorate, tPush, 0, decMatrixStride, 16}, {opMemberDecorate, tPush, 0, decRowMajor}}, 16 + 12},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := pushBlock(c.members, c.offsets, c.extra...).reflect(t)
			if in.PushSize != c.want {
				t.Errorf("push size %d, want %d", in.PushSize, c.want)
			}
		})
	}
}

func TestNestedPushStruct(t *testing.T) {
	a := append(asm{}, types...)
	a = append(a,
		[]uint32{opTypeStruct, tInner, tUint, tV2},
		[]uint32{opMemberDecorate, tInner, 0, decOffset, 0},
		[]uint32{opMemberDecorate, tInner, 1, decOffset, 8},
		[]uint32{opTypeStruct, tPush, tFloat, tInner},
		[]uint32{opMemberDecorate, tPush, 0, decOffset, 0},
		[]uint32{opMemberDecorate, tPush, 1, decOffset, 16},
		[]uint32{opTypePointer, tPushPtr, classPushConstant, tPush},
		[]uint32{opVariable, tPushPtr, vPush, classPushConstant})
	if got := a.reflect(t).PushSize; got != 16+16 {
		t.Errorf("push size %d, want 32", got)
	}
}

func TestNoPushConstants(t *testing.T) {
	if got := types.reflect(t); !reflect.DeepEqual(got, Interface{}) {
		t.Errorf("got %+v from a module without interface", got)
	}
}

// buffer declares a storage buffer variable at id, of a new block type
// with the given members, at set 0 and the given binding; dec adds
// decorations to the block's members (all of them), varDec to the
// variable.
func buffer(id, binding uint32, members int, class uint32, memberDec, varDec []uint32) asm {
	block, ptr := id+100, id+200
	st := []uint32{opTypeStruct, block}
	for range members {
		st = append(st, tRuntime)
	}
	a := asm{st}
	for i := range uint32(members) {
		a = append(a, []uint32{opMemberDecorate, block, i, decOffset, 0})
		for _, d := range memberDec {
			a = append(a, []uint32{opMemberDecorate, block, i, d})
		}
	}
	if class == classUniform {
		a = append(a, []uint32{opDecorate, block, decBufferBlock})
	}
	for _, d := range varDec {
		a = append(a, []uint32{opDecorate, id, d})
	}
	return append(a, boundVariable(id, ptr, class, block, binding)...)
}

// boundVariable declares variable id of storage class class, pointing
// (pointer type ptr) to type pointee, at set 0 and the given binding.
func boundVariable(id, ptr, class, pointee, binding uint32) asm {
	return asm{
		{opTypePointer, ptr, class, pointee},
		{opVariable, ptr, id, class},
		{opDecorate, id, decDescriptorSet, 0},
		{opDecorate, id, decBinding, binding},
	}
}

func TestBuffers(t *testing.T) {
	nw, nr := []uint32{decNonWritable}, []uint32{decNonReadable}
	a := append(asm{}, types...)
	for _, b := range []asm{
		buffer(50, 2, 1, classStorageBuffer, nil, nil), // declared out of order
		buffer(51, 0, 1, classStorageBuffer, nw, nil),  // readonly, as glslc writes it
		buffer(52, 1, 1, classStorageBuffer, nr, nil),  // writeonly
		buffer(53, 3, 1, classStorageBuffer, nil, nw),  // readonly on the variable
		buffer(54, 4, 1, classStorageBuffer, nil, nr),  // writeonly on the variable
		buffer(55, 5, 2, classStorageBuffer, nil, nil), // two members, one readonly
		// Two views of binding 6 (float[] and vec4[]): both readonly.
		buffer(56, 6, 1, classStorageBuffer, nw, nil),
		buffer(57, 6, 1, classStorageBuffer, nw, nil),
		// Two views of binding 7: one readonly, one writeonly.
		buffer(58, 7, 1, classStorageBuffer, nw, nil),
		buffer(59, 7, 1, classStorageBuffer, nr, nil),
		// A storage buffer as SPIR-V 1.0 declares it: Uniform BufferBlock.
		buffer(60, 8, 1, classUniform, nw, nil),
	} {
		a = append(a, b...)
	}
	a = append(a, []uint32{opMemberDecorate, 155, 0, decNonWritable})
	got := a.reflect(t).Buffers
	rw := func(binding uint32, r, w bool) Buffer { return Buffer{Binding: binding, Readable: r, Writable: w} }
	want := []Buffer{rw(0, true, false), rw(1, false, true), rw(2, true, true), rw(3, true, false),
		rw(4, false, true), rw(5, true, true), rw(6, true, false), rw(7, true, true), rw(8, true, false)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("buffers\n%+v\nwant\n%+v", got, want)
	}
}

// image declares, at id, a variable of an image type of dimension dim
// (5: Buffer) that is sampled (1) or storage (2), at set 0 and the given
// binding: GLSL's textureBuffer, or with asSampled its samplerBuffer (the
// image wrapped in a sampled image).
func image(id, binding, dim, sampled uint32, asSampled bool) asm {
	img, si, ptr := id+100, id+200, id+300
	pointee := img
	a := asm{{opTypeImage, img, tFloat, dim, 0, 0, 0, sampled, 0}}
	if asSampled {
		a = append(a, []uint32{opTypeSampledImage, si, img})
		pointee = si
	}
	return append(a, boundVariable(id, ptr, classUniformConstant, pointee, binding)...)
}

func TestTexelBuffers(t *testing.T) {
	a := append(append(append(asm{}, types...), image(50, 1, 5, 1, false)...),
		buffer(51, 0, 1, classStorageBuffer, nil, nil)...)
	got := a.reflect(t).Buffers
	want := []Buffer{{Binding: 0, Readable: true, Writable: true}, {Binding: 1, Readable: true, Texel: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("buffers\n%+v\nwant\n%+v", got, want)
	}
	for _, c := range []struct {
		name string
		a    asm
		want string
	}{
		{"storage texel buffer", image(50, 0, 5, 2, false), "only textureBuffers"},
		{"sampled 2D image", image(50, 0, 1, 1, true), "only textureBuffers"},
		{"2D texture", image(50, 0, 1, 1, false), "only textureBuffers"},
		{"samplerBuffer", image(50, 0, 5, 1, true), "declare a textureBuffer"},
		{"texel and storage buffer at one binding", append(image(50, 0, 5, 1, false), buffer(51, 0, 1, classStorageBuffer, nil, nil)...), "both a texel buffer"},
		{"storage and texel buffer at one binding", append(buffer(51, 0, 1, classStorageBuffer, nil, nil), image(50, 0, 5, 1, false)...), "both a texel buffer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Reflect(append(append(asm{}, types...), c.a...).bytes(binary.LittleEndian))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

func TestBigEndian(t *testing.T) {
	a := append(pushBlock([]uint32{tUint, tV3}, []uint32{0, 16}), buffer(50, 0, 1, classStorageBuffer, []uint32{decNonWritable}, nil)...)
	little, err := Reflect(a.bytes(binary.LittleEndian))
	if err != nil {
		t.Fatal(err)
	}
	big, err := Reflect(a.bytes(binary.BigEndian))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(little, big) || big.PushSize != 28 || len(big.Buffers) != 1 {
		t.Errorf("big-endian %+v, little-endian %+v", big, little)
	}
}

func TestErrors(t *testing.T) {
	truncated := types.bytes(binary.LittleEndian)
	binary.LittleEndian.PutUint32(truncated[20:], 9<<16|opTypeFloat) // claims 9 words
	for _, c := range []struct {
		name string
		code []byte
		want string
	}{
		{"empty", nil, "0 bytes"},
		{"odd length", make([]byte, 22), "multiple of 4"},
		{"not SPIR-V", []byte("#version 450\nvoid main() { }\n\n\n\n"), "magic"},
		{"truncated", truncated, "runs past"},
		{"two push blocks", append(pushBlock([]uint32{tUint}, []uint32{0}),
			[]uint32{opVariable, tPushPtr, vPush + 50, classPushConstant}).bytes(binary.LittleEndian), "second push-constant block"},
		{"member without offset", pushBlock([]uint32{tUint, tUint}, []uint32{0}).bytes(binary.LittleEndian), "member 1 has no Offset"},
		{"matrix without stride", pushBlock([]uint32{tMat}, []uint32{0}).bytes(binary.LittleEndian), "MatrixStride"},
		{"array sized by a specialization constant", append(asm{{50, tUint, 70, 3}, {opTypeArray, 71, tFloat, 70}, {opDecorate, 71, decArrayStride, 4}},
			pushBlock([]uint32{71}, []uint32{0})...).bytes(binary.LittleEndian), "not a constant"},
		{"runtime array in push constants", pushBlock([]uint32{tRuntime}, []uint32{0}).bytes(binary.LittleEndian), "runtime array"},
		{"buffer without binding", append(types, asm{{opTypeStruct, tBlock, tRuntime}, {opTypePointer, tBlockPtr, classStorageBuffer, tBlock},
			{opVariable, tBlockPtr, vBuf, classStorageBuffer}}...).bytes(binary.LittleEndian), "without a Binding"},
		{"uniform buffer", append(types, asm{{opTypeStruct, tBlock, tRuntime}, {opTypePointer, tBlockPtr, classUniform, tBlock},
			{opVariable, tBlockPtr, vBuf, classUniform}}...).bytes(binary.LittleEndian), "uniform buffer"},
		{"decoration group", asm{{opDecorationGroup, 9}}.bytes(binary.LittleEndian), "decoration groups"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Reflect(c.code)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}
