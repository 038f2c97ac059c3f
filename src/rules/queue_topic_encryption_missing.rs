//! # Queue, topic, table or image repository without encryption at rest
//!
//! ## What it does
//! Reports an `aws_sqs_queue` with neither `kms_master_key_id` nor
//! `sqs_managed_sse_enabled = true`, an `aws_sns_topic` without `kms_master_key_id`,
//! an `aws_dynamodb_table` without an enabled `server_side_encryption` block, and an
//! `aws_ecr_repository` without an `encryption_configuration` block.
//!
//! ## Why is this bad?
//! Messages and items often carry the application's data. SNS topics are not encrypted
//! at all by default; queues and tables fall back to keys nobody can audit. Reviewers
//! and baselines ask for the encryption to be stated. Container images carry the
//! application's code and often its configuration; ECR's default AES-256 uses a key no
//! policy controls, and the setting cannot change without replacing the repository.
//!
//! ## Example
//! ```hcl
//! resource "aws_sqs_queue" "jobs" {
//!   name = "jobs"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_sqs_queue" "jobs" {
//!   name                    = "jobs"
//!   sqs_managed_sse_enabled = true
//! }
//! ```
//!
//! ## Fix safety
//! Queues: safe (`sqs_managed_sse_enabled = true`, no key policy involved). Tables:
//! unsafe (an AWS-managed KMS key, billed per request). Topics: unsafe
//! (`alias/aws/sns`, which CloudWatch alarms and EventBridge cannot publish through).
//! Repositories: unsafe (`encryption_type = "KMS"` with the AWS-managed key replaces the
//! repository and its images).
//!
//! ## Root cause
//! Encryption at rest was left to the service's default.
//!
//! ## Impact
//! Security: data at rest without a stated protection.
//!
//! ## References
//! https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html

use super::{Class, Rule};
use crate::edits::{append_to_block, set_attribute};
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::Model;

pub struct QueueTopicEncryptionMissing;

impl Rule for QueueTopicEncryptionMissing {
    fn id(&self) -> &'static str {
        "queue-topic-encryption-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in &module.blocks {
                let path = model.path(b.file);
                let src = model.src(b.file);
                let (what, fix) = if b.is_resource("aws_sqs_queue") {
                    let managed = b.attr("sqs_managed_sse_enabled");
                    if b.attr("kms_master_key_id").is_some()
                        || managed.is_some_and(|a| a.value.as_bool() != Some(false))
                    {
                        continue;
                    }
                    (
                        "queue",
                        set_attribute(
                            path,
                            src,
                            b.span.clone(),
                            managed,
                            "sqs_managed_sse_enabled",
                            "true",
                        )
                        .map(|e| {
                            Fix::new(
                                "Enable SQS-managed encryption",
                                Applicability::Safe,
                                vec![e],
                            )
                        }),
                    )
                } else if b.is_resource("aws_sns_topic") {
                    if b.attr("kms_master_key_id").is_some() {
                        continue;
                    }
                    (
                        "topic",
                        append_to_block(
                            path,
                            src,
                            b.span.clone(),
                            "kms_master_key_id = \"alias/aws/sns\"",
                        )
                        .map(|e| {
                            Fix::new(
                                "Encrypt with the AWS-managed SNS key",
                                Applicability::Unsafe,
                                vec![e],
                            )
                        }),
                    )
                } else if b.is_resource("aws_dynamodb_table") {
                    let sse = b.body().get_blocks("server_side_encryption").next();
                    if sse.is_some_and(|s| {
                        s.body
                            .get_attribute("enabled")
                            .is_some_and(|a| a.value.as_bool() != Some(false))
                    }) {
                        continue;
                    }
                    let fix = match sse {
                        Some(_) => None,
                        None => append_to_block(
                            path,
                            src,
                            b.span.clone(),
                            "server_side_encryption {\n  enabled = true\n}",
                        )
                        .map(|e| {
                            Fix::new(
                                "Encrypt with the AWS-managed DynamoDB key",
                                Applicability::Unsafe,
                                vec![e],
                            )
                        }),
                    };
                    ("table", fix)
                } else if b.is_resource("aws_ecr_repository") {
                    if b.body()
                        .blocks()
                        .any(|x| matches!(x.ident.as_str(), "encryption_configuration" | "dynamic"))
                    {
                        continue;
                    }
                    (
                        "repository",
                        append_to_block(
                            path,
                            src,
                            b.span.clone(),
                            "encryption_configuration {\n  encryption_type = \"KMS\"\n}",
                        )
                        .map(|e| {
                            Fix::new(
                                "Encrypt with the AWS-managed ECR key (replaces the repository)",
                                Applicability::Unsafe,
                                vec![e],
                            )
                        }),
                    )
                } else {
                    continue;
                };
                let mut f = self.finding(
                    b.file,
                    b.header(),
                    format!("{} is not encrypted at rest", super::capitalise(what)),
                    format!("`{}` states no encryption at rest", b.address),
                );
                f.address = Some(b.address.clone());
                f.fix = fix;
                out.push(f);
            }
        }
    }
}
