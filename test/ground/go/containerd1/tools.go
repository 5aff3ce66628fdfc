//go:build tools

// Package tools pins the containerd 1.x commands (module github.com/containerd/containerd) the test
// ground runs on private instances: the daemon, its runc shim and ctr.
package tools

import (
	_ "github.com/containerd/containerd/cmd/containerd"
	_ "github.com/containerd/containerd/cmd/containerd-shim-runc-v2"
	_ "github.com/containerd/containerd/cmd/ctr"
)
