//! # Inline suppression without a reason, rule or target
//!
//! ## What it does
//! Reports a `# tfreview:ignore RULE_ID reason` comment that gives no reason, names a
//! rule that does not exist, or has no block or attribute below it.
//!
//! ## Why is this bad?
//! A suppression hides a finding from every later review. Without a reason nobody can
//! tell whether it still holds; with a misspelt rule id it silences nothing while
//! looking as if it did.
//!
//! ## Example
//! ```hcl
//! # tfreview:ignore iam-policy-wildcard
//! resource "aws_iam_policy" "ci" {}
//! ```
//! Use instead:
//! ```hcl
//! # tfreview:ignore iam-policy-wildcard CI deploys every service of this sandbox account
//! resource "aws_iam_policy" "ci" {}
//! ```
//!
//! ## Fix safety
//! No fix: the reason has to come from the reviewer.
//!
//! ## Root cause
//! A finding was silenced in a hurry.
//!
//! ## Impact
//! Review quality: suppressed findings nobody can re-evaluate.
//!
//! ## References
//! https://github.com/terraform-linters/tflint/blob/master/docs/user-guide/annotations.md

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;

pub struct SuppressionInvalid;

impl Rule for SuppressionInvalid {
    fn id(&self) -> &'static str {
        "suppression-invalid"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Practice
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let mut keys = super::OccurrenceKeys::default();
        for (&file, parsed) in model.files.iter().zip(&model.parsed) {
            for s in crate::suppress::scan(model.src(file)) {
                let mut problems = Vec::new();
                if s.rules.is_empty() {
                    problems.push("names no rule".to_string());
                }
                for id in &s.rules {
                    if super::find(id).is_none() {
                        problems.push(format!("names `{id}`, which is not a rule"));
                    }
                }
                if s.reason.is_none() {
                    problems.push("gives no reason".to_string());
                }
                let target = s
                    .target
                    .zip(parsed.body.as_ref())
                    .and_then(|(at, body)| crate::suppress::item_at(body, at));
                if target.is_none() && parsed.body.is_some() {
                    problems.push("has no block or attribute on the line below".to_string());
                }
                if problems.is_empty() {
                    continue;
                }
                let mut f = self.finding(
                    file,
                    s.span.clone(),
                    "Suppression is incomplete".into(),
                    format!("this `tfreview:ignore` {}", problems.join(", ")),
                );
                f.key = keys.key(format!("{}:{}", model.path(file), s.rules.join(",")));
                out.push(f);
            }
        }
    }
}
