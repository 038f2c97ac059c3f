//! The `tfreview` command line: parses arguments and dispatches to the engine.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};

use tfreview::export::markdown::{self, MarkdownOptions};
use tfreview::export::{json, text};
use tfreview::review::{ReviewStore, Status};
use tfreview::rules;
use tfreview::tui::theme::Theme;
use tfreview::{Severity, Target};

/// mimalloc rather than glibc's allocator: the analysis allocates a syntax-tree node per
/// expression and frees it again, and malloc and free were 17% of `check`'s samples.
/// Medians on this 2-core machine: the corpus 858 → 721 ms; 60k variables and locals
/// 1,040 → 852 ms; a 5.3 MB answer 2,115 → 1,645 ms. Without transparent huge pages
/// (`no_thp`), which kept the corpus's peak at 123 MB instead of 92 MB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What to review at PATH: a task folder's answer (the default when PATH or PATH/lib
/// holds MODEL_RESPONSE.md), an answer chosen explicitly, or the plain `.tf` files.
#[derive(clap::Args, Clone, Default)]
struct TargetArgs {
    /// The Markdown answer to review (default: PATH/lib/MODEL_RESPONSE.md when present).
    #[arg(long)]
    answer: Option<PathBuf>,
    /// The ideal to compare with: a folder of .tf files or a Markdown file.
    #[arg(long, requires = "answer")]
    ideal: Option<PathBuf>,
    /// Review the folder's .tf files as an ordinary workspace, even in a task folder.
    #[arg(long, conflicts_with_all = ["answer", "ideal"])]
    plain: bool,
    /// The configuration file (default: PATH/.tfreview.toml when present).
    #[arg(long)]
    config: Option<PathBuf>,
}

impl TargetArgs {
    fn target(&self) -> Target {
        match (&self.answer, self.plain) {
            (_, true) => Target::Plain,
            (Some(answer), false) => Target::Answer {
                answer: answer.clone(),
                ideal: self.ideal.clone(),
            },
            (None, false) => Target::Auto,
        }
    }
}

