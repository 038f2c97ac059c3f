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
        // Anything there but a folder is the answer: a FIFO, a device or a broken link
        // is then reported as unreadable rather than silently ignored.
        if std::fs::symlink_metadata(&answer).is_ok() && !answer.is_dir() {
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
    if let Ok(text) = crate::io::read_text(&md, crate::io::MAX_MARKDOWN_BYTES)
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
    // Links to folders are not followed: the corpus is what is under `path`.
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path())
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
/// An answer that cannot be read (not UTF-8, too large, a FIFO) is one unreadable file,
/// reported as a finding like any other; the rest of the analysis goes on.
pub fn answer_files(root: &Path, answer: &Path) -> (Vec<SourceFile>, Vec<Note>) {
    let (files, notes, _, _) = answer_with_assets(root, answer);
    (files, notes)
}

/// [`answer_files`] and the paths of the other files the answer shows (a script under a
/// `## user_data.sh` heading), as if they were beside its Terraform.
type Shown = (String, crate::workspace::markdown::AssetText);

fn answer_with_assets(
    root: &Path,
    answer: &Path,
) -> (Vec<SourceFile>, Vec<Note>, Vec<String>, Vec<Shown>) {
    let md_path = relative_path(root, answer);
    match crate::io::read_text(answer, crate::io::MAX_MARKDOWN_BYTES) {
        Ok(md) => {
            let mut extraction = extract(&md);
            let assets = extraction
                .assets
                .iter()
                .map(|name| format!("{md_path}/{name}"))
                .collect();
            let texts = std::mem::take(&mut extraction.asset_texts)
                .into_iter()
                .map(|a| (format!("{md_path}/{}", a.name), a))
                .collect();
            let (files, notes) = files_from_extraction(extraction, &md_path);
            (files, notes, assets, texts)
        }
        Err(problem) => (
            vec![SourceFile::unreadable(
                md_path,
                FileKind::Terraform,
                problem,
            )],
            Vec::new(),
            Vec::new(),
            Vec::new(),
        ),
    }
}

pub fn files_from_markdown(md: &str, md_path: &str) -> (Vec<SourceFile>, Vec<Note>) {
    files_from_extraction(extract(md), md_path)
}

fn files_from_extraction(
    extraction: crate::workspace::markdown::Extraction,
    md_path: &str,
) -> (Vec<SourceFile>, Vec<Note>) {
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
    let paths: std::collections::HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
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
                    .filter(|p| paths.contains(p.as_str()))
                    .unwrap_or_else(|| first.clone()),
                md_path: md_path.to_string(),
                md_line: line,
                message,
            },
        )
        .collect();
    (files, notes)
}

/// The ideal's Terraform as files whose paths are relative to the ideal itself, or why
/// the ideal could not be read.
pub fn ideal_files(ideal: &IdealSource) -> Result<Vec<SourceFile>, String> {
    match ideal {
        IdealSource::Markdown(md) => {
            let text = crate::io::read_text(md, crate::io::MAX_MARKDOWN_BYTES)
                .map_err(|e| e.to_string())?;
            Ok(extract(&text)
                .files
                .into_iter()
                .filter_map(|f| Some(SourceFile::new(f.path.clone(), kind_of(&f.path)?, f.text)))
                .collect())
        }
        IdealSource::Folder(dir) => Workspace::load(dir)
            .map(|w| {
                w.files
                    .into_iter()
                    .filter(|f| f.problem.is_none())
                    .collect()
            })
            .map_err(|e| e.to_string()),
    }
}

type Loaded = (
    Vec<SourceFile>,
    Vec<Note>,
    Option<Ideal>,
    Vec<String>,
    Vec<Shown>,
);

/// A workspace made of the answers of the task folders (virtual files), with the notes of
/// their extraction and their ideals. One unreadable answer or ideal is a finding or a
/// note about that folder; it never stops the others.
pub fn load(root: &Path, tasks: &[TaskFolder]) -> Result<Workspace, crate::Error> {
    let loaded: Vec<Loaded> = tasks
        .par_iter()
        .map(|task| {
            let (files, mut notes, assets, texts) = answer_with_assets(root, &task.answer);
            let first = files.first().map(|f| f.path.clone());
            let ideal = task.ideal.as_ref().and_then(|source| {
                let mut result = ideal_files(source);
                let mut source = source.clone();
                // An ideal Markdown with no Terraform after all: the folder's .tf files.
                if let (Ok(true), IdealSource::Markdown(md)) =
                    (result.as_ref().map(Vec::is_empty), &source)
                    && let Some(lib) = md.parent()
                {
                    source = IdealSource::Folder(lib.to_path_buf());
                    result = ideal_files(&source);
                }
                let source_path = match &source {
                    IdealSource::Markdown(p) | IdealSource::Folder(p) => relative_path(root, p),
                };
                let files = match result {
                    Ok(files) => files,
                    Err(why) => {
                        notes.push(Note {
                            path: first.clone().unwrap_or_else(|| relative_path(root, &task.answer)),
                            md_path: relative_path(root, &task.answer),
                            md_line: 1,
                            message: format!(
                                "the ideal `{source_path}` {why}; the answer was not compared with it"
                            ),
                        });
                        return None;
                    }
                };
                (!files.is_empty()).then(|| Ideal {
                    prefix: relative_path(root, &task.answer),
                    source: source_path,
                    files,
                })
            });
            (files, notes, ideal, assets, texts)
        })
        .collect();
    let mut files = Vec::new();
    let mut notes = Vec::new();
    let mut ideals = Vec::new();
    let mut assets = Vec::new();
    let mut asset_texts = std::collections::BTreeMap::new();
    for (f, n, ideal, a, t) in loaded {
        files.extend(f);
        notes.extend(n);
        ideals.extend(ideal);
        assets.extend(a);
        asset_texts.extend(t);
    }
    let mut workspace = Workspace::from_files(root, files);
    workspace.notes = notes;
    workspace.ideals = ideals;
    assets.sort_unstable();
    workspace.assets = assets;
    workspace.asset_texts = asset_texts;
    workspace.task = true;
    Ok(workspace)
}
