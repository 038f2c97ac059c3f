//! # Wildcard in an argument that names one resource
//!
//! ## What it does
//! Reports a `*` written into an argument that names exactly one existing resource: the
//! snapshot a copy or restore starts from, the KMS key, role, certificate, target group,
//! load balancer, topic, queue or stream a resource uses (`source_db_snapshot_identifier
//! = "arn:…:snapshot:rds:db-*"`). Policies, where `*` is a pattern, are not concerned.
//!
//! ## Why is this bad?
//! These arguments are passed to AWS as one identifier, not matched as a pattern: AWS
//! looks for a resource whose name contains the `*` and finds none. Terraform cannot pick
//! "the latest automated snapshot" this way; a data source (`aws_db_snapshot` with
//! `most_recent = true`) can.
//!
//! ## Error
//! ```text
//! DBSnapshotNotFound: Snapshot … not found.
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_db_snapshot_copy" "dr" {
//!   source_db_snapshot_identifier = "arn:aws:rds:us-east-1:111122223333:snapshot:rds:orders-*"
//! }
//! ```
//! Use instead a data source that finds the one snapshot:
//! ```hcl
//! data "aws_db_snapshot" "latest" {
//!   db_instance_identifier = aws_db_instance.orders.identifier
//!   most_recent            = true
//! }
//! ```
//!
//! ## Fix safety
//! No fix: which resource was meant is the reviewer's decision.
//!
//! ## Root cause
//! The argument was written like a policy's resource pattern.
//!
//! ## Impact
//! Deployment blocker: the resource fails to create.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/db_snapshot

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::expr::{literal_spans, span_of};
use crate::model::{BlockKind, Model};

pub struct IdentifierWildcard;

/// Arguments that name exactly one existing resource.
const ONE_RESOURCE: &[&str] = &[
    "source_db_snapshot_identifier",
    "source_db_cluster_snapshot_identifier",
    "snapshot_identifier",
    "replicate_source_db",
    "kms_key_id",
    "kms_key_arn",
    "role_arn",
    "execution_role_arn",
    "task_role_arn",
    "certificate_arn",
    "target_group_arn",
    "load_balancer_arn",
    "sns_topic_arn",
    "topic_arn",
    "queue_arn",
    "stream_arn",
    "cloud_watch_logs_role_arn",
];

impl Rule for IdentifierWildcard {
    fn id(&self) -> &'static str {
        "identifier-wildcard"
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
                let src = model.src(b.file);
                let mut seen = std::collections::HashSet::new();
                // A `*` in the literal text of the string, outside its interpolations.
                for (key, literal) in literal_spans(b.body()) {
                    if !ONE_RESOURCE.contains(&key.as_str())
                        || !src.get(literal.clone()).is_some_and(|t| t.contains('*'))
                        || !seen.insert(key.clone())
                    {
                        continue;
                    }
                    let span = b.attr(&key).map_or(literal, |attr| span_of(&attr.value));
                    let mut f = self.finding(
                        b.file,
                        span,
                        format!("`{key}` of `{}` holds a wildcard", b.address),
                        format!(
                            "`{key}` names one existing resource, and AWS takes the `*` in it literally: no resource has that name, and `{}` fails to create",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = key.to_string();
                    out.push(f);
                }
            }
        }
    }
}
