//! What a rule reports: [`Finding`], its [`Severity`], the [`Fix`] it proposes as text
//! edits, the fingerprint that identifies it across edits, and the unified diff that the
//! fix amounts to (computed from the edits, never stored).

use std::collections::BTreeMap;
use std::ops::Range;

use crate::workspace::{FileId, Workspace};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL_DESCENDING: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!("unknown severity `{other}`")),
        }
    }
}

/// How safe it is to apply a fix without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the meaning the author intended; applying it cannot break a working setup.
    Safe,
    /// Correct for the finding, but changes behaviour (a replacement, a guessed value):
    /// read it before applying.
    Unsafe,
}

/// One text edit: replace `range` of the file at `path` (relative to the workspace) with
/// `text`. A path that is not in the workspace is a file the fix creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub path: String,
    pub range: Range<usize>,
    pub text: String,
}

impl Edit {
    pub fn replace(path: &str, range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            path: path.to_string(),
            range,
            text: text.into(),
        }
    }

    pub fn insert(path: &str, at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(path, at..at, text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FixError {
    #[error("edits overlap in {0}")]
    Overlap(String),
    #[error("an edit falls outside {0} or inside a character")]
    OutOfRange(String),
}

impl Fix {
    pub fn new(title: impl Into<String>, applicability: Applicability, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability,
            edits,
        }
    }

    /// The new text of every file the fix touches, keyed by path: `(old, new)`, where
    /// `old` is `None` for a file the fix creates.
    pub fn apply(
        &self,
        ws: &Workspace,
    ) -> Result<BTreeMap<String, (Option<String>, String)>, FixError> {
        let mut by_path: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
        for edit in &self.edits {
            by_path.entry(edit.path.as_str()).or_default().push(edit);
        }
        let mut out = BTreeMap::new();
        for (path, mut edits) in by_path {
            let old = ws.file_by_path(path).map(|f| f.text.clone());
            let mut text = old.clone().unwrap_or_default();
            edits.sort_by_key(|e| (e.range.start, e.range.end));
            check_edits(path, &text, &edits)?;
            for edit in edits.iter().rev() {
                text.replace_range(edit.range.clone(), &edit.text);
            }
            out.insert(path.to_string(), (old, text));
        }
        Ok(out)
    }

    /// The fix as a unified diff with `--- a/PATH` / `+++ b/PATH` headers (`/dev/null`
    /// for created files), which `git apply` accepts.
    ///
    /// Only the edited lines and their context are diffed (a window of the file), and the
    /// hunk headers are shifted to the window's place: the same diff as of the whole file,
    /// at a cost that does not grow with the file.
    pub fn diff(&self, ws: &Workspace) -> Result<String, FixError> {
        let mut by_path: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
        for edit in &self.edits {
            by_path.entry(edit.path.as_str()).or_default().push(edit);
        }
        let mut out = String::new();
        for (path, mut edits) in by_path {
            let old = ws.file_by_path(path).map(|f| f.text.as_str());
            let before = old.unwrap_or("");
            edits.sort_by_key(|e| (e.range.start, e.range.end));
            check_edits(path, before, &edits)?;
            let first = edits.first().map_or(0, |e| e.range.start);
            let last = edits.last().map_or(0, |e| e.range.end);
            let (start, end) = window(before, first, last);
            // Lines before the window, from the file's line index: no count from the top
            // of the file for every finding.
            let skipped = ws
                .file_by_path(path)
                .map_or(0, |f| f.line_col(start).0.saturating_sub(1));
            // The window with the edits applied: no copy of the rest of the file.
            let mut after = String::with_capacity(end - start + 64);
            let mut at = start;
            for e in &edits {
                after.push_str(&before[at..e.range.start]);
                after.push_str(&e.text);
                at = e.range.end;
            }
            after.push_str(&before[at..end]);
            let shown = ws.disk_path(path);
            let from = if old.is_some() {
                git_header_name("a/", &shown)
            } else {
                "/dev/null".to_string()
            };
            let diff = similar::TextDiff::from_lines(&before[start..end], after.as_str());
            let text = diff
                .unified_diff()
                .context_radius(DIFF_CONTEXT)
                .header(&from, &git_header_name("b/", &shown))
                .to_string();
            shift_hunks(&text, skipped, &mut out);
        }
        Ok(out)
    }
}

/// `prefix` and `path` as git writes them after `--- ` or `+++ `: [`git_quoted`], and a
/// tab after a name that holds a space, which tells where the name ends.
/// `prefix` and `path` as a file name in a `---`/`+++` header, quoted the way git quotes it.
pub fn git_header_name(prefix: &str, path: &str) -> String {
    let name = git_quoted(&format!("{prefix}{path}"));
    if path.contains(' ') {
        name + "\t"
    } else {
        name
    }
}

/// A path in a diff header the way git writes it (with `core.quotePath` on, its
/// default): as it is when every byte is printable ASCII other than `"` and `\`, else
/// quoted C-style, with `\t`, `\n`, `\"`, `\\` … and an octal escape for every other
/// control byte and every byte of a non-ASCII character (`"b/caf\303\251.tf"`).
/// `git apply` reads both forms; no control character reaches the diff raw.
fn git_quoted(path: &str) -> String {
    let plain = |b: u8| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\';
    if path.bytes().all(plain) {
        return path.to_string();
    }
    let mut out = String::with_capacity(path.len() + 8);
    out.push('"');
    for b in path.bytes() {
        let escape = match b {
            0x07 => "\\a",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0b => "\\v",
            0x0c => "\\f",
            b'\r' => "\\r",
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b if plain(b) => {
                out.push(char::from(b));
                continue;
            }
            b => {
                out.push_str(&format!("\\{b:03o}"));
                continue;
            }
        };
        out.push_str(escape);
    }
    out.push('"');
    out
}

/// Edits must lie inside the text, on character boundaries, without overlapping.
fn check_edits(path: &str, text: &str, sorted: &[&Edit]) -> Result<(), FixError> {
    for pair in sorted.windows(2) {
        if pair[0].range.end > pair[1].range.start {
            return Err(FixError::Overlap(path.to_string()));
        }
    }
    for e in sorted {
        let r = &e.range;
        if r.start > r.end
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            return Err(FixError::OutOfRange(path.to_string()));
        }
    }
    Ok(())
}

