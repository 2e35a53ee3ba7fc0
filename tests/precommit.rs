//! The pre-commit hook (`.pre-commit-hooks.yaml`, id `ztc-check`) run as pre-commit runs it.
//!
//! The fast tests read the hook definition, pick the files of a scratch git repository with the
//! hook's `files` pattern (Python `re.search` semantics, which the `regex` crate's `is_match`
//! shares for this pattern), and run the hook's `entry` with the built `ztc` binary and those
//! file names appended (`pass_filenames: true`), for a full run and for a commit's staged files.
//!
//! `real_pre_commit_try_repo` runs the real pre-commit (PyPI `pre-commit`, installed by
//! `scripts/install-test-tools.sh` into `.tools/venv-precommit`): `pre-commit try-repo`,
//! `pre-commit run` from a `.pre-commit-config.yaml`, and `git commit` through the installed git
//! hook. `language: rust` makes pre-commit `cargo install --path` a copy of this repository, a
//! release build that takes minutes on two cores, so that test only runs with
//! `ZTC_SLOW_TESTS=1` (it prints SKIP otherwise; with `ZTC_REQUIRE_TOOLS=1` a missing pre-commit
//! is then a failure).

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::repo_root as root;

/// The hook definition, read with ztc's own YAML loader.
fn hooks() -> Value {
    let bytes = std::fs::read(root().join(".pre-commit-hooks.yaml")).expect("hook manifest");
    let (_, doc) = ztc::yaml::load_bytes(
        &bytes,
        ".pre-commit-hooks.yaml",
        ztc::yaml::Limits::default(),
    );
    doc.unwrap_or_else(|d| panic!(".pre-commit-hooks.yaml is not YAML: {d:?}"))
        .to_json()
}

fn hook() -> Value {
    let all = hooks();
    let list = all.as_array().expect("a list of hooks");
    list.iter()
        .find(|h| h["id"] == "ztc-check")
        .expect("hook ztc-check")
        .clone()
}

fn files_regex(h: &Value) -> regex::Regex {
    regex::Regex::new(h["files"].as_str().expect("files pattern")).expect("files is a regex")
}

/// A git command in `dir`, isolated from any repository or hook environment around the test.
fn git(dir: &Path, args: &[&str]) -> Output {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=ztc test",
            "-c",
            "user.email=ztc@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

/// A scratch repository: a clean `zerotrust.yaml`, a failing `specs/bad.yaml`, a failing spec
/// the pattern does not select (`drafts/other.yaml`) and a README, all committed.
fn scratch_repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::create_dir_all(d.join("specs")).unwrap();
    std::fs::create_dir_all(d.join("drafts")).unwrap();
    std::fs::write(
        d.join("zerotrust.yaml"),
        fixture("tests/fixtures/formats/clean.yaml"),
    )
    .unwrap();
    std::fs::write(
        d.join("specs/bad.yaml"),
        fixture("tests/fixtures/formats/failing.yaml"),
    )
    .unwrap();
    std::fs::write(
        d.join("drafts/other.yaml"),
        fixture("tests/fixtures/formats/failing.yaml"),
    )
    .unwrap();
    std::fs::write(d.join("README.md"), "# payments infra\n").unwrap();
    git(d, &["init", "-q"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "specs"]);
    tmp
}

/// Run the hook's entry on `files` in `dir` as pre-commit does: entry words, then the file names.
/// The entry's executable (`ztc`) is the binary cargo built for this test.
fn run_entry(h: &Value, dir: &Path, files: &[String]) -> Output {
    let entry: Vec<&str> = h["entry"].as_str().unwrap().split_whitespace().collect();
    assert_eq!(entry[0], "ztc", "the entry runs the ztc binary");
    Command::new(env!("CARGO_BIN_EXE_ztc"))
        .args(&entry[1..])
        .args(files)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run the hook entry")
}

fn selected(h: &Value, listing: &[u8]) -> Vec<String> {
    let re = files_regex(h);
    String::from_utf8_lossy(listing)
        .lines()
        .filter(|f| re.is_match(f))
        .map(String::from)
        .collect()
}

