//! The review as Markdown, in the format of the reviewers' own write-ups ("Model Response
//! Failures Analysis"): accepted findings are failures, in sections by severity, numbered
//! across the document; within a section and among the knowledge gaps, the most severe
//! and then the most frequent come first.
//!
//! Findings of one rule whose titles have the same shape (they differ only in the names
//! they quote) are one failure: one sentence lists their places, one diff combines their
//! fixes, and the strongest severity among them is the failure's. A finding about a
//! declaration that a failure's message names is shown inside it. The quoted code is the
//! construct a finding is about: the lines of its span with a little context inside its
//! block (in a task folder, labelled with the lines of the Markdown answer they come
//! from); for a finding about something missing, the relevant neighbour or nothing.
//! Where the rule's documentation has an `## Error` section, the message Terraform or AWS
//! prints is quoted under the issue.
//!
//! The reviewer's summary opens the document once; the score closes the summary once; the
//! reviewer's "What went right" comes after the failures. Extraction notes are never
//! failures: they close the document as notes for the reviewer. Decisions whose findings
//! an edit made disappear are listed as resolved; rejected and pending findings get their
//! own closing sections. The same review gives the same bytes.
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
use crate::finding::{Finding, Severity};
use crate::review::{Review, Status};
use crate::rules;
use crate::sanitize;
use crate::workspace::SourceFile;

/// Lines quoted before and after the lines of a finding, inside its block.
const CONTEXT_LINES: usize = 2;
/// A top-level block around a finding with at most this many lines is quoted whole.
const MAX_BLOCK_LINES: usize = 15;
/// A nested construct (a statement, a nested block) around a finding with at most this
/// many lines is quoted whole.
const MAX_CONSTRUCT_LINES: usize = 20;
/// Longest run of a finding's own lines that is quoted; the rest is elided.
const MAX_SPAN_LINES: usize = 12;

/// Rules whose findings are about something missing and point at a block only to have a
/// place: their span is not the construct, so it is not quoted.
const ANCHORED_RULES: &[&str] = &[
    "provider-configuration-missing",
    "required-variable-missing",
    "ideal-block-missing",
];

/// Rules whose findings are notes to the reviewer about how the answer was read, never
/// failures of the answer.
const NOTE_RULES: &[&str] = &["answer-extraction"];

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

/// One numbered failure: the findings of one rule whose titles have the same shape.
struct Failure<'a> {
    /// In document order; never empty.
    findings: Vec<&'a Finding>,
    folded: Vec<&'a Finding>,
}

impl Failure<'_> {
    /// The strongest severity among the findings.
    fn severity(&self) -> Severity {
        self.findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Low)
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

fn is_note(f: &Finding) -> bool {
    NOTE_RULES.contains(&f.rule)
}

/// Whether a finding's span only gives it a place (see [`ANCHORED_RULES`]).
fn is_anchored(f: &Finding) -> bool {
    ANCHORED_RULES.contains(&f.rule)
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
    let mut notes = Vec::new();
    for f in &analysis.findings {
        let status = review.status(&f.fingerprint(ws));
        if is_note(f) && status != Status::Rejected {
            notes.push(f);
            continue;
        }
        match status {
            Status::Accepted => accepted.push(f),
            Status::Pending if opts.draft => accepted.push(f),
            Status::Pending => pending.push(f),
            Status::Rejected => rejected.push(f),
        }
    }
    for list in [&mut accepted, &mut rejected, &mut pending, &mut notes] {
        list.sort_by_key(|f| order_key(analysis, f));
    }
    let failures = group(analysis, &accepted);
    // The fixes shown are those of one fix set over every failure: a fix that conflicts
    // with a stronger one, or would remove what another fix uses, is not shown.
    let index: std::collections::HashMap<*const Finding, usize> = analysis
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| (f as *const Finding, i))
        .collect();
    let chosen: Vec<usize> = accepted
        .iter()
        .filter_map(|f| index.get(&(*f as *const Finding)).copied())
        .collect();
    let set = crate::fixset::FixSet::build(analysis, &chosen);
    let fixes = Fixes {
        index: &index,
        set: &set,
    };

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
    if let Some(summary) = written(review.summary.as_deref()) {
        out.push_str(&paragraph(summary, true));
        out.push_str("\n\n");
    }

    // The diffs in document order, each from the text the diffs before it leave, so
    // that all of them together apply with `git apply` from the root.
    let in_order: Vec<&Failure<'_>> = Severity::ALL_DESCENDING
        .iter()
        .flat_map(|s| failures.iter().filter(move |f| f.severity() == *s))
        .collect();
    let groups: Vec<Vec<usize>> = in_order
        .iter()
        .map(|failure| {
            failure
                .findings
                .iter()
                .filter_map(|f| index.get(&(*f as *const Finding)).copied())
                .collect()
        })
        .collect();
    let diffs = set.sequential_diffs(analysis, &groups);
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
            let diff = diffs.get(number).cloned().flatten();
            number += 1;
            render_failure(&mut out, analysis, review, failure, number, &fixes, diff);
        }
    }

    if let Some(strengths) = written(review.strengths.as_deref()) {
        out.push_str("## What Went Right\n\n");
        out.push_str(&list_paragraph(strengths));
        out.push_str("\n\n");
    }

    out.push_str("## Summary\n\n");
    let _ = writeln!(out, "- **Total failures**: {}", totals(&counts));
    if !failures.is_empty() {
        out.push_str("- **Primary knowledge gaps**:\n");
        for (i, gap) in knowledge_gaps(&failures).iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. {} ({}: {}, {} finding{})",
                i + 1,
                rules::title(gap.rule),
                code(gap.rule),
                gap.severity.title(),
                gap.count,
                plural(gap.count)
            );
        }
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
    if !notes.is_empty() {
        out.push_str("\n## Notes for the Reviewer\n\n");
        for f in &notes {
            let mut segs = text_segments(&f.title, &literals(analysis, f));
            segs.push(Seg::Text(": ".into()));
            segs.extend(message_segments(analysis, f));
            end_sentence(&mut segs);
            let _ = writeln!(out, "- {}", write_segments(&segs, false));
        }
    }
    out
}

