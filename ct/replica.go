package ct

import (
	"errors"
	"fmt"
	"time"
)

// Replica places a trainer among Size data-parallel replicas of one run
// (package ct/dist runs them, on several devices of a process or over
// MPI). Replica r trains on samples [r B/Size, (r+1) B/Size) of each
// step's batch of B, with the noise indices, noise z and dropout masks
// those samples have in a one-device run: every replica draws the whole
// batch's indices from the same keyed stream and keys z and the masks by
// the sample's place in the whole batch. Each replica scales its loss by
// its share of the batch, and Reduce sums the gradients and the loss
// over the replicas before the optimizer step, so Size replicas at batch
// B take the step one device takes at B, up to the order of float32
// sums. The sums of the gradients start, bucket by bucket, while the
// backward pass is still recorded (gradBuckets); the optimizer, the EMAs
// and the teacher then follow identically on every replica.
type Replica struct {
	Rank, Size int
	// Reduce sums over the replicas; it may be nil when Size is 1.
	Reduce Reducer
}

// Reducer sums float32 buffers over the replicas of a run.
type Reducer interface {
	// AllReduceSum replaces buf, on every replica, by the elementwise
	// sum of every replica's buf; every replica gets the same values.
	AllReduceSum(buf []float32) error
}

// check names what is wrong with the replica for a batch of b.
func (r Replica) check(b int) error {
	switch {
	case r.Size < 1:
		return fmt.Errorf("ct: %d replicas: want at least 1", r.Size)
	case r.Rank < 0 || r.Rank >= r.Size:
		return fmt.Errorf("ct: replica %d of %d: want a rank from 0 to %d", r.Rank, r.Size, r.Size-1)
	case b%r.Size != 0:
		return fmt.Errorf("ct: the batch %d does not divide among %d replicas: use a batch that is a multiple of %d", b, r.Size, r.Size)
	case r.Size > 1 && r.Reduce == nil:
		return errors.New("ct: a replica of several needs a Reducer")
	}
	return nil
}

// share is the replica's samples [from, to) of a batch of b.
func (r Replica) share(b int) (from, to int) {
	if r.Size <= 1 {
		return 0, b
	}
	n := b / r.Size
	return r.Rank * n, (r.Rank + 1) * n
}

// Replica says where the trainer stands among the replicas of its run.
func (t *Trainer) Replica() Replica { return t.replica }

// uploadShare uploads the replica's share of the whole batch.
func (t *Trainer) uploadShare(batch []float32) error {
	b := t.Run.Recipe.BatchSize
	if len(batch)%b != 0 || len(batch)/b != t.x.Len()/t.x.Shape()[0] {
		return fmt.Errorf("ct: a batch of %d values, want %d images of %d", len(batch), b, t.x.Len()/t.x.Shape()[0])
	}
	per := len(batch) / b
	from, to := t.replica.share(b)
	t.x.Upload(batch[from*per : to*per])
	return t.E.Err()
}

// ReduceTime is the time this replica's steps waited for the sums of
// their gradients after their own device work was done: the
// communication the overlap with the backward pass did not hide, waits
// for slower replicas included.
func (t *Trainer) ReduceTime() time.Duration { return t.ReduceStats().Exposed }

// ReduceStats say how this replica's steps summed their gradients with
// the other replicas' (zero alone).
func (t *Trainer) ReduceStats() ReduceStats {
	if t.buckets == nil {
		return ReduceStats{}
	}
	return t.buckets.totals()
}

// RequestStop asks the run to stop after the next step. Replicas in
// other processes (MPI) learn of it with that step's sums, so that all of
// them stop after the same step however the signal reached them: after
// the step, StopAgreed is true on every replica.
func (t *Trainer) RequestStop() { t.stopRequested = true }

// StopAgreed reports whether some replica (this one, alone) asked in the
// last step to stop after it (RequestStop).
func (t *Trainer) StopAgreed() bool { return t.stopAgreed }
