#!/usr/bin/env bash
# The project's test command (see README): install the external test tools, then run every test with
# the tools required (a missing tool fails the run instead of skipping).
#
#   bash scripts/test.sh [extra cargo test args...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install-test-tools.sh
ZTC_REQUIRE_TOOLS=1 cargo test --locked --all-targets "$@"
# a short fuzz run of every target (README: Fuzzing); ZTC_FUZZ_SECONDS=0 skips it
if [ "${ZTC_FUZZ_SECONDS:-60}" != 0 ]; then
  bash scripts/fuzz.sh "${ZTC_FUZZ_SECONDS:-60}"
fi
