//! The text report of `tfreview check`: one diagnostic per finding
//! (`path:line:col: severity[rule] message`), a code frame, the fix diff, and a summary.
//! Everything taken from files goes through [`crate::sanitize::for_terminal`].

use std::fmt::Write as _;

use crate::analysis::Analysis;
use crate::export::json::Summary;
use crate::finding::{Applicability, Finding};
use crate::sanitize::for_terminal;

/// Longest code frame shown, in lines.
const MAX_FRAME_LINES: usize = 4;

pub fn render(analysis: &Analysis) -> String {
    let mut out = String::new();
    let mut summary = Summary::default();
    for f in &analysis.findings {
        summary.add(f.severity);
        render_finding(&mut out, analysis, f);
    }
    let files = analysis.workspace.files.len();
    let ws = &analysis.workspace;
    // Say which profiles ran: their findings are conventions, not defects.
    let profiles: Vec<&str> = crate::rules::PROFILES
        .iter()
        .copied()
        .filter(|p| ws.config.profile_on(p, ws.task))
        .collect();
    let profiles = if profiles.is_empty() {
        String::new()
    } else {
        format!("; profile {}", profiles.join(", "))
    };
    let _ = writeln!(
        out,
        "{} finding{}: {} critical, {} high, {} medium, {} low ({} file{} analysed{profiles})",
        summary.total(),
        if summary.total() == 1 { "" } else { "s" },
        summary.critical,
        summary.high,
        summary.medium,
        summary.low,
        files,
        if files == 1 { "" } else { "s" }
    );
    if !analysis.notes.is_empty() {
        let _ = writeln!(
            out,
            "not checked against a provider schema, the constraint selecting a version older than any bundled one: {}",
            for_terminal(&analysis.notes.join(", "))
        );
    }
    out
}

fn render_finding(out: &mut String, analysis: &Analysis, f: &Finding) {
    let ((line, col), (end_line, end_col)) = analysis.position(f);
    let _ = writeln!(
        out,
        "{}:{line}:{col}: {}[{}] {}",
        for_terminal(analysis.path(f)),
        f.severity.as_str(),
        std::iter::once(f.rule)
            .chain(f.also.iter().copied())
            .collect::<Vec<_>>()
            .join(", "),
        for_terminal(&f.message)
    );
    if let Some(valid) = f.valid_summary(12) {
        let _ = writeln!(out, "valid here: {}", for_terminal(&valid));
    }
    for (path, line, what) in analysis.related_places(f) {
        let _ = writeln!(
            out,
            "related: {}:{line}: {}",
            for_terminal(&path),
            for_terminal(&what)
        );
    }
    if let Some(file) = analysis.workspace.files.get(f.file)
        && file.problem.is_none()
    {
        let last = end_line.min(line + MAX_FRAME_LINES - 1);
        let width = last.to_string().len();
        let _ = writeln!(out, "{:width$} |", "");
        for n in line..=last {
            let text = file.slice(file.line_range(n));
            let _ = writeln!(out, "{n:>width$} | {}", for_terminal(text));
            if line == end_line {
                let marks = end_col.saturating_sub(col).max(1);
                let _ = writeln!(
                    out,
                    "{:width$} | {}{}",
                    "",
                    " ".repeat(col - 1),
                    "^".repeat(marks)
                );
            }
        }
        if last < end_line {
            let _ = writeln!(out, "{:width$} | … {} more lines", "", end_line - last);
        }
    }
    if let Some(fix) = &f.fix {
        let safety = match fix.applicability {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        };
        let _ = writeln!(out, "fix ({safety}): {}", for_terminal(&fix.title));
        match fix.diff(&analysis.workspace) {
            Ok(diff) => out.push_str(&for_terminal(&diff)),
            Err(e) => {
                let _ = writeln!(out, "(the fix cannot be shown: {e})");
            }
        }
    }
    out.push('\n');
}