#[test]
fn hook_manifest_has_the_fields_pre_commit_needs() {
    let all = hooks();
    assert_eq!(all.as_array().unwrap().len(), 1);
    let h = hook();
    assert_eq!(h["name"], "ztc check");
    assert_eq!(h["entry"], "ztc check");
    assert_eq!(h["language"], "rust");
    assert_eq!(h["pass_filenames"], true);
    assert_eq!(h["files"], r"zerotrust\.ya?ml$|specs/.*\.ya?ml$");
    // the binary pre-commit's `cargo install --path .` installs is the one the entry names
    let manifest = fixture("Cargo.toml");
    assert!(
        manifest.contains("[[bin]]\nname = \"ztc\""),
        "bin `ztc` in Cargo.toml"
    );

    let re = files_regex(&h);
    for yes in [
        "zerotrust.yaml",
        "zerotrust.yml",
        "infra/zerotrust.yaml",
        "specs/payment.yaml",
        "specs/eu/payment.yml",
        "platform/specs/x.yaml",
    ] {
        assert!(re.is_match(yes), "{yes} should be checked");
    }
    for no in [
        "README.md",
        "other.yaml",
        "zerotrust.yaml.bak",
        "specs/notes.txt",
        ".pre-commit-config.yaml",
        "drafts/other.yaml",
    ] {
        assert!(!re.is_match(no), "{no} should not be checked");
    }
}

