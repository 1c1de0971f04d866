#!/usr/bin/env bash
# The whole suite: unit, golden, integration (real TLS) and end-to-end (real kube-apiserver).
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob
files=(test/unit/**/*.test.ts test/integration/**/*.test.ts test/e2e/**/*.test.ts)
exec node --import tsx --test --test-reporter=spec "${files[@]}"
