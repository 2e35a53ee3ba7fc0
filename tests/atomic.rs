//! `ztc build` replaces its output directory atomically: a build that fails or dies while writing
//! leaves the previous output exactly as it was. `tests/cli.rs` covers failures before anything is
//! written (findings, bad YAML) and an output parent that is a file; here the write itself fails
//! or the process is killed in the middle of it:
//!
//! - the disk fills up (a 64 KiB tmpfs in a private mount namespace; needs root and `unshare`),
//! - a file outgrows `RLIMIT_FSIZE` (`ulimit -f`) with SIGXFSZ ignored: `write` fails with EFBIG,
//! - the same limit with SIGXFSZ at its default: the kernel kills the process at that write,
//! - SIGKILL as soon as the first file of the new tree is on disk.
//!
//! The previous output is a small spec's module; the new build is `specs/payment.yaml`, whose
//! output is different and larger.
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PREVIOUS: &str = "tests/fixtures/rules/ok_mandatory-tags.yaml";
const NEW: &str = "specs/payment.yaml";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_ztc")
}

fn repo(rel: &str) -> String {
    common::repo_root().join(rel).to_string_lossy().into_owned()
}

/// Every file below `dir` (recursively) with its bytes; directories as `name/`.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(base, &p, out);
            } else {
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Entries beside the output directory other than the output itself.
fn siblings(out: &Path) -> Vec<String> {
    let name = out.file_name().unwrap();
    let mut v: Vec<String> = fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != name)
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn build(spec: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(bin())
        .arg("build")
        .arg(repo(spec))
        .arg("-o")
        .arg(out)
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .expect("run ztc")
}

/// `out` holding the previous build (a small spec), and its tree.
fn previous(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let o = build(PREVIOUS, out, &["-q"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let t = tree(out);
    assert!(t.contains_key("providers.tf"), "{:?}", t.keys());
    t
}

/// What `ztc build NEW` writes when nothing gets in the way.
fn reference(extra: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ref");
    let o = build(NEW, &out, &[&["-q"], extra].concat());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    tree(&out)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
fn a_full_disk_leaves_the_previous_output_and_no_temporary_directory() {
    if !is_root() || Command::new("unshare").arg("--version").output().is_err() {
        eprintln!("SKIP: a full disk is simulated with a tmpfs, which needs root and unshare; the RLIMIT_FSIZE tests below cover the failing write without them");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let (mnt, rep) = (work.path().join("mnt"), work.path().join("report"));
    fs::create_dir_all(&mnt).unwrap();
    fs::create_dir_all(&rep).unwrap();
    // everything happens inside a private mount namespace: the tmpfs disappears with the shell,
    // whatever happens to this test
    let script = r#"
mount -t tmpfs -o size=64k ztc-full-disk "$D" || exit 90
"$ZTC" -q build "$PREVIOUS" -o "$D/out" || exit 91
cp -a "$D/out" "$R/before"
"$ZTC" --color never build "$NEW" --target all -o "$D/out" 2> "$R/stderr"
echo $? > "$R/code"
cp -a "$D/out" "$R/after"
ls -A "$D" > "$R/ls"
"#;
    let o = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", script])
        .env("D", &mnt)
        .env("R", &rep)
        .env("ZTC", bin())
        .env("PREVIOUS", repo(PREVIOUS))
        .env("NEW", repo(NEW))
        .stdin(Stdio::null())
        .output()
        .expect("run unshare");
    match o.status.code() {
        Some(90) => {
            eprintln!(
                "SKIP: cannot mount a tmpfs here: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return;
        }
        Some(0) => {}
        c => panic!(
            "setup failed (exit {c:?}): {}",
            String::from_utf8_lossy(&o.stderr)
        ),
    }
    let stderr = fs::read_to_string(rep.join("stderr")).unwrap();
    assert_eq!(
        fs::read_to_string(rep.join("code")).unwrap().trim(),
        "74",
        "the build must fail with the write-error code: {stderr}"
    );
    assert!(
        stderr.contains("No space left on device"),
        "not a full disk: {stderr}"
    );
    assert_eq!(
        tree(&rep.join("after")),
        tree(&rep.join("before")),
        "the previous output changed"
    );
    assert_eq!(
        fs::read_to_string(rep.join("ls")).unwrap().trim(),
        "out",
        "temporary directories left on the full disk"
    );
}

/// `ztc build NEW -o out` under `ulimit -f 8` (8 blocks of 512 bytes or 1 KiB: below the
/// largest payment file, above the first ones); `ignore_xfsz` makes the write fail with EFBIG
/// instead of the kernel killing the process.
fn build_with_file_size_limit(out: &Path, ignore_xfsz: bool) -> std::process::ExitStatus {
    let trap = if ignore_xfsz { "trap '' XFSZ; " } else { "" };
    Command::new("sh")
        .arg("-c")
        .arg(format!("{trap}ulimit -f 8 && exec \"$0\" \"$@\""))
        .arg(bin())
        .args(["--color", "never", "build", &repo(NEW), "-o"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map(|o| {
            if ignore_xfsz {
                let e = String::from_utf8_lossy(&o.stderr);
                assert!(e.contains("File too large"), "not EFBIG: {e}");
            }
            o.status
        })
        .expect("run sh")
}

#[test]
fn a_write_that_fails_half_way_leaves_the_previous_output_and_no_temporary_directory() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let before = previous(&out);
    let status = build_with_file_size_limit(&out, true);
    assert_eq!(status.code(), Some(74), "{status:?}");
    assert_eq!(tree(&out), before, "the previous output changed");
    assert_eq!(
        siblings(&out),
        Vec::<String>::new(),
        "temporary directories left"
    );
    // and nothing is in the way of the next build
    let o = build(NEW, &out, &["-q"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(tree(&out), reference(&[]));
}

#[test]
fn a_process_killed_by_the_kernel_mid_write_leaves_the_previous_output() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let before = previous(&out);
    let status = build_with_file_size_limit(&out, false);
    assert_eq!(
        status.signal(),
        Some(25),
        "expected death by SIGXFSZ (25): {status:?}"
    );
    assert_eq!(tree(&out), before, "the previous output changed");
    // a killed process cannot clean up: its half-written tree stays, hidden, beside the output
    let left = siblings(&out);
    assert!(
        left.iter().all(|n| n.starts_with(".out.ztc-tmp-")),
        "unexpected entries beside the output: {left:?}"
    );
    let o = build(NEW, &out, &["-q"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(tree(&out), reference(&[]));
    if !left.is_empty() {
        eprintln!("note: a killed build leaves its temporary tree behind: {left:?}");
    }
}

#[test]
fn sigkill_while_the_new_tree_is_being_written_leaves_the_previous_output() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let before = previous(&out);
    let complete = reference(&["--target", "all"]);
    let (mut mid_write, mut attempts) = (0, 0);
    while mid_write < 3 && attempts < 30 {
        attempts += 1;
        let mut child = Command::new(bin())
            .args(["-q", "build", &repo(NEW), "--target", "all", "-o"])
            .arg(&out)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run ztc");
        let tmp = work.path().join(format!(".out.ztc-tmp-{}", child.id()));
        // kill as soon as the new tree holds a file: the write phase has begun and has not ended
        let start = Instant::now();
        let mut killed = false;
        while start.elapsed() < Duration::from_secs(20) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if fs::read_dir(&tmp).is_ok_and(|mut d| d.next().is_some()) {
                child.kill().unwrap();
                killed = true;
                break;
            }
            std::hint::spin_loop();
        }
        let status = child.wait().unwrap();
        let now = tree(&out);
        if now == complete {
            // finished before the kill: put the previous output back and try again
            assert!(!killed || status.signal() == Some(9));
            previous(&out);
            continue;
        }
        assert_eq!(
            now,
            before,
            "attempt {attempts}: the output is neither the previous nor the new one (exit {status:?})"
        );
        if killed && tmp.is_dir() {
            let written = tree(&tmp).len();
            assert!(
                written < complete.len(),
                "the kill came after the whole tree was written"
            );
            mid_write += 1;
            fs::remove_dir_all(&tmp).unwrap();
        }
    }
    assert!(
        mid_write >= 1,
        "no SIGKILL landed while the tree was being written in {attempts} attempts"
    );
    eprintln!(
        "{mid_write} SIGKILLs mid-write in {attempts} attempts; the previous output survived each"
    );
}
