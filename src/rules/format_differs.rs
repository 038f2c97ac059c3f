//! # File not formatted as `terraform fmt` writes it
//!
//! ## What it does
//! Reports a `.tf` or `.tfvars` file whose text differs from what `terraform fmt` makes of
//! it: indentation, blanks around `=` and operators, `=` signs and end-of-line comments
//! not aligned across consecutive lines, unquoted block labels, values written as a
//! single interpolation (`"${var.x}"`), legacy variable types. One finding per file, at
//! the first line that differs; the fix is the whole file formatted. tfreview formats
//! without Terraform, with the same result byte for byte.
//!
//! ## Why is this bad?
//! Teams and CI pipelines run `terraform fmt -check` and reject what it would change;
//! reviewers flag unformatted code before reading it, and every later `fmt` run puts
//! unrelated changes into someone else's diff.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "logs" {
//!   bucket="app-logs"
//!   force_destroy = true
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_s3_bucket" "logs" {
//!   bucket        = "app-logs"
//!   force_destroy = true
//! }
//! ```
//!
//! ## Fix safety
//! Safe: only blanks change, and the normalisations `terraform fmt` makes, which keep the
//! meaning (a quoted label, an unwrapped interpolation). Comments, heredocs, blank lines
//! and line endings stay as they are.
//!
//! ## Root cause
//! The code was written or generated without running `terraform fmt`.
//!
//! ## Impact
//! `terraform fmt -check` fails in CI; diffs mix formatting with changes. In the task
//! contract's pipeline (the `contract` profile) the check is a gate, so the finding is
//! medium there.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/cli/commands/fmt
//! https://developer.hashicorp.com/terraform/language/syntax/style

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::Model;

pub struct FormatDiffers;

impl Rule for FormatDiffers {
    fn id(&self) -> &'static str {
        "format-differs"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Practice
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let contract = model.ws.config.profile_on(super::CONTRACT, model.ws.task);
        for (&id, parsed) in model.files.iter().zip(&model.parsed) {
            let Some(file) = model.ws.files.get(id) else {
                continue;
            };
            if file.problem.is_some() || parsed.recovered {
                continue;
            }
            let src = file.text.as_str();
            // A file the model could not parse is formatted only when Terraform would
            // format it (a key given twice); a syntax error is another rule's finding.
            let formatted = if parsed.body.is_some() {
                match crate::format::reformat_parsed(src) {
                    Some(f) => f,
                    None => continue,
                }
            } else {
                match crate::format::format(src) {
                    Ok(f) if f != src => f,
                    _ => continue,
                }
            };
            let (edit, first_line) = whole_change(src, &formatted);
            let (changed, runs) = changed_lines(src, &formatted);
            let line = file.line_range(first_line);
            let mut f = self.finding(
                id,
                line.start..line.end.max(line.start),
                "File is not formatted as `terraform fmt` writes it".into(),
                format!(
                    "{changed} line{} of `{}` differ from what `terraform fmt` writes, the first at line {first_line}; `terraform fmt -check` fails on the file",
                    if changed == 1 { "" } else { "s" },
                    file.path.rsplit('/').next().unwrap_or(&file.path)
                ),
            );
            if contract {
                f.severity = Severity::Medium;
            }
            f.key = file.path.clone();
            // Every other place that differs, so that each can be found and cited.
            f.related = runs
                .into_iter()
                .filter(|&l| l != first_line)
                .take(200)
                .map(|l| {
                    let r = file.line_range(l);
                    crate::finding::Related {
                        file: id,
                        span: r.start..r.end.max(r.start),
                        message: "differs from `terraform fmt`".into(),
                    }
                })
                .collect();
            f.fix = Some(Fix::new(
                "Format the file as `terraform fmt` does",
                Applicability::Safe,
                vec![Edit::replace(&file.path, edit.0, edit.1)],
            ));
            out.push(f);
        }
    }
}

/// The edit that turns `old` into `new` (the differing middle, on character boundaries)
/// and the 1-based line where they first differ.
fn whole_change(old: &str, new: &str) -> ((std::ops::Range<usize>, String), usize) {
    let prefix = old
        .char_indices()
        .zip(new.chars())
        .find(|((_, a), b)| a != b)
        .map_or(old.len().min(new.len()), |((i, _), _)| i);
    // Back to the start of the line, so that the edit covers whole lines' beginnings.
    let start = old[..prefix].rfind('\n').map_or(0, |i| i + 1);
    let (old_rest, new_rest) = (&old[start..], &new[start..]);
    let mut suffix = 0;
    for (a, b) in old_rest.chars().rev().zip(new_rest.chars().rev()) {
        if a != b || suffix + a.len_utf8() > old_rest.len().min(new_rest.len()) {
            break;
        }
        suffix += a.len_utf8();
    }
    let end = old.len() - suffix;
    let text = new[start..new.len() - suffix].to_string();
    let first_line = old[..start].matches('\n').count() + 1;
    ((start..end, text), first_line)
}

/// How many lines of `old` differ, and the 1-based line where each run of differing
/// lines starts.
fn changed_lines(old: &str, new: &str) -> (usize, Vec<usize>) {
    // The formatter changes blanks inside lines, never the lines themselves: line for
    // line, without a diff of the whole file.
    if old.split('\n').count() == new.split('\n').count() {
        let mut count = 0;
        let mut starts = Vec::new();
        let mut previous = true;
        for (i, (a, b)) in old.split('\n').zip(new.split('\n')).enumerate() {
            let same = a == b;
            if !same {
                count += 1;
                if previous {
                    starts.push(i + 1);
                }
            }
            previous = same;
        }
        return (count.max(1), starts);
    }
    let diff = similar::TextDiff::from_lines(old, new);
    let mut count = 0;
    let mut starts = Vec::new();
    for op in diff.ops() {
        match op {
            similar::DiffOp::Equal { .. } => {}
            similar::DiffOp::Delete {
                old_index, old_len, ..
            }
            | similar::DiffOp::Replace {
                old_index, old_len, ..
            } => {
                count += old_len;
                starts.push(old_index + 1);
            }
            similar::DiffOp::Insert { old_index, .. } => starts.push(old_index + 1),
        }
    }
    starts.dedup();
    (count.max(1), starts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edit_is_the_differing_middle_from_a_line_start() {
        let old = "a = 1\nbb=2\nc = 3\n";
        let new = "a = 1\nbb = 2\nc = 3\n";
        let ((range, text), line) = whole_change(old, new);
        assert_eq!(line, 2);
        let mut fixed = old.to_string();
        fixed.replace_range(range, &text);
        assert_eq!(fixed, new);
    }

    #[test]
    fn changed_lines_are_counted_line_for_line() {
        // A diff could pair the formatted line 1 with line 2 of the old text.
        assert_eq!(
            changed_lines("x =1\nx = 1\n", "x = 1\nx = 1\n"),
            (1, vec![1])
        );
        assert_eq!(
            changed_lines("a=1\nb = 2\nc=3\nd=4\n", "a = 1\nb = 2\nc = 3\nd = 4\n"),
            (3, vec![1, 3])
        );
        // Lines added or removed: a diff.
        assert_eq!(changed_lines("a = 1\n", "a = 1\n\n"), (1, vec![2]));
    }
}
