//! # Launch template user data that is not base64
//!
//! ## What it does
//! Reports an `aws_launch_template` whose `user_data` is plain text: a heredoc script, a
//! string with characters base64 does not have, `file()` or `templatefile()`, written at
//! the argument or in the variable or local it reads (every value it can take).
//!
//! ## Why is this bad?
//! A launch template passes `user_data` to EC2 as it is, and EC2 takes only base64
//! there: creating the template fails with `InvalidUserData.Malformed: Invalid BASE64
//! encoding of user data`. (An `aws_instance` is different: the provider encodes its
//! `user_data`; see `instance-user-data-base64`.)
//!
//! ## Example
//! ```hcl
//! resource "aws_launch_template" "web" {
//!   user_data = templatefile("${path.module}/init.sh", { port = 80 })
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_launch_template" "web" {
//!   user_data = base64encode(templatefile("${path.module}/init.sh", { port = 80 }))
//! }
//! ```
//!
//! ## Fix safety
//! Safe: the fix wraps the value in `base64encode()`, and the instances receive the same
//! script. No fix when the value is a heredoc written at the argument (its closing
//! marker must stay alone on its line): wrap it by hand.
//!
//! ## Root cause
//! A script written for an instance's `user_data`, which takes plain text, was moved to a
//! launch template without its encoding.
//!
//! ## Impact
//! The launch template cannot be created, and neither can the Auto Scaling group or node
//! group that uses it.
//!
//! ## References
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/launch_template#user_data-1
//! - https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RequestLaunchTemplateData.html

use hcl_edit::expr::{Expression, FuncCall};

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::eval::value_sources;
use crate::model::expr::span_of;
use crate::model::{BlockInfo, Model};
use crate::workspace::FileId;

pub struct LaunchTemplateUserDataPlain;

/// Functions whose result is base64.
const BASE64: &[&str] = &[
    "base64encode",
    "base64gzip",
    "filebase64",
    "textencodebase64",
];

/// Functions whose result is the text of a file or template: plain text.
const PLAIN: &[&str] = &["file", "templatefile"];

impl Rule for LaunchTemplateUserDataPlain {
    fn id(&self) -> &'static str {
        "launch-template-user-data-plain"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for (b, attr, sources) in user_data(model, "aws_launch_template", Encoding::Plain) {
            let path = model.path(b.file);
            let value = span_of(&attr.value);
            let text = model.src(b.file).get(value.clone()).unwrap_or("");
            let mut f = self.finding(
                b.file,
                value.clone(),
                "Launch template user data is not base64".into(),
                format!(
                    "`{}` passes plain text as `user_data`, which a launch template sends to EC2 as it is: creating it fails with `InvalidUserData.Malformed: Invalid BASE64 encoding of user data`; wrap the value in `base64encode()`",
                    b.address
                ),
            );
            if !matches!(attr.value, Expression::HeredocTemplate(_)) {
                f.fix = Some(Fix::new(
                    "Wrap the user data in `base64encode()`",
                    Applicability::Safe,
                    vec![Edit::replace(
                        path,
                        value.clone(),
                        format!("base64encode({text})"),
                    )],
                ));
            }
            f.address = Some(b.address.clone());
            f.key = b.address.clone();
            f.related = related(b.file, &value, &sources);
            out.push(f);
        }
    }
}

/// Each block of resource type `kind` in the model whose `user_data` is certainly in
/// `encoding` (every value it can take), with the argument and the places its value is
/// written.
pub(super) fn user_data<'m>(
    model: &'m Model<'m>,
    kind: &'m str,
    encoding_wanted: Encoding,
) -> impl Iterator<
    Item = (
        &'m BlockInfo<'m>,
        &'m hcl_edit::structure::Attribute,
        Vec<(FileId, &'m Expression)>,
    ),
> + 'm {
    model.modules.iter().flat_map(move |module| {
        module.blocks.iter().filter_map(move |b| {
            if !b.is_resource(kind) {
                return None;
            }
            let attr = b.attr("user_data")?;
            let sources = value_sources(model, module, b.file, &attr.value);
            (!sources.is_empty()
                && sources
                    .iter()
                    .all(|(file, e)| encoding(e, model.src(*file)) == Some(encoding_wanted)))
            .then_some((b, attr, sources))
        })
    })
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub(super) enum Encoding {
    Plain,
    Base64,
}

/// The encoding of a value, when it is certain: `None` for a reference, a conditional
/// or a function whose result could be either.
fn encoding(expr: &Expression, src: &str) -> Option<Encoding> {
    match expr {
        Expression::FuncCall(call) => {
            let name = call_name(call);
            if BASE64.contains(&name) {
                Some(Encoding::Base64)
            } else if PLAIN.contains(&name) {
                Some(Encoding::Plain)
            } else {
                None
            }
        }
        Expression::HeredocTemplate(_) | Expression::String(_) | Expression::StringTemplate(_) => {
            // The written characters, without what interpolations put in: one that base64
            // has no place for makes the text plain.
            let text = src.get(span_of(expr)).unwrap_or("");
            let literal = strip_interpolations(text);
            let body = match expr {
                Expression::HeredocTemplate(_) => literal.split_once('\n').map_or("", |(_, b)| b),
                _ => literal.trim_matches('"'),
            };
            // Blanks and line breaks are no evidence: base64 may be wrapped and indented.
            let plain = body.chars().any(|c| {
                !(c.is_ascii_alphanumeric() || c.is_ascii_whitespace() || "+/=".contains(c))
            });
            (plain && !body.trim().is_empty()).then_some(Encoding::Plain)
        }
        _ => None,
    }
}

fn call_name(call: &FuncCall) -> &str {
    call.name.name.as_str()
}

/// `text` without its `${…}` and `%{…}` sequences (nested braces counted).
fn strip_interpolations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if (c == '$' || c == '%') && chars.peek() == Some(&'{') {
            chars.next();
            depth += 1;
            continue;
        }
        if depth > 0 {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// The places other than the argument itself where the value is written (a local, a
/// variable's default, a tfvars value).
pub(super) fn related(
    file: FileId,
    value: &std::ops::Range<usize>,
    sources: &[(FileId, &Expression)],
) -> Vec<Related> {
    sources
        .iter()
        .filter(|(f, e)| !(*f == file && span_of(*e) == *value))
        .map(|(f, e)| Related {
            file: *f,
            span: span_of(*e),
            message: "the user data is written here".into(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolations_do_not_count_as_written_characters() {
        assert_eq!(strip_interpolations("a${b}c%{ if x }d%{ endif }"), "acd");
        assert_eq!(strip_interpolations("${jsonencode({ a = 1 })}z"), "z");
    }
}
