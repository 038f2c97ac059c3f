//! # Argument the resource or data source does not have
//!
//! ## What it does
//! Reports an argument that the provider's schema does not define for the resource or
//! data source (or for the nested block it is written in), checked offline against the
//! provider schema bundled with tfreview for the version the module's
//! `required_providers` constraint selects (`~> 5.0`: AWS 5.99.1; `>= 5.0`, `~> 6.0` or no
//! constraint: the newest 6.x; older constraints: not checked). The finding names the
//! closest valid names and the provider version checked against; an argument that the
//! older major version still has is reported as removed in the newer one.
//!
//! ## Why is this bad?
//! Terraform validates every argument against the provider schema before it plans:
//! an unknown argument stops `terraform validate` and `plan`, and nothing is created.
//!
//! ## Error
//! ```text
//! Error: Unsupported argument
//!
//!   An argument named "log_destination_arn" is not expected here.
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_flow_log" "vpc" {
//!   vpc_id              = aws_vpc.main.id
//!   traffic_type        = "ALL"
//!   log_destination_arn = aws_s3_bucket.logs.arn
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_flow_log" "vpc" {
//!   vpc_id          = aws_vpc.main.id
//!   traffic_type    = "ALL"
//!   log_destination = aws_s3_bucket.logs.arn
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe, and only when exactly one valid argument of the body is close to the name and
//! not set yet: the fix renames the argument. Check that the value means the same under
//! the new name.
//!
//! ## Root cause
//! Arguments were written from memory of similar resources, other tools (CloudFormation
//! property names, the AWS API) or older provider versions, without checking the
//! resource's documentation for the provider version the module installs.
//!
//! ## Impact
//! Deployment is blocked: validation fails before anything is created.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs
//! https://developer.hashicorp.com/terraform/language/resources/syntax#arguments

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::schema::check::{Problem, ProblemKind};

pub struct ArgumentUnsupported;

impl Rule for ArgumentUnsupported {
    fn id(&self) -> &'static str {
        "argument-unsupported"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        super::schema_findings(
            self,
            model,
            ProblemKind::ArgumentUnsupported,
            |p| {
                (
                    format!("`{}` has no argument `{}`", p.within, p.name),
                    format!(
                        "`{}` sets `{}`, which `{}` does not have",
                        p.address, p.name, p.within
                    ),
                )
            },
            |p| p.key(),
            |p| rename_fix(model, p).or_else(|| super::schema_fixes::move_into_block(model, p)),
            out,
        );
    }
}

/// "; did you mean `x`?" after the message when a valid name is close (the valid names
/// themselves travel in `Finding::valid_names`).
pub(crate) fn push_suggestion(message: &mut String, p: &Problem) {
    let hint = p.did_you_mean();
    if !hint.is_empty() {
        message.push_str("; ");
        message.push_str(&hint);
    }
}

/// Rename to the single close match.
pub(crate) fn rename_fix(model: &Model<'_>, p: &Problem) -> Option<Fix> {
    let to = p.rename_to.as_ref()?;
    // Not a `dynamic "name"` label: it also names the iterator used inside.
    if model.src(p.file).get(p.span.clone())?.starts_with('"') {
        return None;
    }
    let path = model.path(p.file);
    let edit = match p.kind {
        ProblemKind::ArgumentUnsupported => {
            let (range, text) = renamed_and_aligned(model.src(p.file), p.span.clone(), to)?;
            Edit::replace(path, range, text)
        }
        _ => Edit::replace(path, p.span.clone(), to.clone()),
    };
    Some(Fix::new(
        format!("Rename `{}` to `{to}`", p.name),
        Applicability::Unsafe,
        vec![edit],
    ))
}

/// The attribute `key = …` on one line: its indentation, key and the text from `=` on.
fn assignment(line: &str) -> Option<(&str, &str, &str)> {
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    let key_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(body.len());
    let (key, rest) = body.split_at(key_len);
    let rest = rest.trim_start();
    let ok = !key.is_empty()
        && rest.starts_with('=')
        && !rest.starts_with("==")
        && key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    ok.then_some((indent, key, rest))
}

/// Renames the key at `span` to `to` and re-aligns the `=` of its group of consecutive
/// one-line assignments the way `terraform fmt` does: the replaced range and its text.
fn renamed_and_aligned(
    src: &str,
    span: std::ops::Range<usize>,
    to: &str,
) -> Option<(std::ops::Range<usize>, String)> {
    let line_end = |from: usize| src[from..].find('\n').map_or(src.len(), |i| from + i);
    let start = crate::edits::line_start(src, span.start);
    let end = line_end(span.end);
    let (indent, _, _) = assignment(src.get(start..end)?)?;
    let same_group = |a: usize, b: usize| {
        src.get(a..b)
            .and_then(assignment)
            .is_some_and(|(i, _, _)| i == indent)
    };
    let mut lines = vec![(start, end)];
    while let Some(&(first, _)) = lines.first() {
        if first == 0 {
            break;
        }
        let prev_start = crate::edits::line_start(src, first - 1);
        if !same_group(prev_start, first - 1) {
            break;
        }
        lines.insert(0, (prev_start, first - 1));
    }
    while let Some(&(_, last)) = lines.last() {
        if last >= src.len() {
            break;
        }
        let next_end = line_end(last + 1);
        if !same_group(last + 1, next_end) {
            break;
        }
        lines.push((last + 1, next_end));
    }
    let parsed: Vec<(&str, &str)> = lines
        .iter()
        .filter_map(|&(a, b)| {
            let (_, key, rest) = assignment(src.get(a..b)?)?;
            Some((if a == start { to } else { key }, rest))
        })
        .collect();
    let width = parsed.iter().map(|(k, _)| k.len()).max()?;
    let text = parsed
        .iter()
        .map(|(k, rest)| format!("{indent}{k:<width$} {rest}"))
        .collect::<Vec<_>>()
        .join("\n");
    Some((lines.first()?.0..lines.last()?.1, text))
}

#[cfg(test)]
mod tests {
    use super::renamed_and_aligned;

    #[test]
    fn a_rename_realigns_its_group() {
        let src = "resource \"x\" \"y\" {\n  min_size             = 1\n  vpc_zone_identifiers = var.a\n\n  other = 2\n}\n";
        let at = src.find("vpc_zone").unwrap_or(0);
        let (range, text) = renamed_and_aligned(
            src,
            at..at + "vpc_zone_identifiers".len(),
            "vpc_zone_identifier",
        )
        .unwrap_or_default();
        let mut out = src.to_string();
        out.replace_range(range, &text);
        assert_eq!(
            out,
            "resource \"x\" \"y\" {\n  min_size            = 1\n  vpc_zone_identifier = var.a\n\n  other = 2\n}\n"
        );
    }
}
