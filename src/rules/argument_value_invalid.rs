//! # Value the provider rejects
//!
//! ## What it does
//! Reports a literal value that the provider (or AWS, before anything is created)
//! rejects: a value outside the allowed set or range in the curated table of
//! `src/model/schema/curated.toml` (a flow log's `max_aggregation_interval` other than 60
//! or 600, a log group's `retention_in_days` of 45, a KMS `deletion_window_in_days` of
//! 90), each entry with the documentation it comes from; and a literal of a type the
//! argument cannot take: an object where a string is needed (a policy written without
//! `jsonencode`), a list where a map is, `"yes"` for a bool. Values Terraform converts
//! (`"5"` for a number, `"true"` for a bool) and anything computed are not reported.
//!
//! ## Why is this bad?
//! Terraform stops at `validate` (types, provider validations) or `apply` (values AWS
//! refuses), before or while the change is made.
//!
//! ## Error
//! ```text
//! Error: expected max_aggregation_interval to be one of [60 600], got 300
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_flow_log" "vpc" {
//!   vpc_id                   = aws_vpc.main.id
//!   traffic_type             = "ALL"
//!   log_destination          = aws_s3_bucket.logs.arn
//!   max_aggregation_interval = 300
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_flow_log" "vpc" {
//!   vpc_id                   = aws_vpc.main.id
//!   traffic_type             = "ALL"
//!   log_destination          = aws_s3_bucket.logs.arn
//!   max_aggregation_interval = 600
//! }
//! ```
//!
//! ## Fix safety
//! No automatic fix: which valid value is meant is a decision.
//!
//! ## Root cause
//! Values were guessed (a round number of days or seconds), or a JSON document was
//! written as an HCL object.
//!
//! ## Impact
//! Deployment is blocked at validation, or fails part-way through `apply`.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/expressions/type-constraints#conversion-of-primitive-types
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::schema::check::ProblemKind;

pub struct ArgumentValueInvalid;

impl Rule for ArgumentValueInvalid {
    fn id(&self) -> &'static str {
        "argument-value-invalid"
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
            ProblemKind::ArgumentValueInvalid,
            |p| {
                (
                    format!("Invalid value for `{}.{}`", p.within, p.name),
                    format!("`{}` sets `{}`", p.address, p.name),
                )
            },
            |p| p.key(),
            |_| None,
            out,
        );
    }
}
