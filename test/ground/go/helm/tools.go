//go:build tools

// Package tools pins the helm command, so the chart in deploy/helm is rendered by the real helm.
package tools

import _ "helm.sh/helm/v4/cmd/helm"
