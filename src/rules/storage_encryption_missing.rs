//! # Database or volume without encryption at rest
//!
//! ## What it does
//! Reports a data store whose encryption at rest is left out or turned off (`false`
//! written, or the only value its variable or local can take):
//! - `aws_db_instance` (`storage_encrypted`; not for a read replica, which takes its
//!   source's, nor for an instance restored from a snapshot);
//! - `aws_rds_cluster`, `aws_docdb_cluster`, `aws_neptune_cluster`
//!   (`storage_encrypted`; not for a cluster restored from a snapshot or a member of a
//!   global cluster, which take theirs, nor for Aurora Serverless v1, always encrypted);
//! - `aws_ebs_volume` and `aws_efs_file_system` (`encrypted`);
//! - `aws_elasticache_replication_group` (`at_rest_encryption_enabled`);
//! - `aws_kinesis_stream` (`encryption_type = "KMS"`);
//! - `aws_opensearch_domain` / `aws_elasticsearch_domain` (`encrypt_at_rest`).
//!
//! ## Why is this bad?
//! These default to unencrypted storage. The data, its snapshots and backups are then
//! readable by anyone who gets at the storage or a copied snapshot, and the setting
//! cannot be changed later without replacing the resource (a new database, a new
//! volume). Compliance baselines (CIS, PCI DSS, HIPAA) require it.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "app" {
//!   engine         = "postgres"
//!   instance_class = "db.t3.medium"
//! }
//! ```
//! Use instead:
//! ```hcl
//!   storage_encrypted = true
//!   kms_key_id        = aws_kms_key.rds.arn
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix sets the argument to `true` (for a Kinesis stream that sets neither,
//! `encryption_type = "KMS"` with the AWS key for Kinesis); on an existing resource
//! that replaces it, with its data. Search domains have no fix.
//!
//! ## Root cause
//! The storage was written for function, and the default taken for the safe one.
//!
//! ## Impact
//! Data readable at rest; an audit finding that costs a migration to fix later.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html
//! - https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-3

use super::{Class, Rule};
use crate::finding::{Applicability, Finding, Fix, Related, Severity};
use crate::model::eval::literal_sources;
use crate::model::expr::span_of;
use crate::model::{BlockInfo, BlockKind, Model, Module};

pub struct StorageEncryptionMissing;

/// `(type, argument, what it is)`: a bool argument that turns encryption on.
const FLAGS: &[(&str, &str, &str)] = &[
    ("aws_db_instance", "storage_encrypted", "database"),
    ("aws_rds_cluster", "storage_encrypted", "database cluster"),
    (
        "aws_docdb_cluster",
        "storage_encrypted",
        "DocumentDB cluster",
    ),
    (
        "aws_neptune_cluster",
        "storage_encrypted",
        "Neptune cluster",
    ),
    ("aws_ebs_volume", "encrypted", "EBS volume"),
    ("aws_efs_file_system", "encrypted", "EFS file system"),
    (
        "aws_elasticache_replication_group",
        "at_rest_encryption_enabled",
        "cache",
    ),
];

/// Arguments that make a resource take its encryption from elsewhere.
const INHERITS: &[&str] = &[
    "replicate_source_db",
    "snapshot_identifier",
    "global_cluster_identifier",
    "source_db_cluster_identifier",
    "replication_source_identifier",
    "restore_to_point_in_time",
];

impl Rule for StorageEncryptionMissing {
    fn id(&self) -> &'static str {
        "storage-encryption-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks_of(BlockKind::Resource) {
                let ty = b.label(0);
                if let Some(&(_, arg, what)) = FLAGS.iter().find(|(t, _, _)| *t == ty) {
                    // Aurora Serverless v1 is always encrypted.
                    let serverless = b
                        .attr("engine_mode")
                        .and_then(|a| crate::model::expr::static_str(&a.value))
                        == Some("serverless".to_string());
                    if serverless
                        || INHERITS.iter().any(|k| b.attr(k).is_some())
                        || b.body()
                            .blocks()
                            .any(|x| x.ident.as_str() == "restore_to_point_in_time")
                    {
                        continue;
                    }
                    self.flag(model, module, b, arg, what, out);
                } else if ty == "aws_kinesis_stream" {
                    let off = match b.attr("encryption_type") {
                        None => true,
                        Some(a) => {
                            let values = literal_sources(model, module, b.file, &a.value);
                            !values.is_empty()
                                && values.iter().all(|(_, e)| {
                                    crate::model::expr::static_str(e).as_deref() == Some("NONE")
                                })
                        }
                    };
                    if off {
                        let mut f = self.base(b, "Kinesis stream", "encryption_type");
                        if b.attr("encryption_type").is_some() {
                            f.message = format!(
                                "`{}` sets `encryption_type = \"NONE\"`: the stream's records are not encrypted at rest",
                                b.address
                            );
                        }
                        let untouched =
                            b.attr("encryption_type").is_none() && b.attr("kms_key_id").is_none();
                        f.fix = untouched
                            .then(|| {
                                crate::edits::append_to_block(
                                    model.path(b.file),
                                    model.src(b.file),
                                    b.span.clone(),
                                    "encryption_type = \"KMS\"\nkms_key_id      = \"alias/aws/kinesis\"",
                                )
                            })
                            .flatten()
                            .map(|e| {
                                Fix::new(
                                    "Encrypt the stream with the AWS key for Kinesis",
                                    Applicability::Unsafe,
                                    vec![e],
                                )
                            });
                        out.push(f);
                    }
                } else if ty == "aws_opensearch_domain" || ty == "aws_elasticsearch_domain" {
                    let on = b
                        .body()
                        .blocks()
                        .find(|x| x.ident.as_str() == "encrypt_at_rest")
                        .is_some_and(|x| {
                            x.body
                                .get_attribute("enabled")
                                .is_some_and(|a| a.value.as_bool() != Some(false))
                        });
                    if !on {
                        let mut f = self.base(b, "search domain", "encrypt_at_rest");
                        f.message = format!(
                            "`{}` has no enabled `encrypt_at_rest` block: the domain's indices and snapshots are not encrypted, and turning it on later replaces the domain",
                            b.address
                        );
                        out.push(f);
                    }
                }
            }
        }
    }
}