/// Text the reviewer wrote, when it is more than blanks.
fn written(text: Option<&str>) -> Option<&str> {
    text.filter(|s| !s.trim().is_empty())
}

/// One line of "Primary knowledge gaps": a rule, its strongest severity among the
/// failures and how many findings it had.
struct Gap {
    rule: &'static str,
    severity: Severity,
    count: usize,
}

/// The rules of the failures, by severity, then count, then title.
fn knowledge_gaps(failures: &[Failure<'_>]) -> Vec<Gap> {
    let mut gaps: Vec<Gap> = Vec::new();
    for failure in failures {
        let rule = failure.rule();
        match gaps.iter_mut().find(|g| g.rule == rule) {
            Some(gap) => {
                gap.severity = gap.severity.max(failure.severity());
                gap.count += failure.findings.len();
            }
            None => gaps.push(Gap {
                rule,
                severity: failure.severity(),
                count: failure.findings.len(),
            }),
        }
    }
    gaps.sort_by_key(|g| {
        (
            std::cmp::Reverse(g.severity),
            std::cmp::Reverse(g.count),
            rules::title(g.rule),
            g.rule,
        )
    });
    gaps
}

/// `Variable `x` is not declared` → `Variable `_` is not declared`: what repeated findings
/// of a rule have in common (code spans and numbers stand for any value).
fn title_shape(title: &str) -> String {
    let mut out = String::new();
    for seg in segments(&sanitize::one_line(title), &[]) {
        match seg {
            Seg::Code(_) => out.push_str("`_`"),
            Seg::Text(t) => {
                let mut digits = false;
                for c in t.chars() {
                    if c.is_ascii_digit() {
                        if !digits {
                            out.push('0');
                        }
                        digits = true;
                    } else {
                        digits = false;
                        out.push(c);
                    }
                }
            }
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
        let key = (f.rule, title_shape(&f.title));
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
    // Severity, then count; a stable sort keeps the document order among equals.
    failures.sort_by_key(|f| {
        (
            std::cmp::Reverse(f.severity()),
            std::cmp::Reverse(f.findings.len()),
        )
    });
    failures
}

/// Which findings' fixes the export's fix set applies, and why the others are left out.
struct Fixes<'a> {
    index: &'a std::collections::HashMap<*const Finding, usize>,
    set: &'a crate::fixset::FixSet,
}

impl Fixes<'_> {
    fn skipped(&self, f: &Finding) -> Option<&str> {
        let i = self.index.get(&(f as *const Finding))?;
        self.set
            .skipped
            .iter()
            .find(|s| s.finding == *i)
            .map(|s| s.reason.as_str())
    }
}

fn render_failure(
    out: &mut String,
    analysis: &Analysis,
    review: &Review,
    failure: &Failure<'_>,
    number: usize,
    fixes: &Fixes<'_>,
    diff: Option<String>,
) {
    let ws = &analysis.workspace;
    let first = failure.findings[0];
    let rule = failure.rule();
    let n = failure.findings.len();
    let title = if n == 1 {
        first.title.clone()
    } else if failure.findings.iter().all(|f| f.title == first.title) {
        format!("{} ({n} occurrences)", first.title)
    } else {
        format!("{} ({n} occurrences)", rules::title(rule))
    };
    let _ = writeln!(
        out,
        "### {number}. {}\n",
        heading(&title, &literals(analysis, first))
    );
    let _ = writeln!(out, "**Impact Level**: {}\n", failure.severity().title());
    out.push_str("**MODEL_RESPONSE Issue**:\n");
    let _ = writeln!(out, "{}\n", issue(analysis, &failure.findings));
    for f in &failure.folded {
        let mut segs = vec![Seg::Text("Related: ".into())];
        segs.extend(sentence(analysis, f, false));
        let _ = writeln!(out, "{}\n", write_segments(&segs, true));
    }
    if let Some(quoted) = offending_code(analysis, first, n) {
        let _ = writeln!(out, "{}", fenced("hcl", &quoted));
    }
    if let Some(error) = error_message(failure) {
        out.push_str(&error);
    }

    if let Some(diff) = diff {
        out.push_str("**IDEAL_RESPONSE Fix**:\n");
        let _ = writeln!(out, "{}", fenced("diff", &diff));
    } else if let Some(reason) = failure.findings.iter().find_map(|f| fixes.skipped(f)) {
        let _ = writeln!(
            out,
            "**IDEAL_RESPONSE Fix**: none proposed here ({}).\n",
            inline(reason, &[], false)
        );
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

/// The message Terraform or AWS prints for the failure, from the rule's documentation:
/// `**Error**:`, the documentation's words on when, and the message as a code block. Of
/// alternative `Error: …` lines, those that a finding's message quotes; none when no
/// message quotes one.
fn error_message(failure: &Failure<'_>) -> Option<String> {
    let doc = rules::doc_error(failure.rule())?;
    let mut lines: Vec<&str> = doc.lines.iter().map(String::as_str).collect();
    if lines.len() > 1 && lines.iter().all(|l| l.starts_with("Error: ")) {
        let quoted: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| {
                let text = l.trim_start_matches("Error: ");
                failure.findings.iter().any(|f| f.message.contains(text))
            })
            .collect();
        if quoted.is_empty() {
            // The rule knows several messages and not which one this is.
            return None;
        }
        lines = quoted;
    }
    let when = if doc.when.is_empty() {
        String::new()
    } else {
        format!(" {}", doc.when)
    };
    Some(format!(
        "**Error**:{when}\n{}\n",
        fenced("text", &lines.join("\n"))
    ))
}

/// A piece of a line of Markdown: text to escape, or the content of a code span.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Text(String),
    Code(String),
}

/// Where a finding is, as `path:line`; none for a finding whose span only gives it a
/// place.
fn location(analysis: &Analysis, f: &Finding) -> Option<String> {
    if is_anchored(f) {
        return None;
    }
    let ((line, _), _) = analysis.position(f);
    Some(format!("{}:{line}", analysis.path(f)))
}

fn message_segments(analysis: &Analysis, f: &Finding) -> Vec<Seg> {
    text_segments(&f.message, &literals(analysis, f))
}

/// [`segments`] of a title or message, on one line, with `literals` made one line the
/// same way.
fn text_segments(text: &str, literals: &[&str]) -> Vec<Seg> {
    let literals: Vec<std::borrow::Cow<'_, str>> =
        literals.iter().map(|l| sanitize::one_line(l)).collect();
    let literals: Vec<&str> = literals.iter().map(AsRef::as_ref).collect();
    segments(&sanitize::one_line(text), &literals)
}

/// One finding as a sentence: "In `path:line`, message." (or "Message." when its place
/// says nothing). `capital`: whether the sentence starts with a capital.
fn sentence(analysis: &Analysis, f: &Finding, capital: bool) -> Vec<Seg> {
    let mut segs = match location(analysis, f) {
        Some(at) => {
            let mut segs = vec![
                Seg::Text(if capital { "In " } else { "in " }.into()),
                Seg::Code(at),
                Seg::Text(", ".into()),
            ];
            segs.extend(message_segments(analysis, f));
            segs
        }
        None => {
            let mut segs = message_segments(analysis, f);
            if capital {
                capitalise(&mut segs);
            }
            segs
        }
    };
    end_sentence(&mut segs);
    let related = analysis.related_places(f);
    if !related.is_empty() {
        segs.push(Seg::Text(" Related: ".into()));
        for (i, (path, line, what)) in related.iter().enumerate() {
            if i > 0 {
                segs.push(Seg::Text("; ".into()));
            }
            segs.push(Seg::Code(format!("{path}:{line}")));
            segs.extend(text_segments(&format!(" ({what})"), &[]));
        }
        segs.push(Seg::Text(".".into()));
    }
    segs
}

/// The issue of a failure as one paragraph: the finding's sentence, or for repeated
/// findings one sentence with the list of their places.
fn issue(analysis: &Analysis, findings: &[&Finding]) -> String {
    let segs = match findings {
        [f] => sentence(analysis, f, true),
        _ => one_sentence_for_all(analysis, findings),
    };
    write_segments(&segs, true)
}

/// Repeated findings as one sentence. When their messages differ only in one phrase (a
/// code span, or two code spans joined by a short word: the address, the statement in
/// its policy), the message is written once with the list of those phrases and their
/// places in its stead ("Each of `a` (`x.tf:4`) and `b` (`x.tf:9`) encrypts …"). Else:
/// the failure's title, "in N places:", the list of places, and the end of the message
/// they share, if any.
fn one_sentence_for_all(analysis: &Analysis, findings: &[&Finding]) -> Vec<Seg> {
    let messages: Vec<Vec<Seg>> = findings
        .iter()
        .map(|f| message_segments(analysis, f))
        .collect();
    let places: Vec<Option<String>> = findings.iter().map(|f| location(analysis, f)).collect();
    let mut segs = match varying_phrase(&messages) {
        Some((from, to)) => {
            let phrases: Vec<Vec<Seg>> = messages.iter().map(|m| m[from..=to].to_vec()).collect();
            let before = &messages[0][..from];
            let negated = before.iter().any(|s| match s {
                Seg::Text(t) => t
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| matches!(w, "no" | "not" | "neither" | "nothing" | "none")),
                Seg::Code(_) => false,
            });
            let mut segs = Vec::new();
            if before.is_empty() {
                segs.push(Seg::Text("Each of ".into()));
            } else {
                segs.extend_from_slice(before);
            }
            segs.extend(list_of_places(
                &phrases,
                &places,
                if negated { "or" } else { "and" },
            ));
            segs.extend_from_slice(&messages[0][to + 1..]);
            segs
        }
        None => {
            let first = findings[0];
            let lead = if findings.iter().all(|f| f.title == first.title) {
                first.title.clone()
            } else {
                rules::title(first.rule)
            };
            let mut segs = text_segments(&lead, &literals(analysis, first));
            segs.push(Seg::Text(format!(" in {} places: ", findings.len())));
            let labels = place_labels(analysis, findings);
            segs.extend(list_of_places(&labels, &places, "and"));
            let texts: Vec<String> = findings
                .iter()
                .map(|f| sanitize::one_line(&f.message).into_owned())
                .collect();
            if let Some(tail) = shared_clause(&texts) {
                segs.push(Seg::Text("; ".into()));
                segs.extend(segments(&tail, &[]));
            }
            segs
        }
    };
    capitalise(&mut segs);
    end_sentence(&mut segs);
    segs
}

