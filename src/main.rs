//! The `tfreview` command line: parses arguments and dispatches to the engine.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};

use tfreview::Severity;
use tfreview::export::{json, text};
use tfreview::rules;

#[derive(Parser)]
#[command(
    name = "tfreview",
    version,
    about = "A terminal workbench for reviewing Terraform"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The workspace to review.
    path: Option<PathBuf>,
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
    },
    /// List the rules, or print one rule's documentation.
    Rules {
        /// A rule id.
        id: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
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
            eprintln!("tfreview: {e:#}");
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
        }) => check(&path, format, fail_on),
        Some(Command::Rules { id }) => list_rules(id.as_deref()),
        None => check(
            &cli.path.unwrap_or_else(|| PathBuf::from(".")),
            Format::Text,
            FailOn::None,
        ),
    }
}

fn check(path: &std::path::Path, format: Format, fail_on: FailOn) -> anyhow::Result<ExitCode> {
    let analysis = tfreview::analyse_path(path)
        .with_context(|| format!("cannot analyse {}", path.display()))?;
    let output = match format {
        Format::Text => text::render(&analysis),
        Format::Json => {
            let mut s = json::to_string(&json::report(&analysis, &path.to_string_lossy()));
            s.push('\n');
            s
        }
    };
    write_stdout(&output)?;
    let failed = fail_on
        .threshold()
        .is_some_and(|t| analysis.findings.iter().any(|f| f.severity >= t));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn list_rules(id: Option<&str>) -> anyhow::Result<ExitCode> {
    match id {
        Some(id) => {
            let Some(rule) = rules::find(id) else {
                eprintln!("tfreview: no rule `{id}`; `tfreview rules` lists them");
                return Ok(ExitCode::from(2));
            };
            let doc = rules::doc(id).unwrap_or("");
            write_stdout(&format!(
                "# {} ({})\n\n{doc}\n",
                rule.id(),
                rule.severity().as_str()
            ))?;
        }
        None => {
            let mut out = String::new();
            for rule in rules::all() {
                out.push_str(&format!(
                    "{:<44} {:<9} {}\n",
                    rule.id(),
                    rule.severity().as_str(),
                    rules::summary(rule.id())
                ));
            }
            write_stdout(&out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes to stdout; a closed pipe (`| head`) ends quietly.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}
