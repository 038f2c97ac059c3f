//! # Unknown resource type
//!
//! ## What it does
//! Reports a `resource` block whose resource type the provider does not have, checked offline
//! against the provider schema bundled with tfreview for the version the module's
//! `required_providers` constraint selects (`~> 5.0`: AWS 5.99.1; `>= 5.0`, `~> 6.0` or
//! no constraint: the newest 6.x; older constraints: not checked). The finding names the
//! closest existing types; a type that the older major version still has is reported as
//! removed in the newer one.
//!
//! ## Why is this bad?
//! Terraform cannot plan a resource type that the provider does not implement: `validate`
//! and `plan` stop before anything is created.
//!
//! ## Error
//! ```text
//! Error: Invalid resource type
//!
//!   The provider hashicorp/aws does not support resource type "aws_s3_bucket_encryption".
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket_encryption" "main" {
//!   # …
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_s3_bucket_server_side_encryption_configuration" "main" {
//!   # …
//! }
//! ```
//!
//! ## Fix safety
//! No automatic fix: another type has other arguments, so the block must be rewritten.
//!
//! ## Root cause
//! The type name was invented by analogy (a CloudFormation or API name turned into a
//! Terraform type), or it belongs to a provider version other than the one the module
//! installs.
//!
//! ## Impact
//! Deployment is blocked: validation fails before anything is created.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::schema::check::ProblemKind;

pub struct ResourceTypeUnknown;

impl Rule for ResourceTypeUnknown {
    fn id(&self) -> &'static str {
        "resource-type-unknown"
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
            ProblemKind::ResourceTypeUnknown,
            |p| {
                (
                    format!("Unknown resource type `{}`", p.name),
                    format!(
                        "`{}` uses the resource type `{}`, which the provider does not have",
                        p.address, p.name
                    ),
                )
            },
            |p| p.address.clone(),
            |p| super::schema_fixes::successor_type(model, p),
            out,
        );
    }
}
