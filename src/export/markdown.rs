//! The review as Markdown, in the format of the reviewers' own write-ups ("Model Response
//! Failures Analysis"): accepted findings are failures, by severity, numbered across the
//! document; findings of one rule in one module are one failure with one combined diff;
//! a finding about a declaration that a failure's message names is shown inside it.
//! Decisions whose findings an edit made disappear are listed as resolved. Rejected
//! and pending findings get their own closing sections. The same review gives the same
//! bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::analysis::Analysis;
use crate::export::json::Summary;
use crate::finding::{Edit, Finding, Fix, Severity};
use crate::review::{Review, Status};
use crate::rules;

/// Longest enclosing block quoted whole; longer ones are quoted around the finding.
const MAX_QUOTED_LINES: usize = 40;

#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    /// Pending findings count as accepted: a first draft from the analysis alone.
    pub draft: bool,
    pub include_dismissed: bool,
    pub include_pending: bool,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            draft: false,
            include_dismissed: true,
            include_pending: true,
        }
    }
}

/// One numbered failure: the findings of one rule in one module.
struct Failure<'a> {
    findings: Vec<&'a Finding>,
    folded: Vec<&'a Finding>,
}

impl Failure<'_> {
    fn severity(&self) -> Severity {
        self.findings[0].severity
    }

    fn rule(&self) -> &'static str {
        self.findings[0].rule
    }
}

fn module_of(analysis: &Analysis, f: &Finding) -> String {
    analysis
        .workspace
        .files
        .get(f.file)
        .map_or_else(String::new, |file| file.dir().to_string())
}

/// Order of the document: severity (highest first), then file, line and rule.
fn order_key(
    analysis: &Analysis,
    f: &Finding,
) -> (std::cmp::Reverse<Severity>, String, usize, &'static str) {
    let ((line, _), _) = analysis.position(f);
    (
        std::cmp::Reverse(f.severity),
        analysis.path(f).to_string(),
        line,
        f.rule,
    )
}

pub fn render(analysis: &Analysis, review: &Review, name: &str, opts: &MarkdownOptions) -> String {
    let ws = &analysis.workspace;
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    let mut pending = Vec::new();
    for f in &analysis.findings {
        match review.status(&f.fingerprint(ws)) {
            Status::Accepted => accepted.push(f),
            Status::Pending if opts.draft => accepted.push(f),
            Status::Pending => pending.push(f),
            Status::Rejected => rejected.push(f),
        }
    }
    for list in [&mut accepted, &mut rejected, &mut pending] {
        list.sort_by_key(|f| order_key(analysis, f));
    }
    let failures = group(analysis, &accepted);

    let mut out = String::from("# Model Response Failures Analysis\n\n");
    let mut counts = Summary::default();
    for failure in &failures {
        counts.add(failure.severity());
    }
    let _ = write!(
        out,
        "The review of `{}` ({} file{}) found {} failure{}: {}.",
        escape(name),
        ws.files.len(),
        plural(ws.files.len()),
        failures.len(),
        plural(failures.len()),
        totals(&counts)
    );
    if opts.draft {
        out.push_str(" This is a draft from the analysis alone: every finding is listed as a failure until a reviewer decides on it.");
    }
    out.push_str("\n\n");
    if let Some(summary) = review.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        out.push_str(&escape(summary.trim()));
        out.push_str("\n\n");
    }

    let mut number = 0;
    for severity in Severity::ALL_DESCENDING {
        let in_section: Vec<&Failure<'_>> = failures
            .iter()
            .filter(|f| f.severity() == severity)
            .collect();
        if in_section.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {} Failures\n", severity.title());
        for failure in in_section {
            number += 1;
            render_failure(&mut out, analysis, review, failure, number);
        }
    }

    out.push_str("## Summary\n\n");
    let _ = writeln!(out, "- **Total failures**: {}", totals(&counts));
    if !failures.is_empty() {
        out.push_str("- **Primary knowledge gaps**:\n");
        let mut gaps: BTreeMap<&str, usize> = BTreeMap::new();
        for failure in &failures {
            *gaps.entry(failure.rule()).or_default() += failure.findings.len();
        }
        let mut gaps: Vec<(&str, usize)> = gaps.into_iter().collect();
        gaps.sort_by_key(|(rule, n)| (std::cmp::Reverse(*n), *rule));
        for (i, (rule, n)) in gaps.iter().enumerate() {
            let _ = writeln!(out, "  {}. {} (`{rule}`, {n})", i + 1, rules::title(rule));
        }
    }
    match (
        review.summary.as_deref().filter(|s| !s.trim().is_empty()),
        review.score,
    ) {
        (Some(summary), Some(score)) => {
            let _ = writeln!(
                out,
                "- **Training value**: {} (score {score}/10)",
                escape(first_line(summary))
            );
        }
        (None, Some(score)) => {
            let _ = writeln!(out, "- **Training value**: score {score}/10");
        }
        (Some(summary), None) => {
            let _ = writeln!(out, "- **Training value**: {}", escape(first_line(summary)));
        }
        (None, None) => {}
    }
    if let Some(score) = review.score {
        let _ = writeln!(out, "\n**Training Quality Score**: {score}/10");
    }

    if opts.include_dismissed && !rejected.is_empty() {
        out.push_str("\n## Dismissed Findings\n\n");
        for f in &rejected {
            list_item(&mut out, analysis, f);
            match review.note(&f.fingerprint(ws)) {
                Some(note) => {
                    let _ = writeln!(out, " Reason: {}", escape(&one_line(note)));
                }
                None => out.push('\n'),
            }
        }
    }
    let resolved = review.resolved(analysis);
    if !resolved.is_empty() {
        out.push_str("\n## Resolved During Review\n\n");
        for (_, d) in resolved {
            let _ = write!(
                out,
                "- **{}** ({}, `{}`, `{}`): {}.",
                escape(&d.finding.title),
                d.finding.severity.title(),
                d.finding.rule,
                d.finding.path,
                d.status.as_str()
            );
            match &d.note {
                Some(note) => {
                    let _ = writeln!(out, " Note: {}", escape(&one_line(note)));
                }
                None => out.push('\n'),
            }
        }
    }
    if opts.include_pending && !pending.is_empty() {
        out.push_str("\n## Not Yet Reviewed\n\n");
        for f in &pending {
            list_item(&mut out, analysis, f);
            out.push('\n');
        }
    }
    out
}

