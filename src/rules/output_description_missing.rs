//! # Output without a description
//!
//! ## What it does
//! Reports an `output` block without a `description`.
//!
//! ## Why is this bad?
//! Outputs are the module's interface: callers, `terraform output` readers and
//! generated documentation see the description and nothing else.
//!
//! ## Example
//! ```hcl
//! output "alb_dns" {
//!   value = aws_lb.main.dns_name
//! }
//! ```
//! Use instead:
//! ```hcl
//! output "alb_dns" {
//!   description = "Public DNS name of the application load balancer"
//!   value       = aws_lb.main.dns_name
//! }
//! ```
//!
//! ## Fix safety
//! No fix: the description has to say what the value means.
//!
//! ## Root cause
//! The interface was not documented.
//!
//! ## Impact
//! Maintainability: consumers guess what an output holds.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/values/outputs#description

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::{BlockKind, Model};

pub struct OutputDescriptionMissing;

impl Rule for OutputDescriptionMissing {
    fn id(&self) -> &'static str {
        "output-description-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Practice
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks_of(BlockKind::Output) {
                if b.attr("description").is_some() {
                    continue;
                }
                let mut f = self.finding(
                    b.file,
                    b.header(),
                    "Output has no description".into(),
                    format!(
                        "`{}` has no `description`; callers see only its name",
                        b.address
                    ),
                );
                f.address = Some(b.address.clone());
                out.push(f);
            }
        }
    }
}
