//! # Block the resource or data source does not have
//!
//! ## What it does
//! Reports a nested block (or a `dynamic` block's name) that the provider's schema does
//! not define for the resource, data source or enclosing block, checked offline against
//! the provider schema bundled with tfreview for the version the module's
//! `required_providers` constraint selects. Object attributes that Terraform also accepts
//! written as blocks (`ingress` on `aws_security_group`) are valid either way; the
//! contents of `dynamic` blocks and of blocks the schema does not describe are not checked.
//!
//! ## Why is this bad?
//! Terraform rejects a block type the provider does not define before it plans: nothing
//! is created.
//!
//! ## Error
//! ```text
//! Error: Unsupported block type
//!
//!   Blocks of type "taints" are not expected here. Did you mean "taint"?
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_eks_node_group" "gpu" {
//!   # …
//!   taints {
//!     key    = "gpu"
//!     value  = "true"
//!     effect = "NO_SCHEDULE"
//!   }
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_eks_node_group" "gpu" {
//!   # …
//!   taint {
//!     key    = "gpu"
//!     value  = "true"
//!     effect = "NO_SCHEDULE"
//!   }
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe, and only when exactly one valid block of the body is close to the name and not
//! written yet: the fix renames the block (not a `dynamic` block's label, which also
//! names its iterator). Check its contents against the new block.
//!
//! ## Root cause
//! Block names were taken from the AWS API or CloudFormation (plural names, other
//! nesting) or from another resource, without checking the provider documentation.
//!
//! ## Impact
//! Deployment is blocked: validation fails before anything is created.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs
//! https://developer.hashicorp.com/terraform/language/syntax/configuration#blocks

use super::argument_unsupported::rename_fix;
use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::schema::check::ProblemKind;

pub struct BlockUnsupported;

impl Rule for BlockUnsupported {
    fn id(&self) -> &'static str {
        "block-unsupported"
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
            ProblemKind::BlockUnsupported,
            |p| {
                (
                    format!("`{}` has no block `{}`", p.within, p.name),
                    format!(
                        "`{}` has a block `{}`, which `{}` does not define",
                        p.address, p.name, p.within
                    ),
                )
            },
            |p| p.key(),
            |p| rename_fix(model, p),
            out,
        );
    }
}