fn group<'a>(analysis: &Analysis, accepted: &[&'a Finding]) -> Vec<Failure<'a>> {
    // A finding about a declaration (`local.x`, `var.x`) that a more severe finding of its
    // module names (as the thing it should have used) is shown inside that one.
    let mut folded_into: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, f) in accepted.iter().enumerate() {
        let Some(address) = f
            .address
            .as_ref()
            .filter(|a| a.starts_with("local.") || a.starts_with("var."))
        else {
            continue;
        };
        let needle = format!("`{address}`");
        if let Some(j) = accepted.iter().position(|g| {
            g.severity > f.severity
                && module_of(analysis, g) == module_of(analysis, f)
                && g.message.contains(&needle)
        }) {
            folded_into.insert(i, j);
        }
    }
    let mut failures: Vec<Failure<'a>> = Vec::new();
    let mut by_key: BTreeMap<(&'static str, String), usize> = BTreeMap::new();
    let mut index_of_finding: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, f) in accepted.iter().enumerate() {
        if folded_into.contains_key(&i) {
            continue;
        }
        let key = (f.rule, module_of(analysis, f));
        let at = *by_key.entry(key).or_insert_with(|| {
            failures.push(Failure {
                findings: Vec::new(),
                folded: Vec::new(),
            });
            failures.len() - 1
        });
        failures[at].findings.push(f);
        index_of_finding.insert(i, at);
    }
    for (i, j) in folded_into {
        if let Some(&at) = index_of_finding.get(&j) {
            failures[at].folded.push(accepted[i]);
        }
    }
    failures
}

fn render_failure(
    out: &mut String,
    analysis: &Analysis,
    review: &Review,
    failure: &Failure<'_>,
    number: usize,
) {
    let ws = &analysis.workspace;
    let first = failure.findings[0];
    let rule = failure.rule();
    let title = if failure.findings.len() == 1 {
        first.title.clone()
    } else {
        format!(
            "{} ({} occurrences)",
            rules::title(rule),
            failure.findings.len()
        )
    };
    let _ = writeln!(out, "### {number}. {}\n", escape(&title));
    let _ = writeln!(out, "**Impact Level**: {}\n", failure.severity().title());
    out.push_str("**MODEL_RESPONSE Issue**:\n");
    for f in failure.findings.iter().chain(&failure.folded) {
        let ((line, _), _) = analysis.position(f);
        let _ = writeln!(
            out,
            "- `{}:{line}`: {}",
            analysis.path(f),
            escape(&f.message)
        );
    }
    out.push('\n');
    let code = offending_code(analysis, first);
    let _ = writeln!(out, "{}", fenced("hcl", &code));

    if let Some(diff) = combined_diff(analysis, &failure.findings) {
        out.push_str("**IDEAL_RESPONSE Fix**:\n");
        let _ = writeln!(out, "{}", fenced("diff", &diff));
    }
    // The ideal answer's own version of the block, when the answer was compared.
    if let Some(ideal) = failure.findings.iter().find_map(|f| f.ideal.as_ref()) {
        out.push_str("**IDEAL_RESPONSE Code**:\n");
        let code = format!("# {}\n{}\n", ideal.path, ideal.text.trim_end());
        let _ = writeln!(out, "{}", fenced("hcl", &code));
    }
    let notes: Vec<String> = failure
        .findings
        .iter()
        .filter_map(|f| review.note(&f.fingerprint(ws)).map(str::to_string))
        .collect();
    let root_cause = if notes.is_empty() {
        rules::doc_section(rule, "Root cause").unwrap_or_default()
    } else {
        escape(&notes.join("\n\n"))
    };
    let _ = writeln!(out, "**Root Cause**: {}\n", root_cause.trim());
    if let Some(impact) = rules::doc_section(rule, "Impact") {
        let _ = writeln!(out, "**Impact**: {}\n", impact.trim());
    }
    if let Some(reference) = rules::doc_section(rule, "References") {
        let _ = writeln!(out, "**Reference**: {}\n", reference.trim());
    }
    out.push_str("---\n\n");
}

