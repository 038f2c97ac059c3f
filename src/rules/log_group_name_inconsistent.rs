//! # Inconsistent CloudWatch log group naming
//!
//! ## What it does
//! Reports a CloudWatch log group whose name breaks the path prefix that its sibling log
//! groups in the module share — four groups under `/aws/iam/…` and one under
//! `/aws/kms/…`. Names whose prefix AWS dictates (`/aws/lambda/`, `/aws/rds/`,
//! `/aws/eks/`, `/aws/vendedlogs/`, …) are never reported.
//!
//! ## Why is this bad?
//! Log groups are found, queried, subscribed and granted by prefix. A group outside the
//! shared prefix escapes the queries, metric filters, subscriptions and IAM conditions
//! written for the others.
//!
//! ## Example
//! ```hcl
//! name = "/aws/kms/activity-${var.environment_suffix}"
//! ```
//! Use instead, when the siblings live under `/aws/iam/`:
//! ```hcl
//! name = "/aws/iam/kms/activity-${var.environment_suffix}"
//! ```
//!
//! ## Fix safety
//! Unsafe. Renaming a log group replaces it: existing log data stays in the old group,
//! and anything that names the old group must follow.
//!
//! ## Root cause
//! The log group was named after the service whose activity it records instead of the
//! audit trail it belongs to.
//!
//! ## Impact
//! Operations and compliance: inconsistent log organisation, more complex queries, and
//! permissions or alarms scoped to the shared prefix that miss this group.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html

use std::collections::BTreeMap;

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::expr::{literal_prefix, span_of};

pub struct LogGroupNameInconsistent;

/// Prefixes that AWS services require for their own log groups.
const SERVICE_PREFIXES: &[&str] = &[
    "/aws/lambda/",
    "/aws/rds/",
    "/aws/eks/",
    "/aws/vendedlogs/",
    "/aws/apigateway/",
    "/aws/api-gateway/",
    "/aws/route53/",
    "/aws/containerinsights/",
    "/aws/ecs/containerinsights/",
    "/aws/codebuild/",
    "/aws/batch/",
    "/aws/sagemaker/",
    "/aws/elasticbeanstalk/",
    "/aws/appsync/",
    "/aws/msk/",
    "/aws/opensearchservice/",
    "/aws/aes/",
    "/aws/kinesisfirehose/",
    "/aws/states/",
    "/aws/events/",
    "/aws/docdb/",
    "/aws/neptune/",
    "/aws/redshift/",
    "/aws/transfer/",
    "/aws/mwaa/",
    "/aws/waf",
    "aws-waf-logs-",
];

/// Smallest number of log groups that share a prefix before an outlier is reported.
const MIN_SIBLINGS: usize = 3;

impl Rule for LogGroupNameInconsistent {
    fn id(&self) -> &'static str {
        "log-group-name-inconsistent"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            // (block, literal path segments before any interpolation, name expression span)
            let mut groups = Vec::new();
            for lg in module.resources("aws_cloudwatch_log_group") {
                let Some(attr) = lg.attr("name") else {
                    continue;
                };
                let Some((prefix, _)) = literal_prefix(&attr.value) else {
                    continue;
                };
                if !prefix.starts_with('/')
                    || SERVICE_PREFIXES
                        .iter()
                        .any(|p| prefix.to_ascii_lowercase().starts_with(p))
                {
                    continue;
                }
                // Whole segments only: `/aws/iam/activity-${x}` → ["aws", "iam"].
                let segments: Vec<String> = prefix
                    .trim_start_matches('/')
                    .split('/')
                    .map(str::to_string)
                    .collect();
                let complete = segments.len().saturating_sub(1);
                groups.push((
                    lg,
                    segments[..complete].to_vec(),
                    prefix,
                    span_of(&attr.value),
                ));
            }
            let mut counts: BTreeMap<&[String], usize> = BTreeMap::new();
            for (_, segs, _, _) in &groups {
                if segs.len() >= 2 {
                    *counts.entry(&segs[..2]).or_default() += 1;
                }
            }
            let Some((shared, &n)) = counts.iter().max_by_key(|(_, n)| **n) else {
                continue;
            };
            // A clear majority: at least three siblings, and at most one in four outside.
            if n < MIN_SIBLINGS || n * 4 < groups.len() * 3 {
                continue;
            }
            let shared: Vec<String> = shared.to_vec();
            let shared_text = format!("/{}/", shared.join("/"));
            for (lg, segs, prefix, value_span) in &groups {
                if segs.len() >= 2 && segs[..2] == shared[..] {
                    continue;
                }
                let common = segs.iter().zip(&shared).take_while(|(a, b)| a == b).count();
                if common == 0 {
                    continue;
                }
                let rest = prefix
                    .trim_start_matches('/')
                    .split('/')
                    .skip(common)
                    .collect::<Vec<_>>()
                    .join("/");
                let new_prefix = format!("{shared_text}{rest}");
                let src = model.src(lg.file);
                let mut f = self.finding(
                    lg.file,
                    value_span.clone(),
                    format!("Log group `{}` breaks the shared name prefix", lg.address),
                    format!(
                        "{n} of the {} log groups in this module are named under `{shared_text}`, but `{}` is named `{prefix}…`",
                        groups.len(),
                        lg.address
                    ),
                );
                f.address = Some(lg.address.clone());
                f.key = shared_text.clone();
                // The prefix is the literal start of the string, just after its quote.
                let at = value_span.start + 1;
                if src.get(at..at + prefix.len()) == Some(prefix.as_str()) {
                    f.fix = Some(Fix::new(
                        format!("Rename to `{new_prefix}…`"),
                        Applicability::Unsafe,
                        vec![Edit::replace(
                            model.path(lg.file),
                            at..at + prefix.len(),
                            new_prefix,
                        )],
                    ));
                }
                out.push(f);
            }
        }
    }
}
