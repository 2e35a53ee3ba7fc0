//! Apply and destroy every spec of `specs/` for real: the generated HCL goes through
//! `terraform init` (offline provider mirror), `terraform apply` and `terraform destroy` against a
//! moto server on 127.0.0.1, then `terraform state list` must be empty and an inventory of moto must
//! hold nothing that the apply created.
//!
//! The driver is `tests/deploy/harness.py` (run by `.tools/venv-moto`'s Python: moto 5.2.5, boto3):
//! it starts moto on a free loopback port, creates what the module expects to exist already (an
//! existing secret a data source reads, the organization unit SCPs attach to), writes
//! `zz_moto_override.tf.json` (local backend; the default and every aliased `provider "aws"` at moto
//! for every endpoint key of the provider, fake credentials, `skip_*`, path-style S3,
//! `max_retries = 2`), runs the steps and diffs moto's inventory taken before and after.
//!
//! What moto 5.2.5 cannot do is taken out of the module before it is printed, with everything that
//! refers to it (transitively: routes to the firewall's endpoints, its logging configuration,
//! outputs), and printed with the reason: see [`MOTO_GAPS`]. The pruning works on ztc's own
//! resource graph (the same references the printers write), then the HCL printer writes the rest.
//!
//! Slow (about a minute per spec on 2 cores): the specs run one at a time (each its own test, so a
//! failure names its spec). `ZTC_DEPLOY=0` skips them. A missing terraform, provider mirror or
//! `.tools/venv-moto` is a SKIP, or a failure with `ZTC_REQUIRE_TOOLS=1`.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use ztc::ir::{Address, Expr, Module, Ref, RefTarget, VarType};

/// Resource types moto 5.2.5 cannot create or delete, with the reason (checked against moto's
/// sources: `moto/networkfirewall/responses.py` has create/describe firewall and the logging
/// configuration only; `moto/ec2/responses` has no GetEbsDefaultKmsKeyId;
/// `moto/s3/models.py::_log_permissions_enabled_policy` calls `.get` on every statement's
/// `Principal`, and every generated bucket policy has `Principal: "*"` deny statements).
/// `aws_ebs_encryption_by_default` and the `aws_organizations_policy*` types work in moto and
/// are applied.
const MOTO_GAPS: &[(&str, &str)] = &[
    (
        "aws_networkfirewall_rule_group",
        "moto 5.2.5: CreateRuleGroup is not implemented",
    ),
    (
        "aws_networkfirewall_firewall_policy",
        "moto 5.2.5: CreateFirewallPolicy is not implemented",
    ),
    (
        "aws_networkfirewall_firewall",
        "moto 5.2.5: DeleteFirewall is not implemented (it could not be destroyed)",
    ),
    (
        "aws_s3_bucket_logging",
        "moto 5.2.5: PutBucketLogging fails with HTTP 500 when the target bucket's policy has a \
         statement with `Principal: \"*\"` (its permission check calls .get on the string)",
    ),
    (
        "aws_ebs_default_kms_key",
        "moto 5.2.5: GetEbsDefaultKmsKeyId is not implemented (account-level setting)",
    ),
];

/// Seconds one spec may take in all (moto, init, apply, destroy, inventories).
const SPEC_LIMIT: u64 = 900;

static SERIAL: Mutex<()> = Mutex::new(());

/// Unbuffered stderr: the per-spec summary is shown even when the test passes (libtest captures
/// `eprintln!`, not writes to the stream).
macro_rules! say {
    ($($t:tt)*) => {{
        let mut e = std::io::stderr().lock();
        let _ = writeln!(e, $($t)*);
    }};
}

fn moto_python() -> PathBuf {
    common::tools_dir().join("venv-moto/bin/python")
}

/// The tools this test needs, or why not (after `tool_missing`).
fn tools() -> Option<(PathBuf, PathBuf)> {
    let Some(tf) = common::terraform() else {
        common::tool_missing("terraform", &common::terraform_missing_reason());
        return None;
    };
    let Some(mirror) = common::provider_mirror() else {
        common::tool_missing("provider mirror", &common::provider_mirror_missing_reason());
        return None;
    };
    let stamp = common::tools_dir().join("venv-moto/.ztc-spec");
    if !moto_python().is_file() || !stamp.is_file() {
        common::tool_missing(
            "moto",
            &format!(
                "{} is not installed (bash scripts/install-test-tools.sh creates venv-moto)",
                common::tools_dir().join("venv-moto").display()
            ),
        );
        return None;
    }
    Some((tf, mirror))
}