/// The segments `from..=to` in which messages of the same shape differ, when they differ
/// in one code span or in two code spans joined by a short word (`in`, `of`), and agree
/// everywhere else.
fn varying_phrase(messages: &[Vec<Seg>]) -> Option<(usize, usize)> {
    let first = messages.first()?;
    if messages.iter().any(|m| m.len() != first.len()) {
        return None;
    }
    let differs: Vec<usize> = (0..first.len())
        .filter(|&i| messages.iter().any(|m| m[i] != first[i]))
        .collect();
    let (&from, &to) = (differs.first()?, differs.last()?);
    // " in ", " of ": one short word that makes the two spans one name.
    let short_joint = |i: usize| match &first[i] {
        Seg::Text(t) => {
            let word = t.trim();
            messages.iter().all(|m| m[i] == first[i])
                && t.starts_with(' ')
                && t.ends_with(' ')
                && (1..=4).contains(&word.len())
                && word.chars().all(|c| c.is_ascii_lowercase())
        }
        Seg::Code(_) => false,
    };
    let shape_ok = match to - from {
        0 => matches!(first[from], Seg::Code(_)),
        2 => {
            matches!(first[from], Seg::Code(_))
                && matches!(first[to], Seg::Code(_))
                && short_joint(from + 1)
        }
        _ => false,
    };
    let same_kinds = messages.iter().all(|m| {
        m.iter().zip(first).all(|(a, b)| {
            matches!(
                (a, b),
                (Seg::Code(_), Seg::Code(_)) | (Seg::Text(_), Seg::Text(_))
            )
        })
    });
    (shape_ok && same_kinds).then_some((from, to))
}

