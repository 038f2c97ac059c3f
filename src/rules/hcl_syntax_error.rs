//! # Invalid HCL syntax
//!
//! ## What it does
//! Reports a file that is not valid HCL, at the line and column where the parser
//! stopped. The rest of the workspace is still analysed.
//!
//! ## Why is this bad?
//! Terraform refuses to run at all while any file of the configuration does not parse:
//! `terraform init`, `validate` and `plan` all stop at the first syntax error.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "logs" {
//!   bucket = "logs-${var.suffix}"
//!   tags = {
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_s3_bucket" "logs" {
//!   bucket = "logs-${var.suffix}"
//!   tags   = {}
//! }
//! ```
//!
//! ## Fix safety
//! No automatic fix: the intended text cannot be known.
//!
//! ## Root cause
//! The code was written without being parsed: an unbalanced brace, a Markdown fence or
//! prose inside a `.tf` file, or syntax from another language (JSON commas, YAML).
//!
//! ## Impact
//! Deployment is blocked: no Terraform command runs until the file parses.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/syntax/configuration

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::parse::ParseProblemKind;

pub struct HclSyntaxError;

impl Rule for HclSyntaxError {
    fn id(&self) -> &'static str {
        "hcl-syntax-error"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for (file, problem) in &model.parse_problems {
            if problem.kind != ParseProblemKind::Syntax {
                continue;
            }
            let mut f = self.finding(
                *file,
                problem.span.clone(),
                "Invalid HCL syntax".into(),
                format!("the file does not parse: {}", problem.message),
            );
            f.key = format!("{}:{}", model.path(*file), problem.message);
            out.push(f);
        }
    }
}
