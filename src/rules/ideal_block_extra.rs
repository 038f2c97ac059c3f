//! # Blocks of the answer that the ideal answer does not have
//!
//! ## What it does
//! Reports a block of the model's answer whose address the ideal answer does not have.
//!
//! ## Why is this bad?
//! Often harmless (another way to the same end), sometimes a resource that the corrected
//! version had to remove because it could not be deployed. Worth a look, not a failure.
//!
//! ## Example
//! The answer creates `aws_organizations_organization.main`; the ideal reads the
//! organization with a data source instead.
//!
//! Use instead: what the ideal does, when the block was the problem.
//!
//! ## Fix safety
//! No automatic fix.
//!
//! ## Root cause
//! The answer went beyond, or around, what was deployed in the end.
//!
//! ## Impact
//! Usually none; sometimes a resource that fails or costs money for nothing.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/resources/syntax

use super::{Class, Rule};
use crate::compare::{Kind, comparisons};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::expr::block_header;

pub struct IdealBlockExtra;

impl Rule for IdealBlockExtra {
    fn id(&self) -> &'static str {
        "ideal-block-extra"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for c in comparisons(model).iter().filter(|c| c.kind == Kind::Extra) {
            let Some((file, span)) = &c.answer else {
                continue;
            };
            let src = model.src(*file);
            let mut f = self.finding(
                *file,
                block_header(src, span.clone()),
                format!("`{}` is not in the ideal answer", c.address),
                format!(
                    "the model's answer has `{}`; the ideal answer ({}) does not",
                    c.address, c.ideal_source
                ),
            );
            f.address = Some(c.address.clone());
            f.key = c.address.clone();
            out.push(f);
        }
    }
}
