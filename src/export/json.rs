//! The JSON report of `tfreview check --format json` (and of `export --format json`):
//! every file analysed and every finding with its position, fix diff and review status.

use serde::Serialize;

use crate::analysis::Analysis;
use crate::finding::Severity;
use crate::workspace::Origin;

#[derive(Debug, Serialize)]
pub struct Report<F = Vec<FindingEntry>> {
    pub tool: &'static str,
    pub version: &'static str,
    pub root: String,
    pub files: Vec<FileEntry>,
    pub findings: F,
    pub summary: Summary,
    /// What a reader must know before trusting an exported review: files that do not
    /// parse. Present (possibly empty) in `export --format json`; absent from `check`,
    /// whose findings already say it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<String>>,
    /// Modules not checked against a provider schema: their constraint selects a version
    /// older than any bundled one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct FileEntry {
    pub path: String,
    pub origin: Option<Origin>,
}

#[derive(Debug, Serialize)]
pub struct FixEntry {
    pub title: String,
    /// `safe` (applied by `tfreview fix`) or `unsafe` (with `--unsafe`).
    pub applicability: crate::finding::Applicability,
    pub diff: String,
}

#[derive(Debug, Serialize)]
pub struct FindingEntry {
    pub fingerprint: String,
    pub rule: &'static str,
    /// Other rules that reported the same problem (merged into this finding).
    pub also: Vec<&'static str>,
    /// Provider-schema findings: the names valid where the finding points, required first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub valid_names: Vec<String>,
    /// Other places the problem involves, each with what it is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedEntry>,
    pub severity: Severity,
    /// The rule's class: `error`, `security`, `reliability`, `practice` or `contract`.
    pub class: &'static str,
    pub title: String,
    pub message: String,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub origin: Option<Origin>,
    pub address: Option<String>,
    pub fix: Option<FixEntry>,
    pub status: String,
    pub note: Option<String>,
    /// The ideal answer's version of the block, when a task folder was compared.
    pub ideal: Option<FixEntry>,
}

#[derive(Debug, Serialize)]
pub struct RelatedEntry {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub origin: Option<Origin>,
    pub message: String,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

impl Summary {
    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.critical + self.high + self.medium + self.low
    }
}

/// The report of an analysis in which every finding is pending.
pub fn report(analysis: &Analysis, root: &str) -> Report {
    Report {
        warnings: None,
        ..report_with_status(analysis, root, |_| ("pending".to_string(), None))
    }
}

/// The report of an exported review, with each finding's review status and note given by
/// `status` (called with the fingerprint), and its warnings.
pub fn report_with_status(
    analysis: &Analysis,
    root: &str,
    status: impl Fn(&str) -> (String, Option<String>) + Sync,
) -> Report {
    use rayon::prelude::*;
    // Each entry diffs its fix: on both cores, in the findings' order.
    let findings = analysis
        .findings
        .par_iter()
        .map(|f| entry(analysis, f, &status))
        .collect();
    with_findings(analysis, root, findings)
}

/// The report around `findings`: the tool, the files, the summary and the warnings.
fn with_findings<F>(analysis: &Analysis, root: &str, findings: F) -> Report<F> {
    let mut summary = Summary::default();
    for f in &analysis.findings {
        summary.add(f.severity);
    }
    Report {
        tool: "tfreview",
        version: env!("CARGO_PKG_VERSION"),
        root: root.to_string(),
        files: analysis
            .workspace
            .files
            .iter()
            .map(|f| FileEntry {
                path: f.path.clone(),
                origin: f.origin.clone(),
            })
            .collect(),
        findings,
        summary,
        warnings: Some(crate::export::warnings(analysis)),
        unchecked: analysis.notes.clone(),
    }
}

/// Writes the report that [`report_with_status`] and [`to_string`] would give (and a
/// newline) to `out`, building the entries a chunk at a time: a report of 100,000
/// findings never holds all of their diffs at once, nor (when `out` is a stream, as
/// for `check`) all of its text. Without `warnings`, the report of `check` (see
/// [`report`]).
pub fn write(
    analysis: &Analysis,
    root: &str,
    status: &(dyn Fn(&str) -> (String, Option<String>) + Sync),
    warnings: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut report = with_findings(analysis, root, Streamed { analysis, status });
    if !warnings {
        report.warnings = None;
    }
    serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

/// The findings of a report, made into entries as they are written.
struct Streamed<'a> {
    analysis: &'a Analysis,
    status: &'a (dyn Fn(&str) -> (String, Option<String>) + Sync),
}

