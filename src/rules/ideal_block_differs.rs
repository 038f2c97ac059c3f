//! # Blocks the answer writes differently from the ideal answer
//!
//! ## What it does
//! Reports a block that both the model's answer and the ideal answer have (same
//! address) but write differently, naming the arguments and nested blocks that differ.
//! Comments and layout are no difference.
//!
//! ## Why is this bad?
//! The ideal answer is the corrected, deployed version: where it differs, the answer
//! usually had a problem that had to be fixed (a wrong name, a missing `depends_on`, a
//! condition on the wrong key).
//!
//! ## Example
//! ```hcl
//! name = "/aws/kms/activity-${var.environment_suffix}"      # answer
//! name = "/aws/iam/kms/activity-${var.environment_suffix}"  # ideal
//! ```
//! Use instead: the ideal's version of the block.
//!
//! ## Fix safety
//! Unsafe. The fix replaces the whole block with the ideal's text, and adds what that
//! text refers to and the answer lacks when the ideal has it (as `ideal-block-missing`
//! does). No fix is offered when the ideal's version refers to something neither
//! declares, or calls a local module the answer does not have. A fix set leaves the
//! ideal's version out when the ideal has the same finding there (it would fix nothing)
//! or an error the answer does not have there.
//!
//! ## Root cause
//! The answer's version of the block needed correcting before it could be deployed.
//!
//! ## Impact
//! Depends on the argument: from cosmetic to a failed deployment.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/syntax/configuration

use super::{Class, Rule};
use crate::compare::{Kind, comparisons};
use crate::finding::{Applicability, Edit, Finding, Fix, IdealVersion, Severity};
use crate::model::Model;
use crate::model::expr::block_header;

pub struct IdealBlockDiffers;

impl Rule for IdealBlockDiffers {
    fn id(&self) -> &'static str {
        "ideal-block-differs"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let mut copies = std::collections::BTreeMap::new();
        let missing = super::ideal_block_missing::missing_by_module(model);
        for c in comparisons(model)
            .iter()
            .filter(|c| c.kind == Kind::Differs)
        {
            let (Some((file, span)), Some(side)) = (&c.answer, &c.ideal) else {
                continue;
            };
            let src = model.src(*file);
            let what: Vec<String> = c.differing.iter().map(|d| format!("`{d}`")).collect();
            let deps = super::ideal_block_missing::with_dependencies(model, &missing, c);
            let fix = deps.as_ref().ok().map(|blocks| {
                let mut edits = vec![Edit::replace(
                    model.path(*file),
                    span.clone(),
                    side.text.clone(),
                )];
                let mut brought = Vec::new();
                for b in blocks.iter().skip(1) {
                    if let Some(dep) = &b.ideal {
                        edits.push(crate::edits::append_to_file(
                            model.ws,
                            &super::ideal_block_missing::target_file(b, dep),
                            &dep.text,
                        ));
                        brought.push(format!("`{}`", b.address));
                    }
                }
                let title = if brought.is_empty() {
                    format!("Use the ideal's `{}`", c.address)
                } else {
                    format!(
                        "Use the ideal's `{}`, adding {} it uses",
                        c.address,
                        brought.join(", ")
                    )
                };
                Fix::new(title, Applicability::Unsafe, edits)
            });
            let mut f = self.finding(
                *file,
                block_header(src, span.clone()),
                format!("`{}` differs from the ideal answer", c.address),
                format!(
                    "`{}` differs from the ideal answer ({}) in {}{}",
                    c.address,
                    side.path,
                    what.join(", "),
                    deps.as_ref()
                        .err()
                        .map(|why| format!("; no fix is offered: {why}"))
                        .unwrap_or_default()
                ),
            );
            f.address = Some(c.address.clone());
            // An answer that declares a block twice has a finding for each copy.
            let n = copies.entry((&c.module, &c.address)).or_insert(0usize);
            *n += 1;
            f.key = if *n == 1 {
                c.address.clone()
            } else {
                format!("{}#{n}", c.address)
            };
            f.ideal = Some(IdealVersion {
                path: side.path.clone(),
                text: side.text.clone(),
                fix: fix.clone(),
            });
            f.fix = fix;
            out.push(f);
        }
    }
}
