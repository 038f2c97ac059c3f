//! # KMS key without automatic rotation
//!
//! ## What it does
//! Reports a symmetric `aws_kms_key` whose `enable_key_rotation` is absent or `false`.
//! Asymmetric and HMAC keys (`customer_master_key_spec` or `key_spec` other than
//! `SYMMETRIC_DEFAULT`) cannot rotate and are not reported.
//!
//! ## Why is this bad?
//! Rotation is off by default. Without it the same key material protects data for
//! years, against CIS and most compliance baselines.
//!
//! ## Example
//! ```hcl
//! resource "aws_kms_key" "data" {
//!   description = "data"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_kms_key" "data" {
//!   description         = "data"
//!   enable_key_rotation = true
//! }
//! ```
//!
//! ## Fix safety
//! Safe. Rotation keeps old key material for decryption; nothing that uses the key
//! changes.
//!
//! ## Root cause
//! The key was created with the defaults.
//!
//! ## Impact
//! Security and compliance: long-lived key material.
//!
//! ## References
//! https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html

use super::{Class, Rule};
use crate::edits::set_attribute;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::expr::static_str;

pub struct KmsKeyRotationDisabled;

impl Rule for KmsKeyRotationDisabled {
    fn id(&self) -> &'static str {
        "kms-key-rotation-disabled"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.resources("aws_kms_key") {
                let symmetric = ["customer_master_key_spec", "key_spec"].iter().all(|k| {
                    b.attr(k).is_none_or(|a| {
                        static_str(&a.value).as_deref() == Some("SYMMETRIC_DEFAULT")
                    })
                });
                let attr = b.attr("enable_key_rotation");
                let enabled = attr.is_some_and(|a| a.value.as_bool() != Some(false));
                if !symmetric || enabled {
                    continue;
                }
                let mut f = self.finding(
                    b.file,
                    attr.map_or_else(|| b.header(), |a| crate::model::expr::span_of(&a.value)),
                    "KMS key rotation is not enabled".into(),
                    format!(
                        "`{}` does not rotate its key material (`enable_key_rotation` is {})",
                        b.address,
                        if attr.is_some() { "false" } else { "not set" }
                    ),
                );
                f.address = Some(b.address.clone());
                f.fix = set_attribute(
                    model.path(b.file),
                    model.src(b.file),
                    b.span.clone(),
                    attr,
                    "enable_key_rotation",
                    "true",
                )
                .map(|e| {
                    Fix::new(
                        "Enable automatic key rotation",
                        Applicability::Safe,
                        vec![e],
                    )
                });
                out.push(f);
            }
        }
    }
}
