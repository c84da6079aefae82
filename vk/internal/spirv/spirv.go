// Package spirv reads what a compute shader's SPIR-V module declares about
// its interface with the host: the size of its push-constant block and its
// buffers (storage buffers and uniform texel buffers), with whether the
// shader may read and write each. The vk
// layer builds pipeline layouts and barriers from it, so the shader's GLSL
// qualifiers (readonly, writeonly) are the one place these are stated.
//
// It reads only the annotations and types of a module (the SPIR-V 1.x
// binary form, either byte order), never its code.
package spirv

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// Interface is what a module declares to the host.
type Interface struct {
	// PushSize is the number of bytes of push constants the shader's block
	// spans: the end of its last member (0 when it has none).
	PushSize uint32
	// Buffers are the buffer bindings, sorted by set and binding. Variables
	// that alias one binding (a buffer seen as float[] and vec4[]) are one
	// Buffer, readable if any of them is, writable if any of them is.
	Buffers []Buffer
}

// Buffer is one buffer binding.
type Buffer struct {
	Set, Binding uint32
	// Readable is false when the shader declares the buffer NonReadable
	// (GLSL writeonly), Writable false when NonWritable (readonly).
	Readable, Writable bool
	// Texel marks a uniform texel buffer (GLSL textureBuffer): read only,
	// through texelFetch.
	Texel bool
}

const magic = 0x07230203

// Opcodes, storage classes and decorations of the SPIR-V specification
// (section 3) that Reflect looks at.
const (
	opTypeInt              = 21
	opTypeImage            = 25
	opTypeSampledImage     = 27
	opTypeFloat            = 22
	opTypeVector           = 23
	opTypeMatrix           = 24
	opTypeArray            = 28
	opTypeRuntimeArray     = 29
	opTypeStruct           = 30
	opTypePointer          = 32
	opConstant             = 43
	opVariable             = 59
	opDecorate             = 71
	opMemberDecorate       = 72
	opDecorationGroup      = 73
	opGroupDecorate        = 74
	opGroupMemberDecorate  = 75
	opDecorateId           = 332
	opDecorateString       = 5632
	opMemberDecorateString = 5633

	classUniformConstant = 0
	classUniform         = 2
	classPushConstant    = 9
	classStorageBuffer   = 12

	decBufferBlock   = 3
	decRowMajor      = 4
	decArrayStride   = 6
	decMatrixStride  = 7
	decNonWritable   = 24
	decNonReadable   = 25
	decBinding       = 33
	decDescriptorSet = 34
	decOffset        = 35
)

// typ is one OpType* result.
type typ struct {
	op    uint32
	words []uint32 // the operands after the result id
}

// decorations of one id, or of one member of a struct type.
type decorations struct {
	set, binding, offset            uint32
	arrayStride, matrixStride       uint32
	hasBinding, hasOffset           bool
	hasArrayStride, hasMatrixStride bool
	bufferBlock, rowMajor           bool
	nonWritable, nonReadable        bool
}

func (d *decorations) add(dec uint32, lits []uint32) error {
	need := func(n int) error {
		if len(lits) < n {
			return fmt.Errorf("decoration %d has %d operands, want %d", dec, len(lits), n)
		}
		return nil
	}
	switch dec {
	case decBufferBlock:
		d.bufferBlock = true
	case decRowMajor:
		d.rowMajor = true
	case decNonWritable:
		d.nonWritable = true
	case decNonReadable:
		d.nonReadable = true
	case decArrayStride, decMatrixStride, decBinding, decDescriptorSet, decOffset:
		if err := need(1); err != nil {
			return err
		}
		v := lits[0]
		switch dec {
		case decArrayStride:
			d.arrayStride, d.hasArrayStride = v, true
		case decMatrixStride:
			d.matrixStride, d.hasMatrixStride = v, true
		case decBinding:
			d.binding, d.hasBinding = v, true
		case decDescriptorSet:
			d.set = v
		case decOffset:
			d.offset, d.hasOffset = v, true
		}
	}
	return nil
}

