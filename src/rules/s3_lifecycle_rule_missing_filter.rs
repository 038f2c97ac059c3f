//! # S3 lifecycle rule without `filter` or `prefix`
//!
//! ## What it does
//! Reports a `rule` block of `aws_s3_bucket_lifecycle_configuration` that has neither a
//! `filter` block nor a `prefix` argument.
//!
//! ## Why is this bad?
//! The AWS provider requires exactly one of `filter` and `prefix` in each rule. Provider
//! 5.x warns ("No attribute specified when one (and only one) of
//! [rule[0].filter,rule[0].prefix] is required") and later versions reject the rule; an
//! empty `filter {}` is what applies the rule to the whole bucket.
//!
//! ## Error
//! Provider 5.x warns (later versions reject the rule):
//! ```text
//! Warning: Invalid Attribute Combination
//! No attribute specified when one (and only one) of [rule[0].filter,rule[0].prefix] is required
//! ```
//!
//! ## Example
//! ```hcl
//! rule {
//!   id     = "expire"
//!   status = "Enabled"
//!   expiration { days = 90 }
//! }
//! ```
//! Use instead:
//! ```hcl
//! rule {
//!   id     = "expire"
//!   status = "Enabled"
//!   filter {}
//!   expiration { days = 90 }
//! }
//! ```
//!
//! ## Fix safety
//! Safe. An empty `filter {}` selects every object, which is what a rule without a
//! filter means today.
//!
//! ## Root cause
//! The rule was written from the older inline `lifecycle_rule` syntax of `aws_s3_bucket`.
//!
//! ## Impact
//! Reliability: deployment warnings now, a failed plan on the provider versions that
//! turn the warning into an error (the rule's class is `reliability`, not `error`, for
//! that reason).
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_lifecycle_configuration

use super::{Class, Rule};
use crate::edits::append_to_block;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::expr::{block_header, span_of, static_str};

pub struct S3LifecycleRuleMissingFilter;

impl Rule for S3LifecycleRuleMissingFilter {
    fn id(&self) -> &'static str {
        "s3-lifecycle-rule-missing-filter"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        // Provider 5.x plans and applies with a warning; the rejection is announced.
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.resources("aws_s3_bucket_lifecycle_configuration") {
                let src = model.src(b.file);
                let rules = b.body().get_blocks("rule").chain(
                    b.body()
                        .get_blocks("dynamic")
                        .filter(|d| d.labels.first().is_some_and(|l| l.as_str() == "rule"))
                        .flat_map(|d| d.body.get_blocks("content")),
                );
                for (n, rule) in rules.enumerate() {
                    let body = &rule.body;
                    let has = body.get_blocks("filter").next().is_some()
                        || body.get_attribute("prefix").is_some()
                        || body.get_attribute("filter").is_some()
                        || body
                            .get_blocks("dynamic")
                            .any(|d| d.labels.first().is_some_and(|l| l.as_str() == "filter"));
                    if has {
                        continue;
                    }
                    let span = span_of(rule);
                    let id = body
                        .get_attribute("id")
                        .and_then(|a| static_str(&a.value))
                        .unwrap_or_else(|| format!("#{}", n + 1));
                    let mut f = self.finding(
                        b.file,
                        block_header(src, span.clone()),
                        format!("Lifecycle rule `{id}` has no `filter`"),
                        format!(
                            "rule `{id}` of `{}` has neither `filter` nor `prefix`; the AWS provider requires one of them (an empty `filter {{}}` covers the whole bucket)",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = id;
                    f.fix = append_to_block(model.path(b.file), src, span, "filter {}").map(|e| {
                        Fix::new("Add an empty `filter {}`", Applicability::Safe, vec![e])
                    });
                    out.push(f);
                }
            }
        }
    }
}
