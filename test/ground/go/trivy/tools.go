//go:build tools

// Package tools pins the trivy command so `go build` can build it from the module proxy.
package tools

import _ "github.com/aquasecurity/trivy/cmd/trivy"