// ------------------------------------------------------------------------------------------------
// pruning what moto cannot do
// ------------------------------------------------------------------------------------------------

fn block_refs(b: &ztc::ir::Block) -> Vec<Address> {
    let mut v = Vec::new();
    b.body.refs(&mut v);
    v.extend(b.depends_on.iter().cloned());
    v
}

/// Remove every block of a type in `gaps` and, transitively, every block and output that refers
/// to a removed block. Returns (address, reason) for each removal, in removal order.
fn prune(module: &mut Module, gaps: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut gone: BTreeSet<Address> = BTreeSet::new();
    let mut report = Vec::new();
    for b in module.blocks() {
        if let Some((_, why)) = gaps.iter().find(|(t, _)| *t == b.addr.ty) {
            gone.insert(b.addr.clone());
            report.push((b.addr.tf(), why.to_string()));
        }
    }
    loop {
        let mut more = Vec::new();
        for b in module.blocks().filter(|b| !gone.contains(&b.addr)) {
            if let Some(r) = block_refs(b).into_iter().find(|r| gone.contains(r)) {
                more.push((b.addr.clone(), format!("refers to {} (skipped)", r.tf())));
            }
        }
        if more.is_empty() {
            break;
        }
        for (a, why) in more {
            report.push((a.tf(), why));
            gone.insert(a);
        }
    }
    module.resources.retain(|b| !gone.contains(&b.addr));
    module.data.retain(|b| !gone.contains(&b.addr));
    module.outputs.retain(|o| {
        let mut v = Vec::new();
        o.value.refs(&mut v);
        match v.iter().find(|r| gone.contains(r)) {
            Some(r) => {
                report.push((
                    format!("output.{}", o.name),
                    format!("refers to {} (skipped)", r.tf()),
                ));
                false
            }
            None => true,
        }
    });
    report
}

// ------------------------------------------------------------------------------------------------
// what the harness needs to know about the module
// ------------------------------------------------------------------------------------------------

fn var_of(e: Option<&Expr>) -> Option<String> {
    match e {
        Some(Expr::Ref(Ref {
            target: RefTarget::Var(n),
            path,
        })) if path.is_empty() => Some(n.clone()),
        _ => None,
    }
}

fn providers(module: &Module) -> Vec<Value> {
    module
        .providers
        .iter()
        .filter(|p| p.name == "aws")
        .map(|p| {
            let region = match p.body.get_attr("region") {
                Some(Expr::Str(s)) => Some(s.clone()),
                _ => None,
            };
            let role_arn_var = p
                .body
                .blocks("assume_role")
                .next()
                .and_then(|b| var_of(b.get_attr("role_arn")));
            json!({"alias": p.alias, "region": region, "role_arn_var": role_arn_var})
        })
        .collect()
}

/// Things the module expects to exist before it is applied, by the variable that names them.
fn seeds(module: &Module) -> Vec<Value> {
    let mut out = Vec::new();
    for b in module.blocks() {
        let (kind, attr) = match (b.addr.ty.as_str(), b.addr.kind) {
            ("aws_secretsmanager_secret", ztc::ir::Kind::Data) => ("secret", "name"),
            ("aws_organizations_policy_attachment", ztc::ir::Kind::Resource) => {
                ("organizational_unit", "target_id")
            }
            _ => continue,
        };
        if let Some(v) = var_of(b.body.get_attr(attr)) {
            let seed = json!({"kind": kind, "var": v, "alias": b.provider});
            if !out.contains(&seed) {
                out.push(seed);
            }
        }
    }
    out
}

