package ct

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ictvk/ictvk/nn"
	"github.com/ictvk/ictvk/vk"
)

// Bucket sizes (Run.BucketBytes 0): about an eighth of the gradients, so
// that the sums of all buckets but the last can overlap the backward
// pass, within bounds. Below 64 KiB a bucket's fixed costs (a submit, a
// collective's latency: tens of microseconds each) outweigh what it
// hides; above 25 MiB, PyTorch DDP's default, a bucket is large enough
// that more buckets gain little.
const (
	minBucketBytes = 64 << 10
	maxBucketBytes = 25 << 20
)

// bucketBytes is the size at which a bucket closes, for gradients of
// total bytes.
func bucketBytes(run Run, total int) int {
	if run.BucketBytes > 0 {
		return run.BucketBytes
	}
	return min(max(total/8, minBucketBytes), maxBucketBytes)
}

// gradBuckets sums a replica's gradients with the other replicas' while
// the last pass's backward is still being recorded. Gradients go into
// buckets in the order the backward finishes them (nn's
// BackwardReporting); a full bucket is packed into host memory, its
// recorded work submitted, and a goroutine waits for that submission,
// sums the bucket over the replicas in place and takes the next. Every
// replica makes the same buckets in the same order (the same network,
// the same tape), so their collectives match. After the backward, the
// rest of the gradients and the step's loss form a last bucket; the
// trainer waits for the sums and unpacks them.
type gradBuckets struct {
	e        *nn.Engine
	reduce   Reducer
	rep      Replica
	capBytes int
	params   []*nn.Tensor // the student's, whose gradients are summed
	isParam  map[*nn.Tensor]bool
	hosts    []*nn.Tensor // bucket i's host memory, kept from step to step

	// The step's state, while a backward is recorded.
	open     []*nn.Tensor // gradients of the bucket being filled
	openLen  int
	reported map[*nn.Tensor]bool
	sent     []*bucket
	queue    chan *bucket
	finished chan error
	recorded atomic.Bool // the backward is recorded: later sums are not overlapped
	err      error       // a submit failed

	// Totals over the steps (Trainer.ReduceStats).
	stats     ReduceStats
	commNanos atomic.Int64
	early     atomic.Int64
}

// bucket is one all-reduce of a step.
type bucket struct {
	grads []*nn.Tensor
	host  *nn.Tensor // one value more than grads in the last bucket: the stop vote
	sub   *vk.Submission
	began time.Time // when its all-reduce began
	// vote, in the last bucket, is 1 when this replica asks the run to
	// stop after the step (Trainer.RequestStop), else 0.
	vote float32
	last bool
}

// ReduceStats say how a replica's steps summed their gradients with the
// other replicas'.
type ReduceStats struct {
	Steps   int
	Buckets int // all-reduces over the steps
	// Overlapped counts the buckets whose all-reduce began before this
	// replica's device had done the step's backward pass; Recording,
	// those of them that began before it was even fully recorded.
	Overlapped, Recording int
	// Comm is the time the all-reduces took (waits for slower replicas
	// included), wherever they ran; Exposed is the part of the steps
	// spent waiting for sums after this replica's own device work was
	// done: what the overlap did not hide.
	Comm, Exposed time.Duration
}

func newGradBuckets(e *nn.Engine, run Run, rep Replica, params []*nn.Tensor) *gradBuckets {
	total := 0
	for _, p := range params {
		total += 4 * p.Len()
	}
	g := &gradBuckets{e: e, reduce: rep.Reduce, rep: rep, capBytes: bucketBytes(run, total), params: params, isParam: map[*nn.Tensor]bool{}}
	for _, p := range params {
		g.isParam[p] = true
	}
	return g
}

// start begins a step's buckets, before the last pass's backward.
func (g *gradBuckets) start() {
	g.open, g.openLen, g.sent = g.open[:0], 0, g.sent[:0]
	g.reported = make(map[*nn.Tensor]bool, len(g.params))
	g.queue = make(chan *bucket, len(g.params)+1) // never more buckets than gradients + the loss
	g.finished = make(chan error, 1)
	g.recorded.Store(false)
	g.err = nil
	go g.sum(g.queue, g.finished)
}

// ready takes parameters whose gradients are final (BackwardReporting).
func (g *gradBuckets) ready(params []*nn.Tensor) {
	for _, p := range params {
		if g.reported[p] || !g.isParam[p] || g.err != nil {
			continue
		}
		g.reported[p] = true
		g.open = append(g.open, p.Grad())
		g.openLen += p.Len()
		if 4*g.openLen >= g.capBytes {
			g.send(false, 0)
		}
	}
}