#[derive(Parser)]
#[command(
    name = "tfreview",
    version,
    about = "A terminal workbench for reviewing Terraform"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The workspace to review in the workbench.
    path: Option<PathBuf>,
    /// Colour theme: `dark`, `light`, or a theme file (NO_COLOR gives monochrome).
    #[arg(long, default_value = "dark")]
    theme: String,
    /// Where the review state lives (default: PATH/.tfreview/review.json).
    #[arg(long)]
    review_file: Option<PathBuf>,
    /// Do not re-analyse when the files change.
    #[arg(long)]
    no_watch: bool,
    /// Show only what a git change since REV introduced, its lines marked `+`.
    #[arg(long, value_name = "REV")]
    changed_since: Option<String>,
    #[command(flatten)]
    target: TargetArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse once and print the findings; exit 1 when one is at or above --fail-on.
    Check {
        /// The workspace to analyse.
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Lowest severity that makes the exit status 1.
        #[arg(long, value_enum, default_value_t = FailOn::High)]
        fail_on: FailOn,
        /// Print a fresh report on every change, until interrupted.
        #[arg(long, conflicts_with_all = ["baseline", "write_baseline", "changed_since"])]
        watch: bool,
        /// Report only findings that are not in this earlier report (JSON, SARIF, or a
        /// file of --write-baseline).
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Write every current finding's fingerprint to FILE, as a baseline for later runs.
        #[arg(long, value_name = "FILE")]
        write_baseline: Option<PathBuf>,
        /// Report only what a change introduced since the git revision REV: findings on
        /// lines it added or modified, and findings new anywhere.
        #[arg(long, value_name = "REV")]
        changed_since: Option<String>,
        /// The review whose decisions the report shows (default:
        /// PATH/.tfreview/review.json); rejected findings do not fail the check.
        #[arg(long, value_name = "FILE")]
        review_file: Option<PathBuf>,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Write the Terraform files of a Markdown answer to a folder.
    Extract {
        /// The Markdown file (MODEL_RESPONSE.md, IDEAL_RESPONSE.md).
        file: PathBuf,
        /// The folder to write the files into.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Overwrite files in the folder whose content differs from the answer's.
        #[arg(long)]
        force: bool,
    },
    /// Write the review (the saved decisions applied to a fresh analysis) to a file.
    Export {
        /// The workspace.
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_enum, default_value_t = ExportFormat::Md)]
        format: ExportFormat,
        /// The file to write.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Treat pending findings as accepted: a first draft from the analysis alone.
        #[arg(long)]
        draft: bool,
        /// Leave out the "Dismissed Findings" section.
        #[arg(long)]
        no_dismissed: bool,
        /// Leave out the "Not Yet Reviewed" section.
        #[arg(long)]
        no_pending: bool,
        /// The review state to read (default: PATH/.tfreview/review.json).
        #[arg(long)]
        review_file: Option<PathBuf>,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Apply the mechanical fixes: safe ones by default, analysing again and repeating
    /// until nothing changes (at most 10 passes). In a task folder the answer's files,
    /// fixed, are written to --output (never into the Markdown).
    Fix {
        /// The workspace (or task folder).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Only the fixes of this rule (repeatable).
        #[arg(long = "rule", value_name = "ID")]
        rules: Vec<String>,
        /// Unsafe fixes too (they change behaviour or need a value from you).
        #[arg(long = "unsafe")]
        unsafe_fixes: bool,
        /// Print the combined diff instead of writing.
        #[arg(long)]
        dry_run: bool,
        /// Where the fixed files of a task folder's answer are written.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Format Terraform files as `terraform fmt` does (without Terraform): rewrite them and
    /// list those changed; with --check, only list them and exit 3.
    Fmt {
        /// A file, or a folder (its .tf, .tfvars and .tftest.hcl files).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Change nothing; exit 3 when a file is not formatted.
        #[arg(long)]
        check: bool,
        /// Print the changes as a diff.
        #[arg(long)]
        diff: bool,
        /// Also the folders below.
        #[arg(long)]
        recursive: bool,
    },
    /// List the rules, or print one rule's documentation.
    Rules {
        /// A rule id.
        id: Option<String>,
    },
    /// Evaluate the rules on a folder of task folders against hand-labelled failures:
    /// findings per rule on the deployed code and the answers, recall and precision.
    Evaluate {
        /// The folder of task folders (each with lib/MODEL_RESPONSE.md).
        corpus: PathBuf,
        /// The labels: a `.tsv` file, or a folder whose `*.tsv` files are the splits
        /// (`dev.tsv`, `test.tsv`, …): folder, failure, severity, MODEL_RESPONSE.md
        /// lines, rule, group (tab-separated).
        #[arg(long)]
        labels: PathBuf,
        /// Also write the tables into this Markdown file, between the lines
        /// `<!-- evaluation -->` and `<!-- /evaluation -->`.
        #[arg(long)]
        doc: Option<PathBuf>,
        /// List the misses of the `test` split too (by default they are only counted: no
        /// rule may be tuned on them).
        #[arg(long)]
        test_misses: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands: an annotation per finding.
    Github,
    /// JUnit XML: a test case per rule, a failure per finding.
    Junit,
}

struct CheckOptions {
    format: Format,
    fail_on: FailOn,
    baseline: Option<PathBuf>,
    write_baseline: Option<PathBuf>,
    changed_since: Option<String>,
    review_file: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Md,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    None,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::None => None,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tfreview: {}", error_chain(&e));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Check {
            path,
            format,
            fail_on,
            watch,
            baseline,
            write_baseline,
            changed_since,
            review_file,
            target,
        }) => {
            if watch {
                check_watch(&path, target.target(), target.config, format)
            } else {
                check(
                    &path,
                    &target,
                    &CheckOptions {
                        format,
                        fail_on,
                        baseline,
                        write_baseline,
                        changed_since,
                        review_file,
                    },
                )
            }
        }
        Some(Command::Extract {
            file,
            output,
            force,
        }) => extract(&file, &output, force),
        Some(Command::Rules { id }) => list_rules(id.as_deref()),
        Some(Command::Fmt {
            path,
            check,
            diff,
            recursive,
        }) => fmt(&path, check, diff, recursive),
        Some(Command::Fix {
            path,
            rules,
            unsafe_fixes,
            dry_run,
            output,
            target,
        }) => fix(
            &path,
            &target,
            tfreview::fixset::Selection {
                unsafe_fixes,
                rules,
            },
            dry_run,
            output.as_deref(),
        ),
        Some(Command::Evaluate {
            corpus,
            labels,
            doc,
            test_misses,
        }) => {
            let labels = tfreview::evaluate::read_labels(&labels).map_err(anyhow::Error::msg)?;
            let evaluation = tfreview::evaluate::evaluate(&corpus, &labels)
                .with_context(|| format!("cannot evaluate {}", corpus.display()))?;
            let table = evaluation.table(test_misses);
            if let Some(doc) = doc {
                let text = tfreview::io::read_text(&doc, tfreview::io::MAX_DATA_BYTES)
                    .map_err(|e| anyhow::anyhow!("{} {e}", doc.display()))?;
                let text = tfreview::evaluate::replace_generated(&text, &table)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", doc.display()))?;
                tfreview::io::write_atomic(&doc, text.as_bytes())
                    .with_context(|| format!("cannot write {}", doc.display()))?;
            }
            write_stdout(&table)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export {
            path,
            format,
            output,
            draft,
            no_dismissed,
            no_pending,
            review_file,
            target,
        }) => {
            let options = MarkdownOptions {
                draft,
                include_dismissed: !no_dismissed,
                include_pending: !no_pending,
            };
            export(&path, &target, format, &output, &options, review_file)
        }
        None => {
            let mut cli = cli;
            let (path, answer) =
                open_target(cli.path.take().unwrap_or_else(|| PathBuf::from(".")))?;
            if let Some(answer) = answer {
                cli.target.answer = Some(answer);
            }
            let theme = if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                Theme::mono()
            } else {
                Theme::load(&cli.theme)?
            };
            let changes = match &cli.changed_since {
                Some(rev) => Some(tfreview::changes::Changes::since(
                    &path,
                    rev,
                    &cli.target.target(),
                    cli.target.config.as_deref(),
                )?),
                None => None,
            };
            let store = match cli.review_file {
                Some(file) => ReviewStore::at(file),
                None => ReviewStore::for_workspace(&path),
            };
            tfreview::tui::run::run(
                path,
                tfreview::tui::run::Options {
                    theme,
                    store,
                    watch: tfreview::watch::Watch::from_env(!cli.no_watch),
                    target: cli.target.target(),
                    config: cli.target.config,
                    changes,
                },
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What the workbench opens for PATH: a folder as it is; a task folder's
/// `MODEL_RESPONSE.md` (the file a reviewer has at hand) opens its task folder; another
/// Markdown file opens its folder with that file as the answer.
fn open_target(path: PathBuf) -> anyhow::Result<(PathBuf, Option<PathBuf>)> {
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            anyhow::bail!("{}: no such file or folder", path.display())
        }
        Err(e) => anyhow::bail!("{}: {e}", path.display()),
    };
    if meta.is_dir() {
        return Ok((path, None));
    }
    let is_md = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"));
    if !meta.is_file() || !is_md {
        anyhow::bail!(
            "{} is not a folder or a Markdown answer; give the workspace's folder",
            path.display()
        );
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if path.file_name().is_some_and(|n| n == "MODEL_RESPONSE.md") {
        // `TASK/lib/MODEL_RESPONSE.md` → `TASK`; `TASK/MODEL_RESPONSE.md` → `TASK`.
        let task = if parent.file_name().is_some_and(|n| n == "lib") {
            match parent.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            }
        } else {
            parent
        };
        return Ok((task, None));
    }
    Ok((parent, Some(path)))
}

