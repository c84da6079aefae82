package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/dist"
	"github.com/ictvk/ictvk/nn"
)

// 'ict train --devices 0,1' trains one replica of the run on each device
// (package ct/dist): replica 0, on the first device listed, writes the
// run folder and feeds the window; the others only train.

// parseDevices reads --devices: device indices separated by commas.
func parseDevices(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || v < 0 {
			return nil, fmt.Errorf("--devices %q: want device indices from 'ict devices' separated by commas, e.g. 0,1", s)
		}
		out = append(out, v)
	}
	return out, nil
}

// openEngines opens the engine of each device --devices lists (or the
// one opt names when it is empty), refusing a batch that does not
// divide among them and a device too small for its share.
func openEngines(opt nn.Options, devices string, run ct.Run, ranks int) (engines []*nn.Engine, err error) {
	indices := []int{opt.Device.Device}
	if devices != "" {
		if indices, err = parseDevices(devices); err != nil {
			return nil, err
		}
		if b := run.Recipe.BatchSize; b%len(indices) != 0 {
			return nil, fmt.Errorf("--devices %s: the batch %d does not divide among %d devices; give a --batch that is a multiple of %d", devices, b, len(indices), len(indices))
		}
	}
	defer func() {
		if err != nil {
			closeEngines(engines)
			engines = nil
		}
	}()
	share := run
	share.Recipe.BatchSize /= len(indices) * ranks
	for i, idx := range indices {
		o := opt
		o.Device.Device = idx
		if i > 0 { // only replica 0 presents to the window
			o.Device.InstanceExtensions, o.Device.Present = nil, false
		}
		e, err := nn.NewEngine(o)
		if err != nil {
			if devices != "" {
				return engines, fmt.Errorf("--devices %s: device %d: %w", devices, idx, err)
			}
			return engines, err
		}
		engines = append(engines, e)
		if err := checkDeviceRoom(e, share); err != nil {
			return engines, err
		}
	}
	return engines, nil
}

func closeEngines(engines []*nn.Engine) {
	for i := len(engines) - 1; i >= 0; i-- {
		engines[i].Close()
	}
}

// newTrainers builds the run's trainer (this rank's replica under MPI),
// or with several engines a group of replicas whose first is the trainer
// the run's observers see.
func newTrainers(engines []*nn.Engine, run ct.Run, world *mpiWorld) (*ct.Trainer, *dist.Group, error) {
	if v := os.Getenv("ICT_BUCKET_KIB"); v != "" && (world != nil || len(engines) > 1) {
		kib, err := strconv.Atoi(v)
		if err != nil || kib <= 0 {
			return nil, nil, fmt.Errorf("ICT_BUCKET_KIB=%q: want the KiB of gradients each all-reduce sums, e.g. 1024", v)
		}
		run.BucketBytes = kib << 10
	}
	if world != nil {
		tr, err := ct.NewReplica(engines[0], run, ct.Replica{Rank: world.Rank(), Size: world.Size(), Reduce: world})
		return tr, nil, err
	}
	if len(engines) == 1 {
		tr, err := ct.NewTrainer(engines[0], run)
		return tr, nil, err
	}
	g, err := dist.NewGroup(engines, run)
	if err != nil {
		return nil, nil, err
	}
	return g.Trainers[0], g, nil
}

// deviceNames names the engines' devices for the run's first line.
func deviceNames(engines []*nn.Engine) string {
	if len(engines) == 1 {
		return engines[0].Dev.Info.Name
	}
	names := make([]string, len(engines))
	for i, e := range engines {
		names[i] = e.Dev.Info.Name
	}
	return fmt.Sprintf("%d devices (%s)", len(engines), strings.Join(names, ", "))
}
