#!/usr/bin/env bash
# make-initramfs.sh KERNEL_DIR → prints the path of KERNEL_DIR/initramfs.cpio.gz (built once, cached).
# Holds busybox-static, guest-init as /init, and the kernel's own modules for the 9p root and for what
# the kernel tests create (veth, clsact, VLANs, tun), decompressed (6.12 ships .ko.xz; busybox's
# insmod reads plain ELF) with a modules.dep from busybox depmod.
set -euo pipefail
kdir=${1:?usage: make-initramfs.sh KERNEL_DIR}
here=$(cd "$(dirname "$0")" && pwd)
out=$kdir/initramfs.cpio.gz
if [ -e "$out" ] && [ "$out" -nt "$here/guest-init" ] && [ "$out" -nt "$0" ]; then echo "$out"; exit 0; fi

release=$(cat "$kdir/release")
busybox=$(command -v busybox || true)
# The initramfs has no libc: a dynamically linked busybox (Debian's "busybox") would not start there.
if [ -z "$busybox" ] || ldd "$busybox" > /dev/null 2>&1; then
  echo "make-initramfs.sh: no statically linked busybox (install busybox-static)" >&2; exit 1
fi

# Every module decompressed once, with modules.dep, so dependencies come from the kernel's own metadata.
plain=$kdir/modules-plain
if [ ! -e "$plain/lib/modules/$release/modules.dep" ]; then
  rm -rf "$plain"; mkdir -p "$plain/lib/modules"
  cp -r "$kdir/lib/modules/$release" "$plain/lib/modules/"
  find "$plain/lib/modules/$release" -name '*.ko.xz' -exec xz -d {} +
  "$busybox" depmod -b "$plain" "$release"
fi

wanted="virtio_pci 9pnet_virtio 9p overlay veth sch_ingress cls_bpf 8021q tun"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,newroot,lib/modules/$release}
cp "$busybox" "$root/bin/busybox"
for applet in sh mount umount mkdir cat cut echo sleep sync modprobe insmod chroot ip env; do ln -s busybox "$root/bin/$applet"; done
ln -s ../bin/busybox "$root/sbin/modprobe"
cp "$here/guest-init" "$root/init"; chmod +x "$root/init"
cp "$plain/lib/modules/$release"/modules.{dep,order,builtin} "$root/lib/modules/$release/" 2>/dev/null || true
dep=$plain/lib/modules/$release/modules.dep
: > "$root/etc/modules-load"
for module in $wanted; do
  line=$(grep -E "(^|/)${module}\.ko:" "$dep" || true)
  if [ -z "$line" ]; then
    grep -qE "/${module}\.ko\$" "$plain/lib/modules/$release/modules.builtin" || echo "make-initramfs.sh: $module not found for $release" >&2
    continue
  fi
  echo "$module" >> "$root/etc/modules-load"
  for path in ${line/:/}; do
    mkdir -p "$root/lib/modules/$release/$(dirname "$path")"
    cp "$plain/lib/modules/$release/$path" "$root/lib/modules/$release/$path"
  done
done
(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
