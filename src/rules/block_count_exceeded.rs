//! # More blocks than the provider allows
//!
//! ## What it does
//! Reports a second `name { … }` block where the provider schema allows at most one (a
//! second `versioning_configuration`, two `deployment_circuit_breaker` blocks), and a
//! `dynamic "name"` block over such a block whose `for_each` can produce more than one
//! (a literal list of two, or a variable or resource collection). A `for_each` that
//! makes at most one (`var.enabled ? [1] : []`) is not reported. Checked offline against
//! the bundled provider schema for the version the module's constraint selects.
//!
//! ## Why is this bad?
//! Terraform rejects the second block: `validate` (for literal blocks) or `plan` (for a
//! `dynamic` block that expands to two) stops before anything is created.
//!
//! ## Error
//! ```text
//! Error: Too many versioning_configuration blocks
//!
//!   No more than 1 "versioning_configuration" blocks are allowed
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_ecs_service" "api" {
//!   # …
//!   load_balancer { … }
//!   network_configuration {
//!     subnets = var.private_subnets
//!   }
//!   network_configuration {
//!     security_groups = [aws_security_group.api.id]
//!   }
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_ecs_service" "api" {
//!   # …
//!   network_configuration {
//!     subnets         = var.private_subnets
//!     security_groups = [aws_security_group.api.id]
//!   }
//! }
//! ```
//!
//! ## Fix safety
//! No automatic fix: which block's settings win, or how they merge, is a decision.
//!
//! ## Root cause
//! Settings of one block were split across two, or a `dynamic` block was written over a
//! collection for a block the resource holds once.
//!
//! ## Impact
//! Deployment is blocked: validation or planning fails before anything is created.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/expressions/dynamic-blocks
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::schema::check::ProblemKind;

pub struct BlockCountExceeded;

impl Rule for BlockCountExceeded {
    fn id(&self) -> &'static str {
        "block-count-exceeded"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        super::schema_findings(
            self,
            model,
            ProblemKind::BlockCountExceeded,
            |p| {
                let opening = if p.dynamic {
                    format!(
                        "`{}` makes `{}` blocks with `dynamic`, but `{}` takes at most one",
                        p.address, p.name, p.within
                    )
                } else {
                    format!(
                        "`{}` has a second `{}` block, but `{}` takes at most one",
                        p.address, p.name, p.within
                    )
                };
                (
                    format!("`{}` takes at most one `{}` block", p.within, p.name),
                    opening,
                )
            },
            |p| p.key(),
            |_| None,
            out,
        );
    }
}
