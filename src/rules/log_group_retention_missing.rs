//! # Log group keeps logs forever
//!
//! ## What it does
//! Reports an `aws_cloudwatch_log_group` without `retention_in_days` (or with `0`).
//!
//! ## Why is this bad?
//! Without a retention period CloudWatch keeps every log event forever: storage cost
//! grows without bound, and personal data in logs outlives any retention policy.
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudwatch_log_group" "app" {
//!   name = "/app/api"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_cloudwatch_log_group" "app" {
//!   name              = "/app/api"
//!   retention_in_days = 30
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe. The fix sets the module's log retention variable when it declares one (a
//! variable whose name contains `log` and `retention`), else 30 days; events older than
//! that are deleted.
//!
//! ## Root cause
//! The log group was created with the defaults.
//!
//! ## Impact
//! Cost and compliance: logs are never deleted.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention

use super::{Class, Rule};
use crate::edits::set_attribute;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::{BlockKind, Model};

pub struct LogGroupRetentionMissing;

impl Rule for LogGroupRetentionMissing {
    fn id(&self) -> &'static str {
        "log-group-retention-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let variable = module
                .blocks_of(BlockKind::Variable)
                .map(|v| v.label(0))
                .find(|n| n.contains("retention") && n.contains("log"))
                .map(|n| format!("var.{n}"));
            for b in module.resources("aws_cloudwatch_log_group") {
                let attr = b.attr("retention_in_days");
                let zero = attr
                    .is_some_and(|a| a.value.as_number().is_some_and(|n| n.as_u64() == Some(0)));
                if attr.is_some() && !zero {
                    continue;
                }
                let mut f = self.finding(
                    b.file,
                    b.header(),
                    "Log group has no retention period".into(),
                    format!(
                        "`{}` has no `retention_in_days`: CloudWatch keeps its events forever",
                        b.address
                    ),
                );
                f.address = Some(b.address.clone());
                let value = variable.clone().unwrap_or_else(|| "30".into());
                f.fix = set_attribute(
                    model.path(b.file),
                    model.src(b.file),
                    b.span.clone(),
                    attr,
                    "retention_in_days",
                    &value,
                )
                .map(|e| {
                    Fix::new(
                        format!("Keep events for `{value}` days"),
                        Applicability::Unsafe,
                        vec![e],
                    )
                });
                out.push(f);
            }
        }
    }
}
