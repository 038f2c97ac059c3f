//! # Object key defined twice
//!
//! ## What it does
//! Reports an object literal that defines the same key twice, such as a policy
//! `Condition` with two `StringNotEquals` entries.
//!
//! ## Why is this bad?
//! Terraform accepts the object and keeps only the last value: everything under the
//! earlier key is dropped without a warning. In a policy that silently removes a
//! condition, widening access.
//!
//! ## Example
//! ```hcl
//! Condition = {
//!   StringNotEquals = { "aws:SourceVpc" = var.vpc_id }
//!   StringNotEquals = { "aws:PrincipalAccount" = var.account_id }
//! }
//! ```
//! Use instead:
//! ```hcl
//! Condition = {
//!   StringNotEquals = {
//!     "aws:SourceVpc"        = var.vpc_id
//!     "aws:PrincipalAccount" = var.account_id
//!   }
//! }
//! ```
//!
//! ## Fix safety
//! No automatic fix: the two values must be merged by hand.
//!
//! ## Root cause
//! The object was written as if it were a list of entries; in HCL and JSON a key names one
//! value.
//!
//! ## Impact
//! Security: a policy condition or a setting the author wrote is not in effect.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/expressions/types#maps-objects

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::parse::ParseProblemKind;

pub struct ObjectKeyDuplicated;

impl Rule for ObjectKeyDuplicated {
    fn id(&self) -> &'static str {
        "object-key-duplicated"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let mut seen: std::collections::HashMap<(usize, &str), usize> = Default::default();
        for (file, problem) in &model.parse_problems {
            let ParseProblemKind::DuplicateKey { key } = &problem.kind else {
                continue;
            };
            let nth = seen.entry((*file, key.as_str())).or_default();
            *nth += 1;
            let mut f = self.finding(
                *file,
                problem.span.clone(),
                format!("Object key `{key}` is defined twice"),
                problem.message.clone(),
            );
            f.key = format!("{}:{key}:{nth}", model.path(*file));
            out.push(f);
        }
    }
}
