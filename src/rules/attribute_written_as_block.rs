//! # Attribute written as a block
//!
//! ## What it does
//! Reports `name { … }` where the provider schema has an attribute `name` (a map, a list
//! or a single value), not a nested block: `tags { … }`, `environment_variables { … }`.
//! Checked offline against the bundled provider schema for the version the module's
//! `required_providers` constraint selects. Object attributes that Terraform also accepts
//! as blocks (`ingress` of `aws_security_group`, `route` of `aws_route_table`) are not
//! reported.
//!
//! ## Why is this bad?
//! Terraform rejects a block where the schema has an argument: `validate` and `plan`
//! stop before anything is created.
//!
//! ## Error
//! ```text
//! Error: Unsupported block type
//!
//!   Blocks of type "tags" are not expected here. Did you mean to define argument "tags"?
//!   If so, use the equals sign to assign it a value.
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "logs" {
//!   bucket = "logs"
//!   tags {
//!     Team = "platform"
//!   }
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_s3_bucket" "logs" {
//!   bucket = "logs"
//!   tags = {
//!     Team = "platform"
//!   }
//! }
//! ```
//!
//! ## Fix safety
//! Safe: the fix adds the equals sign, which makes the block's attributes the map's
//! items; it is offered only when the block holds attributes alone.
//!
//! ## Root cause
//! Terraform 0.11 accepted `tags { … }`; older examples and answers copy the form.
//!
//! ## Impact
//! Deployment is blocked: validation fails before anything is created.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/attr-as-blocks
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs

use super::schema_fixes;
use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::schema::check::ProblemKind;

pub struct AttributeWrittenAsBlock;

impl Rule for AttributeWrittenAsBlock {
    fn id(&self) -> &'static str {
        "attribute-written-as-block"
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
            ProblemKind::AttributeWrittenAsBlock,
            |p| {
                (
                    format!(
                        "`{}` is an attribute of `{}`, not a block",
                        p.name, p.within
                    ),
                    format!(
                        "`{}` writes `{} {{ … }}`, but `{}` has the attribute `{} = …`",
                        p.address, p.name, p.within, p.name
                    ),
                )
            },
            |p| p.key(),
            |p| schema_fixes::block_to_attribute(model, p),
            out,
        );
    }
}
