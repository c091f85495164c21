#!/usr/bin/env bash
# `npm test`: unit, kernel (root, network namespaces) and app/UI (Chromium) tests, one vitest run.
# Ends with a plain "N passed, N failed, N skipped" line. Extra arguments go to vitest
# (e.g. `npm test -- --project unit`).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
status=$?
node scripts/test-summary.mjs test-results/vitest.json || status=1
exit $status
