//! The corpus evaluation: what every rule reports on the deployed code (`lib/*.tf`) and on
//! the answers (`MODEL_RESPONSE.md`) of a folder of task folders, and — against a set of
//! failures labelled by hand from the folders' `MODEL_FAILURES.md` — how many documented
//! failures the rules find (recall) and how many of their findings are documented
//! (precision).
//!
//! A label names a folder, the documented failure, the line of `MODEL_RESPONSE.md` where
//! it is visible, and the rule that should catch it. A label is found when a finding of
//! that rule in that folder covers the line: the finding's top-level block (or, for a
//! finding outside any block, its own span) spans it in the Markdown.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::analysis::{Analysis, Target, analyse_with};
use crate::finding::Finding;

/// One documented failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub folder: String,
    pub failure: String,
    /// The line of `lib/MODEL_RESPONSE.md` where the failure is visible.
    pub line: usize,
    pub rule: String,
}

/// The rule column of a failure that no rule catches yet: it counts as missed.
pub const NO_RULE: &str = "-";

/// Reads the labels file: tab-separated `folder`, `failure`, `line`, `rule` (or `-` for a
/// failure no rule covers); `#` starts a comment line. Errors name the line.
pub fn parse_labels(text: &str) -> Result<Vec<Label>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [folder, failure, md_line, rule] = cols.as_slice() else {
            return Err(format!("line {}: expected 4 tab-separated columns", i + 1));
        };
        let md_line = md_line
            .trim()
            .parse()
            .map_err(|_| format!("line {}: `{md_line}` is not a line number", i + 1))?;
        if rule.trim() != NO_RULE && crate::rules::find(rule.trim()).is_none() {
            return Err(format!("line {}: no rule `{}`", i + 1, rule.trim()));
        }
        out.push(Label {
            folder: folder.trim().to_string(),
            failure: failure.trim().to_string(),
            line: md_line,
            rule: rule.trim().to_string(),
        });
    }
    Ok(out)
}

/// The figures of one rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleRow {
    pub rule: String,
    /// Findings on the deployed code of every folder.
    pub deployed: usize,
    /// Findings on every answer.
    pub answers: usize,
    /// Labels that name the rule, and how many of them it finds.
    pub labels: usize,
    pub found: usize,
    /// The rule's findings in the labelled folders, and how many cover a label of the rule.
    pub labelled_folder_findings: usize,
    pub matched_findings: usize,
}

#[derive(Debug, Clone)]
pub struct Evaluation {
    pub folders: usize,
    pub rows: Vec<RuleRow>,
    /// The labels no finding covers.
    pub missed: Vec<Label>,
    pub deployed_time: Duration,
    pub answers_time: Duration,
}

impl Evaluation {
    pub fn labels(&self) -> usize {
        self.rows.iter().map(|r| r.labels).sum()
    }

    pub fn found(&self) -> usize {
        self.rows.iter().map(|r| r.found).sum()
    }

    /// Found labels over labels.
    pub fn recall(&self) -> f64 {
        ratio(self.found(), self.labels())
    }

    /// Over the rules that have labels: findings in labelled folders that cover a label,
    /// over all their findings there. A lower bound: true problems nobody labelled count
    /// as false.
    pub fn precision(&self) -> f64 {
        let (matched, all) = self
            .rows
            .iter()
            .filter(|r| r.labels > 0)
            .fold((0, 0), |(m, a), r| {
                (m + r.matched_findings, a + r.labelled_folder_findings)
            });
        ratio(matched, all)
    }