fn variables(module: &Module) -> Vec<Value> {
    module
        .variables
        .iter()
        .filter(|v| v.default.is_none())
        .map(|v| {
            let ty = match v.ty {
                VarType::String => "string",
                VarType::Number => "number",
                VarType::Bool => "bool",
                VarType::ListString => "list(string)",
            };
            json!({"name": v.name, "type": ty})
        })
        .collect()
}

/// The directory (relative to the output) holding the root module's `.tf` files.
fn root_dir(files: &[(String, Vec<u8>)]) -> String {
    let dirs: BTreeSet<String> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".tf") || p.ends_with("cdk.tf.json"))
        .map(|(p, _)| {
            p.rsplit_once('/')
                .map(|(d, _)| d.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        dirs.len(),
        1,
        "the .tf files are not in one directory: {dirs:?}"
    );
    dirs.into_iter().next().unwrap()
}

// ------------------------------------------------------------------------------------------------
// the run
// ------------------------------------------------------------------------------------------------

fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ztc-deploy-cache")
}

/// Run the harness with a wall-clock limit; (exit code, its output).
fn run_harness(plan: &Path, work: &Path) -> (Option<i32>, String) {
    let out_path = work.join("harness.out");
    let out = fs::File::create(&out_path).unwrap();
    let mut child = Command::new(moto_python())
        .arg(common::repo_root().join("tests/deploy/harness.py"))
        .arg(plan)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("start tests/deploy/harness.py");
    let start = Instant::now();
    let code = loop {
        if let Some(s) = child.try_wait().expect("wait for the harness") {
            break s.code();
        }
        if start.elapsed() > Duration::from_secs(SPEC_LIMIT) {
            // the harness runs terraform and moto in their own process groups and stops them on
            // its way out; SIGKILL here cannot unwind it, so ask with SIGTERM first
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            std::thread::sleep(Duration::from_secs(15));
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    (code, fs::read_to_string(&out_path).unwrap_or_default())
}

fn deploy(spec: &str) {
    deploy_with(spec, None);
}

/// The Terraform JSON (CDKTF layout) target, applied and destroyed from its stack folder.
fn deploy_cdktf(spec: &str) {
    deploy_target(spec, ztc::emit::Target::Cdktf, None);
}

fn deploy_with(spec: &str, fault: Option<&str>) {
    deploy_target(spec, ztc::emit::Target::Hcl, fault);
}

/// Apply and destroy `spec` printed for `target`; `fault` names an EC2 action whose first request
/// moto carries out and then answers with HTTP 500 (and every retry of it), which makes the first
/// destroy fail.
fn deploy_target(spec: &str, target: ztc::emit::Target, fault: Option<&str>) {
    if std::env::var("ZTC_DEPLOY").is_ok_and(|v| v.trim() == "0") {
        eprintln!("SKIP: ZTC_DEPLOY=0");
        return;
    }
    let Some((tf, mirror)) = tools() else { return };
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let t0 = Instant::now();

    let built = common::build_spec(spec);
    let mut module = built.module().clone();
    let total = module.resources.len();
    let skipped = prune(&mut module, MOTO_GAPS);
    let files = ztc::emit::emit(&module, target, &built.compiled.diagnostics);
    let rel_root = root_dir(&files);

    let work = tempfile::Builder::new()
        .prefix("ztc-deploy-")
        .tempdir()
        .expect("tempdir");
    let out = work.path().join("out");
    for (p, bytes) in &files {
        let f = out.join(p);
        fs::create_dir_all(f.parent().unwrap()).unwrap();
        fs::write(f, bytes).unwrap();
    }
    let module_dir = out.join(&rel_root);
    let sensitive: Vec<&str> = module
        .variables
        .iter()
        .filter(|v| v.sensitive)
        .map(|v| v.name.as_str())
        .collect();
    let plan = json!({
        "module": module_dir,
        "logs": work.path().join("logs"),
        "terraform": tf,
        "mirror": mirror,
        "cache": cache_dir(),
        "providers": providers(&module),
        "variables": variables(&module),
        "sensitive": sensitive,
        "seeds": seeds(&module),
        "timeout": 600,
        "parallelism": 20,
        "result": work.path().join("result.json"),
        "fault": fault,
    });
    let plan_path = work.path().join("plan.json");
    fs::write(&plan_path, serde_json::to_vec_pretty(&plan).unwrap()).unwrap();

    let (code, output) = run_harness(&plan_path, work.path());
    let result: Value = fs::read(work.path().join("result.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let n = |k: &str| result[k].as_u64().unwrap_or(0);
    let list = |k: &str| -> Vec<String> {
        result[k]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| x.as_str().unwrap_or_default().to_string())
            .collect()
    };
    let (state_left, leftovers, errors) = (list("state_left"), list("leftovers"), list("errors"));

    let mut summary = format!(
        "deploy {spec} ({target:?}): {} of {total} resources kept, {} applied, {} destroyed, {} skipped, \
         {} left in state, {} leftovers in moto; apply {}, destroy {}; wall {:.0}s \
         (init {}s, apply {}s, destroy {}s)\n",
        module.resources.len(),
        n("applied"),
        n("destroyed"),
        skipped.len(),
        state_left.len(),
        leftovers.len(),
        result["apply"].as_str().unwrap_or("?"),
        result["destroy"].as_str().unwrap_or("?"),
        t0.elapsed().as_secs_f64(),
        result["times"]["init"],
        result["times"]["apply"],
        result["times"]["destroy"],
    );
    let joined = |k: &str| -> String {
        result[k]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    };
    summary.push_str(&format!(
        "  moto accounts {}; regions {}\n",
        joined("accounts"),
        joined("regions")
    ));
    for (addr, why) in &skipped {
        summary.push_str(&format!("  skipped {addr}: {why}\n"));
    }
    // generated passwords: every one reached its secret; only `via: data-source` ones are in the
    // state (`secret_string`), never the write-only ones (`secret_string_wo`)
    let versions = |attr: &str| {
        module
            .resources_of("aws_secretsmanager_secret_version")
            .filter(|b| b.body.get(attr).is_some())
            .count()
    };
    let (in_state, with_password) = (list("secrets_in_state"), list("secrets_with_password"));
    let secrets_ok = in_state.len() == versions("secret_string")
        && with_password.len() >= versions("secret_string") + versions("secret_string_wo");
    summary.push_str(&format!(
        "  generated passwords: {} write-only, {} in secret_string; {} secrets with a password, {} of them in the state{}\n",
        versions("secret_string_wo"),
        versions("secret_string"),
        with_password.len(),
        in_state.len(),
        if in_state.is_empty() { String::new() } else { format!(" ({})", in_state.join(", ")) }
    ));
    for x in list("apply_repeated") {
        summary.push_str(&format!(
            "  apply repeated after an emulator HTTP 500: {x}\n"
        ));
    }
    for x in list("destroy_repeated") {
        summary.push_str(&format!(
            "  destroy repeated after an emulator HTTP 500: {x}\n"
        ));
    }
    for x in list("gone_on_refresh") {
        summary.push_str(&format!(
            "  left the state on the repeated destroy's refresh (its failed delete had been carried out): {x}\n"
        ));
    }
    for x in list("injected") {
        summary.push_str(&format!("  HTTP 500 injected by the test: {x}\n"));
    }
    for x in list("translated") {
        summary.push_str(&format!(
            "  moto 500 answered with the AWS error code: {x}\n"
        ));
    }
    for x in list("retried") {
        summary.push_str(&format!("  retried by the AWS SDK: {x}\n"));
    }
    for x in list("notimplemented") {
        summary.push_str(&format!("  moto NotImplemented: {x}\n"));
    }
    for x in &errors {
        summary.push_str(&format!("  error: {x}\n"));
    }
    for x in &state_left {
        summary.push_str(&format!("  left in state: {x}\n"));
    }
    for x in &leftovers {
        summary.push_str(&format!("  leftover in moto: {x}\n"));
    }
    for x in list("quirks") {
        summary.push_str(&format!("  not counted: {x}\n"));
    }
    say!("{}", summary.trim_end());

    // an injected fault must have happened, made the destroy repeat, and its resource must be the
    // one found gone on the repeated destroy's refresh
    let fault_seen = fault.map_or(true, |f| {
        list("injected").iter().any(|x| x.starts_with(f))
            && !list("destroy_repeated").is_empty()
            && list("gone_on_refresh").len() == 1
    });
    let ok = fault_seen
        && secrets_ok
        && code == Some(0)
        && result["apply"] == "ok"
        && result["destroy"] == "ok"
        && state_left.is_empty()
        && leftovers.is_empty()
        && n("applied") > 0
        // only a repeated destroy may find resources already gone, and each is named above
        && n("applied") == n("destroyed") + list("gone_on_refresh").len() as u64
        && (list("gone_on_refresh").is_empty() || !list("destroy_repeated").is_empty());
    if std::env::var_os("ZTC_DEPLOY_KEEP").is_some() {
        say!(
            "  work dir kept (ZTC_DEPLOY_KEEP): {}",
            work.keep().display()
        );
        assert!(ok, "deploy of {spec} failed; see above\n{output}");
        return;
    }
    if !ok {
        let kept = work.keep();
        panic!(
            "deploy of {spec} failed (harness exit {code:?}); work dir kept: {}\n{summary}\n\
             --- harness output ---\n{output}",
            kept.display()
        );
    }
}

/// The harness's own recovery path: a delete that moto carried out but answered with HTTP 500 makes
/// `terraform destroy` fail; the harness runs it once more, the refresh finds the subnet gone, and
/// the run still ends with nothing in state or in moto, the subnet named in the summary.
#[test]
fn deploy_repeats_destroy_after_emulator_500() {
    deploy_with("tests/fixtures/compute.yaml", Some("DeleteSubnet"));
}

/// A system from its Terraform JSON: `cdk.tf.json` applies and destroys like the HCL, including
/// the ephemeral password, the write-only secret value and the function packages.
#[test]
fn deploy_privatelink_abac_cdktf() {
    deploy_cdktf("specs/privatelink-abac.yaml");
}

#[test]
fn deploy_payment() {
    deploy("specs/payment.yaml");
}

#[test]
fn deploy_data_processing() {
    deploy("specs/data-processing.yaml");
}

#[test]
fn deploy_multi_account() {
    deploy("specs/multi-account.yaml");
}

#[test]
fn deploy_three_tier() {
    deploy("specs/three-tier.yaml");
}

#[test]
fn deploy_privatelink_abac() {
    deploy("specs/privatelink-abac.yaml");
}

/// The pruning itself, without any tool: a firewall spec loses the firewall, what refers to it,
/// and nothing else.
#[test]
fn pruning_follows_references() {
    let built = common::build_spec("specs/payment.yaml");
    let mut module = built.module().clone();
    let before: BTreeSet<String> = module.blocks().map(|b| b.addr.tf()).collect();
    let skipped = prune(&mut module, MOTO_GAPS);
    let after: BTreeSet<String> = module.blocks().map(|b| b.addr.tf()).collect();
    for (a, _) in &skipped {
        assert!(!after.contains(a), "{a} still present");
    }
    assert!(skipped
        .iter()
        .any(|(a, _)| a.starts_with("aws_networkfirewall_logging_configuration.")));
    assert!(skipped.iter().any(|(a, _)| a.starts_with("aws_route.")));
    // nothing left refers to something removed
    for b in module.blocks() {
        for r in block_refs(b) {
            assert!(
                !before.contains(&r.tf()) || after.contains(&r.tf()),
                "{} still refers to removed {}",
                b.addr.tf(),
                r.tf()
            );
        }
    }
    // the kept blocks print exactly as in the full module
    let full = ztc::emit::emit(
        built.module(),
        ztc::emit::Target::Hcl,
        &built.compiled.diagnostics,
    );
    let pruned = ztc::emit::emit(&module, ztc::emit::Target::Hcl, &built.compiled.diagnostics);
    let text = |fs: &[(String, Vec<u8>)]| -> String {
        fs.iter()
            .filter(|(p, _)| p.ends_with(".tf"))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned() + "\n")
            .collect()
    };
    let (full, pruned) = (text(&full), text(&pruned));
    for block in pruned.split("\n\n").filter(|b| b.starts_with("resource ")) {
        assert!(full.contains(block), "block changed by pruning:\n{block}");
    }
}
