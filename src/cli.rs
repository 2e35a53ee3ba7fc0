//! The command line: argument parsing, file I/O and exit codes; `report` renders the formats.

use crate::compile::{compile, Compiled, Options};
use crate::diag::{self, Diagnostic, Severity};
use crate::emit::{self, Target};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Exit codes (sysexits-style where it matters).
pub mod exit {
    pub const OK: i32 = 0;
    /// Findings (errors, or warnings with `--fail-on warning` / `--deny-warnings`).
    pub const FINDINGS: i32 = 1;
    /// Usage or input errors: unreadable file, not YAML, bad arguments.
    pub const INPUT: i32 = 2;
    /// Output could not be written.
    pub const IO: i32 = 74;
}

#[derive(Parser, Debug)]
#[command(name = "ztc", version, about = "Compile zero-trust, PCI-DSS AWS infrastructure specs to Terraform HCL, CDKTF JSON and Pulumi YAML", long_about = None)]
pub struct Cli {
    /// When to use colour: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Print only errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Also print notes: how the spec was lowered (derived routes, grants, names, log groups).
    #[arg(long, short, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Largest spec file read, in MiB (a generated estate-wide spec may need more).
    #[arg(long, global = true, value_name = "MIB", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub max_size: u64,
    /// Most YAML nodes in a spec, every copy an alias makes counted (the alias-bomb bound).
    #[arg(long, global = true, value_name = "N", default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub max_nodes: u64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum TargetArg {
    /// Terraform HCL module.
    Hcl,
    /// Terraform JSON in the CDKTF layout (cdktf.out/).
    Cdktf,
    /// Pulumi YAML program.
    Pulumi,
    /// All three, in hcl/, cdktf/ and pulumi/.
    All,
}

pub use crate::report::{diag_json, FailOn, Format};

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a spec and write the generated infrastructure code.
    Build {
        /// The spec file (zerotrust.yaml).
        spec: PathBuf,
        /// Output target.
        #[arg(long, short, value_enum, default_value = "hcl")]
        target: TargetArg,
        /// Output directory (default: out/<spec name>/<target>). Replaced atomically.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Check specs without writing anything: exit 0 clean, 1 findings, 2 input errors.
    Check {
        /// Spec files.
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        /// Output format: human (stderr), json, sarif (SARIF 2.1.0) or junit (JUnit XML) on stdout.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Which unwaived findings exit 1: error, warning (errors and warnings) or never.
        #[arg(long, value_enum, default_value = "error")]
        fail_on: FailOn,
        /// Treat warnings as errors (= `--fail-on warning`).
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print the JSON Schema of the spec format (for editors and the YAML language server).
    Schema,
    /// Explain a diagnostic code or rule slug; `--list` lists them all.
    Explain {
        /// Code (ZT0105) or slug (iam-wildcard).
        code: Option<String>,
        /// List every code.
        #[arg(long)]
        list: bool,
    },
    /// Scaffold a commented spec for a compliance profile (asks for missing values on a terminal).
    Init(crate::init::InitArgs),
    /// Draw a spec: the network (trust boundary, tiers, flows) or the resource graph.
    Graph(crate::graph::GraphArgs),
    /// Write the compliance evidence report of a spec (PCI DSS, SOC 2 or the zero-trust
    /// baseline): per requirement, the spec lines and generated resources that meet it, the checks
    /// and their outcome, and the waivers.
    Report {
        /// The spec file (zerotrust.yaml).
        spec: PathBuf,
        /// Output format: md (Markdown), html (one self-contained page) or json.
        #[arg(long, value_enum, default_value = "md")]
        format: crate::evidence::Format,
        /// The standard to report against [default: pci-dss-v4 when the spec selects it, else
        /// the spec's first profile].
        #[arg(long, value_enum)]
        standard: Option<crate::evidence::Standard>,
        /// Write to this file (replaced atomically) instead of stdout.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout: `ztc man > ztc.1`.
    Man,
}

/// Run the CLI; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
        }
    };
    let ui = Ui {
        color,
        quiet: cli.quiet,
        verbose: cli.verbose,
        limits: crate::yaml::Limits {
            max_bytes: (cli.max_size * 1024 * 1024) as usize,
            max_nodes: cli.max_nodes as usize,
            ..crate::yaml::Limits::default()
        },
    };
    match cli.command {
        Command::Build {
            spec,
            target,
            out,
            deny_warnings,
        } => build(&ui, &spec, target, out, deny_warnings),
        Command::Check {
            specs,
            format,
            fail_on,
            deny_warnings,
        } => {
            let fail_on = if deny_warnings {
                FailOn::Warning
            } else {
                fail_on
            };
            check(&ui, &specs, format, fail_on)
        }
        Command::Schema => {
            println!("{}", schema_text());
            exit::OK
        }
        Command::Explain { code, list } => explain(code.as_deref(), list),
        Command::Init(args) => crate::init::run(args, ui.quiet),
        Command::Graph(args) => crate::graph::run(args, ui.color, ui.limits),
        Command::Report {
            spec,
            format,
            standard,
            out,
        } => report(&ui, &spec, format, standard, out.as_deref()),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "ztc", &mut std::io::stdout());
            exit::OK
        }
        Command::Man => {
            use clap::CommandFactory;
            match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
                Ok(()) => exit::OK,
                Err(e) => {
                    eprintln!("error: cannot write the man page: {e}");
                    exit::IO
                }
            }
        }
    }
}