/// Writes the report of `analysis` in `format` to `out`. The JSON report is streamed: its
/// entries are built and written a chunk at a time.
fn render_to(
    analysis: &tfreview::Analysis,
    path: &std::path::Path,
    format: Format,
    review: &tfreview::review::Review,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let base =
        || tfreview::export::sarif::Base::for_root(path, std::env::current_dir().ok().as_deref());
    let text = match format {
        Format::Text => text::render(analysis),
        Format::Json => {
            let status = |fp: &str| {
                (
                    review.status(fp).as_str().to_string(),
                    review.note(fp).map(str::to_string),
                )
            };
            return json::write(analysis, &path.to_string_lossy(), &status, false, out);
        }
        Format::Sarif => {
            let log = tfreview::export::sarif::report(analysis, review, &base());
            tfreview::export::sarif::to_string(&log)
        }
        Format::Github => tfreview::export::github::render(analysis, review, &base()),
        Format::Junit => tfreview::export::junit::render(analysis, review),
    };
    out.write_all(text.as_bytes())
}

fn check(
    path: &std::path::Path,
    target: &TargetArgs,
    options: &CheckOptions,
) -> anyhow::Result<ExitCode> {
    let mut analysis = tfreview::analyse_with(path, &target.target(), target.config.as_deref())
        .with_context(|| format!("cannot analyse {}", path.display()))?;
    let store = match &options.review_file {
        Some(file) => ReviewStore::at(file.clone()),
        None => ReviewStore::for_workspace(path),
    };
    // A check never changes the review: an unusable one is said, and ignored.
    let review = store.load_strict().unwrap_or_else(|e| {
        eprintln!("tfreview: warning: {e}; the check ignores its decisions");
        tfreview::review::Review::default()
    });
    if let Some(file) = &options.write_baseline {
        tfreview::io::write_atomic(file, tfreview::baseline::render(&analysis).as_bytes())
            .with_context(|| format!("cannot write {}", file.display()))?;
        eprintln!(
            "tfreview: wrote the baseline of {} finding{} to {}",
            analysis.findings.len(),
            if analysis.findings.len() == 1 {
                ""
            } else {
                "s"
            },
            file.display()
        );
    }
    if let Some(file) = &options.baseline {
        let known = tfreview::baseline::load(file)?;
        let dropped = tfreview::baseline::apply(&mut analysis, &known);
        eprintln!(
            "tfreview: {dropped} finding{} already in the baseline {} {} not reported",
            if dropped == 1 { "" } else { "s" },
            file.display(),
            if dropped == 1 { "is" } else { "are" }
        );
    }
    if let Some(rev) = &options.changed_since {
        let changes = tfreview::changes::Changes::since(
            path,
            rev,
            &target.target(),
            target.config.as_deref(),
        )?;
        let dropped = changes.apply(&mut analysis);
        eprintln!(
            "tfreview: {dropped} finding{} not introduced by the change since {} {} not reported",
            if dropped == 1 { "" } else { "s" },
            tfreview::sanitize::for_terminal(rev),
            if dropped == 1 { "is" } else { "are" }
        );
    }
    write_stdout_with(|out| render_to(&analysis, path, options.format, &review, out))?;
    let ws = &analysis.workspace;
    let failed = options.fail_on.threshold().is_some_and(|t| {
        analysis
            .findings
            .iter()
            .any(|f| f.severity >= t && review.status(&f.fingerprint(ws)) != Status::Rejected)
    });
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `check --watch`: a fresh report on every change, for a split terminal.
fn check_watch(
    path: &std::path::Path,
    target: Target,
    config: Option<PathBuf>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    if !path.is_dir() {
        anyhow::bail!("{} is not a folder", path.display());
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let live = tfreview::watch::Live::start_configured(
        path,
        target,
        config,
        tfreview::watch::Watch::from_env(true),
        move |event| {
            let _ = tx.send(event);
        },
    );
    let clear = std::io::stdout().is_terminal() && matches!(format, Format::Text);
    for event in rx {
        let tfreview::watch::LiveEvent::Analysis {
            result, elapsed, ..
        } = event;
        let mut out = String::new();
        if clear {
            out.push_str("\x1b[2J\x1b[H");
        }
        match result {
            Ok(analysis) => {
                if matches!(format, Format::Text) {
                    out.push_str(&format!(
                        "── tfreview check {} · {} · {} ms ──\n",
                        path.display(),
                        live.mode.describe(),
                        elapsed.as_millis()
                    ));
                }
                let mut report = Vec::new();
                render_to(
                    &analysis,
                    path,
                    format,
                    &tfreview::review::Review::default(),
                    &mut report,
                )?;
                out.push_str(&String::from_utf8_lossy(&report));
            }
            Err(e) => out.push_str(&format!(
                "tfreview: cannot analyse {}: {e}\n",
                path.display()
            )),
        }
        write_stdout(&out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the answer's files below `output`: every target is checked first (no link on
/// the way out of `output`, no clash between a file and a folder, no hand-edited file
/// overwritten without `--force`), then each is written atomically; nothing is written
/// when a check fails.
fn extract(
    file: &std::path::Path,
    output: &std::path::Path,
    force: bool,
) -> anyhow::Result<ExitCode> {
    let md = tfreview::io::read_text(file, tfreview::io::MAX_MARKDOWN_BYTES)
        .map_err(|e| anyhow::anyhow!("{} {e}", file.display()))?;
    let extraction = tfreview::workspace::markdown::extract(&md);
    if extraction.files.is_empty() {
        anyhow::bail!("{} holds no Terraform", file.display());
    }
    let mut problems = Vec::new();
    let mut writes = Vec::new();
    for f in &extraction.files {
        let rel = std::path::Path::new(&f.path);
        let target = output.join(rel);
        let clash = extraction
            .files
            .iter()
            .find(|other| other.path.starts_with(&format!("{}/", f.path)));
        if let Some(other) = clash {
            problems.push(format!(
                "{} is both a file and the folder of {}",
                f.path, other.path
            ));
            continue;
        }
        if let Err(e) = tfreview::io::check_parents(output, rel) {
            problems.push(e.to_string());
            continue;
        }
        match std::fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => problems.push(format!(
                "{} is a symbolic link; tfreview does not write through links",
                target.display()
            )),
            Ok(meta) if !meta.is_file() => problems.push(format!(
                "{} exists and is a {}",
                target.display(),
                tfreview::io::kind_of(meta.file_type())
            )),
            Ok(_) => match tfreview::io::read_text(&target, tfreview::io::MAX_SOURCE_BYTES) {
                Ok(existing) if existing == f.text => {
                    eprintln!("tfreview: {} is up to date", target.display());
                }
                _ if force => writes.push((rel, f)),
                _ => problems.push(format!(
                    "{} exists with other content (--force overwrites it)",
                    target.display()
                )),
            },
            Err(_) => writes.push((rel, f)),
        }
    }
    if !problems.is_empty() {
        anyhow::bail!("nothing was written:\n  {}", problems.join("\n  "));
    }
    std::fs::create_dir_all(output)
        .with_context(|| format!("cannot create {}", output.display()))?;
    for (rel, f) in writes {
        let target = tfreview::io::write_within(output, rel, f.text.as_bytes())
            .with_context(|| format!("cannot write {}", output.join(rel).display()))?;
        eprintln!(
            "tfreview: wrote {} ({} lines, from line {})",
            target.display(),
            f.lines.len(),
            f.lines.first().copied().unwrap_or(0)
        );
    }
    for note in &extraction.notes {
        eprintln!(
            "tfreview: note: {}:{}: {}",
            file.display(),
            note.line,
            tfreview::sanitize::for_terminal(&note.message)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn export(
    path: &std::path::Path,
    target: &TargetArgs,
    format: ExportFormat,
    output: &std::path::Path,
    options: &MarkdownOptions,
    review_file: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let analysis = tfreview::analyse_with(path, &target.target(), target.config.as_deref())
        .with_context(|| format!("cannot analyse {}", path.display()))?;
    let store = match review_file {
        Some(file) => ReviewStore::at(file),
        None => ReviewStore::for_workspace(path),
    };
    // An export never changes the review, and never silently drops its decisions.
    let review = store.load_strict()?;
    for (file, line) in analysis.syntax_errors() {
        eprintln!(
            "tfreview: warning: {}:{line} does not parse; its findings may be stale in the export",
            tfreview::sanitize::for_terminal(file)
        );
    }
    let text = match format {
        ExportFormat::Md => markdown::render(&analysis, &review, &workspace_name(path), options),
        ExportFormat::Json => {
            let status = |fp: &str| {
                let status = match review.status(fp) {
                    Status::Pending if options.draft => Status::Accepted,
                    other => other,
                };
                (
                    status.as_str().to_string(),
                    review.note(fp).map(str::to_string),
                )
            };
            let mut report = Vec::new();
            json::write(
                &analysis,
                &path.to_string_lossy(),
                &status,
                true,
                &mut report,
            )?;
            String::from_utf8(report)?
        }
    };
    tfreview::io::write_atomic(output, text.as_bytes())
        .with_context(|| format!("cannot write {}", output.display()))?;
    eprintln!("tfreview: wrote {}", output.display());
    Ok(ExitCode::SUCCESS)
}

fn fix(
    path: &std::path::Path,
    target: &TargetArgs,
    selection: tfreview::fixset::Selection,
    dry_run: bool,
    output: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    for id in &selection.rules {
        if rules::find(id).is_none() {
            anyhow::bail!("no rule `{id}`; `tfreview rules` lists them");
        }
    }
    let workspace =
        tfreview::analysis::load_workspace(path, &target.target(), target.config.as_deref())
            .with_context(|| format!("cannot analyse {}", path.display()))?;
    if workspace.task && output.is_none() && !dry_run {
        anyhow::bail!(
            "{} is a task folder: its answer is Markdown, which tfreview never rewrites; name a folder for the fixed files with --output DIR (or use --dry-run)",
            path.display()
        );
    }
    let run = tfreview::fixset::fix_until_stable(workspace, &selection, 10);
    let mut report = String::new();
    for (n, pass) in run.passes.iter().enumerate() {
        report.push_str(&format!(
            "pass {}: {} fix{} applied\n",
            n + 1,
            pass.applied.len(),
            if pass.applied.len() == 1 { "" } else { "es" }
        ));
        for (p, line, rule, title) in &pass.applied {
            report.push_str(&format!("  fixed {p}:{line} [{rule}] {title}\n"));
        }
    }
    if let Some(last) = run.passes.last() {
        for (p, line, rule, title, why) in &last.skipped {
            report.push_str(&format!("  left  {p}:{line} [{rule}] {title}: {why}\n"));
        }
    }
    let left = &run.last;
    let fixable_unsafe = left
        .findings
        .iter()
        .filter(|f| {
            tfreview::fixset::fix_of(f)
                .is_some_and(|x| x.applicability == tfreview::Applicability::Unsafe)
        })
        .count();
    let unfixable = left
        .findings
        .iter()
        .filter(|f| tfreview::fixset::fix_of(f).is_none())
        .count();
    report.push_str(&format!(
        "{} finding{} left: {} with an unsafe fix{}, {} without a mechanical fix\n",
        left.findings.len(),
        if left.findings.len() == 1 { "" } else { "s" },
        fixable_unsafe,
        if selection.unsafe_fixes || fixable_unsafe == 0 {
            ""
        } else {
            " (--unsafe applies them)"
        },
        unfixable
    ));
    if let Some(why) = &run.stopped {
        report.push_str(&format!("note: {why}\n"));
    }
    if dry_run {
        write_stdout(&run.diff())?;
        eprint!("{}", tfreview::sanitize::for_terminal(&report));
        return Ok(ExitCode::SUCCESS);
    }
    let changes = run.changes();
    match output {
        Some(out) if run.original.task => write_answers(&run, out)?,
        _ => {
            // Refuse a file that changed on disk since it was read, before writing any.
            let root = &run.original.root;
            let mut stale = Vec::new();
            for (p, before, _) in &changes {
                let now = tfreview::io::read_text_if_exists(
                    &root.join(p),
                    tfreview::io::MAX_SOURCE_BYTES,
                )
                .ok()
                .flatten();
                if now.as_deref() != *before {
                    stale.push(p.to_string());
                }
            }
            if !stale.is_empty() {
                anyhow::bail!(
                    "nothing was written: changed on disk since it was read: {}",
                    stale.join(", ")
                );
            }
            let base = output.unwrap_or(root);
            for (p, _, after) in &changes {
                let written =
                    tfreview::io::write_within(base, std::path::Path::new(p), after.as_bytes())
                        .with_context(|| format!("cannot write {p}"))?;
                report.push_str(&format!("wrote {}\n", written.display()));
            }
        }
    }
    eprint!("{}", tfreview::sanitize::for_terminal(&report));
    Ok(ExitCode::SUCCESS)
}

/// Writes every file of the fixed answers below `out`: `out/NAME` for one answer,
/// `out/PATH-OF-ITS-FOLDER/NAME` for several.
fn write_answers(run: &tfreview::fixset::FixRun, out: &std::path::Path) -> anyhow::Result<()> {
    let ws = &run.last.workspace;
    let answers: std::collections::BTreeSet<&str> = ws
        .files
        .iter()
        .filter_map(|f| ws.answer_of(&f.path).map(|(md, _)| md))
        .collect();
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for f in &ws.files {
        let Some((_, name)) = ws.answer_of(&f.path) else {
            continue;
        };
        if f.problem.is_some() {
            continue;
        }
        let rel = if answers.len() == 1 {
            name.to_string()
        } else {
            ws.disk_path(&f.path)
        };
        let written =
            tfreview::io::write_within(out, std::path::Path::new(&rel), f.text.as_bytes())
                .with_context(|| format!("cannot write {rel} in {}", out.display()))?;
        eprintln!("tfreview: wrote {}", written.display());
    }
    Ok(())
}

/// The name a review calls the workspace by: its folder's name.
/// The files `fmt` formats at `path`: the file itself, or a folder's `.tf`, `.tfvars` and
/// `.tftest.hcl` files (and its sub-folders' with `recursive`), in path order.
fn fmt_files(path: &std::path::Path, recursive: bool) -> anyhow::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            anyhow::anyhow!("{}: no such file or folder", path.display())
        }
        _ => anyhow::anyhow!("{}: {e}", path.display()),
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let formattable = |p: &std::path::Path| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        name.ends_with(".tf") || name.ends_with(".tfvars") || name.ends_with(".tftest.hcl")
    };
    let mut files: Vec<PathBuf> = tfreview::workspace::walker(path)
        .filter_map(Result::ok)
        .filter(|e| recursive || e.depth() <= 1)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| formattable(p))
        .collect();
    files.sort();
    Ok(files)
}

/// `tfreview fmt`: exit 0 when every file is formatted (or was rewritten), 3 with
/// `--check` when one is not, 2 when a file cannot be read, parsed or written, as
/// `terraform fmt` does.
fn fmt(
    path: &std::path::Path,
    check: bool,
    diff: bool,
    recursive: bool,
) -> anyhow::Result<ExitCode> {
    let mut out = String::new();
    let mut unformatted = false;
    let mut failed = false;
    for file in fmt_files(path, recursive)? {
        let shown = tfreview::sanitize::for_terminal(&file.display().to_string()).into_owned();
        let text = match tfreview::io::read_text(&file, tfreview::io::MAX_SOURCE_BYTES) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("tfreview: {shown} {e}");
                failed = true;
                continue;
            }
        };
        let formatted = match tfreview::format::format(&text) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("tfreview: {shown} {e}");
                failed = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        unformatted = true;
        out.push_str(&shown);
        out.push('\n');
        if diff {
            let name = file.display().to_string();
            let d = similar::TextDiff::from_lines(&text, &formatted);
            out.push_str(&tfreview::sanitize::for_terminal(
                &d.unified_diff()
                    .header(&format!("old/{name}"), &format!("new/{name}"))
                    .to_string(),
            ));
        }
        if !check {
            tfreview::io::write_atomic(&file, formatted.as_bytes())
                .with_context(|| format!("cannot write {}", file.display()))?;
        }
    }
    write_stdout(&out)?;
    Ok(if failed {
        ExitCode::from(2)
    } else if check && unformatted {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

fn workspace_name(path: &std::path::Path) -> String {
    std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| path.display().to_string())
}

fn list_rules(id: Option<&str>) -> anyhow::Result<ExitCode> {
    match id {
        Some(id) => {
            let wanted = id.trim().to_ascii_lowercase().replace('_', "-");
            let Some(rule) = rules::find(&wanted) else {
                let ids: Vec<&str> = rules::all().iter().map(|r| r.id()).collect();
                let mut close: Vec<(usize, &str)> = ids
                    .iter()
                    .map(|c| (tfreview::model::schema::check::distance(&wanted, c), *c))
                    .filter(|(d, c)| {
                        *d <= (wanted.len() / 3).max(2)
                            || wanted.split('-').all(|word| c.contains(word))
                    })
                    .collect();
                close.sort();
                let hint = match close.first() {
                    Some((_, c)) if wanted.len() >= 3 => format!("; did you mean `{c}`?"),
                    _ => String::new(),
                };
                eprintln!(
                    "tfreview: no rule `{}`{hint} (`tfreview rules` lists them)",
                    tfreview::sanitize::for_terminal(id)
                );
                return Ok(ExitCode::from(2));
            };
            let doc = rules::doc(id).unwrap_or("");
            write_stdout(&format!(
                "# {} (severity {}, class {}, profile {})\n\n{doc}\n",
                rule.id(),
                rule.severity().as_str(),
                rule.class().as_str(),
                rule.profile().unwrap_or("core")
            ))?;
        }
        None => {
            // The first column as wide as the longest id, one space after it.
            let w = rules::all().iter().map(|r| r.id().len()).max().unwrap_or(4) + 1;
            let mut out = format!(
                "{:<w$} {:<9} {:<12} {:<9} {}\n",
                "RULE", "SEVERITY", "CLASS", "PROFILE", "WHAT IT DOES"
            );
            for rule in rules::all() {
                out.push_str(&format!(
                    "{:<w$} {:<9} {:<12} {:<9} {}\n",
                    rule.id(),
                    rule.severity().as_str(),
                    rule.class().as_str(),
                    rule.profile().unwrap_or("core"),
                    rules::summary(rule.id())
                ));
            }
            write_stdout(&out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An error and its causes, each said once: a cause whose text the message already ends
/// with (`cannot read x: Not a directory (os error 20)` over the same OS error) is left
/// out.
fn error_chain(error: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) || out.contains(&format!(": {text}")) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    tfreview::sanitize::for_terminal(&out).into_owned()
}

/// Writes to stdout; a closed pipe (`| head`) ends quietly.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    write_stdout_with(|out| out.write_all(text.as_bytes()))
}

/// Runs `write` on a buffered stdout; a reader that went away (`| head`) is no error.
fn write_stdout_with(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut stdout = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    match write(&mut stdout).and_then(|_| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}
