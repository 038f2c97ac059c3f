//! tfreview: a workbench for reviewing Terraform. This crate is the engine (discovery,
//! parsing, the model, rules, findings with fixes, exports); the terminal front end lives
//! in `tui` and the engine never depends on it.

pub mod analysis;
pub mod baseline;
pub mod changes;
pub mod compare;
pub mod config;
pub mod edits;
pub mod evaluate;
pub mod export;
pub mod finding;
pub mod fixset;
pub mod format;
pub mod io;
pub mod model;
pub mod review;
pub mod rules;
pub mod sanitize;
pub mod suppress;
pub mod task;
pub mod tui;
pub mod watch;
pub mod workspace;

pub use analysis::{Analysis, Target, analyse, analyse_path, analyse_with, analyse_workspace};
pub use finding::{Applicability, Edit, Finding, Fix, Related, Severity};
pub use workspace::{SourceFile, Workspace};

use std::path::PathBuf;

/// Errors that stop an analysis from starting. Problems inside files are findings, not
/// errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not a folder")]
    NotADirectory(PathBuf),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
}
