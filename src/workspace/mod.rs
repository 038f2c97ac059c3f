//! Discovery of a workspace: which files are read, their text, and how byte offsets turn
//! into lines and columns. Everything downstream points into these files by
//! `(FileId, byte range)`.

use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub mod markdown;

/// Files larger than this are reported instead of read.
pub const MAX_FILE_BYTES: u64 = crate::io::MAX_SOURCE_BYTES;

/// Folders that never hold code under review.
pub const SKIPPED_DIRS: &[&str] = &[".terraform", ".git", ".tfreview"];

/// Index of a file in [`Workspace::files`].
pub type FileId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A `*.tf` file: part of the module of its folder.
    Terraform,
    /// A `*.tfvars` file: values for the variables of its folder's module.
    Tfvars,
}

/// Why a file could not be analysed: what the bounded reader said.
pub type ReadProblem = crate::io::ReadError;

/// Where a file's text came from, when not from the file at `path` itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    pub path: String,
    pub line: usize,
}

/// The text of one file and a line index over it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the workspace root, with `/` separators.
    pub path: String,
    pub kind: FileKind,
    pub text: String,
    /// Byte offset at which each line starts.
    line_starts: Vec<usize>,
    /// Set when the file exists but could not be read; `text` is then empty.
    pub problem: Option<ReadProblem>,
    /// For code taken from a Markdown answer: where it starts there.
    pub origin: Option<Origin>,
    /// For code taken from a Markdown answer: the Markdown line of each line (1-based).
    pub origin_lines: Vec<usize>,
}

/// The byte offset of each line's start in `text`: 0, and one after each newline.
pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect()
}

impl SourceFile {
    pub fn new(path: impl Into<String>, kind: FileKind, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = line_starts(&text);
        SourceFile {
            path: path.into(),
            kind,
            text,
            line_starts,
            problem: None,
            origin: None,
            origin_lines: Vec::new(),
        }
    }

    /// A file taken from Markdown: `md_lines[i]` is the Markdown line of line `i + 1`.
    pub fn virtual_file(
        path: impl Into<String>,
        kind: FileKind,
        text: impl Into<String>,
        md_path: &str,
        md_lines: Vec<usize>,
    ) -> Self {
        let mut file = SourceFile::new(path, kind, text);
        file.origin = Some(Origin {
            path: md_path.to_string(),
            line: md_lines.first().copied().unwrap_or(1),
        });
        file.origin_lines = md_lines;
        file
    }

    /// Where 1-based `line` of this file comes from, when it comes from Markdown.
    pub fn origin_at(&self, line: usize) -> Option<Origin> {
        let origin = self.origin.as_ref()?;
        let md_line = self
            .origin_lines
            .get(line.saturating_sub(1))
            .or(self.origin_lines.last())
            .copied()
            .unwrap_or(origin.line);
        Some(Origin {
            path: origin.path.clone(),
            line: md_line,
        })
    }

    pub fn unreadable(path: String, kind: FileKind, problem: ReadProblem) -> Self {
        let mut file = SourceFile::new(path, kind, String::new());
        file.problem = Some(problem);
        file
    }

    /// The folder of the file relative to the root (`""` for the root): its module.
    pub fn dir(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(dir, _)| dir)
    }

    /// 1-based line and column (in characters) of a byte offset.
    /// Whether Terraform reads the file as an override (`override.tf`,
    /// `*_override.tf`, and their `.tf.json` forms): its blocks are merged into the ones
    /// they repeat, not declared again.
    pub fn is_override(&self) -> bool {
        let name = self.path.rsplit('/').next().unwrap_or(&self.path);
        let stem = name
            .strip_suffix(".tf.json")
            .or_else(|| name.strip_suffix(".tf"))
            .unwrap_or(name);
        stem == "override" || stem.ends_with("_override")
    }

    /// Whether the offsets `a` and `b` are in one code block of the Markdown answer the
    /// file was taken from (their lines are consecutive there too). `false` when the
    /// file has lost its map to the Markdown (changed by fixes); a file of the workspace
    /// is one block.
    pub fn in_one_code_block(&self, a: usize, b: usize) -> bool {
        if self.origin.is_none() {
            return true;
        }
        let (la, _) = self.line_col(a);
        let (lb, _) = self.line_col(b);
        let md = |line: usize| self.origin_lines.get(line.saturating_sub(1)).copied();
        match (md(la), md(lb)) {
            (Some(ma), Some(mb)) => mb.abs_diff(ma) == lb.abs_diff(la),
            _ => false,
        }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line, column)
    }

    /// Byte range of 1-based `line`, without its line ending.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        // Lines count from 1: there is no line 0.
        if line == 0 {
            return 0..0;
        }
        let Some(&start) = self.line_starts.get(line - 1) else {
            return self.text.len()..self.text.len();
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        let end = if end > start && self.text.as_bytes().get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        };
        start..end.max(start)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Text of a byte range, empty when the range is not valid for this file.
    pub fn slice(&self, range: Range<usize>) -> &str {
        self.text.get(range).unwrap_or("")
    }
}

