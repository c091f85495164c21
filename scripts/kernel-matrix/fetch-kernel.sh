#!/usr/bin/env bash
# fetch-kernel.sh SERIES → prints the directory holding that Debian kernel, unpacked:
#   <dir>/vmlinuz, <dir>/lib/modules/<release>/..., <dir>/release
# SERIES is 5.10 (bullseye), 6.1 (bookworm) or 6.12 (bookworm-backports): the newest
# linux-image-<ver>-amd64-unsigned the index offers (5.10.0-46-…, 6.12.95+deb12-…). The generic flavour, not cloud: cloud has no 9p.
# apt runs against a private state (sources, lists, cache) so this machine's apt setup is untouched.
# Everything is cached under $SNITCHMAP_KERNEL_CACHE (default ~/.cache/snitchmap/kernels).
set -euo pipefail
series=${1:?usage: fetch-kernel.sh 5.10|6.1|6.12}
cache=${SNITCHMAP_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/snitchmap/kernels}
mirror=${SNITCHMAP_DEBIAN_MIRROR:-http://deb.debian.org}

case $series in
  5.10) suites="bullseye bullseye-updates"; security=bullseye-security ;;
  6.1) suites="bookworm bookworm-updates"; security=bookworm-security ;;
  6.12) suites="bookworm-backports"; security= ;;
  *) echo "fetch-kernel.sh: unknown series '$series' (5.10, 6.1 or 6.12)" >&2; exit 2 ;;
esac

state=$cache/apt-$series
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/etc"
{
  for suite in $suites; do
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror/debian $suite main"
  done
  if [ -n "$security" ]; then
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror/debian-security $security main"
  fi
} > "$state/etc/sources.list"
apt_opts=(
  -o "Dir::Etc::sourcelist=$state/etc/sources.list" -o Dir::Etc::sourceparts=/dev/null
  -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
  -o APT::Architecture=amd64 -o Acquire::Languages=none -o Debug::NoLocking=true -o APT::Sandbox::User=root
)

# The index is refreshed at most once a day; a cached kernel keeps working offline.
stamp=$state/updated
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
  if apt-get "${apt_opts[@]}" -qq update >&2; then touch "$stamp"; else echo "fetch-kernel.sh: apt index for $series unreachable, using the cache" >&2; fi
fi

escaped=${series//./\\.}
package=$(apt-cache "${apt_opts[@]}" pkgnames linux-image- 2>/dev/null \
  | grep -E "^linux-image-${escaped}\.[0-9]+[-+][0-9a-z]+-amd64-unsigned\$" \
  | sort -V | tail -n1 || true)
if [ -z "$package" ]; then
  # Offline and never fetched the index: fall back to any kernel of this series already unpacked.
  dir=$(ls -d "$cache/$series"/linux-image-* 2>/dev/null | sort -V | tail -n1 || true)
  [ -n "$dir" ] || { echo "fetch-kernel.sh: no linux-image-$series.*-amd64-unsigned in the index, none cached" >&2; exit 1; }
  echo "$dir"; exit 0
fi

dir=$cache/$series/$package
if [ ! -e "$dir/release" ]; then
  work=$(mktemp -d "$cache/.fetch-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get "${apt_opts[@]}" -qq download "$package" >&2)
  dpkg-deb -x "$work"/*.deb "$work/root"
  release=$(ls "$work/root/lib/modules")
  mkdir -p "$dir"
  cp "$work/root/boot/vmlinuz-$release" "$dir/vmlinuz"
  mkdir -p "$dir/lib/modules"
  mv "$work/root/lib/modules/$release" "$dir/lib/modules/"
  echo "$release" > "$dir/release"
fi
echo "$dir"
