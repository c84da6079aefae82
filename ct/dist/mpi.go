//go:build mpi

package dist

/*
#cgo pkg-config: ompi-c
#include <mpi.h>
#include <stdlib.h>

static int ict_mpi_init(int *provided) {
	int r = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, provided);
	if (r == MPI_SUCCESS) MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	return r;
}
static int ict_funneled(int provided) { return provided >= MPI_THREAD_FUNNELED; }
static int ict_rank(int *r) { return MPI_Comm_rank(MPI_COMM_WORLD, r); }
static int ict_size(int *s) { return MPI_Comm_size(MPI_COMM_WORLD, s); }
static int ict_iallreduce_sum(float *buf, int n, MPI_Request *req) {
	return MPI_Iallreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, req);
}
static int ict_ibcast(float *buf, int n, int root, MPI_Request *req) {
	return MPI_Ibcast(buf, n, MPI_FLOAT, root, MPI_COMM_WORLD, req);
}
static int ict_ibarrier(MPI_Request *req) { return MPI_Ibarrier(MPI_COMM_WORLD, req); }
static int ict_test(MPI_Request *req, int *done) { return MPI_Test(req, done, MPI_STATUS_IGNORE); }
static int ict_finalize(void) { return MPI_Finalize(); }
static void ict_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
static void ict_error_string(int code, char *buf, int n) {
	int len = 0;
	if (MPI_Error_string(code, buf, &len) != MPI_SUCCESS || len >= n) buf[0] = 0;
	else buf[len] = 0;
}
*/
import "C"

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// MPIBuilt says whether this binary has the MPI transport (build tag mpi).
const MPIBuilt = true

// MPI is the transport across processes: MPI_COMM_WORLD of the system's
// MPI (OpenMPI). A collective is started non-blocking and polled, so that
// it gives up with an error when it has not completed within Timeout (a
// rank hangs) or when the process is told to terminate while it waits
// (mpirun terminates every rank when one dies).
//
// Every MPI call runs on one goroutine locked to the OS thread that
// initialized MPI. Go moves goroutines between threads, and the trainer
// calls AllReduceSum from its summing goroutine while other calls come
// from the main one: routed through that thread, MPI only ever sees its
// main thread (MPI_THREAD_FUNNELED, which every MPI provides), and
// MPI_Finalize runs on the thread that called MPI_Init_thread, as the
// standard requires. The thread takes one call at a time.
type MPI struct {
	rank, size int
	// Timeout bounds each collective; 0 waits for ever.
	Timeout time.Duration
	term    chan os.Signal
	calls   chan func() // run on MPI's thread
	aborts  chan int    // Abort while a collective is polled
	buf     *C.float    // C memory the collectives work in
	bufLen  int
}

var mpiOnce struct {
	sync.Once
	m   *MPI
	err error
}

// InitMPI initializes MPI once per process, on a thread of its own, and
// returns the world.
func InitMPI() (*MPI, error) {
	mpiOnce.Do(func() {
		m := &MPI{Timeout: 10 * time.Minute, term: make(chan os.Signal, 1), calls: make(chan func()), aborts: make(chan int, 1)}
		initialized := make(chan error)
		go func() {
			runtime.LockOSThread() // never unlocked: MPI's thread until the process ends
			var provided C.int
			if r := C.ict_mpi_init(&provided); r != C.MPI_SUCCESS {
				initialized <- fmt.Errorf("dist: MPI_Init_thread: %s", mpiError(r))
				return
			}
			if C.ict_funneled(provided) == 0 {
				initialized <- fmt.Errorf("dist: this MPI gives thread level %d, below MPI_THREAD_FUNNELED", int(provided))
				return
			}
			var rank, size C.int
			C.ict_rank(&rank)
			C.ict_size(&size)
			m.rank, m.size = int(rank), int(size)
			initialized <- nil
			for f := range m.calls {
				f()
			}
		}()
		if mpiOnce.err = <-initialized; mpiOnce.err != nil {
			return
		}
		signal.Notify(m.term, syscall.SIGTERM)
		mpiOnce.m = m
	})
	return mpiOnce.m, mpiOnce.err
}

// do runs f on MPI's thread and returns when it has.
func (m *MPI) do(f func()) {
	done := make(chan struct{})
	m.calls <- func() {
		defer close(done)
		f()
	}
	<-done
}