/// Something to tell the reviewer about how a file was obtained (extraction from
/// Markdown), at a line of the Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The (virtual) file it concerns.
    pub path: String,
    pub md_path: String,
    pub md_line: usize,
    pub message: String,
}

/// The ideal answer that the files under `prefix` are compared with.
#[derive(Debug, Clone, Default)]
pub struct Ideal {
    /// The folder of the answer's virtual files (`lib/MODEL_RESPONSE.md`).
    pub prefix: String,
    /// Where the ideal comes from, for messages (`lib/IDEAL_RESPONSE.md`, `lib`).
    pub source: String,
    /// The ideal's files, with paths relative to the ideal.
    pub files: Vec<SourceFile>,
}

/// The files of a workspace, sorted by path.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    pub root: PathBuf,
    pub files: Vec<SourceFile>,
    pub notes: Vec<Note>,
    pub ideals: Vec<Ideal>,
    /// The configuration the analysis follows.
    pub config: std::sync::Arc<crate::config::Config>,
    /// Whether the files are answers of task folders (the task contract applies).
    pub task: bool,
    /// The other files discovery saw (`lambda.zip`, templates), relative, sorted: rules
    /// check that files the code names exist without doing IO themselves.
    pub assets: Vec<String>,
    /// The text of the assets that can be templates (`user_data.sh`, `*.tpl`), by path:
    /// read with the files (at most [`MAX_TEMPLATE_BYTES`] each), or as an answer shows
    /// them (with the Markdown line of each line).
    pub asset_texts: std::collections::BTreeMap<String, markdown::AssetText>,
}

/// The largest template read with a workspace's files.
pub const MAX_TEMPLATE_BYTES: u64 = 256 * 1024;
/// How many templates are read with a workspace's files, at most (with
/// [`MAX_TEMPLATE_BYTES`], 256 MiB in all at worst).
pub const MAX_TEMPLATES: usize = 1024;

/// Whether an asset's name says it may be a template that `templatefile()` renders.
pub fn may_be_template(path: &str) -> bool {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(
        ext,
        "tpl"
            | "tftpl"
            | "tmpl"
            | "sh"
            | "bash"
            | "ps1"
            | "yaml"
            | "yml"
            | "cfg"
            | "conf"
            | "toml"
            | "ini"
            | "service"
            | "j2"
    )
}

impl Workspace {
    /// Discovers and reads every `*.tf` and `*.tfvars` file under `root`, skipping
    /// `.terraform/`, `.git/`, `.tfreview/` and whatever `.gitignore` ignores. Files that
    /// cannot be read are kept with their [`ReadProblem`] so that they become findings.
    pub fn load(root: &Path) -> Result<Workspace, crate::Error> {
        let meta = std::fs::metadata(root).map_err(|e| crate::Error::Io {
            path: root.to_path_buf(),
            source: e,
        })?;
        if !meta.is_dir() {
            return Err(crate::Error::NotADirectory(root.to_path_buf()));
        }
        let mut paths = Vec::new();
        let mut assets = Vec::new();
        let mut problems = Vec::new();
        let ignores = Ignores::new(root);
        for entry in walker_with(root, ignores.clone()) {
            let entry = match entry {
                Ok(entry) => entry,
                // A folder that cannot be listed is reported: code in it was not read.
                Err(e) => {
                    if let Some((path, message)) = walk_problem(root, &e) {
                        problems.push(SourceFile::unreadable(
                            path,
                            FileKind::Terraform,
                            ReadProblem::Unusable(message),
                        ));
                    }
                    continue;
                }
            };
            let Some(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                continue;
            }
            let path = entry.path();
            let kind = match path.extension().and_then(|e| e.to_str()) {
                Some("tf") => FileKind::Terraform,
                Some("tfvars") => FileKind::Tfvars,
                // Assets: only regular files (and links to them) count as present.
                _ => {
                    if file_type.is_file() || path.is_file() {
                        assets.push(relative_path(root, path));
                    }
                    continue;
                }
            };
            // Links, FIFOs and devices are read (or refused) by the bounded reader,
            // which follows links the way Terraform does.
            paths.push((path.to_path_buf(), kind));
        }
        problems.extend(ignores.problems(root));
        let mut files: Vec<SourceFile> = paths
            .par_iter()
            .map(|(path, kind)| read_file(root, path, *kind))
            .collect();
        // Templates are read with the files when some file renders one (an unreadable
        // one is left out: the rules that need it then say nothing), at most
        // MAX_TEMPLATES of them.
        let renders = files.par_iter().any(|f| f.text.contains("templatefile"));
        let templates: Vec<&String> = assets
            .iter()
            .filter(|a| renders && may_be_template(a))
            .take(MAX_TEMPLATES)
            .collect();
        let asset_texts = templates
            .par_iter()
            .filter_map(|a| {
                let text = crate::io::read_text(&root.join(a), MAX_TEMPLATE_BYTES).ok()?;
                let name = a.rsplit('/').next().unwrap_or(a).to_string();
                Some((
                    (*a).clone(),
                    markdown::AssetText {
                        name,
                        text,
                        lines: Vec::new(),
                    },
                ))
            })
            .collect();
        files.extend(problems);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        assets.sort_unstable();
        Ok(Workspace {
            root: root.to_path_buf(),
            files,
            assets,
            asset_texts,
            ..Workspace::default()
        })
    }

