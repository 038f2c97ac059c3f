//! `--changed-since REV`: what a change introduced. A finding is the change's when it
//! starts on a line the change added or modified (against REV, in the working tree,
//! uncommitted edits and untracked files included), or when it is new anywhere: its
//! fingerprint is not among the findings of the same folder as it was at REV (a removed
//! variable breaking an untouched file).
//!
//! Git is asked through its command line (`git diff`, `git ls-tree`, `git cat-file`);
//! the folder at REV is written to a temporary folder and analysed like the current one.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead as _, Read as _, Write as _};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::analysis::{Analysis, Target};
use crate::finding::Finding;

#[derive(Debug, thiserror::Error)]
pub enum ChangesError {
    #[error("cannot run git: {0}")]
    NoGit(std::io::Error),
    #[error("`git {args}` failed: {stderr}")]
    Git { args: String, stderr: String },
    #[error("{0}")]
    Analysis(String),
    #[error("cannot write the folder at the base revision: {0}")]
    Io(#[from] std::io::Error),
}

/// The change of a folder since a revision.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// The revision, as given.
    pub rev: String,
    /// The commit it names.
    pub commit: String,
    /// For each file (relative to the analysed folder): the lines, in the file as it is
    /// now, that the change added or modified. A file new since REV has all its lines.
    pub lines: BTreeMap<String, Vec<RangeInclusive<usize>>>,
    /// Fingerprints of the findings of the folder at REV.
    pub before: HashSet<String>,
}

impl Changes {
    /// The change of `root` since `rev`: its changed lines and the findings it had then
    /// (analysed as `target`, with `config`).
    pub fn since(
        root: &Path,
        rev: &str,
        target: &Target,
        config: Option<&Path>,
    ) -> Result<Changes, ChangesError> {
        if rev.starts_with('-') {
            return Err(ChangesError::Git {
                args: format!("rev-parse {rev}"),
                stderr: "a revision cannot start with `-`".into(),
            });
        }
        let commit = git(
            root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|e| match e {
            ChangesError::Git { args, .. } => ChangesError::Git {
                args,
                stderr: format!(
                    "`{rev}` is not a commit of the repository at {}",
                    root.display()
                ),
            },
            other => other,
        })?;
        let commit = commit.trim().to_string();
        let lines = changed_lines(root, &commit)?;
        let old = tempfile::tempdir()?;
        write_tree(root, &commit, old.path())?;
        let old_target = match target {
            Target::Answer { answer, ideal } => Target::Answer {
                answer: relocate(root, old.path(), answer),
                ideal: ideal.as_ref().map(|i| relocate(root, old.path(), i)),
            },
            other => other.clone(),
        };
        let before = match crate::analysis::analyse_with(old.path(), &old_target, config) {
            Ok(a) => a
                .findings
                .iter()
                .map(|f| f.fingerprint(&a.workspace))
                .collect(),
            // Nothing to analyse at REV (the folder did not exist yet): every finding is
            // new.
            Err(_) => HashSet::new(),
        };
        Ok(Changes {
            rev: rev.to_string(),
            commit,
            lines,
            before,
        })
    }

    /// Reads the changed lines again, after the files changed (the workbench, on every
    /// analysis); the findings at REV stay as they were.
    pub fn refresh_lines(&mut self, root: &Path) -> Result<(), ChangesError> {
        self.lines = changed_lines(root, &self.commit)?;
        Ok(())
    }

    /// Whether `line` (1-based) of `file` is added or modified; for a file extracted from
    /// a Markdown answer, whether its line of the Markdown is.
    pub fn changed_in(&self, file: &crate::workspace::SourceFile, line: usize) -> bool {
        match file.origin_at(line) {
            Some(origin) => self.changed(&origin.path, origin.line),
            None => self.changed(&file.path, line),
        }
    }

    /// Whether `finding` is the change's: on a changed line, or new since REV.
    pub fn introduced(&self, analysis: &Analysis, finding: &Finding) -> bool {
        !self
            .before
            .contains(&finding.fingerprint(&analysis.workspace))
            || self.on_changed_line(analysis, finding)
    }

