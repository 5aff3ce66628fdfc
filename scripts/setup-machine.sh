#!/usr/bin/env bash
# Installs the Debian packages the test ground needs, only when missing.
# Idempotent: a warm machine returns in well under a second.
set -euo pipefail

packages=(etcd-server containerd runc containernetworking-plugins busybox-static openssl gcc libc6-dev iproute2 util-linux)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  echo "setup-machine: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts a system containerd and etcd on install; the test ground runs private instances
# and never touches system ones, but a system etcd would hold port 2379, so stop it.
if systemctl is-active --quiet etcd 2>/dev/null; then systemctl stop etcd; systemctl disable etcd >/dev/null 2>&1 || true; fi