    /// The workspace under `config`: its ignored paths left out.
    pub fn configured(mut self, config: crate::config::Config) -> Workspace {
        self.files.retain(|f| !config.ignores(&f.path));
        self.config = std::sync::Arc::new(config);
        self
    }

    /// A workspace made of in-memory files (tests, Markdown answers).
    pub fn from_files(root: impl Into<PathBuf>, mut files: Vec<SourceFile>) -> Workspace {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Workspace {
            root: root.into(),
            files,
            ..Workspace::default()
        }
    }

    /// The files directly in folder `dir` (not in its subfolders).
    pub fn files_in(&self, dir: &str) -> impl Iterator<Item = &SourceFile> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        // Files are sorted by path: those of `dir` start where `dir/` would.
        let first = self
            .files
            .partition_point(|f| f.path.as_str() < prefix.as_str());
        self.files[first..]
            .iter()
            .take_while(move |f| f.path.starts_with(&prefix))
            .filter(move |f| f.dir() == dir)
    }

    /// Where a file of the workspace is on disk, relative to the root: itself, or for a
    /// file taken from a Markdown answer (`lib/MODEL_RESPONSE.md/provider.tf`), the path
    /// the answer names beside the Markdown (`lib/provider.tf`), where `extract` writes
    /// it. Diffs use it, so that they apply with `git apply` from the root.
    pub fn disk_path(&self, path: &str) -> String {
        if let Some((md, name)) = self.answer_of(path) {
            let dir = md.rsplit_once('/').map_or("", |(d, _)| d);
            return if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
        }
        path.to_string()
    }

    /// For a path inside a Markdown answer's virtual folder: the answer's path and the
    /// file's name inside it.
    pub fn answer_of<'p>(&self, path: &'p str) -> Option<(&'p str, &'p str)> {
        let mut from = 0;
        while let Some(i) = path[from..].find(".md/") {
            let end = from + i + 3;
            let md = &path[..end];
            // Files are sorted by path: the answer's files start where `md/` would.
            let prefix = &path[..=end];
            let first = self.files.partition_point(|f| f.path.as_str() < prefix);
            let virtual_file = self.files.get(first).is_some_and(|f| {
                f.path.starts_with(prefix) && f.origin.as_ref().is_some_and(|o| o.path == md)
            });
            if virtual_file || self.ideals.iter().any(|i| i.prefix == md) {
                return Some((md, &path[end + 1..]));
            }
            from = end;
        }
        None
    }

    pub fn file_by_path(&self, path: &str) -> Option<&SourceFile> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }
}

/// Walks `root` by the rules of discovery: hidden files included, `.gitignore` obeyed
/// (inside a git repository or not, each read with the bounded reader), [`SKIPPED_DIRS`]
/// never entered, symbolic links to folders never followed (the walk never leaves the
/// root).
pub fn walker(root: &Path) -> ignore::Walk {
    walker_with(root, Ignores::new(root))
}

fn walker_with(root: &Path, ignores: Ignores) -> ignore::Walk {
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .parents(false)
        .ignore(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .follow_links(false)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && SKIPPED_DIRS.iter().any(|d| entry.file_name() == *d) {
                return false;
            }
            // The root itself is never ignored.
            entry.depth() == 0 || !ignores.ignored(entry.path(), is_dir)
        })
        .build()
}

/// The `.gitignore` files of a tree, read lazily (with the bounded reader) and cached:
/// a path is ignored by the deepest `.gitignore` that has a say about it.
#[derive(Clone)]
pub struct Ignores {
    root: PathBuf,
    cache: std::sync::Arc<std::sync::Mutex<IgnoreCache>>,
}

