// Package kern launches the GEMM-family compute kernels.
package kern
