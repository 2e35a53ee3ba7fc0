#!/usr/bin/env bash
# ztc beside the tools users reach for today, in one process tree on this machine:
#
#   ztc       `ztc check SPEC` + `ztc build SPEC --target all` (release build); also with the
#             output on a RAM disk, where the fsync of every written file costs nothing
#   cdktf     `cdktf synth` of the same stack written as a CDKTF Python program
#             (bench/cdktf/generate.py writes it from ztc's cdk.tf.json: the AWS provider,
#             variables, every data source and resource through the typed classes of
#             cdktf-cdktf-provider-aws, outputs); also the program alone (`python main.py`)
#   checkov   `checkov -d` on the generated HCL module
#   terraform `terraform validate` of the generated HCL module (after an offline `init`
#             against the provider mirror, timed on its own)
#
# Prints the wall and CPU time of each (the shortest of N runs, bench/timeit.py) and the ratios to
# ztc's. Every command runs through `bash -c` (a few ms, counted for every tool alike).
#
#   bash bench/side-by-side.sh [SPEC] [RUNS]        # default specs/payment.yaml, 3 runs
#
# Tools: ${ZTC_TOOLS:-.tools}/venv-cdktf (pip cdktf, cdktf-cdktf-provider-aws),
# node-cdktf (npm cdktf-cli), venv-checkov (scripts/install-test-tools.sh); terraform and its
# provider mirror from the machine (ZTC_TERRAFORM, ZTC_TF_MIRROR), as for the tests.
# `bash bench/side-by-side.sh --install` installs the cdktf parts (PyPI and npm only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${ZTC_TOOLS:-$ROOT/.tools}"
CDKTF_PY="cdktf==0.21.0 cdktf-cdktf-provider-aws==21.22.1"
CDKTF_CLI="cdktf-cli@0.21.0"

if [ "${1:-}" = "--install" ]; then
  python3 -m venv "$TOOLS/venv-cdktf"
  # shellcheck disable=SC2086
  "$TOOLS/venv-cdktf/bin/pip" install -q $CDKTF_PY
  mkdir -p "$TOOLS/node-cdktf"
  printf '{\n  "name": "ztc-bench-tools",\n  "private": true\n}\n' > "$TOOLS/node-cdktf/package.json"
  (cd "$TOOLS/node-cdktf" && npm install --no-audit --no-fund "$CDKTF_CLI")
  exit 0
fi

SPEC="$(cd "$(dirname "${1:-$ROOT/specs/payment.yaml}")" && pwd)/$(basename "${1:-specs/payment.yaml}")"
RUNS="${2:-3}"
TF="${ZTC_TERRAFORM:-$(command -v terraform || true)}"
MIRROR="${ZTC_TF_MIRROR:-$(find / -maxdepth 3 -type d -name tf-plugins 2>/dev/null | head -n1)}"
PY="$TOOLS/venv-cdktf/bin/python"
CDKTF="$TOOLS/node-cdktf/node_modules/.bin/cdktf"
CHECKOV="$TOOLS/venv-checkov/bin/checkov"
for tool in "$PY" "$CDKTF" "$CHECKOV" "$TF"; do
  [ -x "$tool" ] || { echo "side-by-side: missing $tool (bash bench/side-by-side.sh --install; scripts/install-test-tools.sh)" >&2; exit 2; }
done
[ -d "$MIRROR/registry.terraform.io/hashicorp/aws" ] || { echo "side-by-side: no provider mirror (ZTC_TF_MIRROR)" >&2; exit 2; }

(cd "$ROOT" && cargo build --release --quiet --bin ztc)
ZTC="${CARGO_TARGET_DIR:-$ROOT/target}/release/ztc"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# terraform (and cdktf, which asks terraform its version) read providers from the mirror only
printf 'provider_installation {\n  filesystem_mirror {\n    path    = "%s"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n' \
  "$MIRROR" > "$WORK/tf.rc"
export CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE="$WORK/tf.rc"

# best_of N FUNCTION: "wall cpu" in ms, the shortest of N runs each (bench/timeit.py)
best_of() {
  python3 "$ROOT/bench/timeit.py" "$1" "$2"
}

ztc_once() {
  "$ZTC" check "$SPEC" && "$ZTC" build "$SPEC" --target all -o "$WORK/out"
}
# the same, its output on a RAM disk (fsync returns at once): ztc's own time without the disk's
SHM_OUT="$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)"
trap 'rm -rf "$WORK" "$SHM_OUT"' EXIT
ztc_ram() {
  "$ZTC" check "$SPEC" && "$ZTC" build "$SPEC" --target all -o "$SHM_OUT/out"
}
ztc_once >/dev/null 2>&1 || { echo "side-by-side: ztc build $SPEC failed" >&2; "$ZTC" check "$SPEC"; exit 1; }

