package spirv

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ictvk/ictvk/shaders"
)

// TestCommittedShaders reflects every committed shader and compares what
// it finds with the shader's GLSL source, read independently: each
// `layout(binding = N) [readonly|writeonly] buffer` line, each
// `layout(binding = N) uniform textureBuffer` line, and the push_constant
// block's members laid out by std430's rules.
func TestCommittedShaders(t *testing.T) {
	names := shaders.Names()
	if len(names) == 0 {
		t.Fatal("no shaders are embedded")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			got, err := Reflect(shaders.SPIRV(name))
			if err != nil {
				t.Fatal(err)
			}
			src := glslSource(t, filepath.Join("..", "..", "..", "shaders", name+".comp"))
			want := glslBuffers(t, src)
			if len(got.Buffers) != len(want) {
				t.Fatalf("reflected %d buffers %+v, the source declares %d %+v", len(got.Buffers), got.Buffers, len(want), want)
			}
			for i, b := range got.Buffers {
				if b != want[i] {
					t.Errorf("reflected %+v, the source declares %+v", b, want[i])
				}
			}
			if size, ok := glslPushSize(t, src); ok && got.PushSize != size {
				t.Errorf("reflected %d bytes of push constants, the source's block spans %d", got.PushSize, size)
			} else if !ok {
				t.Logf("push-constant block not understood by the test; reflected %d bytes", got.PushSize)
			}
		})
	}
}

var (
	includeLine  = regexp.MustCompile(`(?m)^\s*#include\s+"([^"]+)"`)
	lineComment  = regexp.MustCompile(`//[^\n]*`)
	blockComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	bufferDecl   = regexp.MustCompile(`layout\s*\(([^)]*)\)\s*((?:\w+\s+)*?)(buffer|uniform\s+textureBuffer)\s+\w+`)
	layoutInt    = regexp.MustCompile(`\b(set|binding)\s*=\s*(\d+)`)
	pushDecl     = regexp.MustCompile(`layout\s*\(\s*push_constant\s*\)\s*uniform\s+\w+\s*\{([^}]*)\}`)
	pushMember   = regexp.MustCompile(`^(\w+)\s+(.+)$`)
	arrayName    = regexp.MustCompile(`^\w+\s*\[\s*(\d+)\s*\]$`)
)

// glslSource is a shader's source with its includes inlined and its
// comments removed.
func glslSource(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := includeLine.ReplaceAllStringFunc(string(b), func(line string) string {
		return glslSource(t, filepath.Join(filepath.Dir(path), includeLine.FindStringSubmatch(line)[1]))
	})
	return lineComment.ReplaceAllString(blockComment.ReplaceAllString(src, ""), "")
}

// glslBuffers reads the storage and texel buffers a source declares, by
// binding, merging the views of one binding as Reflect does.
func glslBuffers(t *testing.T, src string) []Buffer {
	t.Helper()
	var out []Buffer
	for _, m := range bufferDecl.FindAllStringSubmatch(src, -1) {
		b := Buffer{Readable: !strings.Contains(m[2], "writeonly"), Writable: !strings.Contains(m[2], "readonly")}
		if m[3] != "buffer" {
			b = Buffer{Readable: true, Texel: true}
		}
		for _, kv := range layoutInt.FindAllStringSubmatch(m[1], -1) {
			v, _ := strconv.Atoi(kv[2])
			if kv[1] == "set" {
				b.Set = uint32(v)
			} else {
				b.Binding = uint32(v)
			}
		}
		for len(out) <= int(b.Binding) {
			out = append(out, Buffer{Binding: uint32(len(out))})
		}
		o := &out[b.Binding]
		o.Set, o.Readable, o.Writable, o.Texel = b.Set, o.Readable || b.Readable, o.Writable || b.Writable, o.Texel || b.Texel
	}
	return out
}

// glslPushSize lays out the push_constant block by std430's rules for the
// types it knows (32-bit scalars, their vectors, arrays of them); ok is
// false for any other block, and true with 0 when there is none.
func glslPushSize(t *testing.T, src string) (size uint32, ok bool) {
	t.Helper()
	m := pushDecl.FindStringSubmatch(src)
	if m == nil {
		return 0, true
	}
	offset := uint32(0)
	for _, decl := range strings.Split(m[1], ";") {
		decl = strings.TrimSpace(decl)
		if decl == "" {
			continue
		}
		dm := pushMember.FindStringSubmatch(decl)
		if dm == nil {
			return 0, false
		}
		elem, align, known := std430(dm[1])
		if !known {
			return 0, false
		}
		for _, name := range strings.Split(dm[2], ",") {
			name = strings.TrimSpace(name)
			n, stride := uint32(1), elem
			if am := arrayName.FindStringSubmatch(name); am != nil {
				c, _ := strconv.Atoi(am[1])
				n, stride = uint32(c), (elem+align-1)/align*align // a vec3's stride is 16
			}
			offset = (offset + align - 1) / align * align
			size = offset + (n-1)*stride + elem
			offset = size
		}
	}
	return size, true
}

// std430 returns a type's size and alignment, for 32-bit scalars and
// vectors.
func std430(typ string) (size, align uint32, ok bool) {
	switch typ {
	case "float", "int", "uint", "bool":
		return 4, 4, true
	}
	for _, prefix := range []string{"vec", "ivec", "uvec", "bvec"} {
		if n, err := strconv.Atoi(strings.TrimPrefix(typ, prefix)); strings.HasPrefix(typ, prefix) && err == nil && n >= 2 && n <= 4 {
			return 4 * uint32(n), alignOf(typ), true
		}
	}
	return 0, 0, false
}

func alignOf(typ string) uint32 {
	switch {
	case strings.HasSuffix(typ, "vec2"):
		return 8
	case strings.HasSuffix(typ, "vec3"), strings.HasSuffix(typ, "vec4"):
		return 16
	}
	return 4
}