impl Serialize for Streamed<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use rayon::prelude::*;
        use serde::ser::SerializeSeq as _;
        // Enough entries per chunk to keep both cores busy diffing.
        const CHUNK: usize = 1024;
        let findings = &self.analysis.findings;
        let build = |chunk: &[crate::finding::Finding]| -> Vec<FindingEntry> {
            chunk
                .par_iter()
                .map(|f| entry(self.analysis, f, self.status))
                .collect()
        };
        let mut seq = serializer.serialize_seq(Some(findings.len()))?;
        let mut chunks = findings.chunks(CHUNK);
        let mut current = chunks.next().map(build).unwrap_or_default();
        loop {
            // The next chunk is built on the pool while this thread writes this one.
            let upcoming = chunks.next();
            let mut written = Ok(());
            let next = std::thread::scope(|s| {
                let next = upcoming.map(|c| s.spawn(|| build(c)));
                for e in &current {
                    written = seq.serialize_element(e);
                    if written.is_err() {
                        break;
                    }
                }
                next.map(|n| n.join())
            });
            written?;
            match next {
                Some(Ok(entries)) => current = entries,
                // The builder panicked: nothing to write in its place.
                Some(Err(_)) => return Err(serde::ser::Error::custom("building a finding failed")),
                None => break,
            }
        }
        seq.end()
    }
}

/// One finding's entry: its position, fix diff, related places and review status.
fn entry(
    analysis: &Analysis,
    f: &crate::finding::Finding,
    status: &(impl Fn(&str) -> (String, Option<String>) + ?Sized),
) -> FindingEntry {
    let ws = &analysis.workspace;
    let ((line, column), (end_line, end_column)) = analysis.position(f);
    let fingerprint = f.fingerprint(ws);
    let (status, note) = status(&fingerprint);
    let fix_diff = f
        .fix
        .as_ref()
        .and_then(|fix| Some((fix.title.clone(), fix.applicability, fix.diff(ws).ok()?)));
    FindingEntry {
        rule: f.rule,
        also: f.also.clone(),
        valid_names: f.valid_names.clone(),
        related: f
            .related
            .iter()
            .filter_map(|r| {
                let file = ws.files.get(r.file)?;
                let (line, column) = file.line_col(r.span.start);
                Some(RelatedEntry {
                    path: file.path.clone(),
                    line,
                    column,
                    origin: file.origin_at(line),
                    message: r.message.clone(),
                })
            })
            .chain(f.asset_places.iter().map(|a| RelatedEntry {
                path: a.path.clone(),
                line: a.line,
                column: 1,
                origin: a.origin.clone(),
                message: a.message.clone(),
            }))
            .collect(),
        severity: f.severity,
        class: crate::rules::find(f.rule).map_or("", |r| r.class().as_str()),
        title: f.title.clone(),
        message: f.message.clone(),
        path: analysis.path(f).to_string(),
        line,
        column,
        end_line,
        end_column,
        origin: ws.files.get(f.file).and_then(|file| file.origin_at(line)),
        address: f.address.clone(),
        fix: fix_diff
            .clone()
            .map(|(title, applicability, diff)| FixEntry {
                title,
                applicability,
                diff,
            }),
        status,
        note,
        ideal: f.ideal.as_ref().and_then(|i| {
            let fix = i.fix.as_ref()?;
            // Comparison findings carry the same fix twice: diff it once.
            let diff = match (&f.fix, &fix_diff) {
                (Some(own), Some((_, _, d))) if own == fix => d.clone(),
                _ => fix.diff(ws).ok()?,
            };
            Some(FixEntry {
                title: format!("The ideal answer's version ({})", i.path),
                applicability: fix.applicability,
                diff,
            })
        }),
        fingerprint,
    }
}

pub fn to_string(report: &Report) -> String {
    // Serialising plain data to a String cannot fail; an empty object is the fallback.
    serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{FileKind, SourceFile, Workspace};

    #[test]
    fn the_streamed_report_is_the_whole_report_over_several_chunks() {
        let text: String = (0..2500)
            .map(|i| format!("variable \"v{i}\" {{}}\n"))
            .collect();
        let ws = Workspace::from_files(
            "/w",
            vec![SourceFile::new("main.tf", FileKind::Terraform, text)],
        );
        let analysis = crate::analysis::analyse_workspace(ws);
        assert!(analysis.findings.len() > 2 * 1024);
        let mut out = Vec::new();
        write(
            &analysis,
            "/w",
            &|_: &str| ("pending".to_string(), None),
            false,
            &mut out,
        )
        .unwrap();
        let whole = to_string(&report(&analysis, "/w")) + "\n";
        assert_eq!(String::from_utf8(out).unwrap(), whole);
    }
}
