//! The review as Markdown, in the format of the reviewers' own write-ups ("Model Response
//! Failures Analysis"): accepted findings are failures, by severity, numbered across the
//! document; findings of one rule in one module are one failure with one combined diff;
//! a finding about a declaration that a failure's message names is shown inside it.
//! Decisions whose findings an edit made disappear are listed as resolved. Rejected
//! and pending findings get their own closing sections. The same review gives the same
//! bytes.
//!
//! Whatever names, messages and notes hold, the document keeps its structure: headings and
//! list items are one line, code spans and fences outgrow the backticks inside, text is
//! escaped with CommonMark backslash escapes (never HTML entities) where CommonMark would
//! read structure or HTML, and control characters are written as visible escapes. While a
//! file does not parse, a warning follows the title.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::analysis::Analysis;
use crate::export::json::Summary;
use crate::finding::{Edit, Finding, Fix, Severity};
use crate::review::{Review, Status};
use crate::rules;
use crate::sanitize;

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
    syntax_warning(&mut out, analysis, review);
    let mut counts = Summary::default();
    for failure in &failures {
        counts.add(failure.severity());
    }
    let _ = write!(
        out,
        "The review of {} ({} file{}) found {} failure{}: {}.",
        code(name),
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
        out.push_str(&paragraph(summary, true));
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
            let _ = writeln!(
                out,
                "  {}. {} ({}, {n})",
                i + 1,
                rules::title(rule),
                code(rule)
            );
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
                text_line(first_line(summary), &[])
            );
        }
        (None, Some(score)) => {
            let _ = writeln!(out, "- **Training value**: score {score}/10");
        }
        (Some(summary), None) => {
            let _ = writeln!(
                out,
                "- **Training value**: {}",
                text_line(first_line(summary), &[])
            );
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
                    let _ = writeln!(out, " Reason: {}", text_line(note, &[]));
                }
                None => out.push('\n'),
            }
        }
    }
    let resolved = review.resolved(analysis);
    if !resolved.is_empty() {
        out.push_str("\n## Resolved During Review\n\n");
        for (_, d) in resolved {
            let mut record_literals = vec![d.finding.path.as_str()];
            record_literals.extend(d.finding.address.as_deref());
            let _ = write!(
                out,
                "- **{}** ({}, {}, {}): {}.",
                text_line(&d.finding.title, &record_literals),
                d.finding.severity.title(),
                code(&d.finding.rule),
                code(&d.finding.path),
                d.status.as_str()
            );
            match &d.note {
                Some(note) => {
                    let _ = writeln!(out, " Note: {}", text_line(note, &[]));
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
    let _ = writeln!(
        out,
        "### {number}. {}\n",
        heading(&title, &literals(analysis, first))
    );
    let _ = writeln!(out, "**Impact Level**: {}\n", failure.severity().title());
    out.push_str("**MODEL_RESPONSE Issue**:\n");
    for f in failure.findings.iter().chain(&failure.folded) {
        let ((line, _), _) = analysis.position(f);
        let _ = writeln!(
            out,
            "- {}: {}",
            code(&format!("{}:{line}", analysis.path(f))),
            text_line(&f.message, &literals(analysis, f))
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
        let code = format!(
            "# {}\n{}\n",
            sanitize::one_line(&ideal.path),
            ideal.text.trim_end()
        );
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
        paragraph(&notes.join("\n\n"), false)
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
    let mut code = format!("# {}\n", sanitize::one_line(&file.path));
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
        "- **{}** ({}, {}, {}).",
        text_line(&f.title, &literals(analysis, f)),
        f.severity.title(),
        code(f.rule),
        code(&format!("{}:{line}", analysis.path(f)))
    );
}

/// A fenced code block whose fence is longer than any backtick run inside it. The text
/// is code quoted from files: its line breaks stay, its control characters become
/// visible escapes ([`sanitize::keeping_line_breaks`]).
pub fn fenced(info: &str, text: &str) -> String {
    let text = sanitize::keeping_line_breaks(text);
    let fence = "`".repeat((longest_backtick_run(&text) + 1).max(3));
    let newline = if text.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{info}\n{text}{newline}{fence}\n")
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// An inline code span of `content`, on one line: the fence is one backtick longer than
/// the longest backtick run inside, with a space of padding where CommonMark would
/// otherwise read a content backtick as part of the fence or strip a space of the
/// content. Nothing inside is escaped (CommonMark shows code spans verbatim), except
/// control characters, which become visible escapes.
pub fn code(content: &str) -> String {
    let content = sanitize::one_line(content);
    if content.is_empty() {
        // No empty code span exists: a space is the closest.
        return "` `".to_string();
    }
    let fence = "`".repeat(longest_backtick_run(&content) + 1);
    let all_spaces = content.chars().all(|c| c == ' ');
    let pad = content.starts_with('`')
        || content.ends_with('`')
        || (content.starts_with(' ') && content.ends_with(' ') && !all_spaces);
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{content}{pad}{fence}")
}

/// Text for one line of a heading or a list item: line breaks become spaces, control
/// characters visible escapes, and the code spans of `text` (paired backtick runs, as
/// rules and reviewers write them) stay code spans; see [`inline`].
pub fn text_line(text: &str, literals: &[&str]) -> String {
    let literals: Vec<std::borrow::Cow<'_, str>> =
        literals.iter().map(|l| sanitize::one_line(l)).collect();
    let literals: Vec<&str> = literals.iter().map(AsRef::as_ref).collect();
    inline(&sanitize::one_line(text), &literals, false)
}

/// A heading's text: [`text_line`], with a closing run of `#` escaped so that CommonMark does
/// not take it for the heading's optional closing sequence.
fn heading(text: &str, literals: &[&str]) -> String {
    let mut out = text_line(text, literals);
    let before_run = out.trim_end_matches('#');
    let backslashes = before_run.len() - before_run.trim_end_matches('\\').len();
    if before_run.len() < out.len() && backslashes % 2 == 0 {
        out.insert(before_run.len(), '\\');
    }
    out
}

/// Text that may run over several lines (a summary, a note): each line is trimmed and
/// written as by [`text_line`], and one that CommonMark would read as the start of a block
/// (heading, quote, list, fence, thematic break, setext underline, table, HTML) has its
/// first character escaped. Blank lines stay blank lines (paragraph breaks).
///
/// `at_line_start`: whether the first line starts a line of the document (else it follows
/// a label such as `**Root Cause**: `, where no block can open).
pub fn paragraph(text: &str, at_line_start: bool) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = text
        .trim()
        .split('\n')
        .enumerate()
        .map(|(i, l)| {
            inline(
                &sanitize::for_terminal(l.trim()),
                &[],
                i > 0 || at_line_start,
            )
        })
        .collect();
    lines.join("\n")
}

/// Rewrites `text` (one line, already sanitized) as Markdown that shows it verbatim: its
/// code spans are re-fenced with [`code`] and the rest escaped with [`escape_text`].
/// `literals` are strings known to appear in the text inside single backticks (the
/// finding's address and path): `` `a`b` `` around one of them is one code span even
/// when the literal itself holds a backtick. Other code spans follow CommonMark: a run
/// of n backticks up to the next run of exactly n; an unmatched run is text.
fn inline(text: &str, literals: &[&str], line_start: bool) -> String {
    let mut literals: Vec<&str> = literals
        .iter()
        .copied()
        .filter(|l| l.contains('`'))
        .collect();
    literals.sort_by_key(|l| std::cmp::Reverse(l.len()));
    let mut out = String::with_capacity(text.len() + 8);
    let mut plain_from = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let known = literals.iter().find_map(|l| {
            let quoted = text.get(i + 1..)?.strip_prefix(l)?.strip_prefix('`')?;
            Some((*l, text.len() - quoted.len()))
        });
        let run = text[i..].bytes().take_while(|b| *b == b'`').count();
        let span = known.or_else(|| {
            let after = i + run;
            let close = closing_run(&text[after..], run)?;
            Some((&text[after..after + close], after + close + run))
        });
        match span {
            Some((content, end)) => {
                out.push_str(&escape_text(
                    &text[plain_from..i],
                    line_start && plain_from == 0,
                ));
                out.push_str(&code(content));
                i = end;
                plain_from = end;
            }
            None => i += run,
        }
    }
    out.push_str(&escape_text(
        &text[plain_from..],
        line_start && plain_from == 0,
    ));
    out
}

/// Where in `text` the first backtick run of exactly `n` starts.
fn closing_run(text: &str, n: usize) -> Option<usize> {
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
        if run == n {
            return Some(i);
        }
        i += run;
    }
    None
}

/// Plain text (no code spans) escaped with CommonMark backslash escapes where CommonMark
/// would otherwise read structure: backticks, `*`, `_` at a word boundary, `[`, a `<`
/// that could open HTML or an autolink, a `&` that could start an entity, a backslash
/// before punctuation or at the end; and, at the start of a line, the marker of a block
/// ([`block_marker`]). No HTML entities: the text stays readable as plain text.
fn escape_text(text: &str, line_start: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let marker = if line_start {
        block_marker(&chars)
    } else {
        None
    };
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let escape = marker == Some(i)
            || match c {
                '`' | '*' | '[' => true,
                '_' => !(word(prev) && word(next)),
                '\\' => next.is_none_or(|n| n.is_ascii_punctuation()),
                '<' => {
                    next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'))
                }
                '&' => entity_like(&chars[i + 1..]),
                _ => false,
            };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Where a line starting with `chars` has the marker of a block that a backslash must
/// defuse: an ATX heading, a block quote, a bullet or ordered list item (the `.` or `)`
/// after the number), a fence, a thematic break, a setext underline or a GFM table
/// delimiter row.
fn block_marker(chars: &[char]) -> Option<usize> {
    let first = *chars.first()?;
    let blank_at = |k: usize| chars.get(k).is_none_or(|c| matches!(c, ' ' | '\t'));
    let only_marks = chars
        .iter()
        .all(|c| matches!(c, '-' | '=' | '_' | '*' | ':' | '|' | '+' | ' ' | '\t'));
    let run = |want: fn(&char) -> bool| chars.iter().take_while(|c| want(c)).count();
    let at_start = match first {
        '>' | '`' | '*' | '_' => true,
        '#' => {
            let n = run(|c| *c == '#');
            n <= 6 && blank_at(n)
        }
        '-' | '+' => blank_at(1) || only_marks,
        '=' | ':' | '|' => only_marks,
        '~' => run(|c| *c == '~') >= 3,
        d if d.is_ascii_digit() => {
            let n = run(char::is_ascii_digit);
            return (n <= 9 && matches!(chars.get(n), Some('.' | ')')) && blank_at(n + 1))
                .then_some(n);
        }
        _ => false,
    };
    at_start.then_some(0)
}

/// Whether `after` (what follows a `&`) is `name;`, `#digits;` or `#xhex;`: an entity
/// reference CommonMark would decode.
fn entity_like(after: &[char]) -> bool {
    let body: String = after
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .collect();
    !body.is_empty() && after.get(body.chars().count()) == Some(&';')
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

/// The strings a finding's title and message quote in backticks that may themselves hold
/// a backtick: its address and its file's path.
fn literals<'a>(analysis: &'a Analysis, f: &'a Finding) -> Vec<&'a str> {
    let mut out = vec![analysis.path(f)];
    out.extend(f.address.as_deref());
    out
}

/// The warning that opens the review while a file does not parse: what is reported in
/// such a file may be stale.
fn syntax_warning(out: &mut String, analysis: &Analysis, review: &Review) {
    let files = crate::export::syntax_errors(analysis);
    if files.is_empty() {
        return;
    }
    let unconfirmed = review.unconfirmed(analysis).len();
    let left_out = match unconfirmed {
        0 => String::new(),
        1 => " One decision on a finding no longer reported there is left out until it parses again (it is kept in the review).".to_string(),
        n => format!(" {n} decisions on findings no longer reported there are left out until it parses again (they are kept in the review)."),
    };
    let _ = writeln!(
        out,
        "> **Warning**: {}{left_out}\n",
        crate::export::syntax_warning_text(&files, code)
    );
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
    fn fences_show_control_characters_as_escapes_and_keep_crlf() {
        assert_eq!(
            fenced("hcl", "a = \"\u{1b}[2J\"\r\nb = 1\r\n"),
            "```hcl\na = \"\\x1b[2J\"\r\nb = 1\r\n```\n"
        );
    }

    #[test]
    fn code_spans_outgrow_the_backticks_inside_and_pad_when_needed() {
        assert_eq!(code("aws_s3_bucket.logs"), "`aws_s3_bucket.logs`");
        assert_eq!(code(">= 5.0"), "`>= 5.0`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code("a``"), "``` a`` ```");
        assert_eq!(code(" a "), "`  a  `");
        assert_eq!(code("  "), "`  `");
        assert_eq!(code(""), "` `");
        assert_eq!(code("x\n## y\u{7}"), "`x ## y\\x07`");
    }

    #[test]
    fn reviewer_text_cannot_inject_html_or_structure() {
        assert_eq!(
            text_line("<script>alert(1)</script> & co &amp; x < 3", &[]),
            "\\<script>alert(1)\\</script> & co \\&amp; x < 3"
        );
        assert_eq!(text_line("a\n## x", &[]), "a ## x");
        assert_eq!(
            text_line("**bold** [link](u) snake_case _em_", &[]),
            "\\*\\*bold\\*\\* \\[link](u) snake_case \\_em\\_"
        );
        assert_eq!(text_line("ends with \\", &[]), "ends with \\\\");
        assert_eq!(text_line("C:\\dir", &[]), "C:\\dir");
        assert_eq!(
            paragraph(
                "keep `code`\n```\n# not a heading\n  > nor a quote\n- nor\n1. a list\n===\n~~~\n\n2024 was fine",
                true
            ),
            "keep `code`\n\\`\\`\\`\n\\# not a heading\n\\> nor a quote\n\\- nor\n1\\. a list\n\\===\n\\~~~\n\n2024 was fine"
        );
        assert_eq!(paragraph("1. after a label", false), "1. after a label");
        assert_eq!(paragraph("a | b\n--- | ---", true), "a | b\n\\--- | ---");
    }

    #[test]
    fn code_spans_in_messages_stay_code_and_known_literals_keep_their_backticks() {
        assert_eq!(
            text_line(
                "`aws_kms_key.a`b` does not rotate (`enable_key_rotation`)",
                &["aws_kms_key.a`b"]
            ),
            "``aws_kms_key.a`b`` does not rotate (`enable_key_rotation`)"
        );
        assert_eq!(
            text_line("version `>= 5.0` & `<b>` stay", &[]),
            "version `>= 5.0` & `<b>` stay"
        );
        assert_eq!(text_line("an odd ` backtick", &[]), "an odd \\` backtick");
        assert_eq!(text_line("```fences``` inline", &[]), "`fences` inline");
    }

    #[test]
    fn a_closing_run_of_hashes_in_a_heading_is_escaped() {
        assert_eq!(heading("C #", &[]), "C \\#");
        assert_eq!(heading("C ##", &[]), "C \\##");
        assert_eq!(heading("C#", &[]), "C\\#");
        assert_eq!(heading("no hash", &[]), "no hash");
    }
}
