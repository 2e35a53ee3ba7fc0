#!/usr/bin/env bash
# Fuzz ztc with cargo-fuzz (libFuzzer): each target of fuzz/ for a bounded time, one after the
# other, one process (one core).
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 60 s, every target
#
# Targets (fuzz/fuzz_targets/):
#   loader    arbitrary bytes -> YAML loader (encoding, limits, tree) -> schema validation
#   pipeline  arbitrary spec text -> check + build of hcl, cdktf and pulumi in memory
#
# The seed corpus is assembled on every run into fuzz/seeds/ (not committed) from specs/*.yaml,
# every fixture under tests/fixtures/ and the generated cases of tests/hostile.rs that fit libFuzzer's
# input size (deep nesting). What libFuzzer learns is kept in fuzz/corpus/TARGET/ across runs; a
# crashing input is written to fuzz/artifacts/TARGET/ and the script exits 1 naming it.
#
# Toolchain: `cargo +nightly fuzz` when a nightly toolchain is installed, otherwise the stable
# toolchain with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes -Z flags to rustc). ZTC_FUZZ_TOOLCHAIN=stable
# or =nightly forces one. cargo-fuzz comes from scripts/install-test-tools.sh (.tools/cargo-fuzz/).
#
# Environment:
#   ZTC_FUZZ_SANITIZER   address (default) or none
#   ZTC_FUZZ_TOOLCHAIN   nightly | stable (default: nightly when installed)
#   ZTC_TOOLS            where install-test-tools.sh put the tools (default <repo>/.tools)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TOOLS="${ZTC_TOOLS:-$ROOT/.tools}"
SECONDS_PER_TARGET="${1:-60}"
[ "$#" -gt 0 ] && shift
TARGETS=("$@")
[ "${#TARGETS[@]}" -gt 0 ] || TARGETS=(loader pipeline)
SANITIZER="${ZTC_FUZZ_SANITIZER:-address}"
MAX_LEN=65536

die() { printf 'fuzz: error: %s\n' "$*" >&2; exit 2; }
case "$SECONDS_PER_TARGET" in '' | *[!0-9]*) die "SECONDS_PER_TARGET must be a whole number, got '$SECONDS_PER_TARGET'" ;; esac

# --- cargo-fuzz and the toolchain -----------------------------------------------------------------
if [ -x "$TOOLS/cargo-fuzz/bin/cargo-fuzz" ]; then
  export PATH="$TOOLS/cargo-fuzz/bin:$PATH"
fi
command -v cargo-fuzz >/dev/null 2>&1 || die "cargo-fuzz not found: run bash scripts/install-test-tools.sh"

CARGO=(cargo)
TOOLCHAIN="${ZTC_FUZZ_TOOLCHAIN:-}"
if [ -z "$TOOLCHAIN" ]; then
  if command -v rustup >/dev/null 2>&1 && rustup run nightly rustc --version >/dev/null 2>&1; then
    TOOLCHAIN=nightly
  else
    TOOLCHAIN=stable
  fi
fi
case "$TOOLCHAIN" in
  nightly) CARGO=(cargo +nightly) ;;
  stable) export RUSTC_BOOTSTRAP=1 ;;
  *) die "ZTC_FUZZ_TOOLCHAIN must be nightly or stable, got '$TOOLCHAIN'" ;;
esac
printf 'fuzz: %s, %s, sanitizer %s, %s s per target: %s\n' "$(cargo-fuzz --version)" \
  "$("${CARGO[@]}" --version)${RUSTC_BOOTSTRAP:+ (RUSTC_BOOTSTRAP=1)}" "$SANITIZER" \
  "$SECONDS_PER_TARGET" "${TARGETS[*]}"

# --- seed corpus ----------------------------------------------------------------------------------
SEEDS="$ROOT/fuzz/seeds"
rm -rf "$SEEDS"
mkdir -p "$SEEDS"
for f in specs/*.yaml; do cp "$f" "$SEEDS/spec-$(basename "$f")"; done
while IFS= read -r f; do
  rel="${f#tests/fixtures/}"
  cp "$f" "$SEEDS/fixture-${rel//\//-}"
done < <(find tests/fixtures -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
# the generated cases of tests/hostile.rs that fit in MAX_LEN bytes
HEAD=$'ztc: 1\nmetadata: {name: generated}\nregion: us-east-1\n'
rep() { local s="$1" n="$2" out=""; for ((i = 0; i < n; i++)); do out+="$s"; done; printf '%s' "$out"; }
printf '%sx: %s%s\n' "$HEAD" "$(rep '[' 10000)" "$(rep ']' 10000)" > "$SEEDS/generated-deep-flow-seq.yaml"
printf '%sx: %s1%s\n' "$HEAD" "$(rep '{a: ' 5000)" "$(rep '}' 5000)" > "$SEEDS/generated-deep-flow-map.yaml"
printf '%sx:\n  %sx\n' "$HEAD" "$(rep '- ' 10000)" > "$SEEDS/generated-deep-block-seq.yaml"
printf '%sx: [%s*a]\n' "${HEAD}a: &a [1]"$'\n' "$(rep '*a, ' 4000)" > "$SEEDS/generated-wide-alias.yaml"
for f in "$SEEDS"/*; do
  [ "$(wc -c < "$f")" -le "$MAX_LEN" ] || die "seed $f is larger than -max_len=$MAX_LEN"
done
echo "fuzz: $(find "$SEEDS" -type f | wc -l) seed files in fuzz/seeds"

# --- run each target (`cargo fuzz run` builds it first; its output goes to the log too) ----------
cd "$ROOT/fuzz"
FAILED=0
for t in "${TARGETS[@]}"; do
  corpus="$ROOT/fuzz/corpus/$t"
  artifacts="$ROOT/fuzz/artifacts/$t"
  mkdir -p "$corpus" "$artifacts" "$ROOT/fuzz/logs"
  log="$ROOT/fuzz/logs/$t.log"
  start=$(date +%s)
  echo "fuzz: $t for ${SECONDS_PER_TARGET} s (log: fuzz/logs/$t.log)"
  set +e
  "${CARGO[@]}" fuzz run --sanitizer "$SANITIZER" "$t" "$corpus" "$SEEDS" -- \
    -max_total_time="$SECONDS_PER_TARGET" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 > "$log" 2>&1
  rc=$?
  set -e
  wall=$(($(date +%s) - start))
  # libFuzzer's own figures: "Done N runs in S second(s)", the final corpus, the stats
  fuzzed="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)"
  corp="$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')"
  files="$(find "$corpus" -type f | wc -l)"
  if [ "$rc" != 0 ]; then
    FAILED=1
    echo "fuzz: $t FAILED (exit $rc) after ${wall} s; the end of fuzz/logs/$t.log:" >&2
    tail -40 "$log" >&2
    echo "fuzz: crashing inputs: $(ls "$artifacts" 2>/dev/null | tr '\n' ' ')" >&2
    echo "fuzz: reproduce: cd fuzz && ${RUSTC_BOOTSTRAP:+RUSTC_BOOTSTRAP=1 }${CARGO[*]} fuzz run --sanitizer $SANITIZER $t artifacts/$t/<file>" >&2
  else
    echo "fuzz: $t ok: fuzzed ${fuzzed:-?} s (${wall} s with the build), ${execs:-?} executions (${rate:-?}/s), corpus ${corp:-?} (inputs/bytes; ${files} learned files kept in fuzz/corpus/$t), peak RSS ${rss:-?} MB, no crash"
  fi
done
exit "$FAILED"