    /// Whether `finding` starts on a line the change added or modified (for a file
    /// extracted from a Markdown answer, its line in the Markdown).
    pub fn on_changed_line(&self, analysis: &Analysis, finding: &Finding) -> bool {
        let Some(file) = analysis.workspace.files.get(finding.file) else {
            return false;
        };
        let ((line, _), _) = analysis.position(finding);
        let (path, line) = match file.origin_at(line) {
            Some(origin) => (origin.path, origin.line),
            None => (file.path.clone(), line),
        };
        self.changed(&path, line)
    }

    /// Whether `line` (1-based) of `path` was added or modified.
    pub fn changed(&self, path: &str, line: usize) -> bool {
        self.lines
            .get(path)
            .is_some_and(|ranges| ranges.iter().any(|r| r.contains(&line)))
    }

    /// Keeps only the change's findings; returns how many were dropped.
    pub fn apply(&self, analysis: &mut Analysis) -> usize {
        let keep: Vec<bool> = analysis
            .findings
            .iter()
            .map(|f| self.introduced(analysis, f))
            .collect();
        let before = analysis.findings.len();
        let mut i = 0;
        analysis.findings.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        before - analysis.findings.len()
    }
}

/// `path` (a file named on the command line) at the same place under `to` when it lies
/// under `root`.
fn relocate(root: &Path, to: &Path, path: &Path) -> PathBuf {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    match abs(path).strip_prefix(abs(root)) {
        Ok(rel) => to.join(rel),
        Err(_) => path.to_path_buf(),
    }
}

/// The files an analysis reads: Terraform, variable values, Markdown answers and
/// ideals, and the configuration and ignore files that decide what is read. Nothing else
/// of the repository is written out.
fn analysed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    [".tf", ".tfvars", ".md"]
        .iter()
        .any(|ext| name.ends_with(ext))
        || name == crate::config::FILE_NAME
        || name == ".gitignore"
        || crate::workspace::may_be_template(name)
}

