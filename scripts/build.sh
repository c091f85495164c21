#!/usr/bin/env bash
# `npm run build`: every artefact, in dependency order. Each step is its own script so it can run alone.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { echo "build: $*"; }

step "BPF objects and native addon"
bash scripts/build-native.sh
step "ASN lookup table"
bash scripts/build-data.sh
step "engine, helper and CLI (tsc)"
npx tsc -p tsconfig.build.json
step "helper manifest (the files the root launcher checks)"
node scripts/build-helper-manifest.mjs build/helper/snitchmap-helper-files
step "Electron main, preload and renderer (electron-vite)"
npx electron-vite build
