// Package dist trains one run on several devices: data-parallel replicas
// of the student (ct.Replica) that sum their gradients through a Comm.
//
// A Comm is the few collective operations data parallelism needs: an
// all-reduce of float32 buffers, a broadcast and a barrier. Two
// transports implement it: Local, for several Vulkan devices in one
// process (the sums go through host memory), and MPI across processes
// and machines (mpi.go, built with the build tag mpi).
//
// Group steps the replicas of one process together; a process that
// holds a single replica of an MPI run steps its ct.Trainer directly.
package dist

import (
	"errors"
	"fmt"
	"sync"

	"github.com/ictvk/ictvk/ct"
	"github.com/ictvk/ictvk/nn"
)

// Comm connects the replicas of a run.
type Comm interface {
	Rank() int
	Size() int
	// AllReduceSum replaces buf, on every rank, by the elementwise sum
	// of every rank's buf (ct.Reducer).
	AllReduceSum(buf []float32) error
	// Broadcast replaces buf on every rank by root's.
	Broadcast(buf []float32, root int) error
	// Barrier returns once every rank has called it.
	Barrier() error
}

// ErrAborted is what a collective returns on the other ranks once one
// rank has aborted the group.
var ErrAborted = errors.New("dist: another replica failed")

// Local returns the n connected Comms of n replicas in one process, one
// per goroutine. Sums are added in rank order by one of them, so every
// replica gets the same bits.
func Local(n int) []*LocalComm {
	h := &hub{slots: make([][]float32, n)}
	h.cond = sync.NewCond(&h.mu)
	cs := make([]*LocalComm, n)
	for i := range cs {
		cs[i] = &LocalComm{h: h, rank: i}
	}
	return cs
}

// LocalComm is one replica's end of Local.
type LocalComm struct {
	h    *hub
	rank int
}

// hub is where the replicas of a process meet: each collective is one
// round in which every rank puts its buffer in its slot; the last to
// arrive combines them and starts the next round.
type hub struct {
	mu      sync.Mutex
	cond    *sync.Cond
	slots   [][]float32
	arrived int
	round   uint64
	result  []float32
	err     error
}

func (c *LocalComm) Rank() int { return c.rank }
func (c *LocalComm) Size() int { return len(c.h.slots) }

// Abort makes every collective in progress or to come fail with
// ErrAborted joined with err, on every rank: a replica that failed calls
// it, so that the others stop instead of waiting for it.
func (c *LocalComm) Abort(err error) {
	h := c.h
	h.mu.Lock()
	if h.err == nil {
		h.err = fmt.Errorf("%w: replica %d: %v", ErrAborted, c.rank, err)
	}
	h.cond.Broadcast()
	h.mu.Unlock()
}

// collective runs one round: combine (on the last rank to arrive) makes
// the result from the slots, which every rank then copies into buf.
func (c *LocalComm) collective(buf []float32, combine func(slots [][]float32) ([]float32, error)) error {
	h := c.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return h.err
	}
	round := h.round
	h.slots[c.rank] = buf
	h.arrived++
	if h.arrived == len(h.slots) {
		res, err := combine(h.slots)
		if err != nil && h.err == nil {
			h.err = err
		}
		h.result = res
		h.arrived = 0
		clear(h.slots)
		h.round++
		h.cond.Broadcast()
	}
	for h.round == round && h.err == nil {
		h.cond.Wait()
	}
	if h.round == round { // aborted before the round completed
		return h.err
	}
	copy(buf, h.result)
	return nil
}

// AllReduceSum sums buf over the ranks, in rank order.
func (c *LocalComm) AllReduceSum(buf []float32) error {
	return c.collective(buf, func(slots [][]float32) ([]float32, error) {
		sum := append([]float32(nil), slots[0]...)
		for r, s := range slots[1:] {
			if len(s) != len(sum) {
				return nil, fmt.Errorf("dist: all-reduce of %d values on rank 0, %d on rank %d", len(sum), len(s), r+1)
			}
			for i, v := range s {
				sum[i] += v
			}
		}
		return sum, nil
	})
}

// Broadcast copies root's buf to every rank.
func (c *LocalComm) Broadcast(buf []float32, root int) error {
	if root < 0 || root >= c.Size() {
		return fmt.Errorf("dist: broadcast from rank %d of %d", root, c.Size())
	}
	return c.collective(buf, func(slots [][]float32) ([]float32, error) {
		for r, s := range slots {
			if len(s) != len(slots[root]) {
				return nil, fmt.Errorf("dist: broadcast of %d values from rank %d, %d on rank %d", len(slots[root]), root, len(s), r)
			}
		}
		return append([]float32(nil), slots[root]...), nil
	})
}

// Barrier waits for every rank.
func (c *LocalComm) Barrier() error {
	return c.collective(nil, func([][]float32) ([]float32, error) { return nil, nil })
}

// Group is the replicas of a run that one process holds, each on its own
// engine; Trainers[0] is replica 0, which writes the run's files.
type Group struct {
	Trainers []*ct.Trainer
	comms    []*LocalComm
}

// NewGroup builds one replica of run on each engine, connected by Local.
// The global batch must divide among them.
func NewGroup(engines []*nn.Engine, run ct.Run) (*Group, error) {
	n := len(engines)
	if n < 1 {
		return nil, errors.New("dist: a group needs at least one device")
	}
	if b := run.Recipe.BatchSize; b%n != 0 {
		return nil, fmt.Errorf("dist: the batch %d does not divide among %d devices: use a batch that is a multiple of %d", b, n, n)
	}
	g := &Group{comms: Local(n)}
	for i, e := range engines {
		tr, err := ct.NewReplica(e, run, ct.Replica{Rank: i, Size: n, Reduce: g.comms[i]})
		if err != nil {
			return nil, fmt.Errorf("replica %d on %s: %w", i, e.Dev.Info.Name, err)
		}
		g.Trainers = append(g.Trainers, tr)
	}
	return g, nil
}

// TrainStep runs a step of every replica on the whole batch, each on its
// own goroutine. A replica that fails aborts the others' all-reduce, so
// the step returns instead of waiting for it.
func (g *Group) TrainStep(batch []float32) error {
	errs := make([]error, len(g.Trainers))
	var wg sync.WaitGroup
	for i, tr := range g.Trainers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := tr.TrainStep(batch); err != nil {
				errs[i] = err
				g.comms[i].Abort(err)
			}
		}()
	}
	wg.Wait()
	// The replica that failed first says why; the others only that it did.
	var first error
	for i, err := range errs {
		if err != nil && !errors.Is(err, ErrAborted) {
			return fmt.Errorf("replica %d: %w", i, err)
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

// SetTotalIters changes the run's length on every replica.
func (g *Group) SetTotalIters(k int) error {
	for _, tr := range g.Trainers {
		if err := tr.SetTotalIters(k); err != nil {
			return err
		}
	}
	return nil
}

// Load restores a checkpoint into replicas 1 and up (replica 0 restores
// it with the data's state, as a one-device run does).
func (g *Group) Load(path string) error {
	for i, tr := range g.Trainers[1:] {
		if _, err := tr.Load(path); err != nil {
			return fmt.Errorf("replica %d: %w", i+1, err)
		}
	}
	return nil
}

// SetLossEMADecay sets every replica's loss average decay.
func (g *Group) SetLossEMADecay(d float64) {
	for _, tr := range g.Trainers {
		tr.LossEMADecay = d
	}
}
