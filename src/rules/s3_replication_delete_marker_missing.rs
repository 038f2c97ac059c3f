//! # Filtered S3 replication rule without `delete_marker_replication`
//!
//! ## What it does
//! Reports a `rule` of an `aws_s3_bucket_replication_configuration` that has a `filter`
//! block (the current replication schema, V2) but no `delete_marker_replication` block.
//!
//! ## Why is this bad?
//! With a filter, S3 takes the rule as the V2 schema, which requires every rule to say
//! whether delete markers are replicated. Without it S3 refuses the whole replication
//! configuration, so nothing is replicated.
//!
//! ## Error
//! ```text
//! InvalidRequest: DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema.
//! ```
//!
//! ## Example
//! ```hcl
//! rule {
//!   id     = "all"
//!   status = "Enabled"
//!   filter {}
//!   destination {
//!     bucket = aws_s3_bucket.replica.arn
//!   }
//! }
//! ```
//! Use instead:
//! ```hcl
//! rule {
//!   id     = "all"
//!   status = "Enabled"
//!   filter {}
//!   delete_marker_replication {
//!     status = "Disabled"
//!   }
//!   destination {
//!     bucket = aws_s3_bucket.replica.arn
//!   }
//! }
//! ```
//!
//! ## Fix safety
//! Safe: the fix adds `delete_marker_replication { status = "Disabled" }`, what a V2
//! rule does when it is allowed to say nothing; set `Enabled` to replicate deletions.
//!
//! ## Root cause
//! A filter was added to a rule written for the older schema, where delete markers
//! needed no setting.
//!
//! ## Impact
//! Deployment blocker: the replication configuration is not created.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-marker-replication.html
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_replication_configuration

use super::{Class, Rule};
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::expr::{block_header, span_of};
use crate::model::{BlockKind, Model};

pub struct S3ReplicationDeleteMarkerMissing;

impl Rule for S3ReplicationDeleteMarkerMissing {
    fn id(&self) -> &'static str {
        "s3-replication-delete-marker-missing"
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
                if b.label(0) != "aws_s3_bucket_replication_configuration" {
                    continue;
                }
                let mut keys = super::OccurrenceKeys::default();
                let src = model.src(b.file);
                for rule in b.body().get_blocks("rule") {
                    let has = |name: &str| rule.body.get_blocks(name).next().is_some();
                    if !has("filter") || has("delete_marker_replication") {
                        continue;
                    }
                    let span = span_of(rule);
                    let id = rule
                        .body
                        .get_attribute("id")
                        .and_then(|a| crate::model::expr::static_str(&a.value))
                        .unwrap_or_default();
                    let mut f = self.finding(
                        b.file,
                        block_header(src, span.clone()),
                        "Filtered replication rule lacks `delete_marker_replication`".into(),
                        format!(
                            "a rule of `{}` has a `filter`, so S3 reads it as the V2 schema, which requires `delete_marker_replication`: S3 refuses the configuration (\"DeleteMarkerReplication must be specified\")",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = keys.key(id);
                    f.fix = crate::edits::append_to_block(
                        model.path(b.file),
                        src,
                        span,
                        "delete_marker_replication {\n  status = \"Disabled\"\n}",
                    )
                    .map(|edit| {
                        Fix::new(
                            "Add `delete_marker_replication { status = \"Disabled\" }`",
                            Applicability::Safe,
                            vec![edit],
                        )
                    });
                    out.push(f);
                }
            }
        }
    }
}