    /// The per-rule table, Markdown.
    pub fn table(&self) -> String {
        let mut out = format!(
            "Corpus evaluation: {} folders; deployed code analysed in {} ms, answers in {} ms\n\n",
            self.folders,
            self.deployed_time.as_millis(),
            self.answers_time.as_millis()
        );
        out.push_str("| rule | deployed | answers | labels | found | recall | precision |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
        for r in &self.rows {
            let (recall, precision) = if r.labels > 0 {
                (
                    format!("{:.0}%", 100.0 * ratio(r.found, r.labels)),
                    format!("{}/{}", r.matched_findings, r.labelled_folder_findings),
                )
            } else {
                ("".into(), "".into())
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {recall} | {precision} |\n",
                r.rule,
                r.deployed,
                r.answers,
                if r.labels > 0 {
                    r.labels.to_string()
                } else {
                    String::new()
                },
                if r.labels > 0 {
                    r.found.to_string()
                } else {
                    String::new()
                },
            ));
        }
        out.push_str(&format!(
            "\nLabelled failures found: {}/{} (recall {:.1}%); precision on the labelled folders {:.1}% (a lower bound)\n",
            self.found(),
            self.labels(),
            100.0 * self.recall(),
            100.0 * self.precision()
        ));
        for m in &self.missed {
            out.push_str(&format!(
                "missed: {} line {} [{}] {}\n",
                m.folder, m.line, m.rule, m.failure
            ));
        }
        out
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Evaluates every rule on the task folders under `corpus`.
pub fn evaluate(corpus: &Path, labels: &[Label]) -> Result<Evaluation, crate::Error> {
    let start = Instant::now();
    let deployed = analyse_with(corpus, &Target::Plain, None)?;
    let deployed_time = start.elapsed();
    let start = Instant::now();
    let answers = analyse_with(corpus, &Target::Auto, None)?;
    let answers_time = start.elapsed();

    let mut rows: BTreeMap<&str, RuleRow> = crate::rules::all()
        .iter()
        .map(|r| r.id())
        .chain([NO_RULE])
        .map(|id| {
            (
                id,
                RuleRow {
                    rule: if id == NO_RULE {
                        "(no rule)".into()
                    } else {
                        id.to_string()
                    },
                    ..RuleRow::default()
                },
            )
        })
        .collect();
    for f in &deployed.findings {
        if let Some(row) = rows.get_mut(f.rule) {
            row.deployed += 1;
        }
    }
    for f in &answers.findings {
        if let Some(row) = rows.get_mut(f.rule) {
            row.answers += 1;
        }
    }

    // Markdown line ranges of the answers' findings, by folder.
    let mut by_folder: BTreeMap<&str, Vec<(&Finding, usize, usize)>> = BTreeMap::new();
    for f in &answers.findings {
        let path = answers.path(f);
        let folder = path.split('/').next().unwrap_or("");
        if let Some((from, to)) = markdown_lines(&answers, f) {
            by_folder.entry(folder).or_default().push((f, from, to));
        }
    }
    let mut missed = Vec::new();
    for label in labels {
        // Labels are checked against the registry when they are parsed.
        let Some(row) = rows.get_mut(label.rule.as_str()) else {
            missed.push(label.clone());
            continue;
        };
        row.labels += 1;
        let covered = by_folder.get(label.folder.as_str()).is_some_and(|fs| {
            fs.iter()
                .any(|(f, from, to)| f.rule == label.rule && (*from..=*to).contains(&label.line))
        });
        if covered {
            row.found += 1;
        } else {
            missed.push(label.clone());
        }
    }
    let labelled: std::collections::BTreeSet<&str> =
        labels.iter().map(|l| l.folder.as_str()).collect();
    for folder in &labelled {
        for (f, from, to) in by_folder.get(folder).into_iter().flatten() {
            let Some(row) = rows.get_mut(f.rule) else {
                continue;
            };
            row.labelled_folder_findings += 1;
            if labels
                .iter()
                .any(|l| l.folder == *folder && l.rule == f.rule && (*from..=*to).contains(&l.line))
            {
                row.matched_findings += 1;
            }
        }
    }
    let folders = crate::task::detect_all(corpus).len();
    Ok(Evaluation {
        folders,
        rows: rows.into_values().collect(),
        missed,
        deployed_time,
        answers_time,
    })
}

/// The lines of the answer's Markdown that a finding covers: those of its top-level
/// block, or its own span.
fn markdown_lines(analysis: &Analysis, f: &Finding) -> Option<(usize, usize)> {
    let file = analysis.workspace.files.get(f.file)?;
    file.origin.as_ref()?;
    let span = analysis
        .enclosing_block(f.file, &f.span)
        .unwrap_or_else(|| f.span.clone());
    let (first, _) = file.line_col(span.start);
    let (last, _) = file.line_col(span.end.saturating_sub(1).max(span.start));
    let from = file.origin_at(first)?.line;
    let to = file.origin_at(last)?.line;
    Some((from.min(to), from.max(to)))
}
