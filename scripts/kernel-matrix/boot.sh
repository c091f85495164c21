#!/usr/bin/env bash
# boot.sh KERNEL_DIR RUN_DIR [TIMEOUT_S] — boots that kernel under qemu (TCG: no KVM here) over this
# machine's root, read-only by virtio-9p, and runs RUN_DIR/command.sh inside it (RUN_DIR is the
# guest's /tmp/kernel-matrix, writable). The serial console goes to RUN_DIR/console.log and stdout.
# Exits with the command's status (read from the console), 124 on timeout, 125 if it never ran.
set -uo pipefail
kdir=${1:?usage: boot.sh KERNEL_DIR RUN_DIR [TIMEOUT_S]}
run=$(cd "${2:?usage: boot.sh KERNEL_DIR RUN_DIR [TIMEOUT_S]}" && pwd)
limit=${3:-1200}
here=$(cd "$(dirname "$0")" && pwd)
initramfs=$(bash "$here/make-initramfs.sh" "$kdir") || exit 125
[ -e "$run/command.sh" ] || { echo "boot.sh: $run/command.sh is missing" >&2; exit 125; }

# Two vCPUs (multi-threaded TCG uses both host cores); memory is plentiful here and node wants ~1 GiB.
timeout --foreground -k 10 "$limit" qemu-system-x86_64 \
  -machine q35 -accel tcg -cpu max -smp "${SNITCHMAP_GUEST_CPUS:-2}" -m "${SNITCHMAP_GUEST_MEMORY:-4096}" \
  -nographic -no-reboot -nic none \
  -kernel "$kdir/vmlinuz" -initrd "$initramfs" \
  -append "console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/init" \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev local,id=matrix,path="$run",security_model=none,multidevs=remap \
  -device virtio-9p-pci,fsdev=matrix,mount_tag=matrix \
  < /dev/null 2>&1 | sed -u "s/\r//" | tee "$run/console.log"
status=${PIPESTATUS[0]}
[ "$status" = 124 ] && { echo "boot.sh: timed out after ${limit}s" >&2; exit 124; }
code=$(sed -n "s/.*sm-guest: exit \\([0-9][0-9]*\\).*/\\1/p" "$run/console.log" | tail -n1)
[ -n "$code" ] || { echo "boot.sh: the command never finished (qemu status $status)" >&2; exit 125; }
exit "$code"