/// What names each finding in the list of places when the messages differ in more than a
/// name: the code spans in which the titles differ (the statement, the alias, the
/// provider) and the address, as "`x` in `address`".
fn place_labels(analysis: &Analysis, findings: &[&Finding]) -> Vec<Vec<Seg>> {
    let titles: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            text_segments(&f.title, &literals(analysis, f))
                .into_iter()
                .filter_map(|s| match s {
                    Seg::Code(c) => Some(c),
                    Seg::Text(_) => None,
                })
                .collect()
        })
        .collect();
    let Some(first) = titles.first() else {
        return Vec::new();
    };
    let varying: Vec<usize> = (0..first.len())
        .filter(|&i| titles.iter().any(|t| t.get(i) != first.get(i)))
        .collect();
    findings
        .iter()
        .zip(&titles)
        .map(|(f, title)| {
            let address = f
                .address
                .as_deref()
                .map(|a| sanitize::one_line(a).into_owned());
            let parts: Vec<&String> = varying
                .iter()
                .filter_map(|&i| title.get(i))
                .filter(|p| address.as_deref().is_none_or(|a| !a.contains(p.as_str())))
                .collect();
            let mut label = Vec::new();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    label.push(Seg::Text(", ".into()));
                }
                label.push(Seg::Code((*part).clone()));
            }
            if let Some(address) = address {
                if !label.is_empty() {
                    label.push(Seg::Text(" in ".into()));
                }
                label.push(Seg::Code(address));
            }
            label
        })
        .collect()
}