/// The schema as committed in `schema/zerotrust.schema.json`.
pub fn schema_text() -> String {
    serde_json::to_string_pretty(&crate::spec::json_schema()).unwrap_or_default()
}

struct Ui {
    color: bool,
    quiet: bool,
    verbose: bool,
    /// Input bounds (`--max-size`, `--max-nodes`).
    limits: crate::yaml::Limits,
}

impl Ui {
    fn report(&self, c: &Compiled) {
        eprint!(
            "{}",
            crate::report::human_diagnostics(c, self.color, self.quiet, self.verbose, 100)
        );
    }
    fn summary(&self, c: &Compiled) {
        if !self.quiet {
            eprintln!("{}", crate::report::summary(c, self.verbose));
        }
    }
}

/// A spec file's bytes, never more than `limits.max_bytes` of them read.
pub(crate) fn read(path: &Path, limits: &crate::yaml::Limits) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    let limit = limits.max_bytes as u64;
    if meta.len() > limit {
        return Err(format!(
            "{} is {} bytes; specs are limited to {limit} bytes (raise with --max-size MIB)",
            path.display(),
            meta.len()
        ));
    }
    // the length of a device, FIFO or /proc file says nothing (`/dev/zero` is 0 bytes long):
    // never read more than one byte past the limit
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "{} is more than {limit} bytes; specs are limited to {limit} bytes (raise with --max-size MIB)",
            path.display()
        ));
    }
    Ok(bytes)
}

fn failed(c: &Compiled, deny_warnings: bool) -> bool {
    c.has_errors() || (deny_warnings && c.count(Severity::Warning) > 0)
}

fn compile_file(ui: &Ui, path: &Path) -> Result<Compiled, i32> {
    let bytes = read(path, &ui.limits).map_err(|e| {
        eprintln!("error: {e}");
        exit::INPUT
    })?;
    Ok(compile(
        &path.display().to_string(),
        &bytes,
        &Options { limits: ui.limits },
    ))
}

fn build(
    ui: &Ui,
    spec: &Path,
    target: TargetArg,
    out: Option<PathBuf>,
    deny_warnings: bool,
) -> i32 {
    let c = match compile_file(ui, spec) {
        Ok(c) => c,
        Err(code) => return code,
    };
    ui.report(&c);
    ui.summary(&c);
    if c.input_error {
        return exit::INPUT;
    }
    if failed(&c, deny_warnings) {
        eprintln!("error: build failed; nothing was written");
        return exit::FINDINGS;
    }
    let Some(module) = &c.module else {
        return exit::FINDINGS;
    };
    let targets: Vec<Target> = match target {
        TargetArg::Hcl => vec![Target::Hcl],
        TargetArg::Cdktf => vec![Target::Cdktf],
        TargetArg::Pulumi => vec![Target::Pulumi],
        TargetArg::All => Target::ALL.to_vec(),
    };
    // every target printed once (large modules: each on its own thread), with its diagnostics
    let built = emit::build(module, &targets, &c.diagnostics);
    let target_diags = &built.diagnostics;
    if !target_diags.is_empty() {
        let shown: Vec<Diagnostic> = target_diags
            .iter()
            .filter(|d| crate::report::shown(d, ui.quiet, ui.verbose))
            .cloned()
            .collect();
        eprint!("{}", diag::render(&shown, &c.source, ui.color, 100));
        if target_diags.iter().any(Diagnostic::is_blocking)
            || (deny_warnings && target_diags.iter().any(|d| d.severity == Severity::Warning))
        {
            eprintln!("error: build failed; nothing was written");
            return exit::FINDINGS;
        }
    }
    let stem = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "spec".into());
    let single = targets.len() == 1;
    let out = out.unwrap_or_else(|| {
        let base = PathBuf::from("out").join(&stem);
        if single {
            base.join(targets[0].name())
        } else {
            base
        }
    });
    let mut files = Vec::new();
    for (t, target_files) in built.files {
        for (p, text) in target_files {
            let p = if single {
                p
            } else {
                format!("{}/{p}", t.name())
            };
            files.push((p, text));
        }
    }
    match write_atomic(&out, &files) {
        Ok(()) => {
            if !ui.quiet {
                eprintln!("wrote {} files to {}", files.len(), out.display());
            }
            exit::OK
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            exit::IO
        }
    }
}

