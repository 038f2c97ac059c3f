//! # KMS key deletion window other than the contract's (task contract)
//!
//! ## What it does
//! In the `contract` profile: reports an `aws_kms_key` whose `deletion_window_in_days` is
//! absent (AWS then waits 30 days) or differs from the contract's value (7 by default).
//!
//! ## Why is this bad?
//! A destroyed key stays pending deletion for the whole window, counted against the
//! account's quotas and billed; test deployments that run every day accumulate them.
//!
//! ## Example
//! ```hcl
//! resource "aws_kms_key" "main" {
//!   description = "data"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_kms_key" "main" {
//!   description             = "data"
//!   deletion_window_in_days = 7
//! }
//! ```
//!
//! ## Fix safety
//! Safe within the contract: the fix sets the contract's window.
//!
//! ## Root cause
//! The key was created with the defaults.
//!
//! ## Impact
//! Cost and quota: keys of destroyed deployments linger.
//!
//! ## References
//! https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html#deleting-keys-scheduling-key-deletion

use super::{CONTRACT, Class, Rule};
use crate::edits::set_attribute;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::eval::known;
use crate::model::expr::span_of;

pub struct KmsDeletionWindowTooLong;

impl Rule for KmsDeletionWindowTooLong {
    fn id(&self) -> &'static str {
        "kms-deletion-window-too-long"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn profile(&self) -> Option<&'static str> {
        Some(CONTRACT)
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let window = model.ws.config.contract.kms_deletion_window;
        for module in &model.modules {
            for b in module.resources("aws_kms_key") {
                let attr = b.attr("deletion_window_in_days");
                let days = match attr {
                    None => 30,
                    Some(a) => {
                        let value = known(module, &a.value);
                        match value.text.parse::<u32>() {
                            Ok(d) if value.complete => d,
                            _ => continue,
                        }
                    }
                };
                if days <= window {
                    continue;
                }
                let mut f = self.finding(
                    b.file,
                    attr.map_or_else(|| b.header(), |a| span_of(&a.value)),
                    format!("KMS key deletion window is {days} days"),
                    format!("`{}` stays pending deletion for {days} days after a destroy; the contract asks for {window}", b.address),
                );
                f.address = Some(b.address.clone());
                f.fix = set_attribute(
                    model.path(b.file),
                    model.src(b.file),
                    b.span.clone(),
                    attr,
                    "deletion_window_in_days",
                    &window.to_string(),
                )
                .map(|e| {
                    Fix::new(
                        format!("Set the deletion window to {window} days"),
                        Applicability::Safe,
                        vec![e],
                    )
                });
                out.push(f);
            }
        }
    }
}
