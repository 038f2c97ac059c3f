//! # Required argument missing
//!
//! ## What it does
//! Reports a resource, data source or nested block that lacks an argument or block the
//! provider schema requires: `aws_api_gateway_method` without `authorization`,
//! `aws_config_configuration_recorder_status` without `is_enabled`. Checked offline
//! against the bundled provider schema for the version the module's constraint selects.
//! One finding per block names everything it lacks. In a Markdown answer the finding is
//! of medium severity, since an answer may shorten a block on purpose, and a block under a
//! comment that calls it an example (`# Example: …`) is not reported.
//!
//! ## Why is this bad?
//! Terraform rejects a block without its required arguments: `validate` and `plan` stop
//! before anything is created.
//!
//! ## Error
//! ```text
//! Error: Missing required argument
//!
//!   The argument "authorization" is required, but no definition was found.
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_api_gateway_method" "get" {
//!   rest_api_id = aws_api_gateway_rest_api.api.id
//!   resource_id = aws_api_gateway_resource.items.id
//!   http_method = "GET"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_api_gateway_method" "get" {
//!   rest_api_id   = aws_api_gateway_rest_api.api.id
//!   resource_id   = aws_api_gateway_resource.items.id
//!   http_method   = "GET"
//!   authorization = "NONE"
//! }
//! ```
//!
//! ## Fix safety
//! No automatic fix: the value is a decision (`authorization = "NONE"` opens the method
//! to everyone).
//!
//! ## Root cause
//! The block was written from memory or from an example of another resource, or
//! shortened in an answer.
//!
//! ## Impact
//! Deployment is blocked: validation fails before anything is created.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::schema::check::ProblemKind;

pub struct ArgumentRequiredMissing;

impl Rule for ArgumentRequiredMissing {
    fn id(&self) -> &'static str {
        "argument-required-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let first = out.len();
        super::schema_findings(
            self,
            model,
            ProblemKind::ArgumentRequiredMissing,
            |p| {
                let names: Vec<String> = p.missing.iter().map(|n| format!("`{n}`")).collect();
                let (noun, list) = match names.as_slice() {
                    [one] => ("argument", one.clone()),
                    [init @ .., last] => ("arguments", format!("{} and {last}", init.join(", "))),
                    [] => ("argument", String::new()),
                };
                (
                    format!("`{}` is missing the required {noun} {list}", p.within),
                    format!(
                        "`{}` does not set {list}, which `{}` requires",
                        p.address, p.within
                    ),
                )
            },
            |p| {
                if p.nested.is_empty() {
                    format!("{}:{}", p.address, p.missing.join(","))
                } else {
                    format!("{}.{}:{}", p.address, p.nested, p.missing.join(","))
                }
            },
            |_| None,
            out,
        );
        // An answer may shorten a block on purpose: not a critical there; and a block
        // under an `# Example…` comment illustrates a point, it is not part of the answer.
        let mut i = first;
        while i < out.len() {
            let in_answer = model
                .ws
                .files
                .get(out[i].file)
                .is_some_and(|f| f.origin.is_some());
            if in_answer {
                if illustrative(model, &out[i]) {
                    out.remove(i);
                    continue;
                }
                out[i].severity = Severity::Medium;
            }
            i += 1;
        }
    }
}

/// Whether the resource a finding is about comes right after a comment that calls it an
/// example (`# Example: hardcoded email`).
fn illustrative(model: &Model<'_>, f: &Finding) -> bool {
    let Some(block) = f
        .address
        .as_deref()
        .and_then(|a| model.block_in(f.file, a))
        .filter(|b| b.file == f.file)
    else {
        return false;
    };
    let src = model.src(f.file);
    // The header's line (its first label's): a block's span may start at the comments
    // above it.
    let Some(label) = block.block.labels.first() else {
        return false;
    };
    let keyword = crate::model::expr::span_of(label).start;
    let start = crate::edits::line_start(src, keyword);
    let above = src.get(..start.saturating_sub(1)).unwrap_or("");
    let line = above.rsplit('\n').next().unwrap_or("").trim();
    (line.starts_with('#') || line.starts_with("//"))
        && line.to_ascii_lowercase().contains("example")
}