fn git(dir: &Path, args: &[&str]) -> Result<String, ChangesError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "core.quotePath=false"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(ChangesError::NoGit)?;
    if !out.status.success() {
        return Err(ChangesError::Git {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The lines added or modified since `commit` in the files below `root`, with paths
/// relative to `root`; untracked files (not ignored) count as added whole.
fn changed_lines(
    root: &Path,
    commit: &str,
) -> Result<BTreeMap<String, Vec<RangeInclusive<usize>>>, ChangesError> {
    let diff = git(
        root,
        &[
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            "--unified=0",
            "--relative",
            commit,
            "--",
            ".",
        ],
    )?;
    let mut lines = parse_diff(&diff);
    let untracked = git(
        root,
        &[
            "ls-files",
            "-z",
            "--others",
            "--exclude-standard",
            "--",
            ".",
        ],
    )?;
    for path in untracked.split('\0').filter(|p| !p.is_empty()) {
        lines.insert(path.to_string(), vec![1..=usize::MAX]);
    }
    Ok(lines)
}

/// The new-side lines of each file in a `--unified=0` diff.
pub fn parse_diff(diff: &str) -> BTreeMap<String, Vec<RangeInclusive<usize>>> {
    let mut out: BTreeMap<String, Vec<RangeInclusive<usize>>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in diff.lines() {
        if let Some(name) = line.strip_prefix("+++ ") {
            current = if name == "/dev/null" {
                None
            } else {
                let name = unquote(name.trim_end_matches('\t'));
                Some(name.strip_prefix("b/").unwrap_or(&name).to_string())
            };
        } else if let Some(rest) = line.strip_prefix("@@ ") {
            let Some(path) = &current else { continue };
            // `@@ -a[,b] +c[,d] @@`: d lines from c (d = 1 when absent; 0 = a deletion).
            let Some(new) = rest.split(' ').find_map(|p| p.strip_prefix('+')) else {
                continue;
            };
            let (start, count) = match new.split_once(',') {
                Some((s, c)) => (s.parse().unwrap_or(0), c.parse().unwrap_or(0)),
                None => (new.parse().unwrap_or(0), 1),
            };
            if count > 0 && start > 0 {
                out.entry(path.clone())
                    .or_default()
                    .push(start..=start + count - 1);
            }
        }
    }
    out
}

/// A path as git writes it in a diff header: as is, or C-quoted when it holds a
/// character that needs it.
fn unquote(name: &str) -> String {
    let Some(inner) = name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) else {
        return name.to_string();
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut it = inner.bytes().peekable();
    while let Some(b) = it.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match it.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'r') => bytes.push(b'\r'),
            Some(b'a') => bytes.push(0x07),
            Some(b'b') => bytes.push(0x08),
            Some(b'f') => bytes.push(0x0c),
            Some(b'v') => bytes.push(0x0b),
            Some(d @ b'0'..=b'7') => {
                let mut v = u32::from(d - b'0');
                for _ in 0..2 {
                    match it.peek() {
                        Some(&n @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(n - b'0');
                            it.next();
                        }
                        _ => break,
                    }
                }
                bytes.push(u8::try_from(v).unwrap_or(b'?'));
            }
            Some(other) => bytes.push(other),
            None => bytes.push(b'\\'),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Writes the files of `root` as they were at `commit` into `to` (regular files only,
/// each at most the size the workspace reader accepts).
fn write_tree(root: &Path, commit: &str, to: &Path) -> Result<(), ChangesError> {
    let listing = git(root, &["ls-tree", "-r", "-z", "-l", commit, "--", "."])?;
    let mut blobs: Vec<(String, String)> = Vec::new();
    for entry in listing.split('\0').filter(|e| !e.is_empty()) {
        // `<mode> blob <sha> <size>\t<path>`
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split_whitespace().collect();
        let [mode, kind, sha, size] = fields[..] else {
            continue;
        };
        let size: u64 = size.parse().unwrap_or(u64::MAX);
        if kind != "blob"
            || !(mode == "100644" || mode == "100755")
            || !analysed(path)
            || size > crate::io::MAX_SOURCE_BYTES.max(crate::io::MAX_MARKDOWN_BYTES)
            || path.split('/').any(|c| c == ".." || c.is_empty())
        {
            continue;
        }
        blobs.push((sha.to_string(), path.to_string()));
    }
    if blobs.is_empty() {
        return Ok(());
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(ChangesError::NoGit)?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| ChangesError::Io(std::io::Error::other("git cat-file has no input")))?;
    let shas: Vec<String> = blobs.iter().map(|(sha, _)| sha.clone()).collect();
    // Written from another thread: git answers while it reads, and a full pipe on both
    // sides would stop both programs.
    let writer = std::thread::spawn(move || {
        for sha in shas {
            if writeln!(stdin, "{sha}").is_err() {
                break;
            }
        }
    });
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| ChangesError::Io(std::io::Error::other("git cat-file has no output")))?;
    let mut reader = std::io::BufReader::new(stdout);
    for (_, path) in &blobs {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        // `<sha> blob <size>`
        let size: usize = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                std::io::Error::other(format!("git cat-file said `{}`", header.trim()))
            })?;
        let mut content = vec![0; size + 1];
        reader.read_exact(&mut content)?;
        content.truncate(size);
        let target = to.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        crate::io::write_atomic(&target, &content)?;
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_an_analysis_reads_is_written_out() {
        assert!(analysed("infra/main.tf") && analysed("prod.tfvars"));
        assert!(analysed("lib/MODEL_RESPONSE.md") && analysed(".tfreview.toml"));
        assert!(analysed("modules/x/.gitignore"));
        assert!(!analysed("assets/logo.png") && !analysed("node_modules/a/index.js"));
    }

    #[test]
    fn new_side_lines_of_a_zero_context_diff() {
        let diff = "diff --git a/main.tf b/main.tf\n--- a/main.tf\n+++ b/main.tf\n@@ -3 +3 @@\n-a\n+b\n@@ -10,0 +11,2 @@\n+c\n+d\n@@ -20,2 +21,0 @@\n-e\n-f\ndiff --git a/gone.tf b/gone.tf\n--- a/gone.tf\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n--- a/\"caf\\303\\251 x.tf\"\n+++ \"b/caf\\303\\251 x.tf\"\n@@ -0,0 +1 @@\n+y\n";
        let lines = parse_diff(diff);
        assert_eq!(lines["main.tf"], vec![3..=3, 11..=12]);
        assert!(!lines.contains_key("gone.tf"));
        assert_eq!(lines["café x.tf"], vec![1..=1]);
    }
}
