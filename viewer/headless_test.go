//go:build headless

package viewer

import (
	"errors"
	"testing"
)

func TestHeadlessHasNoViewer(t *testing.T) {
	if err := Init(); !errors.Is(err, ErrHeadless) {
		t.Fatalf("Init in a headless build: %v, want %v", err, ErrHeadless)
	}
	if _, err := Open(nil, Options{}); !errors.Is(err, ErrHeadless) {
		t.Fatalf("Open in a headless build: %v", err)
	}
}
