//! # Blocks of the ideal answer missing from the answer
//!
//! ## What it does
//! Reports a block (resource, data source, variable, output, local, module, provider,
//! `terraform`) that the ideal answer has and the model's answer does not, matched by
//! address module by module.
//!
//! ## Why is this bad?
//! The ideal answer is the version that was corrected and deployed. A block only it has
//! is something the answer left out: a provider configuration, a variable the code uses,
//! a resource the task asked for.
//!
//! ## Example
//! The ideal's `provider.tf` holds `terraform { required_providers }` and
//! `provider "aws"`; the answer has no provider configuration at all.
//!
//! Use instead: the ideal's block.
//!
//! ## Fix safety
//! Unsafe. The fix adds the ideal's block, as the ideal writes it, to the answer's file
//! of the same name (creating it); names it refers to may differ in the answer.
//!
//! ## Root cause
//! Part of the deliverable was treated as implicit or forgotten between files.
//!
//! ## Impact
//! The answer is incomplete: what the block provides is missing when it is deployed.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/syntax/configuration

use super::{Class, Rule};
use crate::compare::{Kind, comparisons};
use crate::edits::append_to_file;
use crate::finding::{Applicability, Finding, Fix, IdealVersion, Severity};
use crate::model::Model;

pub struct IdealBlockMissing;

impl Rule for IdealBlockMissing {
    fn id(&self) -> &'static str {
        "ideal-block-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for c in comparisons(model)
            .iter()
            .filter(|c| c.kind == Kind::Missing)
        {
            let Some(side) = &c.ideal else { continue };
            let target = format!(
                "{}/{}",
                c.module,
                side.path.rsplit('/').next().unwrap_or(&side.path)
            );
            let file = model
                .files
                .iter()
                .copied()
                .find(|&id| model.ws.files[id].path == target)
                .or_else(|| {
                    model
                        .files
                        .iter()
                        .copied()
                        .find(|&id| model.ws.files[id].dir() == c.module)
                });
            let Some(file) = file else { continue };
            let fix = Fix::new(
                format!("Add the ideal's `{}`", c.address),
                Applicability::Unsafe,
                vec![append_to_file(model.ws, &target, &side.text)],
            );
            let mut f = self.finding(
                file,
                0..0,
                format!("`{}` is missing from the answer", c.address),
                format!(
                    "the ideal answer ({}, {}) has `{}`; the model's answer does not",
                    c.ideal_source, side.path, c.address
                ),
            );
            f.address = Some(c.address.clone());
            f.key = c.address.clone();
            f.ideal = Some(IdealVersion {
                path: side.path.clone(),
                text: side.text.clone(),
                fix: Some(fix.clone()),
            });
            f.fix = Some(fix);
            out.push(f);
        }
    }
}
