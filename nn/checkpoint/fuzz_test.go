package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary bytes to Parse. It must never panic; every
// refusal is a *FormatError; and every file it accepts is also accepted,
// with the same contents, by nlpodyssey/safetensors (so ictvk is never more
// lenient than a port of the reference), and survives Encode and Parse
// unchanged, with Encode's bytes stable.
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 60s ./nn/checkpoint
func FuzzParse(f *testing.F) {
	for _, tc := range referenceFiles {
		f.Add(tc.bytes)
	}
	f.Add(encode(f, sample()))
	f.Add(rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, le(1, 2, 3)))
	f.Add(rawFile(`{"__metadata__":{"a":"\u00e9\n","b":""},"x":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]}}`, nil))
	f.Add(rawFile(`{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}`, make([]byte, 4)))
	f.Add(rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 4)))

	limits := Limits{MaxHeaderBytes: 1 << 16, MaxTotalBytes: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(data, limits)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("refusal %v is a %T, not a *FormatError", err, err)
			}
			return
		}
		if err := sameAsNlpodyssey(data, got); err != nil {
			t.Fatalf("Parse accepts what nlpodyssey does not agree with: %v", err)
		}
		checkRoundTrip(t, got)
	})
}

// FuzzParseHeader fuzzes the JSON header alone: the harness appends as
// many data bytes as the header's largest data_offsets end asks for, so
// that mutations of names, escapes, metadata, whitespace and offsets reach
// the accepting path far more often than whole-file mutations do. The
// checks are FuzzParse's.
func FuzzParseHeader(f *testing.F) {
	for _, tc := range referenceFiles {
		n := binary.LittleEndian.Uint64(tc.bytes)
		f.Add(string(tc.bytes[8 : 8+n]))
	}
	f.Add(`{"__metadata__":{"a":"\u00e9\n","b":""},"x":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"y\"":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`)
	f.Add(` { "b" : {"shape":[1],"data_offsets":[0,4],"dtype":"F32"}, "a":{"dtype":"F32","shape":[1,1],"data_offsets":[4,8]} } `)

	f.Fuzz(func(t *testing.T, header string) {
		data := make([]byte, claimedDataLen(header))
		for i := range data {
			data[i] = byte(i*37 + 11)
		}
		file := rawFile(header, data)
		got, err := Parse(file, Limits{})
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("refusal %v is a %T, not a *FormatError", err, err)
			}
			return
		}
		if err := sameAsNlpodyssey(file, got); err != nil {
			t.Fatalf("Parse accepts what nlpodyssey does not agree with: %v", err)
		}
		checkRoundTrip(t, got)
	})
}

// claimedDataLen is the largest end offset a header names, read loosely
// and capped at 64 KiB; 0 when there is none.
func claimedDataLen(header string) int {
	var entries map[string]json.RawMessage
	if json.Unmarshal([]byte(header), &entries) != nil {
		return 0
	}
	end := 0
	for _, raw := range entries {
		var e struct {
			DataOffsets []json.Number `json:"data_offsets"`
		}
		if json.Unmarshal(raw, &e) != nil || len(e.DataOffsets) != 2 {
			continue
		}
		if v, err := strconv.Atoi(e.DataOffsets[1].String()); err == nil && v > end {
			end = min(v, 1<<16)
		}
	}
	return end
}

// FuzzEncode builds files from arbitrary names, metadata text, shapes and
// bit patterns: Encode either refuses them (invalid UTF-8, the reserved
// name) or writes bytes that Parse and nlpodyssey both read back exactly,
// with the header padded to a multiple of 8.
func FuzzEncode(f *testing.F) {
	f.Add("conv.w", "step", "100", uint8(2), uint8(3), []byte{0, 0, 0x80, 0x3f})
	f.Add("a\"b\\c\x01\u2028", "k\n", "<&>", uint8(0), uint8(7), []byte{0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, name, key, value string, d0, d1 uint8, bits []byte) {
		shape := []int{int(d0 % 5), int(d1 % 5)}
		data := make([]float32, shape[0]*shape[1])
		for i := range data {
			var b [4]byte
			for j := range b {
				if len(bits) > 0 {
					b[j] = bits[(4*i+j)%len(bits)]
				}
			}
			data[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[:]))
		}
		file := &File{
			Tensors: []Tensor{
				{Name: name, Shape: shape, Data: data},
				{Name: name + ".scalar", Shape: []int{}, Data: []float32{float32(d0)}},
			},
			Metadata: map[string]string{key: value},
		}
		var buf bytes.Buffer
		err := Encode(&buf, file)
		valid := utf8.ValidString(name) && utf8.ValidString(key) && utf8.ValidString(value) && name != metadataKey
		if !valid {
			if err == nil {
				t.Fatalf("Encode accepted name %q, metadata %q: %q", name, key, value)
			}
			return
		}
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		b := buf.Bytes()
		if n := binary.LittleEndian.Uint64(b); n%8 != 0 {
			t.Fatalf("header length %d", n)
		}
		got, err := Parse(b, Limits{})
		if err != nil {
			t.Fatalf("Parse of Encode's bytes: %v\n%q", err, b)
		}
		want := sortedByName(file)
		if d := diffFiles(want, got); d != "" {
			t.Fatalf("round trip: %s", d)
		}
		if err := sameAsNlpodyssey(b, want); err != nil {
			t.Fatal(err)
		}
	})
}