func mpiError(code C.int) string {
	var buf [512]C.char
	C.ict_error_string(code, &buf[0], C.int(len(buf)))
	if s := C.GoString(&buf[0]); s != "" {
		return s
	}
	return fmt.Sprintf("MPI error %d", int(code))
}

func (m *MPI) Rank() int { return m.rank }
func (m *MPI) Size() int { return m.size }

// staging returns C memory for n floats.
func (m *MPI) staging(n int) *C.float {
	if m.buf == nil || n > m.bufLen {
		if m.buf != nil {
			C.free(unsafe.Pointer(m.buf))
		}
		m.buf = (*C.float)(C.malloc(C.size_t(4 * max(n, 1))))
		m.bufLen = n
	}
	return m.buf
}

// run starts a collective on the staging buffer holding buf, waits for
// it, and copies the result back into buf, on MPI's thread.
func (m *MPI) run(what string, buf []float32, start func(p *C.float, n C.int, req *C.MPI_Request) C.int) (err error) {
	m.do(func() { err = m.collective(what, buf, start) })
	return err
}

func (m *MPI) collective(what string, buf []float32, start func(p *C.float, n C.int, req *C.MPI_Request) C.int) error {
	p := m.staging(len(buf))
	c := unsafe.Slice((*float32)(unsafe.Pointer(p)), max(len(buf), 1))
	copy(c, buf)
	var req C.MPI_Request
	if r := start(p, C.int(len(buf)), &req); r != C.MPI_SUCCESS {
		return fmt.Errorf("dist: rank %d of %d: %s: %s", m.rank, m.size, what, mpiError(r))
	}
	began := time.Now()
	pause := time.Microsecond
	for {
		var done C.int
		if r := C.ict_test(&req, &done); r != C.MPI_SUCCESS {
			return fmt.Errorf("dist: rank %d of %d: %s: %s", m.rank, m.size, what, mpiError(r))
		}
		if done != 0 {
			copy(buf, c)
			return nil
		}
		select {
		case sig := <-m.term:
			return fmt.Errorf("dist: rank %d of %d: %v while waiting for the other ranks in %s: another rank has died (mpirun then ends the others) or the job was cancelled", m.rank, m.size, sig, what)
		case code := <-m.aborts:
			C.ict_abort(C.int(code))
		default:
		}
		if waited := time.Since(began); m.Timeout > 0 && waited > m.Timeout {
			return fmt.Errorf("dist: rank %d of %d: %s did not complete within %v: another rank has died or hangs (ICT_MPI_TIMEOUT sets the limit)", m.rank, m.size, what, m.Timeout)
		}
		time.Sleep(pause)
		pause = min(2*pause, time.Millisecond)
	}
}

// AllReduceSum sums buf over the ranks.
func (m *MPI) AllReduceSum(buf []float32) error {
	return m.run(fmt.Sprintf("an all-reduce of %d values", len(buf)), buf, func(p *C.float, n C.int, req *C.MPI_Request) C.int {
		return C.ict_iallreduce_sum(p, n, req)
	})
}

// Broadcast copies root's buf to every rank.
func (m *MPI) Broadcast(buf []float32, root int) error {
	if root < 0 || root >= m.size {
		return fmt.Errorf("dist: broadcast from rank %d of %d", root, m.size)
	}
	return m.run(fmt.Sprintf("a broadcast of %d values from rank %d", len(buf), root), buf, func(p *C.float, n C.int, req *C.MPI_Request) C.int {
		return C.ict_ibcast(p, n, C.int(root), req)
	})
}

// Barrier waits for every rank.
func (m *MPI) Barrier() error {
	return m.run("a barrier", nil, func(_ *C.float, _ C.int, req *C.MPI_Request) C.int {
		return C.ict_ibarrier(req)
	})
}

// Finalize ends MPI after a run that succeeded on every rank.
func (m *MPI) Finalize() (err error) {
	signal.Stop(m.term)
	m.do(func() {
		if r := C.ict_finalize(); r != C.MPI_SUCCESS {
			err = fmt.Errorf("dist: MPI_Finalize: %s", mpiError(r))
		}
	})
	return err
}

// Abort ends every rank of the job with code: a rank that fails calls it
// so that the others do not wait for it. A collective MPI's thread is
// polling aborts at its next poll.
func (m *MPI) Abort(code int) {
	select {
	case m.aborts <- code:
	default:
	}
	m.do(func() { C.ict_abort(C.int(code)) })
}