/// "`a` (`x.tf:4`), `b` (`x.tf:9`, `x.tf:12`) and `c`": each label once, with the places
/// of the findings it names; a finding without a label is named by its place.
fn list_of_places(labels: &[Vec<Seg>], places: &[Option<String>], conjunction: &str) -> Vec<Seg> {
    let mut items: Vec<(Vec<Seg>, Vec<String>)> = Vec::new();
    for (label, place) in labels.iter().zip(places) {
        let place = place.iter().cloned();
        if label.is_empty() {
            if let Some(place) = place.clone().next() {
                items.push((vec![Seg::Code(place)], Vec::new()));
            }
            continue;
        }
        match items.iter_mut().find(|(l, _)| l == label) {
            Some((_, at)) => at.extend(place),
            None => items.push((label.clone(), place.collect())),
        }
    }
    let mut out = Vec::new();
    let count = items.len();
    for (i, (label, at)) in items.into_iter().enumerate() {
        if i > 0 {
            let sep = if i + 1 == count {
                format!(" {conjunction} ")
            } else {
                ", ".to_string()
            };
            out.push(Seg::Text(sep));
        }
        out.extend(label);
        if !at.is_empty() {
            out.push(Seg::Text(" (".into()));
            for (j, place) in at.into_iter().enumerate() {
                if j > 0 {
                    out.push(Seg::Text(", ".into()));
                }
                out.push(Seg::Code(place));
            }
            out.push(Seg::Text(")".into()));
        }
    }
    out
}

/// The clause that ends every message (after their last "; " or ": " in common), when it
/// has a few words and no unpaired backtick.
fn shared_clause(messages: &[String]) -> Option<String> {
    let first = messages.first()?;
    let mut common = first.len();
    for m in &messages[1..] {
        let same = first
            .bytes()
            .rev()
            .zip(m.bytes().rev())
            .take_while(|(a, b)| a == b)
            .count();
        common = common.min(same);
    }
    let suffix = first.get(first.len() - common..)?;
    // The clause starts after a separator wholly inside the shared end, outside code.
    let mut start = None;
    for sep in ["; ", ": "] {
        for (i, _) in suffix.match_indices(sep) {
            let before = &first[..first.len() - common + i];
            if before.matches('`').count() % 2 == 0 {
                start = Some(start.map_or(i + 2, |s: usize| s.min(i + 2)));
                break;
            }
        }
    }
    let clause = suffix.get(start?..)?.trim();
    (clause.split_whitespace().count() >= 3 && clause.matches('`').count() % 2 == 0)
        .then(|| clause.to_string())
}

/// Upper-cases the first letter when the segments start with text.
fn capitalise(segs: &mut [Seg]) {
    if let Some(Seg::Text(t)) = segs.first_mut() {
        *t = rules::capitalise(t);
    }
}

/// Ends the segments with a full stop unless they end with one already.
fn end_sentence(segs: &mut Vec<Seg>) {
    if let Some(Seg::Text(t)) = segs.last_mut() {
        let trimmed = t.trim_end().len();
        t.truncate(trimmed);
        if t.ends_with(['.', '!', '?']) {
            return;
        }
        t.push('.');
        return;
    }
    segs.push(Seg::Text(".".into()));
}

/// Markdown for segments on one line: text escaped with [`escape_text`] (adjacent text
/// segments as one), code spans with [`code`]. `line_start`: whether the first segment
/// starts a line of the document.
fn write_segments(segs: &[Seg], line_start: bool) -> String {
    let mut out = String::new();
    let mut text = String::new();
    let mut at_start = line_start;
    for seg in segs {
        match seg {
            Seg::Text(t) => text.push_str(t),
            Seg::Code(c) => {
                if !text.is_empty() {
                    out.push_str(&escape_text(&text, at_start));
                    text.clear();
                }
                at_start = false;
                out.push_str(&code(c));
            }
        }
    }
    if !text.is_empty() {
        out.push_str(&escape_text(&text, at_start));
    }
    out
}

/// The code a finding is about, with where it comes from as a first-line comment
/// (`# kms.tf, lines 3-8`; in a task folder, the lines of the Markdown answer). `count`:
/// how many places the failure has (the first is quoted). None when there is nothing
/// relevant to show.
fn offending_code(analysis: &Analysis, f: &Finding, count: usize) -> Option<String> {
    let (file, from, to, elided) = if is_anchored(f) {
        neighbour(analysis, f)?
    } else {
        let file = analysis.workspace.files.get(f.file)?;
        let (from, to, elided) = lines_to_quote(analysis, file, f);
        (file, from, to, elided)
    };
    if file.text.is_empty() {
        return None;
    }
    let first = (count > 1).then(|| format!("the first of {count} places"));
    let mut code = format!("# {}\n", source_label(file, from, to, first));
    for n in from..=to {
        code.push_str(file.slice(file.line_range(n)));
        code.push('\n');
    }
    if elided > 0 {
        let _ = writeln!(code, "# … {elided} more line{}", plural(elided));
    }
    Some(code)
}

