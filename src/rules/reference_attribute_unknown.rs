//! # Reference to an attribute the type does not have
//!
//! ## What it does
//! Reports a reference `aws_x.name.attr` (also `aws_x.name[0].attr`,
//! `aws_x.name["k"].attr`, `aws_x.name[*].attr` and `data.aws_x.name.attr`) whose
//! attribute is none of the type's arguments, blocks or computed attributes in the
//! provider schema: `aws_lb.main.dns`, `aws_db_instance.main.endpoint_address`. Checked
//! offline against the bundled provider schema for the version the module's constraint
//! selects.
//!
//! ## Why is this bad?
//! Terraform rejects a reference to an attribute the resource does not export: `validate`
//! and `plan` stop before anything is created.
//!
//! ## Error
//! ```text
//! Error: Unsupported attribute
//!
//!   This object has no argument, nested block, or exported attribute named "dns".
//! ```
//!
//! ## Example
//! ```hcl
//! output "url" {
//!   value = aws_lb.main.dns
//! }
//! ```
//! Use instead:
//! ```hcl
//! output "url" {
//!   value = aws_lb.main.dns_name
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe, and only when exactly one attribute of the type is close to the name: the fix
//! renames the attribute in the reference. Check that it is the value meant.
//!
//! ## Root cause
//! Attribute names were guessed from the AWS API or CloudFormation (`Arn`, `DNSName`) or
//! from another resource type.
//!
//! ## Impact
//! Deployment is blocked: validation fails before anything is created.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/expressions/references
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs

use super::schema_fixes;
use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::schema::check::ProblemKind;

pub struct ReferenceAttributeUnknown;

impl Rule for ReferenceAttributeUnknown {
    fn id(&self) -> &'static str {
        "reference-attribute-unknown"
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
            ProblemKind::ReferenceAttributeUnknown,
            |p| {
                (
                    format!("`{}` has no attribute `{}`", p.within, p.name),
                    format!(
                        "`{}` reads `{}.{}`, but `{}` has no attribute `{}`",
                        p.address, p.nested, p.name, p.within, p.name
                    ),
                )
            },
            |p| format!("{}>{}.{}", p.address, p.nested, p.name),
            |p| schema_fixes::rename_reference(model, p),
            out,
        );
    }
}
