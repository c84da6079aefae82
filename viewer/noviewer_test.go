//go:build noviewer

package viewer

import (
	"errors"
	"testing"
)

func TestNoViewerHasNoWindow(t *testing.T) {
	if err := Init(); !errors.Is(err, ErrNoViewer) {
		t.Fatalf("Init in a noviewer build: %v, want %v", err, ErrNoViewer)
	}
	if _, err := Open(nil, Options{}); !errors.Is(err, ErrNoViewer) {
		t.Fatalf("Open in a noviewer build: %v", err)
	}
}