type memberKey struct{ id, member uint32 }

type variable struct {
	id, pointer, class uint32
}

type module struct {
	types     map[uint32]typ
	constants map[uint32][]uint32 // OpConstant's value words
	decs      map[uint32]*decorations
	members   map[memberKey]*decorations
	vars      []variable
}

func (m *module) dec(id uint32) *decorations {
	d := m.decs[id]
	if d == nil {
		d = &decorations{}
		m.decs[id] = d
	}
	return d
}

func (m *module) member(id, member uint32) *decorations {
	k := memberKey{id, member}
	d := m.members[k]
	if d == nil {
		d = &decorations{}
		m.members[k] = d
	}
	return d
}

// Reflect reads a module's push-constant size and storage buffers.
func Reflect(code []byte) (Interface, error) {
	m, err := parse(code)
	if err != nil {
		return Interface{}, err
	}
	var out Interface
	pushVars := 0
	byBinding := map[[2]uint32]*Buffer{}
	for _, v := range m.vars {
		ptr, ok := m.types[v.pointer]
		if !ok || ptr.op != opTypePointer || len(ptr.words) < 2 {
			return Interface{}, fmt.Errorf("variable %%%d: its type %%%d is not a pointer", v.id, v.pointer)
		}
		pointee := ptr.words[1]
		switch v.class {
		case classPushConstant:
			pushVars++
			if pushVars > 1 {
				return Interface{}, fmt.Errorf("variable %%%d: a second push-constant block", v.id)
			}
			size, err := m.size(pointee, nil)
			if err != nil {
				return Interface{}, fmt.Errorf("push constants (variable %%%d): %w", v.id, err)
			}
			out.PushSize = size
		case classUniformConstant:
			if !m.isTextureBuffer(pointee) {
				if t, ok := m.types[pointee]; ok && t.op == opTypeSampledImage && m.isTextureBuffer(t.words[0]) {
					return Interface{}, fmt.Errorf("variable %%%d: a samplerBuffer, a sampled image of dimension Buffer, which SPIR-V 1.6 forbids (newer validation layers warn of it): declare a textureBuffer (GL_EXT_samplerless_texture_functions)", v.id)
				}
				return Interface{}, fmt.Errorf("variable %%%d: an image, sampler or texture; only textureBuffers (uniform texel buffers) are supported", v.id)
			}
			vd := m.decs[v.id]
			if vd == nil || !vd.hasBinding {
				return Interface{}, fmt.Errorf("variable %%%d: a texel buffer without a Binding decoration", v.id)
			}
			key := [2]uint32{vd.set, vd.binding}
			if byBinding[key] != nil {
				return Interface{}, fmt.Errorf("variable %%%d: binding %d of set %d is both a texel buffer and another buffer", v.id, vd.binding, vd.set)
			}
			byBinding[key] = &Buffer{Set: vd.set, Binding: vd.binding, Readable: true, Texel: true}
		case classStorageBuffer, classUniform:
			t, ok := m.types[pointee]
			if !ok || t.op != opTypeStruct {
				if v.class == classStorageBuffer || (ok && t.op == opTypeArray) {
					return Interface{}, fmt.Errorf("variable %%%d: a buffer of type %%%d: only single blocks are supported, not arrays of buffers", v.id, pointee)
				}
				return Interface{}, fmt.Errorf("variable %%%d: a uniform of type %%%d that is not a block", v.id, pointee)
			}
			sd := m.decs[pointee]
			if v.class == classUniform && (sd == nil || !sd.bufferBlock) {
				return Interface{}, fmt.Errorf("variable %%%d: a uniform buffer; only storage buffers are supported", v.id)
			}
			vd := m.decs[v.id]
			if vd == nil || !vd.hasBinding {
				return Interface{}, fmt.Errorf("variable %%%d: a storage buffer without a Binding decoration", v.id)
			}
			readable, writable := m.access(v.id, pointee)
			key := [2]uint32{vd.set, vd.binding}
			b := byBinding[key]
			if b == nil {
				b = &Buffer{Set: vd.set, Binding: vd.binding}
				byBinding[key] = b
			} else if b.Texel {
				return Interface{}, fmt.Errorf("variable %%%d: binding %d of set %d is both a texel buffer and another buffer", v.id, vd.binding, vd.set)
			}
			b.Readable = b.Readable || readable
			b.Writable = b.Writable || writable
		}
	}
	for _, b := range byBinding {
		out.Buffers = append(out.Buffers, *b)
	}
	sort.Slice(out.Buffers, func(i, j int) bool {
		a, b := out.Buffers[i], out.Buffers[j]
		if a.Set != b.Set {
			return a.Set < b.Set
		}
		return a.Binding < b.Binding
	})
	return out, nil
}

