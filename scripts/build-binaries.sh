#!/usr/bin/env bash
# Builds the test ground's binaries (Kubernetes, containerd 1.7 and 2.x, trivy, the trivy DB loader, helm, pause, the OTLP sink) from the Go
# module proxy into a cache outside the checkout, once per version. A warm machine returns at once.
#
#   ERASER_TS_CACHE  cache root (default /var/cache/eraser-ts)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
source "$here/test/ground/versions.env"
cache=${ERASER_TS_CACHE:-/var/cache/eraser-ts}
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
mkdir -p "$cache"

work_copy() { # copies a Go module skeleton to a scratch dir, so the checkout stays clean
  local src=$1 dst
  dst=$(mktemp -d "$cache/build.XXXXXX")
  cp -r "$src/." "$dst/"
  echo "$dst"
}

build_kubernetes() {
  local out="$cache/kubernetes-$KUBERNETES_VERSION"
  if [[ -x "$out/kubelet" && -x "$out/kube-apiserver" && -x "$out/kube-controller-manager" && -x "$out/kube-scheduler" && -x "$out/kubectl" ]]; then return; fi
  echo "build-binaries: building Kubernetes $KUBERNETES_VERSION (cold: about 8 minutes)"
  local dir modfile minor staging
  dir=$(work_copy "$here/test/ground/go/kubernetes")
  cd "$dir"
  printf 'module eraser-ts/test-ground/kubernetes\n\ngo 1.26.0\n' > go.mod
  modfile=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  staging=$(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$modfile")
  minor=${KUBERNETES_VERSION#v1.}
  minor=${minor%%.*}
  local patch=${KUBERNETES_VERSION##*.}
  {
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    for m in $staging; do echo "replace $m => $m v0.$minor.$patch"; done
  } >> go.mod
  go mod tidy -e >/dev/null 2>&1 || go mod tidy
  local flags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  mkdir -p "$out.tmp"
  go build -ldflags "$flags" -o "$out.tmp/" k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kubectl
  rm -rf "$out" && mv "$out.tmp" "$out"
  cd "$here" && rm -rf "$dir"
}

# Builds one containerd release (its daemon, runc shim and ctr, side by side): 1.x from module
# github.com/containerd/containerd, 2.x from .../v2.
build_containerd() {
  local version=$1
  local out="$cache/containerd-$version"
  if [[ -x "$out/containerd" && -x "$out/containerd-shim-runc-v2" && -x "$out/ctr" ]]; then return; fi
  echo "build-binaries: building containerd $version (cold: about 1 minute)"
  local dir module skeleton=containerd
  if [[ $version == v1.* ]]; then module=github.com/containerd/containerd; skeleton=containerd1; else module=github.com/containerd/containerd/v2; fi
  dir=$(work_copy "$here/test/ground/go/$skeleton")
  cd "$dir"
  printf 'module eraser-ts/test-ground/containerd\n\ngo 1.26.0\n\nrequire %s %s\n' "$module" "$version" > go.mod
  go mod tidy
  mkdir -p "$out.tmp"
  # The snapshotters that need C libraries are left out: the test ground uses the native one.
  go build -tags "no_btrfs no_devmapper no_zfs" -ldflags "-s -w -X $module/version.Version=$version" \
    -o "$out.tmp/" "$module/cmd/containerd" "$module/cmd/containerd-shim-runc-v2" "$module/cmd/ctr"
  rm -rf "$out" && mv "$out.tmp" "$out"
  cd "$here" && rm -rf "$dir"
}

# The current release (a real node runs it) and each earlier one versions.env names (CONTAINERD17_VERSION ...).
build_containerds() {
  build_containerd "$CONTAINERD2_VERSION"
  local var
  for var in $(compgen -v | grep -E '^CONTAINERD[0-9]{2}_VERSION$'); do build_containerd "${!var}"; done
}

build_trivy() {
  local out="$cache/trivy-$TRIVY_VERSION"
  # Also rebuilds a binary from before the version was stamped in (it reported "Version: dev").
  if [[ -x "$out/trivy" ]] && "$out/trivy" --version 2>/dev/null | grep -qx "Version: ${TRIVY_VERSION#v}"; then return; fi
  echo "build-binaries: building trivy $TRIVY_VERSION (cold: about 6 minutes)"
  local dir
  dir=$(work_copy "$here/test/ground/go/trivy")
  cd "$dir"
  printf 'module eraser-ts/test-ground/trivy\n\ngo 1.26.3\n\nrequire github.com/aquasecurity/trivy %s\n' "$TRIVY_VERSION" > go.mod
  go mod tidy
  mkdir -p "$out.tmp"
  # trivy's release builds stamp the version without its "v" (pkg/version/app.ver).
  GOEXPERIMENT=jsonv2 go build -ldflags "-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=${TRIVY_VERSION#v}" \
    -o "$out.tmp/trivy" github.com/aquasecurity/trivy/cmd/trivy
  rm -rf "$out" && mv "$out.tmp" "$out"
  cd "$here" && rm -rf "$dir"
}

build_trivy_db_loader() {
  local out="$cache/trivydb-loader"
  if [[ -x "$out/trivydb-loader" ]]; then return; fi
  echo "build-binaries: building the offline trivy DB loader"
  local dir
  dir=$(work_copy "$here/test/ground/go/trivydb")
  cd "$dir"
  printf 'module eraser-ts/test-ground/trivydb\n\ngo 1.26.0\n' > go.mod
  go get "github.com/aquasecurity/bolt-fixtures@$BOLT_FIXTURES_VERSION" >/dev/null
  go mod tidy
  mkdir -p "$out.tmp"
  go build -ldflags "-s -w" -o "$out.tmp/trivydb-loader" .
  rm -rf "$out" && mv "$out.tmp" "$out"
  cd "$here" && rm -rf "$dir"
}

build_helm() {
  local out="$cache/helm-$HELM_VERSION"
  if [[ -x "$out/helm" ]]; then return; fi
  echo "build-binaries: building helm $HELM_VERSION (cold: about 2 minutes)"
  local dir major=${HELM_VERSION%%.*}
  dir=$(work_copy "$here/test/ground/go/helm")
  cd "$dir"
  printf 'module eraser-ts/test-ground/helm\n\ngo 1.26.0\n\nrequire helm.sh/helm/%s %s\n' "$major" "$HELM_VERSION" > go.mod
  go mod tidy
  mkdir -p "$out.tmp"
  go build -ldflags "-s -w -X helm.sh/helm/$major/internal/version.version=$HELM_VERSION" \
    -o "$out.tmp/helm" "helm.sh/helm/$major/cmd/helm"
  rm -rf "$out" && mv "$out.tmp" "$out"
  cd "$here" && rm -rf "$dir"
}

build_otlp_sink() {
  local out="$cache/otlp-sink-$OTEL_PDATA_VERSION"
  if [[ -x "$out/otlp-sink" ]]; then return; fi
  echo "build-binaries: building the OTLP sink (the OpenTelemetry Collector's pdata $OTEL_PDATA_VERSION)"
  local dir
  dir=$(work_copy "$here/test/ground/go/otlp-sink")
  cd "$dir"
  printf 'module eraser-ts/test-ground/otlp-sink\n\ngo 1.26.0\n\nrequire go.opentelemetry.io/collector/pdata %s\n' "$OTEL_PDATA_VERSION" > go.mod
  go mod tidy
  mkdir -p "$out.tmp"
  go build -ldflags "-s -w" -o "$out.tmp/otlp-sink" .
  rm -rf "$out" && mv "$out.tmp" "$out"
  cd "$here" && rm -rf "$dir"
}

build_pause() {
  local out="$cache/pause"
  if [[ -x "$out/pause" ]]; then return; fi
  mkdir -p "$out.tmp"
  gcc -static -O2 -o "$out.tmp/pause" "$here/test/ground/pause.c"
  rm -rf "$out" && mv "$out.tmp" "$out"
}

what=${1:-all}
case "$what" in
  kubernetes) build_kubernetes ;;
  containerd) build_containerds ;;
  trivy) build_trivy; build_trivy_db_loader ;;
  helm) build_helm ;;
  pause) build_pause ;;
  otlp-sink) build_otlp_sink ;;
  all) build_pause; build_trivy_db_loader; build_containerds; build_kubernetes; build_trivy; build_helm; build_otlp_sink ;;
  *) echo "usage: build-binaries.sh [all|kubernetes|containerd|trivy|helm|pause|otlp-sink]" >&2; exit 2 ;;
esac
