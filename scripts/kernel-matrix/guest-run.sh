#!/bin/sh
# guest-run.sh OUT_DIR — what the kernel matrix runs on each kernel (inside the qemu guest, or on this
# machine for its own kernel), from the built checkout this script lives in. Writes into OUT_DIR:
#   programs.json  every BPF program loaded alone: "ok" or the verifier's reason
#   capture.json   `snitchmap watch --json` until its hello: time to hello, mode, winners
#   vitest.json    the kernel tests (vitest's JSON report)
# Exits non-zero when the kernel tests fail or watch gives no hello.
out=${1:?usage: guest-run.sh OUT_DIR}
cd "$(dirname "$0")/../.." || exit 2
status=0
echo "== $(uname -r): programs"
node scripts/kernel-matrix/program-report.mjs > "$out/programs.json" || status=1
echo "== $(uname -r): watch hello"
node scripts/kernel-matrix/capture-report.mjs > "$out/capture.json" || status=1
cat "$out/capture.json"
echo "== $(uname -r): kernel tests"
# Through a pipe: the guest's serial console is a terminal, and vitest would redraw its live view
# there many times a second. The status comes back through a file (POSIX sh has no pipefail).
{
  node node_modules/vitest/vitest.mjs run --project kernel ${SNITCHMAP_MATRIX_TESTS:-} \
    --reporter=default --reporter=json --outputFile.json="$out/vitest.json"
  echo $? > "$out/vitest.status"
} 2>&1 | cat
[ "$(cat "$out/vitest.status" 2>/dev/null)" = 0 ] || status=1
exit $status
