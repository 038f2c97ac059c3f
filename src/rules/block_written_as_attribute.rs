//! # Block written as an attribute
//!
//! ## What it does
//! Reports `name = { … }` (or `name = [ … ]`) where the provider schema has a nested
//! block `name { … }`: `versioning_configuration = { status = "Enabled" }`,
//! `settings = { … }`. Checked offline against the bundled provider schema for the version
//! the module's `required_providers` constraint selects.
//!
//! ## Why is this bad?
//! Terraform does not accept an argument where the schema has a block: `validate` and
//! `plan` stop before anything is created.
//!
//! ## Error
//! ```text
//! Error: Unsupported argument
//!
//!   An argument named "versioning_configuration" is not expected here. Did you mean to
//!   define a block of type "versioning_configuration"?
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket_versioning" "logs" {
//!   bucket = aws_s3_bucket.logs.id
//!   versioning_configuration = {
//!     status = "Enabled"
//!   }
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_s3_bucket_versioning" "logs" {
//!   bucket = aws_s3_bucket.logs.id
//!   versioning_configuration {
//!     status = "Enabled"
//!   }
//! }
//! ```
//!
//! ## Fix safety
//! Safe: the fix removes the equals sign when the value is an object literal whose items
//! are `name = value`, one per line (or a single one), which a block body holds as it is.
//! A list of objects becomes one block per object only by hand.
//!
//! ## Root cause
//! The block was written the way a map or a JSON object is, or copied from a module's
//! variable that takes an object.
//!
//! ## Impact
//! Deployment is blocked: validation fails before anything is created.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/syntax/configuration#blocks
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs

use super::schema_fixes;
use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::schema::check::ProblemKind;

pub struct BlockWrittenAsAttribute;

impl Rule for BlockWrittenAsAttribute {
    fn id(&self) -> &'static str {
        "block-written-as-attribute"
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
            ProblemKind::BlockWrittenAsAttribute,
            |p| {
                (
                    format!(
                        "`{}` is a block of `{}`, not an attribute",
                        p.name, p.within
                    ),
                    format!(
                        "`{}` writes `{} = …`, but `{}` has the block `{} {{ … }}`",
                        p.address, p.name, p.within, p.name
                    ),
                )
            },
            |p| p.key(),
            |p| schema_fixes::attribute_to_block(model, p),
            out,
        );
    }
}
