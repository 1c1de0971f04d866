#!/usr/bin/env bash
# The whole suite: type check, unit, golden, property, integration (real TLS) and end-to-end (real
# kube-apiserver), then every captured webhook log and audit line is grepped for the fixtures' secret values.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob
npx tsc --noEmit -p tsconfig.json
files=(test/unit/**/*.test.ts test/integration/**/*.test.ts test/e2e/**/*.test.ts)
capture_owned=0
if [[ -z "${CI_POD_WEBHOOK_TEST_LOG_CAPTURE:-}" ]]; then
  export CI_POD_WEBHOOK_TEST_LOG_CAPTURE="$(mktemp -t cpw-test-logs.XXXXXX)"
  capture_owned=1
fi
: > "$CI_POD_WEBHOOK_TEST_LOG_CAPTURE"
status=0
node --import tsx --test --test-reporter=spec "${files[@]}" || status=$?
node --import tsx test/check-log-secrets.ts "$CI_POD_WEBHOOK_TEST_LOG_CAPTURE" || status=1
if [[ $capture_owned == 1 ]]; then
  if [[ $status == 0 ]]; then rm -f "$CI_POD_WEBHOOK_TEST_LOG_CAPTURE"; else echo "captured webhook logs kept in $CI_POD_WEBHOOK_TEST_LOG_CAPTURE" >&2; fi
fi
exit "$status"
