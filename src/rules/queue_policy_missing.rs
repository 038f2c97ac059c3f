//! # Queue that a service sends to without a queue policy that lets it
//!
//! ## What it does
//! Reports an SQS queue of the module that a service is told to send messages to — an
//! SNS subscription with `protocol = "sqs"` (`sns.amazonaws.com`), an EventBridge target
//! (`events.amazonaws.com`), an S3 bucket notification (`s3.amazonaws.com`) — when no
//! `aws_sqs_queue_policy` of the module, nor the queue's own `policy`, lets that service
//! (or everyone, `"*"`) call `sqs:SendMessage` on it.
//!
//! It stays quiet when a queue policy of the module cannot be read or cannot be tied
//! to its queue (a variable, `for_each`), when the queue is given through a variable or
//! another module, and when the module has a file that did not parse.
//!
//! ## Why is this bad?
//! These services send as themselves, and SQS checks the queue's resource policy. An
//! IAM policy of the caller does not help. SNS and EventBridge drop the messages
//! silently (the delivery failure shows only in their metrics); S3 refuses the
//! notification configuration when it is created.
//!
//! ## Error
//! ```text
//! InvalidArgument: Unable to validate the following destination configurations
//! ```
//! (S3); SNS and EventBridge report nothing to Terraform.
//!
//! ## Example
//! ```hcl
//! resource "aws_sns_topic_subscription" "orders" {
//!   topic_arn = aws_sns_topic.orders.arn
//!   protocol  = "sqs"
//!   endpoint  = aws_sqs_queue.orders.arn
//! }
//! ```
//! with no `aws_sqs_queue_policy` for `aws_sqs_queue.orders`. Use instead a queue
//! policy that allows `sns.amazonaws.com` to `sqs:SendMessage`, on condition of
//! `aws:SourceArn` being the topic.
//!
//! ## Fix safety
//! No fix: the policy should be scoped to the sending resource's ARN, and a queue has
//! one policy that other statements may belong in.
//!
//! ## Root cause
//! The subscription or target was wired, and the queue's resource policy — a separate
//! resource in Terraform — was forgotten.
//!
//! ## Impact
//! Messages that never arrive, with nothing failing; or a bucket notification that is
//! not created.
//!
//! ## References
//! - https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html
//! - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::expr::{RefCollector, Target, span_of, static_str};
use crate::model::{BlockInfo, Model, Module};

pub struct QueuePolicyMissing;

/// The queues the module's queue policies (`aws_sqs_queue_policy`, and a queue's own
/// `policy`) name, with the services each lets send; `None` when some policy cannot be
/// tied to its queue or read.
fn senders(module: &Module<'_>) -> Option<std::collections::HashMap<String, Vec<String>>> {
    let mut out: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for index in module.resource_indexes(&["aws_sqs_queue_policy"]) {
        let b = module.blocks.get(index)?;
        let url = b.attr("queue_url")?;
        let mut refs = RefCollector::default();
        refs.expr(&url.value);
        let queues: Vec<String> = refs
            .refs
            .iter()
            .filter(|r| matches!(&r.target, Target::Resource { ty, .. } if ty == "aws_sqs_queue"))
            .map(|r| r.target.address())
            .collect();
        if queues.is_empty() {
            return None;
        }
        let services = allowed_senders(module, index)?;
        for q in queues {
            out.entry(q).or_default().extend(services.iter().cloned());
        }
    }
    for index in module.resource_indexes(&["aws_sqs_queue"]) {
        let Some(q) = module.blocks.get(index) else {
            continue;
        };
        if q.attr("policy").is_none() {
            continue;
        }
        let services = allowed_senders(module, index)?;
        out.entry(q.address.clone()).or_default().extend(services);
    }
    Some(out)
}

/// The service principals (or `*`) that the `policy` of block `index` lets call
/// `sqs:SendMessage`: the document written in the block, or the policy document data
/// source it names; `None` when neither can be read (a file, a variable).
fn allowed_senders(module: &Module<'_>, index: usize) -> Option<Vec<String>> {
    let b = module.blocks.get(index)?;
    let doc = b
        .attr("policy")
        .and_then(|p| module.policy_document(&p.value));
    let infos: Vec<_> = module
        .policies_of(index)
        .chain(doc.into_iter().flat_map(|d| module.policies_of(d)))
        .collect();
    if infos.is_empty() {
        return None;
    }
    let mut services = Vec::new();
    for info in infos {
        for s in info.policy.statements.iter().filter(|s| s.allows()) {
            let sends = s
                .actions
                .iter()
                .any(|a| crate::model::policy::action_matches(a, "sqs:SendMessage"));
            if !sends {
                continue;
            }
            for (kind, values) in &s.principals {
                for v in values {
                    if kind == "*" || v == "*" {
                        services.push("*".to_string());
                    } else if kind == "Service" {
                        services.push(v.clone());
                    }
                }
            }
        }
    }
    Some(services)
}

impl Rule for QueuePolicyMissing {
    fn id(&self) -> &'static str {
        "queue-policy-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in model.modules.iter().filter(|m| m.terraform_parsed()) {
            if module.resources("aws_sqs_queue").next().is_none() {
                continue;
            }
            // (sender, where the queue is named, the service principal, what happens).
            let mut uses: Vec<(&BlockInfo<'_>, &hcl_edit::structure::Attribute, &str, &str)> =
                Vec::new();
            for b in module.resources("aws_sns_topic_subscription") {
                let sqs = b
                    .attr("protocol")
                    .and_then(|p| static_str(&p.value))
                    .is_some_and(|p| p == "sqs");
                if sqs && let Some(e) = b.attr("endpoint") {
                    uses.push((
                        b,
                        e,
                        "sns.amazonaws.com",
                        "SNS drops every message it cannot deliver, silently",
                    ));
                }
            }
            for b in module.resources("aws_cloudwatch_event_target") {
                if let Some(a) = b.attr("arn") {
                    uses.push((
                        b,
                        a,
                        "events.amazonaws.com",
                        "EventBridge drops every event it cannot deliver, silently",
                    ));
                }
            }
            for b in module.resources("aws_s3_bucket_notification") {
                for q in b.body().get_blocks("queue") {
                    if let Some(a) = q.body.get_attribute("queue_arn") {
                        uses.push((b, a, "s3.amazonaws.com", "S3 refuses the notification configuration (`InvalidArgument: Unable to validate the following destination configurations`)"));
                    }
                }
            }
            if uses.is_empty() {
                continue;
            }
            let Some(allowed) = senders(module) else {
                continue;
            };
            for (b, attr, service, effect) in uses {
                let Some(queue) = module.referenced(&attr.value, &["aws_sqs_queue"]) else {
                    continue;
                };
                let lets = allowed
                    .get(&queue.address)
                    .is_some_and(|s| s.iter().any(|p| p == "*" || p == service));
                if lets {
                    continue;
                }
                let mut f = self.finding(
                    b.file,
                    span_of(attr),
                    format!("`{}` may not receive from `{service}`", queue.address),
                    format!(
                        "`{}` sends to `{}`, but no `aws_sqs_queue_policy` of the module lets `{service}` call `sqs:SendMessage` on it: {effect}",
                        b.address, queue.address
                    ),
                );
                f.address = Some(b.address.clone());
                f.key = format!("{service} {}", queue.address);
                f.related.push(Related {
                    file: queue.file,
                    span: queue.header(),
                    message: "the queue".into(),
                });
                out.push(f);
            }
        }
    }
}