// isTextureBuffer reports whether type id is an image of dimension
// Buffer that is sampled, not storage: GLSL's textureBuffer, read by
// texelFetch without a sampler.
func (m *module) isTextureBuffer(id uint32) bool {
	const dimBuffer, sampled = 5, 1
	img, ok := m.types[id]
	return ok && img.op == opTypeImage && img.words[1] == dimBuffer && img.words[5] == sampled
}

// access reports whether the shader may read and write the buffer variable
// id of block type block: NonReadable and NonWritable apply to the variable
// itself or, as glslc emits them, to every member of its block.
func (m *module) access(id, block uint32) (readable, writable bool) {
	nonWritable, nonReadable := false, false
	if d := m.decs[id]; d != nil {
		nonWritable, nonReadable = d.nonWritable, d.nonReadable
	}
	n := uint32(len(m.types[block].words))
	allNW, allNR := n > 0, n > 0
	for i := uint32(0); i < n; i++ {
		d := m.members[memberKey{block, i}]
		allNW = allNW && d != nil && d.nonWritable
		allNR = allNR && d != nil && d.nonReadable
	}
	return !(nonReadable || allNR), !(nonWritable || allNW)
}

// size is the number of bytes a value of type id spans, from its first
// byte to the end of its last; member holds the decorations of the struct
// member of this type, if it is one (a matrix's stride and layout).
func (m *module) size(id uint32, member *decorations) (uint32, error) {
	t, ok := m.types[id]
	if !ok {
		return 0, fmt.Errorf("type %%%d is not declared", id)
	}
	switch t.op {
	case opTypeInt, opTypeFloat:
		if t.words[0]%8 != 0 {
			return 0, fmt.Errorf("type %%%d: a %d-bit scalar", id, t.words[0])
		}
		return t.words[0] / 8, nil
	case opTypeVector:
		c, err := m.size(t.words[0], nil)
		return c * t.words[1], err
	case opTypeMatrix:
		if member == nil || !member.hasMatrixStride {
			return 0, fmt.Errorf("matrix type %%%d without a MatrixStride", id)
		}
		col := m.types[t.words[0]]
		if col.op != opTypeVector {
			return 0, fmt.Errorf("matrix type %%%d: its column type %%%d is not a vector", id, t.words[0])
		}
		comp, err := m.size(col.words[0], nil)
		if err != nil {
			return 0, err
		}
		vectors, length := t.words[1], col.words[1] // col-major: columns of rows
		if member.rowMajor {
			vectors, length = length, vectors
		}
		return (vectors-1)*member.matrixStride + length*comp, nil
	case opTypeArray:
		d := m.decs[id]
		if d == nil || !d.hasArrayStride {
			return 0, fmt.Errorf("array type %%%d without an ArrayStride", id)
		}
		n, ok := m.constants[t.words[1]]
		if !ok || len(n) == 0 {
			return 0, fmt.Errorf("array type %%%d: its length %%%d is not a constant (a specialization constant cannot size push constants)", id, t.words[1])
		}
		if n[0] == 0 {
			return 0, fmt.Errorf("array type %%%d of length 0", id)
		}
		elem, err := m.size(t.words[0], member)
		if err != nil {
			return 0, err
		}
		return (n[0]-1)*d.arrayStride + elem, nil
	case opTypeStruct:
		end := uint32(0)
		for i, mt := range t.words {
			md := m.members[memberKey{id, uint32(i)}]
			if md == nil || !md.hasOffset {
				return 0, fmt.Errorf("struct type %%%d: member %d has no Offset", id, i)
			}
			s, err := m.size(mt, md)
			if err != nil {
				return 0, fmt.Errorf("struct type %%%d, member %d: %w", id, i, err)
			}
			end = max(end, md.offset+s)
		}
		return end, nil
	case opTypeRuntimeArray:
		return 0, fmt.Errorf("type %%%d: a runtime array has no size", id)
	}
	return 0, fmt.Errorf("type %%%d (opcode %d) cannot be sized", id, t.op)
}

