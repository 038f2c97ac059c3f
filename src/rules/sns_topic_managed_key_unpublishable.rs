//! # SNS topic on the AWS-managed key that AWS services publish to
//!
//! ## What it does
//! Reports an `aws_sns_topic` encrypted with the AWS-managed key (`alias/aws/sns`) that
//! a CloudWatch alarm, an EventBridge rule target or an S3 event notification of the
//! module publishes to. Each publisher (the first twenty) is named as a related place.
//!
//! ## Why is this bad?
//! A service that publishes to an encrypted topic must be allowed to use its key, and
//! the AWS-managed key's policy cannot be changed to allow CloudWatch, EventBridge or
//! S3. Their messages are dropped without an error anywhere in Terraform: the alarm
//! fires and nobody is told.
//!
//! ## Example
//! ```hcl
//! resource "aws_sns_topic" "alerts" {
//!   kms_master_key_id = "alias/aws/sns"
//! }
//! resource "aws_cloudwatch_metric_alarm" "cpu" {
//!   alarm_actions = [aws_sns_topic.alerts.arn]
//! }
//! ```
//! Use instead a customer managed key whose policy allows the publishing service
//! (`cloudwatch.amazonaws.com`, `events.amazonaws.com`, `s3.amazonaws.com`) to use
//! `kms:Decrypt` and `kms:GenerateDataKey*`.
//!
//! ## Fix safety
//! No fix: the key and its policy are a design decision.
//!
//! ## Root cause
//! The topic was encrypted with the quickest key, without asking who publishes to it.
//!
//! ## Impact
//! Alerts and events are lost silently.
//!
//! ## References
//! https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
//! https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::eval::known;
use crate::model::expr::{Target, span_of};
use crate::model::{BlockKind, Model, Owner};

pub struct SnsTopicManagedKeyUnpublishable;

/// The publishers that cannot use the AWS-managed key, and what each is.
const PUBLISHERS: &[(&str, &str)] = &[
    ("aws_cloudwatch_metric_alarm", "CloudWatch alarm"),
    ("aws_cloudwatch_composite_alarm", "CloudWatch alarm"),
    ("aws_cloudwatch_event_target", "EventBridge target"),
    ("aws_s3_bucket_notification", "S3 event notification"),
];

impl Rule for SnsTopicManagedKeyUnpublishable {
    fn id(&self) -> &'static str {
        "sns-topic-managed-key-unpublishable"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for topic in module.blocks_of(BlockKind::Resource) {
                if !topic.is_resource("aws_sns_topic") {
                    continue;
                }
                let Some(key) = topic.attr("kms_master_key_id") else {
                    continue;
                };
                let value = known(module, &key.value);
                if !(value.complete && value.text == "alias/aws/sns") {
                    continue;
                }
                let mut publishers: Vec<(String, &str, Related)> = Vec::new();
                for r in &module.refs {
                    let Target::Resource { ty, name } = &r.target else {
                        continue;
                    };
                    if ty != "aws_sns_topic" || format!("{ty}.{name}") != topic.address {
                        continue;
                    }
                    let Owner::Block(i) = r.from else {
                        continue;
                    };
                    let Some(publisher) = module.blocks.get(i) else {
                        continue;
                    };
                    let Some((_, what)) = PUBLISHERS.iter().find(|(t, _)| publisher.is_resource(t))
                    else {
                        continue;
                    };
                    if publishers.iter().any(|(a, _, _)| *a == publisher.address) {
                        continue;
                    }
                    publishers.push((
                        publisher.address.clone(),
                        what,
                        Related {
                            file: r.file,
                            span: r.span.clone(),
                            message: format!("`{}` publishes here", publisher.address),
                        },
                    ));
                }
                let Some((first, _, _)) = publishers.first() else {
                    continue;
                };
                let mut kinds: Vec<String> = Vec::new();
                for (_, what, _) in &publishers {
                    let plural = format!("{what}s");
                    if !kinds.contains(&plural) {
                        kinds.push(plural);
                    }
                }
                let what = kinds.join(" or ");
                let others = publishers.len() - 1;
                let mut f = self.finding(
                    topic.file,
                    span_of(key),
                    format!("`{}` is on a key its publishers cannot use", topic.address),
                    format!(
                        "`{}` is encrypted with the AWS-managed key `alias/aws/sns`, whose policy cannot let {what} use it: `{first}`{} publish{} to it and {} messages are dropped",
                        topic.address,
                        match others {
                            0 => String::new(),
                            1 => " and 1 other".to_string(),
                            n => format!(" and {n} others"),
                        },
                        if others == 0 { "es" } else { "" },
                        if others == 0 { "its" } else { "their" },
                    ),
                );
                f.address = Some(topic.address.clone());
                f.related = publishers.into_iter().map(|(_, _, r)| r).take(20).collect();
                out.push(f);
            }
        }
    }
}
