//go:build !mpi

package dist

import (
	"errors"
	"time"
)

// MPIBuilt says whether this binary has the MPI transport (build tag mpi).
const MPIBuilt = false

// MPI is the transport across processes; this binary was built without
// it (see mpi.go).
type MPI struct {
	Comm
	Timeout time.Duration
}

// InitMPI says that this binary was built without MPI.
func InitMPI() (*MPI, error) {
	return nil, errors.New("this ict was built without MPI: build it with 'make mpi' (it needs libopenmpi-dev; 'make deps' installs it)")
}

// Finalize and Abort do nothing without MPI.
func (m *MPI) Finalize() error { return nil }
func (m *MPI) Abort(code int)  {}
