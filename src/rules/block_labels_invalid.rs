//! # Top-level block with too few or too many labels
//!
//! ## What it does
//! Reports a top-level block whose labels Terraform does not take: `resource` and `data`
//! need two (type and name), `variable`, `output`, `module` and `provider` one, and
//! `terraform` and `locals` none. `resource "aws_s3_bucket" {` has lost its name.
//!
//! ## Why is this bad?
//! Terraform reads the blocks' labels before anything else: `terraform init` stops with
//! "Missing name for resource" or "Extraneous label for variable", and nothing in the
//! configuration is planned. Other tools cannot address the block either.
//!
//! ## Error
//! ```text
//! Error: Missing name for resource
//!   All resource blocks must have 2 labels (type, name).
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket_versioning" {
//!   bucket = aws_s3_bucket.logs.id
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_s3_bucket_versioning" "logs" {
//!   bucket = aws_s3_bucket.logs.id
//! }
//! ```
//!
//! ## Fix safety
//! No fix: the name is the author's to choose.
//!
//! ## Root cause
//! The block was written in a hurry, or a generated answer dropped the name.
//!
//! ## Impact
//! Deployment blocker: `terraform init` fails.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/syntax/configuration#blocks

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::{BlockKind, Model};

pub struct BlockLabelsInvalid;

/// How many labels a top-level block takes, and what they are.
fn expected(kind: BlockKind) -> Option<(usize, &'static str)> {
    match kind {
        BlockKind::Resource | BlockKind::Data => Some((2, "2 labels (type, name)")),
        BlockKind::Variable | BlockKind::Output | BlockKind::Module => Some((1, "1 label (name)")),
        BlockKind::Provider => Some((1, "1 label (the provider's name)")),
        BlockKind::Terraform | BlockKind::Locals => Some((0, "no labels")),
        BlockKind::Other => None,
    }
}

impl Rule for BlockLabelsInvalid {
    fn id(&self) -> &'static str {
        "block-labels-invalid"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in &module.blocks {
                let Some((want, what)) = expected(b.kind) else {
                    continue;
                };
                let have = b.labels.len();
                if have == want {
                    continue;
                }
                let ident = b.block.ident.as_str();
                let (title, error) = if have < want {
                    (
                        format!("`{ident}` block lacks a label"),
                        format!("Missing name for {ident}"),
                    )
                } else {
                    (
                        format!("`{ident}` block has a label too many"),
                        format!("Extraneous label for {ident}"),
                    )
                };
                let mut f = self.finding(
                    b.file,
                    b.header(),
                    title,
                    format!(
                        "a `{ident}` block takes {what}, and this one has {have}: `terraform init` stops with \"{error}\""
                    ),
                );
                f.address = Some(b.address.clone());
                out.push(f);
            }
        }
    }
}
