//! # Deprecated argument
//!
//! ## What it does
//! Reports an argument or block that the provider documents as deprecated, from the
//! curated table in `src/model/schema/curated.toml` (each entry with the documentation it
//! comes from): `managed_policy_arns` and `inline_policy` on `aws_iam_role`, the inline
//! `versioning`, `logging`, `lifecycle_rule` and encryption blocks of `aws_s3_bucket`,
//! `vpc` on `aws_eip` in 5.x; and reading a deprecated attribute (`name` of the
//! `aws_region` data source in 6.x). The finding names what replaces it.
//!
//! ## Why is this bad?
//! A deprecated argument still works, with a warning on every plan, until the major
//! version that removes it; some (the S3 bucket's inline blocks) also fight with the
//! separate resources that replace them, each undoing the other's changes.
//!
//! ## Example
//! ```hcl
//! resource "aws_iam_role" "app" {
//!   name                = "app"
//!   assume_role_policy  = data.aws_iam_policy_document.assume.json
//!   managed_policy_arns = [aws_iam_policy.app.arn]
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_iam_role" "app" {
//!   name               = "app"
//!   assume_role_policy = data.aws_iam_policy_document.assume.json
//! }
//!
//! resource "aws_iam_role_policy_attachment" "app" {
//!   role       = aws_iam_role.app.name
//!   policy_arn = aws_iam_policy.app.arn
//! }
//! ```
//!
//! ## Fix safety
//! No automatic fix: the replacement is a separate resource whose shape differs.
//!
//! ## Root cause
//! The code follows examples written before the deprecation.
//!
//! ## Impact
//! Warnings on every plan now, a failed validation after the next major upgrade, and for
//! some arguments a perpetual diff against the resources that replace them.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-5-upgrade
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-6-upgrade

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::schema::check::ProblemKind;

pub struct ArgumentDeprecated;

impl Rule for ArgumentDeprecated {
    fn id(&self) -> &'static str {
        "argument-deprecated"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        super::schema_findings(
            self,
            model,
            ProblemKind::ArgumentDeprecated,
            |p| {
                if p.read {
                    (
                        format!("`{}.{}` is deprecated", p.within, p.name),
                        format!("`{}` reads `{}.{}`", p.address, p.within, p.name),
                    )
                } else {
                    (
                        format!("`{}.{}` is deprecated", p.within, p.name),
                        format!("`{}` sets `{}`", p.address, p.name),
                    )
                }
            },
            |p| p.key(),
            |_| None,
            out,
        );
    }
}
