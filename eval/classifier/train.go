package classifier

import (
	"fmt"
	"math"

	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/nn"
)

// TrainOptions configure Train.
type TrainOptions struct {
	// Steps of Batch images each.
	Steps, Batch int
	// LR is Adam's peak learning rate; it decays to zero along a cosine
	// over the run.
	LR   float64
	Seed uint64
	// Flip mirrors training images at random (CIFAR-10).
	Flip bool
	// LogEvery steps, Log (if set) gets the step and the mean loss of the
	// steps since the last call. Reading the loss waits for the device.
	LogEvery int
	Log      func(step int, loss float64)
}

// DefaultTrainOptions trains for epochs passes over n images.
func DefaultTrainOptions(n int, epochs float64) TrainOptions {
	const batch = 64
	return TrainOptions{Steps: max(1, int(math.Ceil(epochs*float64(n)/batch))), Batch: batch, LR: 2e-3, Seed: 1, LogEvery: 100}
}

// Train fits the network to the labeled dataset ds with Adam on the
// softmax cross-entropy. It returns the mean loss of each logging window.
func Train(net *Net, ds *data.Dataset, opt TrainOptions) ([]float64, error) {
	e, c := net.e, net.Config
	if err := checkImages(c, ds); err != nil {
		return nil, err
	}
	if opt.Steps < 1 || opt.Batch < 1 || !(opt.LR > 0) {
		return nil, fmt.Errorf("classifier: training needs positive steps, batch and learning rate (got %d, %d, %v)", opt.Steps, opt.Batch, opt.LR)
	}
	if opt.LogEvery < 1 {
		opt.LogEvery = opt.Steps
	}
	adamCfg := nn.AdamConfig{LR: opt.LR, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	adam, err := e.NewAdam(adamCfg, net.Tensors())
	if err != nil {
		return nil, err
	}
	defer func() {
		for i := range adam.M {
			adam.M[i].Free()
			adam.V[i].Free()
		}
		adam.GradScale.Free()
	}()
	batcher, err := data.NewBatcher(ds, data.BatchOptions{Size: opt.Batch, Seed: opt.Seed, Flip: opt.Flip})
	if err != nil {
		return nil, err
	}
	// The window's losses are summed on the device, so logging reads one
	// number instead of waiting on every step.
	window := e.Persistent(1)
	defer window.Free()
	images := make([]float32, opt.Batch*ds.ImageElements())
	labels := make([]float32, opt.Batch)
	var losses []float64
	inWindow := 0
	for step := 1; step <= opt.Steps; step++ {
		b, err := batcher.Next(images)
		if err != nil {
			return nil, err
		}
		for k, i := range b.Index {
			labels[k] = float32(ds.Label(i))
		}
		adam.Config.LR = opt.LR * 0.5 * (1 + math.Cos(math.Pi*float64(step-1)/float64(opt.Steps)))
		x := e.FromData(images, opt.Batch, c.Channels, c.ImageSize, c.ImageSize)
		_, logits := net.Forward(x)
		loss := e.SoftmaxCrossEntropy(logits, e.FromData(labels, opt.Batch))
		e.NoGrad(func() { e.CopyInto(window, e.Add(window.Detach(), loss.Detach())) })
		if err := e.Backward(loss); err != nil {
			return nil, fmt.Errorf("classifier step %d: %w", step, err)
		}
		adam.Step()
		e.Release()
		inWindow++
		if step%opt.LogEvery == 0 || step == opt.Steps {
			v, err := window.Download()
			if err != nil {
				return nil, err
			}
			mean := float64(v[0]) / float64(inWindow)
			if math.IsNaN(mean) || math.IsInf(mean, 0) {
				return nil, fmt.Errorf("classifier step %d: the loss is %v; lower the learning rate", step, mean)
			}
			losses = append(losses, mean)
			if opt.Log != nil {
				opt.Log(step, mean)
			}
			window.Fill(0)
			inWindow = 0
		}
	}
	return losses, e.Wait()
}

// checkImages fails unless ds is labeled and holds the images c reads.
func checkImages(c Config, ds *data.Dataset) error {
	ch, h, w := ds.Shape()
	if ch != c.Channels || h != c.ImageSize || w != c.ImageSize {
		return fmt.Errorf("classifier %s reads %dx%dx%d images; %s has %dx%dx%d", c.Key(), c.Channels, c.ImageSize, c.ImageSize, ds.Name(), ch, h, w)
	}
	if !ds.HasLabels() || ds.Classes() != c.Classes {
		return fmt.Errorf("classifier %s needs %d class labels; %s has %d", c.Key(), c.Classes, ds.Name(), ds.Classes())
	}
	return nil
}

// Accuracy is the fraction of ds's images whose predicted class is their
// label.
func Accuracy(net *Net, ds *data.Dataset) (float64, error) {
	if err := checkImages(net.Config, ds); err != nil {
		return 0, err
	}
	out, err := net.Run(ds.Pixels(), ds.N(), false)
	if err != nil {
		return 0, err
	}
	right := 0
	for i, p := range out.Predicted() {
		if p == ds.Label(i) {
			right++
		}
	}
	return float64(right) / float64(ds.N()), nil
}
