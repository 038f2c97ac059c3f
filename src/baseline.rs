//! Baselines: the findings a team has already seen, so that `check --baseline FILE`
//! reports only new ones. A baseline is any earlier report of tfreview's — the JSON of
//! `check --format json`, the compact file of `check --write-baseline`, or SARIF — read
//! for its fingerprints, which name a finding by rule, module, address and what it is
//! about, never by line, so they survive edits around it.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;

use crate::analysis::Analysis;

/// The largest baseline read: a JSON report of a workspace with tens of thousands of
/// findings, diffs included, stays well below it.
pub const MAX_BASELINE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: crate::io::ReadError,
    },
    #[error("{path} is not JSON: {reason}")]
    NotJson { path: String, reason: String },
    #[error(
        "{path} is neither a tfreview JSON report nor SARIF: it has no `findings` with fingerprints and no `runs` with `{key}` partial fingerprints",
        key = crate::export::sarif::FINGERPRINT_KEY
    )]
    Unknown { path: String },
}

/// The fingerprints recorded in the report at `path`.
pub fn load(path: &Path) -> Result<HashSet<String>, BaselineError> {
    let shown = path.display().to_string();
    let text =
        crate::io::read_text(path, MAX_BASELINE_BYTES).map_err(|source| BaselineError::Read {
            path: shown.clone(),
            source,
        })?;
    parse(&text).map_err(|e| match e {
        ParseError::Json(reason) => BaselineError::NotJson {
            path: shown.clone(),
            reason,
        },
        ParseError::Unknown => BaselineError::Unknown { path: shown },
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum ParseError {
    Json(String),
    Unknown,
}

/// The fingerprints of a JSON report (`findings[].fingerprint`) or of a SARIF log
/// (`runs[].results[].partialFingerprints["tfreview/v1"]`).
pub fn parse(text: &str) -> Result<HashSet<String>, ParseError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ParseError::Json(e.to_string()))?;
    if let Some(findings) = value.get("findings").and_then(|f| f.as_array()) {
        return Ok(findings
            .iter()
            .filter_map(|f| f.get("fingerprint")?.as_str())
            .map(str::to_string)
            .collect());
    }
    if let Some(runs) = value.get("runs").and_then(|r| r.as_array()) {
        return Ok(runs
            .iter()
            .filter_map(|run| run.get("results")?.as_array())
            .flatten()
            .filter_map(|r| {
                r.get("partialFingerprints")?
                    .get(crate::export::sarif::FINGERPRINT_KEY)?
                    .as_str()
            })
            .map(str::to_string)
            .collect());
    }
    Err(ParseError::Unknown)
}

#[derive(Serialize)]
struct Baseline<'a> {
    tool: &'static str,
    version: &'static str,
    /// Says what the file is for whoever finds it in a repository.
    baseline: bool,
    findings: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    fingerprint: String,
    rule: &'static str,
    severity: &'static str,
    path: &'a str,
    line: usize,
    title: &'a str,
}

/// The baseline of `analysis`: every finding's fingerprint, with its rule, place and title
/// so that a reader of the file (or of its diff in a pull request) knows what it holds.
pub fn render(analysis: &Analysis) -> String {
    let ws = &analysis.workspace;
    let findings = analysis
        .findings
        .iter()
        .map(|f| Entry {
            fingerprint: f.fingerprint(ws),
            rule: f.rule,
            severity: f.severity.as_str(),
            path: analysis.path(f),
            line: analysis.position(f).0.0,
            title: &f.title,
        })
        .collect();
    let baseline = Baseline {
        tool: "tfreview",
        version: env!("CARGO_PKG_VERSION"),
        baseline: true,
        findings,
    };
    let mut out = serde_json::to_string_pretty(&baseline).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
}

/// Drops the findings whose fingerprint is in `known`; returns how many were dropped.
pub fn apply(analysis: &mut Analysis, known: &HashSet<String>) -> usize {
    let before = analysis.findings.len();
    let ws = &analysis.workspace;
    let keep: Vec<bool> = analysis
        .findings
        .iter()
        .map(|f| !known.contains(&f.fingerprint(ws)))
        .collect();
    let mut i = 0;
    analysis.findings.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    before - analysis.findings.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_reports_and_sarif() {
        let json = r#"{"findings":[{"fingerprint":"aa"},{"fingerprint":"bb"}]}"#;
        assert_eq!(parse(json).unwrap().len(), 2);
        let sarif = r#"{"runs":[{"results":[{"partialFingerprints":{"tfreview/v1":"cc"}}]}]}"#;
        assert!(parse(sarif).unwrap().contains("cc"));
        assert_eq!(parse("{}"), Err(ParseError::Unknown));
        assert!(matches!(parse("nope"), Err(ParseError::Json(_))));
    }
}
