//! # CloudTrail's log group ARN lacks the `:*` CloudTrail requires
//!
//! ## What it does
//! Reports an `aws_cloudtrail` whose `cloud_watch_logs_group_arn` is a log group's `arn`
//! attribute as it is (`aws_cloudwatch_log_group.trail.arn`), or an ARN written out,
//! without the `:*` that ends the ARN CloudTrail expects.
//!
//! ## Why is this bad?
//! CloudTrail takes the ARN of the log group's log streams, `arn:…:log-group:NAME:*`.
//! The AWS provider's `arn` attribute of a log group has no `:*` (since provider 5), so
//! the trail is refused when it is created or updated.
//!
//! ## Error
//! ```text
//! InvalidCloudWatchLogsLogGroupArnException: CloudTrail cannot validate the specified log group ARN.
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudtrail" "main" {
//!   cloud_watch_logs_group_arn = aws_cloudwatch_log_group.trail.arn
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_cloudtrail" "main" {
//!   cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
//! }
//! ```
//!
//! ## Fix safety
//! Safe: the fix appends `:*`, the form CloudTrail documents.
//!
//! ## Root cause
//! The log group's ARN was passed on as the provider gives it.
//!
//! ## Impact
//! Deployment blocker: the trail is not created.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudtrail#sending-events-to-cloudwatch-logs
//! https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html

use hcl_edit::expr::Expression;

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::expr::{span_of, static_str, traversal_path};
use crate::model::{BlockKind, Model};

pub struct CloudtrailLogGroupArnInvalid;

impl Rule for CloudtrailLogGroupArnInvalid {
    fn id(&self) -> &'static str {
        "cloudtrail-log-group-arn-invalid"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks_of(BlockKind::Resource) {
                if b.label(0) != "aws_cloudtrail" {
                    continue;
                }
                let Some(attr) = b.attr("cloud_watch_logs_group_arn") else {
                    continue;
                };
                let span = span_of(&attr.value);
                let src = model.src(b.file);
                let text = src.get(span.clone()).unwrap_or("");
                // The log group's `arn` attribute as it is, or an ARN written out.
                let (what, fixed) = match &attr.value {
                    Expression::Traversal(_) => {
                        let Some((root, path)) = traversal_path(&attr.value) else {
                            continue;
                        };
                        let log_group = root == "aws_cloudwatch_log_group"
                            || (root == "data"
                                && path.first().copied() == Some("aws_cloudwatch_log_group"));
                        if !log_group || path.last().copied() != Some("arn") {
                            continue;
                        }
                        (
                            format!("`{text}`, the log group's ARN without `:*`"),
                            format!("\"${{{text}}}:*\""),
                        )
                    }
                    _ => {
                        let Some(arn) = static_str(&attr.value) else {
                            continue;
                        };
                        if !arn.contains(":log-group:") || arn.ends_with(":*") {
                            continue;
                        }
                        (
                            format!("`{arn}`, without `:*`"),
                            format!("{}:*\"", text.trim_end_matches('"')),
                        )
                    }
                };
                let mut f = self.finding(
                    b.file,
                    span.clone(),
                    "CloudTrail's log group ARN lacks `:*`".into(),
                    format!(
                        "`{}` sends its events to {what}; CloudTrail expects the log streams' ARN ending in `:*` and refuses the trail (InvalidCloudWatchLogsLogGroupArnException)",
                        b.address
                    ),
                );
                f.address = Some(b.address.clone());
                f.key = "cloud_watch_logs_group_arn".into();
                f.fix = Some(Fix::new(
                    "Append `:*` to the ARN",
                    Applicability::Safe,
                    vec![Edit::replace(model.path(b.file), span, fixed)],
                ));
                out.push(f);
            }
        }
    }
}