type IgnoreCache = std::collections::HashMap<
    PathBuf,
    Result<Option<std::sync::Arc<ignore::gitignore::Gitignore>>, ReadProblem>,
>;

/// At most this many patterns are taken from one `.gitignore`.
const MAX_IGNORE_PATTERNS: usize = 10_000;

impl Ignores {
    pub fn new(root: &Path) -> Ignores {
        Ignores {
            root: root.to_path_buf(),
            cache: std::sync::Arc::default(),
        }
    }

    fn matcher(&self, dir: &Path) -> Option<std::sync::Arc<ignore::gitignore::Gitignore>> {
        let Ok(mut cache) = self.cache.lock() else {
            return None;
        };
        // Most folders were seen before: no owned key for those.
        if let Some(loaded) = cache.get(dir) {
            return loaded.clone().ok().flatten();
        }
        cache
            .entry(dir.to_path_buf())
            .or_insert_with(|| load_gitignore(dir).map(|m| m.map(std::sync::Arc::new)))
            .clone()
            .ok()
            .flatten()
    }

    /// Whether `path` (below the root) is ignored by a `.gitignore` in its folder or in
    /// one above it, up to the root.
    pub fn ignored(&self, path: &Path, is_dir: bool) -> bool {
        let mut dir = path.parent();
        while let Some(d) = dir {
            if !d.starts_with(&self.root) {
                break;
            }
            if let Some(m) = self.matcher(d) {
                let rel = path.strip_prefix(d).unwrap_or(path);
                match m.matched(rel, is_dir) {
                    ignore::Match::Ignore(_) => return true,
                    ignore::Match::Whitelist(_) => return false,
                    ignore::Match::None => {}
                }
            }
            if d == self.root {
                break;
            }
            dir = d.parent();
        }
        false
    }

    /// The `.gitignore` files seen that could not be used, as unreadable files.
    fn problems(&self, root: &Path) -> Vec<SourceFile> {
        let Ok(cache) = self.cache.lock() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (dir, loaded) in cache.iter() {
            if let Err(problem) = loaded {
                let rel = relative_path(root, &dir.join(".gitignore"));
                out.push(SourceFile::unreadable(
                    rel,
                    FileKind::Terraform,
                    problem.clone(),
                ));
            }
        }
        out
    }
}

/// The `.gitignore` of `dir`: `Ok(None)` when there is none, an error when it exists but
/// cannot be used (its patterns are then not applied).
fn load_gitignore(dir: &Path) -> Result<Option<ignore::gitignore::Gitignore>, ReadProblem> {
    let path = dir.join(".gitignore");
    let Some(text) = crate::io::read_text_if_exists(&path, crate::io::MAX_CONFIG_BYTES)? else {
        return Ok(None);
    };
    let mut builder = ignore::gitignore::GitignoreBuilder::new(dir);
    for (i, line) in text.lines().enumerate() {
        if i >= MAX_IGNORE_PATTERNS {
            return Err(ReadProblem::Unusable(format!(
                "has more than {MAX_IGNORE_PATTERNS} patterns; none of them was applied"
            )));
        }
        // A pattern that does not compile is skipped, as git skips it.
        let _ = builder.add_line(Some(path.clone()), line);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| ReadProblem::Unusable(format!("cannot be used: {e}")))
}

/// The folder a walk error is about and what to say, for folders that cannot be listed.
fn walk_problem(root: &Path, error: &ignore::Error) -> Option<(String, String)> {
    let mut error = error;
    let mut path = None;
    loop {
        match error {
            ignore::Error::WithPath { path: p, err } => {
                path = Some(p.clone());
                error = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                error = err;
            }
            ignore::Error::Io(io) => {
                let path = path?;
                return Some((
                    relative_path(root, &path),
                    format!("is a folder that cannot be listed ({io}); nothing in it was read"),
                ));
            }
            _ => return None,
        }
    }
}

/// `path` relative to `root`, with `/` separators.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn read_file(root: &Path, path: &Path, kind: FileKind) -> SourceFile {
    let rel = relative_path(root, path);
    match crate::io::read_text(path, MAX_FILE_BYTES) {
        Ok(text) => SourceFile::new(rel, kind, text),
        Err(problem) => SourceFile::unreadable(rel, kind, problem),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let f = SourceFile::new("a.tf", FileKind::Terraform, "ab\nçd\n\nx");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(5), (2, 2));
        assert_eq!(f.line_col(7), (3, 1));
        assert_eq!(f.line_col(8), (4, 1));
        assert_eq!(f.line_col(99), (4, 2));
        assert_eq!(f.slice(f.line_range(2)), "çd");
        assert_eq!(f.slice(f.line_range(3)), "");
    }
}