/// `pre-commit run --all-files`: the tracked files the pattern selects, passed to the entry.
#[test]
fn hook_entry_fails_on_the_failing_spec_and_passes_the_clean_one() {
    let h = hook();
    let repo = scratch_repo();
    let d = repo.path();
    let files = selected(&h, &git(d, &["ls-files"]).stdout);
    assert_eq!(files, ["specs/bad.yaml", "zerotrust.yaml"]);

    let o = run_entry(&h, d, &files);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("specs/bad.yaml:27:18"), "{err}");
    assert!(err.contains("ZT0106"), "{err}");
    assert!(
        !err.contains("drafts/other.yaml"),
        "unselected file checked: {err}"
    );

    let o = run_entry(&h, d, &["zerotrust.yaml".to_string()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `git commit`: pre-commit passes the staged files the pattern selects. Staging a weakened
/// control in the clean spec fails the commit; fixing it passes; staging only unselected files
/// selects nothing (pre-commit then skips the hook instead of running `ztc check` bare).
#[test]
fn hook_entry_checks_the_staged_files_of_a_commit() {
    let h = hook();
    let repo = scratch_repo();
    let d = repo.path();
    let staged = |d: &Path| {
        selected(
            &h,
            &git(
                d,
                &["diff", "--cached", "--name-only", "--diff-filter=ACMR"],
            )
            .stdout,
        )
    };

    let clean = fixture("tests/fixtures/formats/clean.yaml");
    let weakened = clean.replace("retention: 1y", "retention: 1h");
    assert_ne!(clean, weakened);
    std::fs::write(d.join("zerotrust.yaml"), &weakened).unwrap();
    std::fs::write(d.join("README.md"), "# payments infra\n\nmore\n").unwrap();
    git(d, &["add", "-A"]);
    let files = staged(d);
    assert_eq!(files, ["zerotrust.yaml"]);
    let o = run_entry(&h, d, &files);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("zerotrust.yaml:13:"), "{err}");

    // fixed (longer retention than before): the staged spec passes
    std::fs::write(
        d.join("zerotrust.yaml"),
        clean.replace("retention: 1y", "retention: 7y"),
    )
    .unwrap();
    git(d, &["add", "-A"]);
    let files = staged(d);
    assert_eq!(files, ["zerotrust.yaml"]);
    let o = run_entry(&h, d, &files);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    git(d, &["commit", "-q", "-m", "readme"]);
    std::fs::write(d.join("drafts/other.yaml"), "broken: [\n").unwrap();
    git(d, &["add", "-A"]);
    assert!(staged(d).is_empty(), "pre-commit would skip the hook");
}

// --- the real pre-commit -------------------------------------------------------------------------

fn slow_tests() -> bool {
    std::env::var("ZTC_SLOW_TESTS")
        .map(|v| v.trim() == "1")
        .unwrap_or(false)
}

fn pre_commit_bin() -> Option<PathBuf> {
    let p = common::tools_dir().join("venv-precommit/bin/pre-commit");
    p.is_file().then_some(p)
}

/// Run with a time limit (pre-commit's first run compiles ztc in release mode).
fn run_bounded(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let o = child.wait_with_output().expect("output");
            panic!(
                "timed out after {limit:?}: {}\n{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A committed copy of this working tree (tracked and new, unignored files), so `try-repo` sees
/// the hook manifest and sources as they are now, committed or not.
fn snapshot_of_this_repo(into: &Path) {
    let o = git(
        &root(),
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    for rel in o.stdout.split(|b| *b == 0).filter(|s| !s.is_empty()) {
        let rel = String::from_utf8_lossy(rel).into_owned();
        let src = root().join(&rel);
        if !src.is_file() {
            continue; // deleted in the working tree
        }
        let dst = into.join(&rel);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(&src, &dst).unwrap();
    }
    git(into, &["init", "-q"]);
    git(into, &["add", "-A"]);
    git(into, &["commit", "-q", "-m", "snapshot"]);
}

/// The real pre-commit, three ways, in the scratch repository:
/// 1. `pre-commit try-repo <this repo> ztc-check --files ...` (a fresh install each time: pre-commit
///    builds ztc with `cargo install --path`), on selected and unselected files: fails on the bad
///    spec only;
/// 2. `.pre-commit-config.yaml` naming a committed copy of this repo, `pre-commit run --files`:
///    passes the clean spec, skips when no file matches;
/// 3. `pre-commit install`, then `git commit`: a staged weakened spec blocks the commit, the fixed
///    one is committed.
///
/// Slow (each install is a release build): runs only with `ZTC_SLOW_TESTS=1`. To keep it to a few
/// minutes the installs share `target/pre-commit-install` and build without LTO
/// (`CARGO_PROFILE_RELEASE_LTO=false`, 16 codegen units): the hook integration is under test, not
/// the optimised binary. Measured on 2 cores: about 5 minutes with a cold
/// `target/pre-commit-install`, about 100 seconds after that.
#[test]
fn real_pre_commit_try_repo() {
    if !slow_tests() {
        eprintln!(
            "SKIP: real pre-commit try-repo builds ztc in release mode; set ZTC_SLOW_TESTS=1"
        );
        return;
    }
    let Some(pre_commit) = pre_commit_bin() else {
        common::tool_missing(
            "pre-commit",
            "no .tools/venv-precommit/bin/pre-commit (bash scripts/install-test-tools.sh)",
        );
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("ztc-src");
    std::fs::create_dir_all(&src).unwrap();
    snapshot_of_this_repo(&src);
    let rev = String::from_utf8(git(&src, &["rev-parse", "HEAD"]).stdout).unwrap();
    let home = work.path().join("pre-commit-home");
    let repo = scratch_repo();
    let d = repo.path();
    let env = |cmd: &mut Command| {
        cmd.current_dir(d)
            .env("PRE_COMMIT_HOME", &home)
            .env("CARGO_TARGET_DIR", root().join("target/pre-commit-install"))
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("NO_COLOR", "1")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE");
    };
    let run = |what: &str, cmd: &mut Command| {
        env(cmd);
        let t = Instant::now();
        let o = run_bounded(cmd, Duration::from_secs(1800));
        eprintln!("{what}: {:.1?}", t.elapsed());
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (o.status.code(), text)
    };

    // 1. try-repo
    let files = [
        "zerotrust.yaml",
        "specs/bad.yaml",
        "drafts/other.yaml",
        "README.md",
    ];
    let (code, out) = run(
        "pre-commit try-repo",
        Command::new(&pre_commit)
            .arg("try-repo")
            .arg(&src)
            .args(["ztc-check", "--color=never", "--files"])
            .args(files),
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("ztc check"), "{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(out.contains("specs/bad.yaml:27:18"), "{out}");
    assert!(
        !out.contains("drafts/other.yaml:"),
        "unselected file checked: {out}"
    );

    // 2. a config naming the repository, `pre-commit run`
    std::fs::write(
        d.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: ztc-check\n",
            src.display(),
            rev.trim()
        ),
    )
    .unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "pre-commit config"]);
    let pre_commit_run = |files: &[&str]| {
        run(
            &format!("pre-commit run {files:?}"),
            Command::new(&pre_commit)
                .args(["run", "ztc-check", "--color=never", "--files"])
                .args(files),
        )
    };
    let (code, out) = pre_commit_run(&["zerotrust.yaml", "README.md"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("Passed"), "{out}");
    let (code, out) = pre_commit_run(&["README.md", "drafts/other.yaml"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("Skipped"), "{out}");

    // 3. the git hook
    let (code, out) = run(
        "pre-commit install",
        Command::new(&pre_commit).args(["install"]),
    );
    assert_eq!(code, Some(0), "{out}");
    let clean = fixture("tests/fixtures/formats/clean.yaml");
    let commit = |text: &str| {
        std::fs::write(d.join("zerotrust.yaml"), text).unwrap();
        git(d, &["add", "-A"]);
        run(
            "git commit",
            Command::new("git").args([
                "-c",
                "user.name=ztc test",
                "-c",
                "user.email=ztc@example.invalid",
                "-c",
                "commit.gpgsign=false",
                "commit",
                "-q",
                "-m",
                "change retention",
            ]),
        )
    };
    let (code, out) = commit(&clean.replace("retention: 1y", "retention: 1h"));
    assert_ne!(code, Some(0), "the weakened spec was committed: {out}");
    assert!(out.contains("zerotrust.yaml:13:"), "{out}");
    let (code, out) = commit(&clean.replace("retention: 1y", "retention: 7y"));
    assert_eq!(code, Some(0), "{out}");
    let log = String::from_utf8(git(d, &["log", "--oneline"]).stdout).unwrap();
    assert_eq!(log.lines().count(), 3, "{log}");
}