/// Write files into `dir`, replacing it as a whole: the new tree is built beside it and renamed
/// into place, so a failure leaves the previous output untouched.
pub fn write_atomic(dir: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = parent.join(format!(".{name}.ztc-tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.ztc-old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| {
        for (rel, text) in files {
            let p = tmp.join(rel);
            if let Some(d) = p.parent() {
                std::fs::create_dir_all(d)?;
            }
            let mut f = std::fs::File::create(&p)?;
            f.write_all(text)?;
            f.sync_all()?;
        }
        Ok::<(), std::io::Error>(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let had_old = dir.exists();
    if had_old {
        std::fs::rename(dir, &old)?;
    }
    if let Err(e) = std::fs::rename(&tmp, dir) {
        if had_old {
            let _ = std::fs::rename(&old, dir);
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

/// Write `bytes` to the file `path` atomically: into a temporary file beside it, synced, then
/// renamed over it. A failure leaves any previous file untouched and no temporary file behind.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| std::io::Error::other("the output path names no file"))?;
    let tmp = parent.join(format!(".{name}.ztc-tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn report(
    ui: &Ui,
    spec: &Path,
    format: crate::evidence::Format,
    standard: Option<crate::evidence::Standard>,
    out: Option<&Path>,
) -> i32 {
    let c = match compile_file(ui, spec) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let blocking: Vec<Diagnostic> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_blocking())
        .cloned()
        .collect();
    let model = match crate::evidence::build_for(&c, standard) {
        Ok(m) => m,
        Err(why) => {
            eprint!("{}", diag::render(&blocking, &c.source, ui.color, 100));
            eprintln!("error: cannot report on {}: {why}", spec.display());
            return if c.input_error {
                exit::INPUT
            } else {
                exit::FINDINGS
            };
        }
    };
    let text = crate::evidence::render(format, &model);
    let code = if blocking.is_empty() {
        exit::OK
    } else {
        eprint!("{}", diag::render(&blocking, &c.source, ui.color, 100));
        eprintln!(
            "error: {} has unwaived errors; the report shows them as failing requirements",
            spec.display()
        );
        exit::FINDINGS
    };
    match out {
        None => {
            print!("{text}");
            code
        }
        Some(p) => match write_file_atomic(p, text.as_bytes()) {
            Ok(()) => {
                if !ui.quiet {
                    eprintln!("wrote {}", p.display());
                }
                code
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", p.display());
                exit::IO
            }
        },
    }
}

fn check(ui: &Ui, specs: &[PathBuf], format: Format, fail_on: FailOn) -> i32 {
    let mut code = exit::OK;
    let mut compiled = Vec::new();
    for spec in specs {
        let c = match compile_file(ui, spec) {
            Ok(c) => c,
            Err(e) => {
                code = code.max(e);
                continue;
            }
        };
        if c.input_error {
            code = code.max(exit::INPUT);
        } else if fail_on.fails(&c) {
            code = code.max(exit::FINDINGS);
        }
        compiled.push(c);
    }
    let opts = crate::report::Options {
        color: ui.color,
        quiet: ui.quiet,
        verbose: ui.verbose,
        width: 100,
        fail_on,
    };
    let text = crate::report::render(format, &compiled, &opts);
    if format == Format::Human {
        eprint!("{text}");
    } else {
        println!("{}", text.trim_end());
    }
    code
}

fn explain(code: Option<&str>, list: bool) -> i32 {
    let entries = crate::explain::all();
    if list || code.is_none() {
        for e in &entries {
            println!("{}  {:<40} {:<8} {}", e.code, e.slug, e.severity, e.summary);
        }
        return exit::OK;
    }
    let code = code.unwrap_or_default();
    match entries
        .iter()
        .find(|e| e.code.eq_ignore_ascii_case(code) || e.slug == code)
    {
        Some(e) => {
            println!("# {} {}: {}\n", e.code, e.slug, e.summary);
            println!("Severity: {}", e.severity);
            if !e.pci.is_empty() {
                println!("PCI DSS v4.0.1: {}", e.pci.join(", "));
            }
            println!("\n{}", e.explain.trim());
            exit::OK
        }
        None => {
            let all: Vec<String> = entries
                .iter()
                .flat_map(|e| [e.code.to_string(), e.slug.to_string()])
                .collect();
            match crate::validate::did_you_mean(code, &all) {
                Some(s) => eprintln!("error: unknown code `{code}`; did you mean `{s}`?"),
                None => eprintln!("error: unknown code `{code}`; `ztc explain --list` lists them"),
            }
            exit::INPUT
        }
    }
}