/// Lines of context around each change in a diff.
const DIFF_CONTEXT: usize = 3;
/// Lines of the file around the edits that a diff looks at. More than the context: where
/// inserted text repeats the lines around it (braces, blank lines), the diff may align
/// the change a few lines away from the edit. Any window gives a valid diff; this margin
/// makes it the same as the whole file's.
const DIFF_WINDOW: usize = DIFF_CONTEXT + 12;

/// The byte range of `old` around the edits (`first..last`), widened to whole lines
/// plus the margin, and how many lines come before it.
fn window(old: &str, first: usize, last: usize) -> (usize, usize) {
    let line_start = |at: usize| {
        old.get(..at)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1)
    };
    let mut start = line_start(first.min(old.len()));
    for _ in 0..DIFF_WINDOW {
        if start == 0 {
            break;
        }
        start = line_start(start - 1);
    }
    let mut end = last.min(old.len());
    // To the end of the line holding the last edit, then the margin.
    for _ in 0..=DIFF_WINDOW {
        match old.get(end..).and_then(|t| t.find('\n')) {
            Some(i) => end += i + 1,
            None => {
                end = old.len();
                break;
            }
        }
    }
    (start, end)
}

/// Adds `offset` to the line numbers of every `@@ -a,b +c,d @@` header.
fn shift_hunks(diff: &str, offset: usize, out: &mut String) {
    if offset == 0 {
        out.push_str(diff);
        return;
    }
    let shift = |part: &str| -> String {
        let (sign, rest) = part.split_at(1);
        let (line, count) = match rest.split_once(',') {
            Some((l, c)) => (l, Some(c)),
            None => (rest, None),
        };
        let line: usize = line.parse().unwrap_or(0);
        let line = if line == 0 && count == Some("0") {
            line
        } else {
            line + offset
        };
        match count {
            Some(c) => format!("{sign}{line},{c}"),
            None => format!("{sign}{line}"),
        }
    };
    // Every line but the hunk headers as it is, without a copy of each.
    for l in diff.split_inclusive('\n') {
        let Some(rest) = l.strip_prefix("@@ ") else {
            out.push_str(l);
            continue;
        };
        let mut parts = rest.splitn(3, ' ');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), Some(tail)) if a.starts_with('-') && b.starts_with('+') => {
                out.push_str(&format!("@@ {} {} {tail}", shift(a), shift(b)));
            }
            _ => out.push_str(l),
        }
    }
}

