package ct

import (
	"fmt"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/unet"
)

// SampleChunkSize is how many images one sampling pass of net (one
// network forward under NoGrad) takes on e's device: measured from passes
// of one and two images, it keeps a pass within half the device's memory.
func SampleChunkSize(e *nn.Engine, net *unet.Net) (int, error) {
	r := DefaultRecipe()
	lent := func(b int) (uint64, error) {
		defer e.Release()
		if _, err := SampleAt(e, net, r, 0, b, r.OneStepSigmas(), 0); err != nil {
			return 0, err
		}
		return e.PoolStats().LentBytes, nil
	}
	one, err := lent(1)
	if err != nil {
		return 0, err
	}
	two, err := lent(2)
	if err != nil {
		return 0, err
	}
	per := max(two-one, 1)
	budget := e.Dev.Info.DeviceLocalBytes() / 2
	if used := e.Dev.AllocStats().InUseBytes; used < budget {
		budget -= used
	}
	if budget <= one {
		return 0, fmt.Errorf("ct: a sampling pass of one image takes %d bytes, more than the device offers", one)
	}
	return max(1, int((budget-one)/per)), nil
}
