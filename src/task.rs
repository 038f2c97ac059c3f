//! Task folders: a model's answer (`lib/MODEL_RESPONSE.md`, Terraform in Markdown
//! fences) reviewed as code, and compared with its ideal (`IDEAL_RESPONSE.md` when it
//! holds Terraform, else the `.tf` files of `lib/`). A corpus root holds many.
//!
//! The answer's files become virtual files at `<md path>/<name>` (for example
//! `lib/MODEL_RESPONSE.md/variables.tf`), so they never mix with the deployed `lib/*.tf`,
//! and every line keeps the Markdown line it came from.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::workspace::markdown::{ExtractionNote, extract};
use crate::workspace::{FileKind, Ideal, Note, SourceFile, Workspace, relative_path};

pub const ANSWER: &str = "MODEL_RESPONSE.md";
pub const IDEAL: &str = "IDEAL_RESPONSE.md";

/// Where the ideal answer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdealSource {
    Markdown(PathBuf),
    Folder(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFolder {
    /// The answer file.
    pub answer: PathBuf,
    pub ideal: Option<IdealSource>,
}

/// The task folder at `path` (or `path/lib`), if it is one.
pub fn detect(path: &Path) -> Option<TaskFolder> {
    for lib in [path.to_path_buf(), path.join("lib")] {
        let answer = lib.join(ANSWER);
        if answer.is_file() {
            return Some(TaskFolder {
                ideal: default_ideal(&lib),
                answer,
            });
        }
    }
    None
}

/// The ideal of a `lib` folder: its `IDEAL_RESPONSE.md` when that holds Terraform, else
/// the folder's `.tf` files.
fn default_ideal(lib: &Path) -> Option<IdealSource> {
    let md = lib.join(IDEAL);
    // A cheap look for an HCL fence; the extraction itself happens once, when loading.
    if let Ok(text) = std::fs::read_to_string(&md)
        && ["```hcl", "```terraform", "```tf"]
            .iter()
            .any(|f| text.contains(f))
    {
        return Some(IdealSource::Markdown(md));
    }
    let has_tf = std::fs::read_dir(lib)
        .ok()?
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "tf"));
    has_tf.then(|| IdealSource::Folder(lib.to_path_buf()))
}

/// Every task folder at or directly under `path` (a corpus root holds many).
pub fn detect_all(path: &Path) -> Vec<TaskFolder> {
    if let Some(task) = detect(path) {
        return vec![task];
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs.iter().filter_map(|d| detect(d)).collect()
}

fn kind_of(name: &str) -> Option<FileKind> {
    if name.ends_with(".tf") {
        Some(FileKind::Terraform)
    } else if name.ends_with(".tfvars") {
        Some(FileKind::Tfvars)
    } else {
        None
    }
}

/// The answer's Terraform as virtual files (paths relative to `root`), and the notes.
pub fn answer_files(
    root: &Path,
    answer: &Path,
) -> Result<(Vec<SourceFile>, Vec<Note>), crate::Error> {
    let md = std::fs::read_to_string(answer).map_err(|source| crate::Error::Io {
        path: answer.to_path_buf(),
        source,
    })?;
    let md_path = relative_path(root, answer);
    Ok(files_from_markdown(&md, &md_path))
}

pub fn files_from_markdown(md: &str, md_path: &str) -> (Vec<SourceFile>, Vec<Note>) {
    let extraction = extract(md);
    let mut files = Vec::new();
    for f in &extraction.files {
        let Some(kind) = kind_of(&f.path) else {
            continue;
        };
        files.push(SourceFile::virtual_file(
            format!("{md_path}/{}", f.path),
            kind,
            f.text.clone(),
            md_path,
            f.lines.clone(),
        ));
    }
    let first = files
        .first()
        .map(|f| f.path.clone())
        .unwrap_or_else(|| md_path.to_string());
    let notes = extraction
        .notes
        .into_iter()
        .map(
            |ExtractionNote {
                 line,
                 file,
                 message,
             }| Note {
                path: file
                    .map(|f| format!("{md_path}/{f}"))
                    .filter(|p| files.iter().any(|sf| &sf.path == p))
                    .unwrap_or_else(|| first.clone()),
                md_path: md_path.to_string(),
                md_line: line,
                message,
            },
        )
        .collect();
    (files, notes)
}

/// The ideal's Terraform as files whose paths are relative to the ideal itself.
pub fn ideal_files(ideal: &IdealSource) -> Vec<SourceFile> {
    match ideal {
        IdealSource::Markdown(md) => {
            let text = std::fs::read_to_string(md).unwrap_or_default();
            extract(&text)
                .files
                .into_iter()
                .filter_map(|f| Some(SourceFile::new(f.path.clone(), kind_of(&f.path)?, f.text)))
                .collect()
        }
        IdealSource::Folder(dir) => Workspace::load(dir).map(|w| w.files).unwrap_or_default(),
    }
}

type Loaded = (Vec<SourceFile>, Vec<Note>, Option<Ideal>);

/// A workspace made of the answers of the task folders (virtual files), with the notes of
/// their extraction and their ideals.
pub fn load(root: &Path, tasks: &[TaskFolder]) -> Result<Workspace, crate::Error> {
    let loaded: Vec<Result<Loaded, crate::Error>> = tasks
        .par_iter()
        .map(|task| {
            let (files, notes) = answer_files(root, &task.answer)?;
            let ideal = task.ideal.as_ref().and_then(|source| {
                let mut files = ideal_files(source);
                let mut source = source.clone();
                // An ideal Markdown with no Terraform after all: the folder's .tf files.
                if let (true, IdealSource::Markdown(md)) = (files.is_empty(), &source)
                    && let Some(lib) = md.parent()
                {
                    source = IdealSource::Folder(lib.to_path_buf());
                    files = ideal_files(&source);
                }
                (!files.is_empty()).then(|| Ideal {
                    prefix: relative_path(root, &task.answer),
                    source: match &source {
                        IdealSource::Markdown(p) | IdealSource::Folder(p) => relative_path(root, p),
                    },
                    files,
                })
            });
            Ok((files, notes, ideal))
        })
        .collect();
    let mut files = Vec::new();
    let mut notes = Vec::new();
    let mut ideals = Vec::new();
    for result in loaded {
        let (f, n, ideal) = result?;
        files.extend(f);
        notes.extend(n);
        ideals.extend(ideal);
    }
    let mut workspace = Workspace::from_files(root, files);
    workspace.notes = notes;
    workspace.ideals = ideals;
    workspace.task = true;
    Ok(workspace)
}
