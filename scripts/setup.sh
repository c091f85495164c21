#!/usr/bin/env bash
# Installs what snitchmap needs on Debian 12 / Ubuntu: the Debian packages that are missing, then the
# npm packages from the lockfile. Safe to run again. Needs root (or sudo) only when a package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool pkg-config make g++ python3
  iproute2 iputils-ping procps
  chromium
  iperf3
  prometheus
  qemu-system-x86 busybox-static xz-utils
)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Tests start their own Prometheus (test/support/prometheus.ts); the package's service would
  # scrape and listen on :9090 for nothing, so it is stopped and disabled when the install enabled it.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null; then
    $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

# Electron's binary cannot be downloaded on build machines; the desktop run falls back to
# `snitchmap serve` when it is absent (README, "Running").
export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}"
# better-sqlite3 (the history store) is a native module: prebuilt binaries cannot be downloaded on
# build machines, so it is compiled against the Node headers the nodejs package installs in
# /usr/include/node (node-gyp would otherwise try to download them too).
export npm_config_build_from_source="${npm_config_build_from_source:-true}"
[ -d /usr/include/node ] && export npm_config_nodedir="${npm_config_nodedir:-/usr}"
npm ci --no-audit --no-fund