impl StorageEncryptionMissing {
    fn base(&self, b: &BlockInfo<'_>, what: &str, arg: &str) -> Finding {
        let mut f = self.finding(
            b.file,
            b.header(),
            format!("{} `{}` is not encrypted at rest", super::capitalise(what), b.label(1)),
            format!(
                "`{}` leaves `{arg}` out: the {what}'s storage, snapshots and backups are not encrypted, and turning it on later replaces the resource",
                b.address
            ),
        );
        f.address = Some(b.address.clone());
        f.key = arg.to_string();
        f
    }

    fn flag(
        &self,
        model: &Model<'_>,
        module: &Module<'_>,
        b: &BlockInfo<'_>,
        arg: &str,
        what: &str,
        out: &mut Vec<Finding>,
    ) {
        let path = model.path(b.file);
        let src = model.src(b.file);
        let mut f = match b.attr(arg) {
            None => {
                let mut f = self.base(b, what, arg);
                f.fix = crate::edits::append_to_block(
                    path,
                    src,
                    b.span.clone(),
                    &format!("{arg} = true"),
                )
                .map(|e| {
                    Fix::new(
                        format!("Encrypt the {what} (`{arg} = true`)"),
                        Applicability::Unsafe,
                        vec![e],
                    )
                });
                f
            }
            Some(attr) => {
                let values = literal_sources(model, module, b.file, &attr.value);
                let off =
                    !values.is_empty() && values.iter().all(|(_, e)| e.as_bool() == Some(false));
                if !off {
                    return;
                }
                let mut f = self.finding(
                    b.file,
                    span_of(attr),
                    format!("{} `{}` is not encrypted at rest", super::capitalise(what), b.label(1)),
                    format!(
                        "`{}` sets `{arg}` to false: the {what}'s storage, snapshots and backups are not encrypted, and turning it on later replaces the resource",
                        b.address
                    ),
                );
                f.address = Some(b.address.clone());
                f.key = arg.to_string();
                let written = matches!(attr.value, hcl_edit::expr::Expression::Bool(_));
                f.related = values
                    .iter()
                    .filter(|(file, e)| {
                        !(written && *file == b.file && span_of(*e) == span_of(&attr.value))
                    })
                    .map(|(file, e)| Related {
                        file: *file,
                        span: span_of(*e),
                        message: "where it is set to false".into(),
                    })
                    .collect();
                if written {
                    f.fix = Some(Fix::new(
                        format!("Encrypt the {what} (`{arg} = true`)"),
                        Applicability::Unsafe,
                        vec![crate::finding::Edit::replace(
                            path,
                            span_of(&attr.value),
                            "true",
                        )],
                    ));
                }
                f
            }
        };
        f.address = Some(b.address.clone());
        out.push(f);
    }
}
