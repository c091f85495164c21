#!/usr/bin/env bash
# Converts the ASN CSVs of @ip-location-db/asn (CC BY 4.0) into build/data/asn.bin, the sorted
# binary range table src/core/asn/asn-table.ts loads in milliseconds. Rebuilt only when a CSV is newer.
set -euo pipefail
cd "$(dirname "$0")/.."

src=node_modules/@ip-location-db/asn
out=build/data/asn.bin
if [ ! -f "$src/asn-ipv4-num.csv" ] || [ ! -f "$src/asn-ipv6-num.csv" ]; then
  echo "build-data: $src is missing its CSV files (run npm ci)" >&2
  exit 1
fi
if [ -f "$out" ] && [ "$out" -nt "$src/asn-ipv4-num.csv" ] && [ "$out" -nt "$src/asn-ipv6-num.csv" ] \
  && [ "$out" -nt scripts/build-asn-table.mjs ]; then
  echo "build-data: $out is up to date"
  exit 0
fi
mkdir -p build/data
node scripts/build-asn-table.mjs "$src/asn-ipv4-num.csv" "$src/asn-ipv6-num.csv" "$out"
