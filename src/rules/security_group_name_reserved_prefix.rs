//! # Security group name starting with `sg-`
//!
//! ## What it does
//! Reports an `aws_security_group` whose `name` or `name_prefix` starts with `sg-`
//! (variables, tfvars and locals filled in).
//!
//! ## Why is this bad?
//! EC2 reserves the `sg-` prefix for security group ids and rejects the name:
//! "InvalidParameterValue: Group names may not be in the format sg-*".
//!
//! ## Error
//! ```text
//! InvalidParameterValue: Group names may not be in the format sg-*
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_security_group" "web" {
//!   name = "sg-web-${var.environment_suffix}"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_security_group" "web" {
//!   name = "web-${var.environment_suffix}"
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe. The fix drops the `sg-` prefix from the literal; a renamed security group is
//! replaced.
//!
//! ## Root cause
//! The naming convention mirrored the id format.
//!
//! ## Impact
//! Deployment blocker: the security group cannot be created.
//!
//! ## References
//! https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::eval::known;
use crate::model::expr::span_of;

pub struct SecurityGroupNameReservedPrefix;

impl Rule for SecurityGroupNameReservedPrefix {
    fn id(&self) -> &'static str {
        "security-group-name-reserved-prefix"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.resources("aws_security_group") {
                for arg in ["name", "name_prefix"] {
                    let Some(attr) = b.attr(arg) else {
                        continue;
                    };
                    let value = known(module, &attr.value);
                    if !value.prefix.to_ascii_lowercase().starts_with("sg-") {
                        continue;
                    }
                    let span = span_of(&attr.value);
                    let mut f = self.finding(
                        b.file,
                        span.clone(),
                        format!("Security group {arg} starts with `sg-`"),
                        format!(
                            "`{}` {arg} `{}` starts with `sg-`, which EC2 reserves for security group ids: creating it fails",
                            b.address, value.text
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = arg.to_string();
                    let src = model.src(b.file);
                    let written = src.get(span.clone()).unwrap_or("");
                    if written
                        .get(..4)
                        .is_some_and(|p| p.eq_ignore_ascii_case("\"sg-"))
                        && written.len() > 5
                    {
                        f.fix = Some(Fix::new(
                            "Drop the `sg-` prefix",
                            Applicability::Unsafe,
                            vec![Edit::replace(
                                model.path(b.file),
                                span.start + 1..span.start + 4,
                                "",
                            )],
                        ));
                    }
                    out.push(f);
                }
            }
        }
    }
}