/// The lines `(from, to)` of a finding's quote and how many lines of its span are left
/// out. The smallest construct around the finding's lines when it is short (a statement or
/// a nested block of at most [`MAX_CONSTRUCT_LINES`], the top-level block of at most
/// [`MAX_BLOCK_LINES`]); else the finding's
/// lines (at most [`MAX_SPAN_LINES`]) with [`CONTEXT_LINES`] around them inside the
/// block (more after a block's first line), reaching the block's first or last line
/// when that is close. Blank lines at the end are left out.
fn lines_to_quote(analysis: &Analysis, file: &SourceFile, f: &Finding) -> (usize, usize, usize) {
    let line_of = |offset: usize| file.line_col(offset).0;
    let last_line_of = |r: &std::ops::Range<usize>| line_of(r.end.saturating_sub(1).max(r.start));
    let (start, end) = (line_of(f.span.start), last_line_of(&f.span));
    let block = analysis.enclosing_block(f.file, &f.span);
    let (block_start, block_end) = block.as_ref().map_or((1, file.line_count()), |b| {
        (line_of(b.start), last_line_of(b))
    });
    let mut constructs: Vec<(std::ops::Range<usize>, usize)> = block
        .as_ref()
        .map(|b| enclosing_constructs(&file.text, b, &f.span))
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c, MAX_CONSTRUCT_LINES))
        .collect();
    constructs.extend(block.clone().map(|b| (b, MAX_BLOCK_LINES)));
    let chosen = constructs.iter().find_map(|(c, max)| {
        let (a, b) = (line_of(c.start), last_line_of(c));
        (b - a > end - start && b - a < *max).then_some((a, b))
    });
    let (from, to, elided) = match chosen {
        Some((a, b)) => (a, b, 0),
        None => {
            let shown_end = end.min(start + MAX_SPAN_LINES - 1);
            let elided = end - shown_end;
            let after = if start == block_start {
                2 * CONTEXT_LINES
            } else {
                CONTEXT_LINES
            };
            let mut from = start.saturating_sub(CONTEXT_LINES).max(block_start);
            let mut to = if elided > 0 {
                shown_end
            } else {
                (shown_end + after).min(block_end)
            };
            if from - block_start <= CONTEXT_LINES + 1 {
                from = block_start;
            }
            if elided == 0 && block_end - to <= CONTEXT_LINES + 1 {
                to = block_end;
            }
            (from, to, elided)
        }
    };
    let mut to = to;
    while to > from && file.slice(file.line_range(to)).trim().is_empty() {
        to -= 1;
    }
    (from, to, elided)
}

/// The brace and bracket constructs (`{ … }`, `[ … ]`) of `block` that contain `span`,
/// innermost first, as byte ranges. Strings, interpolations and comments are skipped
/// well enough for quoting: a construct that does not close is left out.
fn enclosing_constructs(
    text: &str,
    block: &std::ops::Range<usize>,
    span: &std::ops::Range<usize>,
) -> Vec<std::ops::Range<usize>> {
    #[derive(PartialEq)]
    enum Open {
        Brace(usize),
        Bracket(usize),
        /// `${` inside a string: its `}` returns to the string.
        Interpolation,
    }
    let bytes = text.as_bytes();
    let end = block.end.min(bytes.len());
    let mut stack: Vec<Open> = Vec::new();
    let mut in_string = false;
    let mut around: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = block.start;
    while i < end {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    stack.push(Open::Interpolation);
                    in_string = false;
                    i += 1;
                }
                b'\n' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'#' => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < end && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'{' => stack.push(Open::Brace(i)),
            b'[' => stack.push(Open::Bracket(i)),
            b'}' | b']' => match stack.pop() {
                Some(Open::Interpolation) => in_string = true,
                Some(Open::Brace(open) | Open::Bracket(open))
                    if open <= span.start && span.end <= i + 1 =>
                {
                    around.push(open..i + 1);
                }
                Some(Open::Brace(_) | Open::Bracket(_)) | None => {}
            },
            _ => {}
        }
        i += 1;
    }
    // Constructs close innermost first.
    around
}

/// For a finding about something missing: the relevant neighbour. A missing provider
/// configuration's is the module's `terraform` block, when it has one; the others have
/// none (their fix shows what is missing).
fn neighbour<'a>(
    analysis: &'a Analysis,
    f: &Finding,
) -> Option<(&'a SourceFile, usize, usize, usize)> {
    if f.rule != "provider-configuration-missing" {
        return None;
    }
    let dir = analysis.workspace.files.get(f.file)?.dir();
    analysis
        .workspace
        .files
        .iter()
        .enumerate()
        .filter(|(_, file)| file.dir() == dir)
        .find_map(|(id, file)| {
            let block = analysis.blocks.get(id)?.iter().find(|b| {
                file.slice((*b).clone())
                    .strip_prefix("terraform")
                    .is_some_and(|rest| rest.starts_with([' ', '{', '\t']))
            })?;
            let from = file.line_col(block.start).0;
            let to = file
                .line_col(block.end.saturating_sub(1).max(block.start))
                .0;
            let shown = to.min(from + MAX_BLOCK_LINES - 1);
            Some((file, from, shown, to - shown))
        })
}