// send packs the open bucket into its host memory and hands it to the
// summing goroutine once the device has it. The last bucket of a step
// carries the stop vote in a value of its own after the gradients.
func (g *gradBuckets) send(last bool, vote float32) {
	e := g.e
	i, n := len(g.sent), g.openLen
	if last {
		n++
	}
	if i == len(g.hosts) {
		g.hosts = append(g.hosts, nil)
	}
	if h := g.hosts[i]; h == nil || h.Len() != n {
		if h != nil {
			h.Free()
		}
		g.hosts[i] = e.PersistentHost(n)
	}
	b := &bucket{grads: append([]*nn.Tensor(nil), g.open...), host: g.hosts[i], vote: vote, last: last}
	packed := b.host
	if last {
		packed = b.host.Slice(0, g.openLen) // offset 0: a view
	}
	g.open, g.openLen = g.open[:0], 0
	e.Pack(packed, b.grads)
	if g.err = e.Err(); g.err != nil {
		return
	}
	sub, err := e.S.Submit()
	if err != nil {
		g.err = err
		return
	}
	b.sub = sub
	g.sent = append(g.sent, b)
	g.queue <- b
}

// sum is the goroutine that sums the buckets in order; after a failure
// it only drains the queue.
func (g *gradBuckets) sum(queue <-chan *bucket, finished chan<- error) {
	var err error
	for b := range queue {
		if err != nil {
			continue
		}
		if err = b.sub.Wait(); err != nil {
			continue
		}
		if !g.recorded.Load() {
			g.early.Add(1)
		}
		sums := b.host.Mapped()
		if b.last {
			sums[len(sums)-1] = b.vote // the device wrote only the values before it
		}
		b.began = time.Now()
		err = g.reduce.AllReduceSum(sums)
		g.commNanos.Add(int64(time.Since(b.began)))
	}
	finished <- err
}

// finish records the last bucket (the gradients not yet sent, the loss
// and the stop vote), waits for every sum and records unpacking them
// into the gradients and the loss. It returns how many replicas voted
// to stop after this step.
func (g *gradBuckets) finish(loss *nn.Tensor, vote bool) (votes int, err error) {
	e := g.e
	g.recorded.Store(true)
	g.open = append(g.open, loss)
	g.openLen += loss.Len()
	for _, p := range g.params {
		if !g.reported[p] { // the loss does not depend on it: its gradient still counts
			g.open = append(g.open, p.Grad())
			g.openLen += p.Len()
		}
	}
	if g.err == nil {
		v := float32(0)
		if vote {
			v = 1
		}
		g.send(true, v)
	}
	err = g.err
	close(g.queue)
	if err == nil {
		// The device's own work first: what the step waits for after it
		// is communication that was not hidden.
		err = g.sent[len(g.sent)-1].sub.Wait()
	}
	waited := time.Now()
	if cerr := <-g.finished; err == nil && cerr != nil {
		err = fmt.Errorf("ct: summing the gradients of replica %d of %d: %w", g.rep.Rank, g.rep.Size, cerr)
	}
	g.stats.Exposed += time.Since(waited)
	for _, b := range g.sent[:max(len(g.sent)-1, 0)] { // the last waits for the device's last work
		if !b.began.IsZero() && b.began.Before(waited) {
			g.stats.Overlapped++
		}
	}
	var errs []error
	for _, b := range g.sent {
		errs = append(errs, b.sub.Release())
	}
	if err == nil {
		err = errors.Join(errs...)
	}
	g.stats.Steps++
	g.stats.Buckets += len(g.sent)
	g.queue = nil
	if err != nil {
		return 0, err
	}
	for _, b := range g.sent {
		if b.last {
			sums := b.host.Mapped()
			votes = int(sums[len(sums)-1])
			e.Unpack(b.grads, b.host.Slice(0, b.host.Len()-1))
		} else {
			e.Unpack(b.grads, b.host)
		}
	}
	return votes, e.Err()
}

// abandon ends a step that failed while its buckets were being recorded:
// the goroutine finishes what it was given.
func (g *gradBuckets) abandon() {
	if g.queue == nil {
		return
	}
	close(g.queue)
	<-g.finished
	for _, b := range g.sent {
		b.sub.Release()
	}
	g.queue = nil
}

// totals reports the stats so far.
func (g *gradBuckets) totals() ReduceStats {
	s := g.stats
	s.Comm = time.Duration(g.commNanos.Load())
	s.Recording = int(g.early.Load())
	return s
}