/// A problem found by a rule, pointing into a file by byte range.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub title: String,
    pub message: String,
    pub file: FileId,
    pub span: Range<usize>,
    /// The address of the block concerned (`aws_kms_key.main`, `var.region`), if any.
    pub address: Option<String>,
    /// What distinguishes this finding from others of the same rule and address, in
    /// words that survive edits (never a line number).
    pub key: String,
    pub fix: Option<Fix>,
    /// The ideal answer's version of the block, when one was compared: its text and the
    /// fix that puts it in place.
    pub ideal: Option<IdealVersion>,
    /// Other rules that reported the same problem; their findings were merged into this
    /// one (the missing provider configuration, once).
    pub also: Vec<&'static str>,
    /// For a provider-schema finding: the names valid where it points, required first
    /// (the workbench lists them under the message).
    pub valid_names: Vec<String>,
    /// Other places the problem involves (the key policy that lacks a principal and each
    /// log group that uses the key), each with what it is.
    pub related: Vec<Related>,
    /// Places in files the analysis reads but does not parse (a template's line), each
    /// with what it is.
    pub asset_places: Vec<AssetPlace>,
    /// The fingerprint, once computed: the workbench asks for it many times a frame.
    /// (Rule, module folder, address and key do not change once the analysis is done.)
    pub(crate) fingerprint_cache: std::sync::OnceLock<String>,
}

/// A place a finding involves in a file the analysis reads but does not parse: a line
/// of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetPlace {
    /// The file's workspace path (for an answer's file, under its Markdown's path).
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// For a file an answer shows: the Markdown and its line.
    pub origin: Option<crate::workspace::Origin>,
    pub message: String,
}

/// A place in another part of the code that a finding involves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub file: FileId,
    pub span: Range<usize>,
    /// What this place is, in a few words ("the log group that uses the key").
    pub message: String,
}

/// The other references to what `first` refers to, in file and text order, as related
/// places of a finding reported at `first` (at most [`MAX_RELATED_USES`]).
pub fn other_uses(
    model: &crate::model::Model<'_>,
    refs: &[crate::model::Reference],
    first: &crate::model::Reference,
) -> Vec<Related> {
    let mut uses: Vec<&crate::model::Reference> = refs
        .iter()
        .filter(|o| o.target == first.target && !(o.file == first.file && o.span == first.span))
        .collect();
    uses.sort_by(|a, b| {
        (model.path(a.file), a.span.start).cmp(&(model.path(b.file), b.span.start))
    });
    uses.dedup_by(|a, b| a.file == b.file && a.span == b.span);
    uses.into_iter()
        .take(MAX_RELATED_USES)
        .map(|o| Related {
            file: o.file,
            span: o.span.clone(),
            message: "also used here".into(),
        })
        .collect()
}

/// How many other uses a finding names as related places.
pub const MAX_RELATED_USES: usize = 20;

/// A block as the ideal answer writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdealVersion {
    /// The ideal's file (relative to the ideal) and the block's text.
    pub path: String,
    pub text: String,
    pub fix: Option<Fix>,
}

impl Finding {
    /// "`a`, `b` … and 29 more": the first `max` valid names of a schema finding.
    pub fn valid_summary(&self, max: usize) -> Option<String> {
        if self.valid_names.is_empty() {
            return None;
        }
        let shown: Vec<String> = self
            .valid_names
            .iter()
            .take(max)
            .map(|n| format!("`{n}`"))
            .collect();
        let more = self.valid_names.len() - shown.len();
        let rest = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        Some(format!("{}{rest}", shown.join(", ")))
    }

    /// Stable identity: rule, module folder, address and key, hashed. Unchanged when lines
    /// move; changed when the problem itself changes.
    pub fn fingerprint(&self, ws: &Workspace) -> String {
        self.fingerprint_ref(ws).to_string()
    }

    /// [`Finding::fingerprint`] without a copy.
    pub fn fingerprint_ref(&self, ws: &Workspace) -> &str {
        self.fingerprint_cache
            .get_or_init(|| self.compute_fingerprint(ws))
    }