/// The enclosing block of the finding (or the lines around it when the block is long),
/// with the file name as a first-line comment.
fn offending_code(analysis: &Analysis, f: &Finding) -> String {
    let Some(file) = analysis.workspace.files.get(f.file) else {
        return String::new();
    };
    let ((line, _), (end_line, _)) = analysis.position(f);
    let (from, to) = match analysis.enclosing_block(f.file, &f.span) {
        Some(block) => {
            let (start, _) = file.line_col(block.start);
            let (end, _) = file.line_col(block.end);
            if end - start < MAX_QUOTED_LINES {
                (start, end)
            } else {
                (
                    line.saturating_sub(3).max(1),
                    (end_line + 3).min(file.line_count()),
                )
            }
        }
        None => (
            line.saturating_sub(3).max(1),
            (end_line + 3).min(file.line_count()),
        ),
    };
    let mut code = format!("# {}\n", file.path);
    for n in from..=to {
        code.push_str(file.slice(file.line_range(n)));
        code.push('\n');
    }
    code
}

/// One diff for all the fixes of a failure, when they do not overlap; else the first.
fn combined_diff(analysis: &Analysis, findings: &[&Finding]) -> Option<String> {
    let fixes: Vec<&Fix> = findings.iter().filter_map(|f| f.fix.as_ref()).collect();
    let first = fixes.first()?;
    let mut edits: Vec<Edit> = Vec::new();
    for fix in &fixes {
        for edit in &fix.edits {
            if !edits.contains(edit) {
                edits.push(edit.clone());
            }
        }
    }
    let combined = Fix::new(first.title.clone(), first.applicability, edits);
    combined
        .diff(&analysis.workspace)
        .or_else(|_| first.diff(&analysis.workspace))
        .ok()
}

fn list_item(out: &mut String, analysis: &Analysis, f: &Finding) {
    let ((line, _), _) = analysis.position(f);
    let _ = write!(
        out,
        "- **{}** ({}, `{}`, `{}:{line}`).",
        escape(&f.title),
        f.severity.title(),
        f.rule,
        analysis.path(f)
    );
}

/// A fenced code block whose fence is longer than any backtick run inside it.
pub fn fenced(info: &str, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let body = if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    };
    format!("{fence}{info}\n{body}{fence}\n")
}

/// Text typed by a reviewer or taken from code, safe in Markdown: no raw HTML, no run of
/// three backticks that could open a fence, no line that turns into a heading.
pub fn escape(text: &str) -> String {
    let html = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let mut out = String::with_capacity(html.len());
    for (i, line) in html.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.trim_start().starts_with('#') {
            out.push('\\');
        }
        let chars: Vec<char> = line.chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let run = chars[j..].iter().take_while(|c| **c == '`').count();
            if run == 0 {
                out.push(chars[j]);
                j += 1;
                continue;
            }
            for _ in 0..run {
                if run >= 3 {
                    out.push('\\');
                }
                out.push('`');
            }
            j += run;
        }
    }
    out
}

fn totals(s: &Summary) -> String {
    format!(
        "{} Critical, {} High, {} Medium, {} Low",
        s.critical, s.high, s.medium, s.low
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn first_line(text: &str) -> &str {
    text.trim().lines().next().unwrap_or("")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_the_backticks_inside() {
        assert_eq!(fenced("hcl", "a = 1"), "```hcl\na = 1\n```\n");
        assert_eq!(fenced("", "```\nx\n```\n"), "````\n```\nx\n```\n````\n");
        assert_eq!(fenced("", "`````"), "``````\n`````\n``````\n");
    }

    #[test]
    fn reviewer_text_cannot_inject_html() {
        assert_eq!(
            escape("<script>alert(1)</script> & co"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
        );
        assert_eq!(
            escape("keep `code`\n```\n# not a heading"),
            "keep `code`\n\\`\\`\\`\n\\# not a heading"
        );
    }
}
