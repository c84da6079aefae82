package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/ct/data"
	"github.com/ictvk/ictvk/ct/dist"
	"github.com/ictvk/ictvk/ct/loop"
	"github.com/ictvk/ictvk/vk"
)

// 'mpirun -np R ict train ...' (or srun) trains one replica per process
// over MPI (dist.MPI, in binaries built with 'make mpi'): rank 0 writes
// the run folder and prints; the other ranks train, silent, and read the
// folder only to resume.

// mpiWorld is this process's place in an MPI job; nil outside one. Its
// methods do nothing on nil.
type mpiWorld struct{ *dist.MPI }

// launchedByMPI says whether mpirun or Slurm started this process as a
// rank of several, and how many.
func launchedByMPI() (size int, ok bool) {
	for _, v := range []string{"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE", "SLURM_NTASKS"} {
		if n, err := strconv.Atoi(os.Getenv(v)); err == nil && n > 1 {
			return n, true
		}
	}
	return 1, false
}

// localRank is the process's rank on its node, where mpirun or Slurm
// says it.
func localRank() (int, bool) {
	for _, v := range []string{"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"} {
		if n, err := strconv.Atoi(os.Getenv(v)); err == nil && n >= 0 {
			return n, true
		}
	}
	return 0, false
}

// joinWorld joins the MPI job this process is a rank of, if any, and
// picks its device: --device or ICT_DEVICE where given, else the node's
// devices in turn by local rank.
func joinWorld(f trainFlags, devOpt *vk.Options) (*mpiWorld, error) {
	n, ok := launchedByMPI()
	if !ok {
		return nil, nil
	}
	m, err := dist.InitMPI()
	if err != nil {
		return nil, fmt.Errorf("running as one of %d ranks: %w", n, err)
	}
	if v := os.Getenv("ICT_MPI_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("ICT_MPI_TIMEOUT=%q: want how long a rank waits for the others, e.g. 10m", v)
		}
		m.Timeout = d
	}
	w := &mpiWorld{m}
	switch {
	case f.devices != "":
		return nil, w.fail(fmt.Errorf("--devices %s under MPI: each rank trains on one device (--device, or its local rank's)", f.devices))
	case f.budget > 0:
		return nil, w.fail(fmt.Errorf("--budget %v under MPI: each rank would fit the run to its own clock; give --total", f.budget))
	case f.view:
		return nil, w.fail(errors.New("--view under MPI: not supported; train on one process to watch"))
	}
	if devOpt.Device < 0 {
		if lr, ok := localRank(); ok {
			devs, _, err := vk.ListDevices(*devOpt)
			if err != nil {
				return nil, w.fail(err)
			}
			devOpt.Device = lr % len(devs)
		}
	}
	return w, nil
}

// fail ends the job for a rank that cannot take part: its error.
func (w *mpiWorld) fail(err error) error {
	return fmt.Errorf("rank %d of %d: %w", w.Rank(), w.Size(), err)
}

// end finalizes MPI after this rank's run: when it succeeded, or a
// signal stopped every rank after the same step (loop.AgreeStop), with
// every other rank once rank 0 has written its checkpoint; when it
// failed, it returns the error naming the rank, and the process's
// non-zero exit makes mpirun end the other ranks.
func (w *mpiWorld) end(err error) error {
	var in *loop.Interrupted
	switch {
	case err == nil:
		return w.Finalize()
	case errors.As(err, &in):
		if ferr := w.Barrier(); ferr != nil {
			return w.fail(errors.Join(err, ferr))
		}
		if ferr := w.Finalize(); ferr != nil {
			return w.fail(errors.Join(err, ferr))
		}
		return w.fail(err)
	}
	return w.fail(err)
}

func (w *mpiWorld) size() int {
	if w == nil {
		return 1
	}
	return w.Size()
}

func (w *mpiWorld) barrier() error {
	if w == nil {
		return nil
	}
	return w.Barrier()
}

// stopSignals are the signals that stop a run after a step, with a
// checkpoint. Under MPI also SIGUSR1: mpirun turns a Ctrl-C into SIGTERM
// and SIGKILL for every rank, but passes SIGUSR1 on to every rank, so
// 'kill -USR1 <mpirun>' stops a job gracefully.
func (w *mpiWorld) stopSignals() []os.Signal {
	if w == nil {
		return []os.Signal{os.Interrupt, syscall.SIGTERM}
	}
	return []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGUSR1}
}

// checkBatch refuses a batch that does not divide among the ranks.
func (w *mpiWorld) checkBatch(b int) error {
	if w == nil || b%w.Size() == 0 {
		return nil
	}
	return fmt.Errorf("mpirun -np %d: the batch %d does not divide among %d ranks; give a --batch that is a multiple of %d", w.Size(), b, w.Size(), w.Size())
}

// follow is the run of a rank other than 0: once rank 0 has set the
// folder up, it restores the checkpoint (the same as rank 0's, read only)
// and trains its replica, writing nothing.
func (w *mpiWorld) follow(plan runPlan, tr *ct.Trainer, batcher *data.Batcher) error {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, w.stopSignals()...)
	defer signal.Stop(stop)
	if err := w.Barrier(); err != nil { // every rank has planned the run
		return err
	}
	if err := w.Barrier(); err != nil { // rank 0 has opened the folder
		return err
	}
	if plan.fromCheckpoint {
		if err := plan.folder.LoadCheckpoint(tr, batcher); err != nil {
			return err
		}
	}
	if err := w.agree(tr); err != nil {
		return err
	}
	l := loop.Loop{Trainer: tr, Data: batcher, Stop: stop, AgreeStop: true}
	return l.Run()
}

// agree checks that every rank starts from rank 0's state: the step, the
// run's length and the student's weights (their sum). A rank that read
// another folder (a node without the shared file system) would otherwise
// train other steps and wait at the end for all-reduces that never come.
func (w *mpiWorld) agree(tr *ct.Trainer) error {
	if w == nil {
		return nil
	}
	sum := 0.0
	for _, p := range tr.Student.Tensors() {
		v, err := p.Download()
		if err != nil {
			return err
		}
		for _, x := range v {
			sum += float64(x)
		}
	}
	own := []float32{float32(tr.Step), float32(tr.Run.Recipe.TotalIters), float32(sum)}
	root := append([]float32(nil), own...)
	if err := w.Broadcast(root, 0); err != nil {
		return err
	}
	differ := []float32{0}
	for i := range own {
		if own[i] != root[i] {
			differ[0] = 1
		}
	}
	if err := w.AllReduceSum(differ); err != nil {
		return err
	}
	if differ[0] > 0 {
		return fmt.Errorf("%d rank(s) do not start from rank 0's state (this rank: step %v of %v, weights summing to %v; rank 0: step %v of %v, %v): every rank must see the same run folder (a shared file system)",
			int(differ[0]), own[0], own[1], own[2], root[0], root[1], root[2])
	}
	return nil
}
