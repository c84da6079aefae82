// Package unet is the network iCT trains: a U-Net in the style of EDM's
// DDPM++/NCSN++ built from package nn's ops. It maps a scaled noisy image
// and a per-sample noise conditioning value to an image-shaped output.
package unet

import (
	"errors"
	"fmt"
	"sort"
)

// Embedding selects how the noise conditioning value enters the network.
type Embedding string

const (
	// Fourier features with random fixed frequencies (NCSN++; iCT uses a
	// scale of 0.02 instead of 16).
	Fourier Embedding = "fourier"
	// Positional (sinusoidal) embedding, as DDPM and EDM's ImageNet model.
	Positional Embedding = "positional"
)

// Config describes a U-Net. Every field is part of a checkpoint's metadata:
// a checkpoint loads only into a network of the same config.
type Config struct {
	ImageChannels  int   `json:"image_channels"`
	ImageSize      int   `json:"image_size"`
	BaseChannels   int   `json:"base_channels"`
	ChannelMults   []int `json:"channel_mults"` // per resolution level, from the input's
	BlocksPerLevel int   `json:"blocks_per_level"`
	// AttentionResolutions lists the feature-map sizes (e.g. 16, 8) that get
	// a self-attention block after each residual block; the middle block
	// always has one.
	AttentionResolutions []int     `json:"attention_resolutions"`
	AttentionHeads       int       `json:"attention_heads"`
	Dropout              float64   `json:"dropout"`
	Groups               int       `json:"groups"` // GroupNorm groups
	Embedding            Embedding `json:"embedding"`
	FourierScale         float64   `json:"fourier_scale"`
}

// Validate reports the first problem with c, naming the field.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("unet: "+format, args...)) }
	if c.ImageChannels < 1 {
		bad("image_channels %d must be at least 1", c.ImageChannels)
	}
	if c.BaseChannels < 1 {
		bad("base_channels %d must be at least 1", c.BaseChannels)
	}
	if len(c.ChannelMults) == 0 {
		bad("channel_mults is empty")
	}
	if c.BlocksPerLevel < 1 {
		bad("blocks_per_level %d must be at least 1", c.BlocksPerLevel)
	}
	if c.Groups < 1 {
		bad("groups %d must be at least 1", c.Groups)
	}
	if c.AttentionHeads < 1 {
		bad("attention_heads %d must be at least 1", c.AttentionHeads)
	}
	if c.Dropout < 0 || c.Dropout >= 1 {
		bad("dropout %v must be in [0, 1)", c.Dropout)
	}
	switch c.Embedding {
	case Fourier:
		if !(c.FourierScale > 0) {
			bad("fourier_scale %v must be positive", c.FourierScale)
		}
	case Positional:
	default:
		bad("embedding %q: want %q or %q", c.Embedding, Fourier, Positional)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	down := 1 << (len(c.ChannelMults) - 1)
	if c.ImageSize < down || c.ImageSize%down != 0 {
		bad("image_size %d must be a multiple of %d for %d resolution levels", c.ImageSize, down, len(c.ChannelMults))
	}
	for i, m := range c.ChannelMults {
		ch := c.BaseChannels * m
		if m < 1 {
			bad("channel_mults[%d] = %d must be at least 1", i, m)
		} else if ch%c.Groups != 0 {
			bad("level %d has %d channels, not a multiple of groups %d", i, ch, c.Groups)
		}
	}
	if c.BaseChannels%c.Groups != 0 {
		bad("base_channels %d is not a multiple of groups %d", c.BaseChannels, c.Groups)
	}
	res := map[int]bool{}
	for l := range c.ChannelMults {
		res[c.ImageSize>>l] = true
	}
	for _, r := range c.AttentionResolutions {
		if !res[r] {
			bad("attention resolution %d is not a feature-map size of this network (%v)", r, sortedKeys(res))
		}
	}
	for l, m := range c.ChannelMults {
		ch := c.BaseChannels * m
		if c.attentionAt(c.ImageSize>>l) && ch%c.AttentionHeads != 0 {
			bad("level %d has %d channels, not a multiple of attention_heads %d", l, ch, c.AttentionHeads)
		}
	}
	if mid := c.BaseChannels * c.ChannelMults[len(c.ChannelMults)-1]; mid%c.AttentionHeads != 0 {
		bad("the middle block has %d channels, not a multiple of attention_heads %d", mid, c.AttentionHeads)
	}
	return errors.Join(errs...)
}

func (c Config) attentionAt(res int) bool {
	for _, r := range c.AttentionResolutions {
		if r == res {
			return true
		}
	}
	return false
}

// embedChannels is the width of the noise embedding after the MLP.
func (c Config) embedChannels() int { return 4 * c.BaseChannels }

func sortedKeys(m map[int]bool) []int {
	var ks []int
	for k := range m {
		ks = append(ks, k)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ks)))
	return ks
}
