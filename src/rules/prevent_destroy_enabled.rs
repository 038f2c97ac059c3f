//! # `prevent_destroy` keeps the resource from being destroyed (task contract)
//!
//! ## What it does
//! In the `contract` profile: reports `lifecycle { prevent_destroy = true }`.
//!
//! ## Why is this bad?
//! The task's pipeline destroys every deployment after testing. `prevent_destroy` makes
//! `terraform destroy` fail ("Instance cannot be destroyed"), leaving the whole stack
//! behind.
//!
//! ## Error
//! ```text
//! Error: Instance cannot be destroyed
//! ```
//!
//! ## Example
//! ```hcl
//! lifecycle {
//!   prevent_destroy = true
//! }
//! ```
//! Use instead `prevent_destroy = false`, or no `lifecycle` block.
//!
//! ## Fix safety
//! Safe within the contract: the fix sets `prevent_destroy = false`.
//!
//! ## Root cause
//! Production safeguards were applied to a test deployment.
//!
//! ## Impact
//! Cleanup blocker: resources are left behind and cost money.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle#prevent_destroy

use super::{CONTRACT, Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::expr::span_of;

pub struct PreventDestroyEnabled;

impl Rule for PreventDestroyEnabled {
    fn id(&self) -> &'static str {
        "prevent-destroy-enabled"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn profile(&self) -> Option<&'static str> {
        Some(CONTRACT)
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in &module.blocks {
                for lifecycle in b.body().get_blocks("lifecycle") {
                    let Some(attr) = lifecycle.body.get_attribute("prevent_destroy") else {
                        continue;
                    };
                    if attr.value.as_bool() != Some(true) {
                        continue;
                    }
                    let span = span_of(&attr.value);
                    let mut f = self.finding(
                        b.file,
                        span_of(attr),
                        "`prevent_destroy` is enabled".into(),
                        format!(
                            "`{}` cannot be destroyed: `terraform destroy` of the deployment fails",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.fix = Some(Fix::new(
                        "Set `prevent_destroy = false`",
                        Applicability::Safe,
                        vec![Edit::replace(model.path(b.file), span, "false")],
                    ));
                    out.push(f);
                }
            }
        }
    }
}