/// `kms.tf, lines 3-8`, or for code taken from a Markdown answer `lib/MODEL_RESPONSE.md,
/// lines 40-45 (kms.tf)`: where the quoted lines come from, with `more` said in the
/// parentheses.
fn source_label(file: &SourceFile, from: usize, to: usize, more: Option<String>) -> String {
    let Some(origin) = file.origin.as_ref() else {
        let more = more.map(|m| format!(" ({m})")).unwrap_or_default();
        return format!(
            "{}, {}{more}",
            sanitize::one_line(&file.path),
            line_ranges(&[(from, to)])
        );
    };
    // The Markdown lines of the quote, as runs of consecutive lines.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for n in from..=to {
        let md = file.origin_at(n).map_or(n, |o| o.line);
        match runs.last_mut() {
            // Lines the extraction added (one Markdown line for two) continue the run.
            Some((_, end)) if md == *end || md == *end + 1 => *end = md,
            _ => runs.push((md, md)),
        }
    }
    let name = file
        .path
        .strip_prefix(&format!("{}/", origin.path))
        .unwrap_or(&file.path);
    let more = more.map(|m| format!("; {m}")).unwrap_or_default();
    format!(
        "{}, {} ({}{more})",
        sanitize::one_line(&origin.path),
        line_ranges(&runs),
        sanitize::one_line(name)
    )
}