    fn compute_fingerprint(&self, ws: &Workspace) -> String {
        let dir = ws.files.get(self.file).map_or("", |f| f.dir());
        let input = format!(
            "{}\u{0}{}\u{0}{}\u{0}{}",
            self.rule,
            dir,
            self.address.as_deref().unwrap_or(""),
            self.key
        );
        format!("{:016x}", xxhash_rust::xxh3::xxh3_64(input.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{FileKind, SourceFile};

    fn ws() -> Workspace {
        Workspace::from_files(
            "/w",
            vec![SourceFile::new(
                "a.tf",
                FileKind::Terraform,
                "one\ntwo\nthree\n",
            )],
        )
    }

    #[test]
    fn diff_has_git_headers_and_created_files_come_from_dev_null() {
        let fix = Fix::new(
            "t",
            Applicability::Safe,
            vec![
                Edit::replace("a.tf", 4..7, "TWO"),
                Edit::insert("new.tf", 0, "x = 1\n"),
            ],
        );
        let diff = fix.diff(&ws()).unwrap();
        assert_eq!(
            diff,
            "--- a/a.tf\n+++ b/a.tf\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n\
             --- /dev/null\n+++ b/new.tf\n@@ -0,0 +1 @@\n+x = 1\n"
        );
    }

    #[test]
    fn odd_paths_are_quoted_in_diff_headers_the_way_git_quotes_them() {
        assert_eq!(git_quoted("a/main.tf"), "a/main.tf");
        assert_eq!(git_quoted("a/with space.tf"), "a/with space.tf");
        assert_eq!(git_quoted("a/x\tb.tf"), "\"a/x\\tb.tf\"");
        assert_eq!(
            git_quoted("b/\u{1b}[2J\n\"q\"\\.tf"),
            "\"b/\\033[2J\\n\\\"q\\\"\\\\.tf\""
        );
        assert_eq!(git_quoted("b/café.tf"), "\"b/caf\\303\\251.tf\"");
        assert_eq!(git_quoted("b/\u{7f}"), "\"b/\\177\"");
        let ws = Workspace::from_files(
            "/w",
            vec![
                SourceFile::new("x\ty.tf", FileKind::Terraform, "one\n"),
                SourceFile::new("x y.tf", FileKind::Terraform, "one\n"),
            ],
        );
        let fix = Fix::new(
            "t",
            Applicability::Safe,
            vec![
                Edit::replace("x\ty.tf", 0..3, "ONE"),
                Edit::replace("x y.tf", 0..3, "ONE"),
            ],
        );
        let diff = fix.diff(&ws).unwrap();
        assert!(diff.contains("--- \"a/x\\ty.tf\"\n+++ \"b/x\\ty.tf\"\n@@ -1 +1 @@\n"));
        assert!(diff.contains("--- a/x y.tf\t\n+++ b/x y.tf\t\n@@ -1 +1 @@\n"));
    }

    #[test]
    fn windowed_diffs_equal_whole_file_diffs() {
        let text: String = (1..=40).map(|i| format!("line {i}\n")).collect();
        let ws = Workspace::from_files(
            "/w",
            vec![SourceFile::new("big.tf", FileKind::Terraform, text.clone())],
        );
        let at = |n: usize| {
            text.match_indices('\n')
                .nth(n - 2)
                .map_or(0, |(i, _)| i + 1)
        };
        for edits in [
            vec![Edit::replace("big.tf", at(20)..at(21), "changed\n")],
            vec![
                Edit::insert("big.tf", at(2), "new\n"),
                Edit::replace("big.tf", at(30)..at(31), ""),
            ],
            vec![Edit::insert("big.tf", text.len(), "tail\n")],
            vec![Edit::insert("big.tf", 0, "head\n")],
            // An insertion mid-line whose text repeats the lines around it.
            vec![Edit::insert(
                "big.tf",
                at(20) - 1,
                "\n\nline 19\nline 20\n}",
            )],
        ] {
            let fix = Fix::new("t", Applicability::Safe, edits);
            let (old, new) = fix.apply(&ws).unwrap().remove("big.tf").unwrap();
            let whole = similar::TextDiff::from_lines(old.as_deref().unwrap(), new.as_str())
                .unified_diff()
                .context_radius(3)
                .header("a/big.tf", "b/big.tf")
                .to_string();
            assert_eq!(fix.diff(&ws).unwrap(), whole);
        }
    }

    #[test]
    fn overlapping_or_out_of_range_edits_are_errors_not_panics() {
        let overlap = Fix::new(
            "t",
            Applicability::Safe,
            vec![
                Edit::replace("a.tf", 0..5, ""),
                Edit::replace("a.tf", 4..6, ""),
            ],
        );
        assert!(matches!(overlap.diff(&ws()), Err(FixError::Overlap(_))));
        let outside = Fix::new(
            "t",
            Applicability::Safe,
            vec![Edit::replace("a.tf", 10..99, "")],
        );
        assert!(matches!(outside.diff(&ws()), Err(FixError::OutOfRange(_))));
    }
}
