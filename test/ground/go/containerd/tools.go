//go:build tools

// Package tools pins the containerd 2.x commands (module github.com/containerd/containerd/v2) the test
// ground runs beside Debian's containerd 1.6: the daemon, its runc shim and ctr.
package tools

import (
	_ "github.com/containerd/containerd/v2/cmd/containerd"
	_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2"
	_ "github.com/containerd/containerd/v2/cmd/ctr"
)
