package main

import (
	"strings"
	"testing"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/nn/nntest"
)

// TestCheckDeviceRoom: an image size whose batch and one-image pass cannot
// fit the device is refused before any network is built, naming the size
// and the need; the preset's size passes.
func TestCheckDeviceRoom(t *testing.T) {
	e := nntest.OpenLimited(t, 256<<20)
	p, err := ct.LookupPreset("mnist-tiny")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkDeviceRoom(e, p.Run); err != nil {
		t.Fatalf("the preset's own size: %v", err)
	}
	p.Run.Net.ImageSize = 1024
	err = checkDeviceRoom(e, p.Run)
	if err == nil || !strings.Contains(err.Error(), "--image-size 1024: a step needs at least 288.0 MiB of device memory") {
		t.Fatalf("1024x1024 on 256 MiB: %v", err)
	}
}