/// `line 4`, `lines 4-9`, `lines 4-9, 12-14`.
fn line_ranges(runs: &[(usize, usize)]) -> String {
    let single = matches!(runs, [(a, b)] if a == b);
    let list: Vec<String> = runs
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    format!(
        "{} {}",
        if single { "line" } else { "lines" },
        list.join(", ")
    )
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

/// Text the reviewer wrote that may hold a list ("What went right"): as [`paragraph`],
/// except that a line starting with `- `, `* `, `+ ` or `1. ` stays a list item (written
/// `- ` or `1. `), its text escaped as the start of a line so that it opens no other
/// block.
fn list_paragraph(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.trim()
        .split('\n')
        .map(|l| {
            let l = sanitize::for_terminal(l.trim()).into_owned();
            let (marker, rest) = list_marker(&l);
            format!("{marker}{}", inline(rest, &[], true))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The list marker a line of reviewer text starts with, as written to the document, and
/// the rest of the line.
fn list_marker(line: &str) -> (String, &str) {
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return ("- ".to_string(), rest.trim_start());
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        if let Some(rest) = line[digits..]
            .strip_prefix(". ")
            .or_else(|| line[digits..].strip_prefix(") "))
        {
            return (format!("{}. ", &line[..digits]), rest.trim_start());
        }
    }
    (String::new(), line)
}

/// Rewrites `text` (one line, already sanitized) as Markdown that shows it verbatim: its
/// code spans are re-fenced with [`code`] and the rest escaped with [`escape_text`]; see
/// [`segments`].
fn inline(text: &str, literals: &[&str], line_start: bool) -> String {
    write_segments(&segments(text, literals), line_start)
}

/// `text` (one line, already sanitized) cut into plain text and code spans. `literals`
/// are strings known to appear in the text inside single backticks (the finding's address
/// and path): `` `a`b` `` around one of them is one code span even when the literal
/// itself holds a backtick. Other code spans follow CommonMark: a run of n backticks up
/// to the next run of exactly n; an unmatched run is text.
fn segments(text: &str, literals: &[&str]) -> Vec<Seg> {
    let mut literals: Vec<&str> = literals
        .iter()
        .copied()
        .filter(|l| l.contains('`'))
        .collect();
    literals.sort_by_key(|l| std::cmp::Reverse(l.len()));
    let mut out = Vec::new();
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
                if plain_from < i {
                    out.push(Seg::Text(text[plain_from..i].to_string()));
                }
                out.push(Seg::Code(content.to_string()));
                i = end;
                plain_from = end;
            }
            None => i += run,
        }
    }
    if plain_from < text.len() {
        out.push(Seg::Text(text[plain_from..].to_string()));
    }
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

    fn text(s: &str) -> Seg {
        Seg::Text(s.to_string())
    }

    fn span(s: &str) -> Seg {
        Seg::Code(s.to_string())
    }

    #[test]
    fn titles_of_the_same_shape_differ_only_in_code_spans_and_numbers() {
        assert_eq!(
            title_shape("Variable `region` is not declared"),
            title_shape("Variable `a``b` is not declared")
        );
        assert_eq!(
            title_shape("KMS key deletion window is 10 days"),
            "KMS key deletion window is 0 days"
        );
        assert_ne!(
            title_shape("IAM policy grants every action"),
            title_shape("IAM policy allows write actions on every resource")
        );
    }

    #[test]
    fn the_phrase_in_which_repeated_messages_differ_is_found() {
        let message = |name: &str, key: &str| {
            vec![
                span(name),
                text(" encrypts with "),
                span(key),
                text(": it may fail"),
            ]
        };
        // One name differs.
        assert_eq!(
            varying_phrase(&[message("a", "k"), message("b", "k")]),
            Some((0, 0))
        );
        // Two names joined by a short word.
        let statement = |sid: &str, policy: &str| {
            vec![
                span(sid),
                text(" in "),
                span(policy),
                text(" is about time"),
            ]
        };
        assert_eq!(
            varying_phrase(&[statement("S1", "p1"), statement("S2", "p2")]),
            Some((0, 2))
        );
        // Two names apart, or text that differs: no phrase.
        assert_eq!(
            varying_phrase(&[message("a", "k"), message("b", "l")]),
            None
        );
        assert_eq!(
            varying_phrase(&[
                vec![span("a"), text(" is used once")],
                vec![span("b"), text(" is used 2 times")]
            ]),
            None
        );
    }

    #[test]
    fn places_are_listed_once_each_with_their_lines() {
        let labels = vec![vec![span("a")], vec![span("b")], vec![span("a")], vec![]];
        let places = vec![
            Some("x.tf:1".to_string()),
            Some("x.tf:5".to_string()),
            Some("y.tf:2".to_string()),
            Some("z.tf:3".to_string()),
        ];
        assert_eq!(
            write_segments(&list_of_places(&labels, &places, "and"), false),
            "`a` (`x.tf:1`, `y.tf:2`), `b` (`x.tf:5`) and `z.tf:3`"
        );
        assert_eq!(
            write_segments(&list_of_places(&labels[..2], &[None, None], "or"), false),
            "`a` or `b`"
        );
    }

    #[test]
    fn the_clause_repeated_messages_end_with_is_shared() {
        let messages = [
            "`var.a` is used once, but no `variable \"a\"` block declares it; Terraform fails with \"Reference\"".to_string(),
            "`var.b` is used 2 times, but no `variable \"b\"` block declares it; Terraform fails with \"Reference\"".to_string(),
        ];
        assert_eq!(
            shared_clause(&messages).as_deref(),
            Some("Terraform fails with \"Reference\"")
        );
        assert_eq!(
            shared_clause(&["a: one two".to_string(), "b: three two".to_string()]),
            None
        );
    }

    #[test]
    fn sentences_end_with_one_full_stop_and_start_with_a_capital() {
        let mut segs = vec![text("the ideal has "), span("x")];
        capitalise(&mut segs);
        end_sentence(&mut segs);
        assert_eq!(write_segments(&segs, true), "The ideal has `x`.");
        let mut segs = vec![text("done. ")];
        end_sentence(&mut segs);
        assert_eq!(segs, vec![text("done.")]);
    }

    #[test]
    fn constructs_around_a_span_are_found_innermost_first() {
        let text = "resource \"x\" \"y\" {\n  policy = jsonencode({\n    Statement = [\n      {\n        Sid = \"a}{\" # }\n        Condition = { A = \"${var.b}\" }\n      }\n    ]\n  })\n}\n";
        let at = text.find("Condition").unwrap();
        let found = enclosing_constructs(text, &(0..text.len()), &(at..at + 9));
        let starts: Vec<&str> = found
            .iter()
            .map(|r| text[r.clone()].lines().next().unwrap())
            .collect();
        assert_eq!(starts, ["{", "[", "{", "{"], "{found:?}");
        assert_eq!(
            found.last(),
            Some(&(text.find('{').unwrap()..text.len() - 1))
        );
    }

    #[test]
    fn line_ranges_read_as_words() {
        assert_eq!(line_ranges(&[(4, 4)]), "line 4");
        assert_eq!(line_ranges(&[(4, 9)]), "lines 4-9");
        assert_eq!(line_ranges(&[(4, 9), (12, 12)]), "lines 4-9, 12");
    }

    #[test]
    fn what_went_right_keeps_its_lists_and_opens_no_other_block() {
        assert_eq!(
            list_paragraph("Good:\n- one\n* two <b>\n3) three\n## four\n- # five"),
            "Good:\n- one\n- two \\<b>\n3. three\n\\## four\n- \\# five"
        );
    }

    #[test]
    fn the_error_of_a_rule_is_its_documented_message() {
        let error = rules::doc_error("provider-alias-undefined").unwrap();
        assert_eq!(error.lines, ["Error: Provider configuration not present"]);
        assert_eq!(error.when, "");
        let error = rules::doc_error("kms-key-policy-missing-service-principal").unwrap();
        assert!(error.when.starts_with("Creating a CloudWatch log group"));
        assert!(rules::doc_error("log-group-name-inconsistent").is_none());
    }

    #[test]
    fn of_alternative_errors_the_one_a_message_quotes_is_shown() {
        let finding = |message: &str| Finding {
            rule: "reference-undeclared",
            severity: Severity::High,
            title: "t".into(),
            message: message.into(),
            file: 0,
            span: 0..0,
            address: None,
            key: String::new(),
            fix: None,
            ideal: None,
            also: Vec::new(),
            valid_names: Vec::new(),
            related: Vec::new(),
            asset_places: Vec::new(),
            fingerprint_cache: std::sync::OnceLock::new(),
        };
        let module = finding(
            "`module.m` is referenced: Terraform stops with \"Reference to undeclared module\"",
        );
        let failure = Failure {
            findings: vec![&module],
            folded: Vec::new(),
        };
        assert_eq!(
            error_message(&failure).unwrap(),
            "**Error**:\n```text\nError: Reference to undeclared module\n```\n\n"
        );
        let other = finding("something else");
        let failure = Failure {
            findings: vec![&other],
            folded: Vec::new(),
        };
        assert_eq!(error_message(&failure), None);
    }

    #[test]
    fn a_closing_run_of_hashes_in_a_heading_is_escaped() {
        assert_eq!(heading("C #", &[]), "C \\#");
        assert_eq!(heading("C ##", &[]), "C \\##");
        assert_eq!(heading("C#", &[]), "C\\#");
        assert_eq!(heading("no hash", &[]), "no hash");
    }
}
