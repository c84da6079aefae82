package ct

import (
	"testing"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/nn/unet"
	"github.com/ictvk/ictvk/vk"
)

// BenchmarkTrainStep times whole training steps of an MNIST-sized network
// (no validation layer).
func BenchmarkTrainStep(b *testing.B) {
	e, err := nn.NewEngine(nn.Options{Device: vk.Options{Device: -1, CacheDir: "off"}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	r := DefaultRecipe()
	r.BatchSize = 32
	r.TotalIters = 1000
	run := Run{Recipe: r, Seed: 1, Net: unet.Config{ImageChannels: 1, ImageSize: 32, BaseChannels: 32, ChannelMults: []int{1, 2, 2},
		BlocksPerLevel: 1, AttentionResolutions: []int{8}, AttentionHeads: 1, Dropout: 0.1, Groups: 8,
		Embedding: unet.Fourier, FourierScale: ICTFourierScale}}
	tr, err := NewTrainer(e, run)
	if err != nil {
		b.Fatal(err)
	}
	batch := batchOf(1, 32*1024)
	tr.TrainStep(batch)
	tr.LastLoss()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := tr.TrainStep(batch); err != nil {
			b.Fatal(err)
		}
		if _, err := tr.LastLoss(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(32*b.N)/b.Elapsed().Seconds(), "images/s")
	b.Logf("%d parameters", tr.Student.ParamCount())
}