# the CDKTF program of the same stack
STACK_JSON="$(find "$WORK/out/cdktf/cdktf.out/stacks" -name cdk.tf.json | head -n1)"
mkdir -p "$WORK/cdktf"
"$PY" "$ROOT/bench/cdktf/generate.py" "$STACK_JSON" > "$WORK/cdktf/main.py"
printf '{"language": "python", "app": "%s main.py", "projectId": "ztc-side-by-side", "sendCrashReports": "false", "terraformProviders": [], "terraformModules": []}\n' \
  "$PY" > "$WORK/cdktf/cdktf.json"
cdktf_synth() {
  (cd "$WORK/cdktf" && rm -rf cdktf.out && DISABLE_VERSION_CHECK=true "$CDKTF" synth)
}
cdktf_app() {
  (cd "$WORK/cdktf" && rm -rf app.out && CDKTF_OUTDIR=app.out "$PY" main.py)
}
cdktf_synth >/dev/null 2>&1 || { echo "side-by-side: cdktf synth failed:" >&2; cdktf_synth >&2; exit 1; }
resources=$(grep -c '^        declare(' "$WORK/cdktf/main.py")

# terraform: offline init once, then validate
tf() {
  (cd "$WORK/out/hcl" && env -u TF_PLUGIN_CACHE_DIR -u TF_WORKSPACE -u TF_CLI_ARGS CHECKPOINT_DISABLE=1 \
    TF_CLI_CONFIG_FILE="$WORK/tf.rc" TF_DATA_DIR="$WORK/tf-data" TF_IN_AUTOMATION=1 TF_INPUT=0 "$TF" "$@")
}
tf_init() { rm -rf "$WORK/tf-data" "$WORK/out/hcl/.terraform.lock.hcl"; tf init -backend=false -input=false -no-color; }
tf_init >/dev/null 2>&1 || { echo "side-by-side: terraform init failed:" >&2; tf_init >&2; exit 1; }
tf validate -no-color >/dev/null 2>&1 || { echo "side-by-side: terraform validate failed:" >&2; tf validate -no-color >&2; exit 1; }

tf_validate() { tf validate -no-color; }
checkov_scan() {
  "$CHECKOV" -d "$WORK/out/hcl" --framework terraform --quiet --compact --skip-download
}

export ZTC SPEC WORK SHM_OUT PY CDKTF CHECKOV TF
export -f ztc_once ztc_ram cdktf_synth cdktf_app checkov_scan tf tf_init tf_validate

echo "spec: ${SPEC#"$ROOT"/} ($resources data sources and resources); best of $RUNS runs; $(nproc) cores"
echo "tools: $("$TF" version | head -n1), checkov $("$CHECKOV" --version), cdktf $("$CDKTF" --version 2>/dev/null | head -n1), $("$PY" -m pip show cdktf-cdktf-provider-aws 2>/dev/null | awk '/^Version/ {print "cdktf-cdktf-provider-aws " $2}')"
t_ztc=$(best_of $((RUNS * 10)) ztc_once)
t_ram=$(best_of $((RUNS * 10)) ztc_ram)
t_synth=$(best_of "$RUNS" cdktf_synth)
t_app=$(best_of "$RUNS" cdktf_app)
t_checkov=$(best_of "$RUNS" checkov_scan)
t_validate=$(best_of "$RUNS" tf_validate)
t_init=$(best_of 1 tf_init)

# row NAME "WALL CPU": times and ratios to ztc's
row() {
  awk -v n="$1" -v t="$2" -v z="$t_ztc" 'BEGIN {
    split(t, a, " "); split(z, b, " ");
    wr = a[1] / b[1]; cr = a[2] / b[2]
    printf "| %-58s | %9.1f | %9.1f | %7.*f× | %7.*f× |\n", n, a[1], a[2], (wr < 10), wr, (cr < 10), cr
  }'
}
echo
echo "| run | wall ms | CPU ms | wall vs ztc | CPU vs ztc |"
echo "|---|---:|---:|---:|---:|"
row "ztc check + ztc build --target all" "$t_ztc"
row "  the same, output on a RAM disk (/dev/shm)" "$t_ram"
row "cdktf synth (CDKTF Python program, typed provider classes)" "$t_synth"
row "  the same program alone (python main.py, no cdktf CLI)" "$t_app"
row "checkov -d (generated HCL module)" "$t_checkov"
row "terraform validate (after init)" "$t_validate"
row "terraform init (offline mirror; once per module)" "$t_init"
echo
echo "CPU: user + system time of the run and every process it started. ztc build writes its files"
echo "atomically and fsyncs each one: on a busy disk its wall time is mostly waiting for the disk."
