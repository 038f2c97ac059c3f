//! # Cross-region read replica of an encrypted database without a KMS key
//!
//! ## What it does
//! Reports an `aws_db_instance` that replicates (`replicate_source_db`) an encrypted
//! `aws_db_instance` of the module created through a different provider configuration
//! (another region), and sets no `kms_key_id`.
//!
//! ## Why is this bad?
//! A KMS key belongs to one region: the source's key cannot encrypt the replica. RDS
//! needs a key of the replica's region and does not pick one itself, so it refuses to
//! create the replica.
//!
//! ## Error
//! ```text
//! InvalidParameterCombination: Cannot create a cross region unencrypted read replica from encrypted source.
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "replica" {
//!   provider            = aws.dr
//!   replicate_source_db = aws_db_instance.primary.arn
//!   instance_class      = "db.r6g.large"
//! }
//! ```
//! Use instead a key of the replica's region:
//! ```hcl
//! resource "aws_db_instance" "replica" {
//!   provider            = aws.dr
//!   replicate_source_db = aws_db_instance.primary.arn
//!   instance_class      = "db.r6g.large"
//!   kms_key_id          = aws_kms_key.dr.arn
//! }
//! ```
//!
//! ## Fix safety
//! No fix: the key of the replica's region may have to be created first.
//!
//! ## Root cause
//! The replica was written as a same-region replica, which inherits the source's key.
//!
//! ## Impact
//! Deployment blocker: the disaster-recovery replica is not created.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::expr::{RefCollector, Target, span_of};
use crate::model::{BlockKind, Model};

pub struct RdsReplicaKmsKeyMissing;

impl Rule for RdsReplicaKmsKeyMissing {
    fn id(&self) -> &'static str {
        "rds-replica-kms-key-missing"
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
                if b.label(0) != "aws_db_instance" || b.attr("kms_key_id").is_some() {
                    continue;
                }
                let Some(source_attr) = b.attr("replicate_source_db") else {
                    continue;
                };
                let mut refs = RefCollector::default();
                refs.expr(&source_attr.value);
                let Some(source) = refs.refs.iter().find_map(|r| match &r.target {
                    Target::Resource { ty, .. } if ty == "aws_db_instance" => {
                        module.block(&r.target.address())
                    }
                    _ => None,
                }) else {
                    continue;
                };
                let encrypted = source
                    .attr("storage_encrypted")
                    .is_some_and(|a| a.value.as_bool() == Some(true));
                let region = |p: &Option<crate::model::ProviderRef>| {
                    p.as_ref().and_then(|p| p.alias.clone())
                };
                if !encrypted || region(&b.provider) == region(&source.provider) {
                    continue;
                }
                let mut f = self.finding(
                    b.file,
                    span_of(source_attr),
                    format!("Cross-region replica `{}` has no KMS key", b.address),
                    format!(
                        "`{}` replicates the encrypted `{}` through another provider configuration (region) and sets no `kms_key_id`: RDS refuses it (\"Cannot create a cross region unencrypted read replica from encrypted source\")",
                        b.address, source.address
                    ),
                );
                f.address = Some(b.address.clone());
                f.related.push(Related {
                    file: source.file,
                    span: source.header(),
                    message: "the encrypted source".into(),
                });
                out.push(f);
            }
        }
    }
}