// parse reads the instructions Reflect needs.
func parse(code []byte) (*module, error) {
	if len(code)%4 != 0 || len(code) < 20 {
		return nil, fmt.Errorf("not a SPIR-V module: %d bytes (want a multiple of 4, at least 20)", len(code))
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch {
	case binary.LittleEndian.Uint32(code) == magic:
	case binary.BigEndian.Uint32(code) == magic:
		order = binary.BigEndian
	default:
		return nil, fmt.Errorf("not a SPIR-V module: magic number %#08x", binary.LittleEndian.Uint32(code))
	}
	words := make([]uint32, len(code)/4)
	for i := range words {
		words[i] = order.Uint32(code[4*i:])
	}
	m := &module{
		types:     map[uint32]typ{},
		constants: map[uint32][]uint32{},
		decs:      map[uint32]*decorations{},
		members:   map[memberKey]*decorations{},
	}
	for at := 5; at < len(words); {
		n, op := int(words[at]>>16), words[at]&0xffff
		if n == 0 || at+n > len(words) {
			return nil, fmt.Errorf("instruction at word %d (opcode %d): length %d runs past the module's %d words", at, op, n, len(words))
		}
		ops := words[at+1 : at+n]
		at += n
		short := func(want int) error {
			if len(ops) < want {
				return fmt.Errorf("instruction at word %d (opcode %d): %d operands, want at least %d", at-n, op, len(ops), want)
			}
			return nil
		}
		var err error
		switch op {
		case opTypeInt, opTypeFloat, opTypeVector, opTypeMatrix, opTypeArray, opTypeRuntimeArray, opTypeStruct, opTypePointer, opTypeImage, opTypeSampledImage:
			want := map[uint32]int{opTypeInt: 2, opTypeFloat: 2, opTypeVector: 3, opTypeMatrix: 3, opTypeArray: 3, opTypeRuntimeArray: 2, opTypeStruct: 1, opTypePointer: 3,
				opTypeImage: 8, opTypeSampledImage: 2}[op]
			if err = short(want); err == nil {
				m.types[ops[0]] = typ{op: op, words: ops[1:]}
			}
		case opConstant:
			if err = short(3); err == nil {
				m.constants[ops[1]] = ops[2:]
			}
		case opVariable:
			if err = short(3); err == nil {
				m.vars = append(m.vars, variable{id: ops[1], pointer: ops[0], class: ops[2]})
			}
		case opDecorate:
			if err = short(2); err == nil {
				err = m.dec(ops[0]).add(ops[1], ops[2:])
			}
		case opMemberDecorate:
			if err = short(3); err == nil {
				err = m.member(ops[0], ops[1]).add(ops[2], ops[3:])
			}
		case opDecorationGroup, opGroupDecorate, opGroupMemberDecorate:
			err = fmt.Errorf("decoration groups (opcode %d) are not supported", op)
		case opDecorateId, opDecorateString, opMemberDecorateString:
			// Decorations Reflect does not need (counter buffers, HLSL
			// semantics).
		}
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}
