//! # Database requires a final snapshot (task contract)
//!
//! ## What it does
//! In the `contract` profile: reports an `aws_db_instance`, `aws_rds_cluster`,
//! `aws_docdb_cluster`, `aws_neptune_cluster` or `aws_redshift_cluster` whose
//! `skip_final_snapshot` is absent or `false`.
//!
//! ## Why is this bad?
//! Without `skip_final_snapshot = true`, deleting the database needs a
//! `final_snapshot_identifier`; without one the destroy fails ("final_snapshot_identifier
//! is required when skip_final_snapshot is false"), and with one every test deployment
//! leaves a snapshot behind.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   engine = "postgres"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   engine              = "postgres"
//!   skip_final_snapshot = true
//! }
//! ```
//!
//! ## Fix safety
//! Safe within the contract: the fix sets `skip_final_snapshot = true`.
//!
//! ## Root cause
//! Production defaults were kept for a test deployment.
//!
//! ## Impact
//! Cleanup blocker, or snapshots that accumulate.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance#skip_final_snapshot

use super::{CONTRACT, Class, Rule};
use crate::edits::set_attribute;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::eval::known;
use crate::model::expr::span_of;

const TYPES: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
    "aws_redshift_cluster",
];

pub struct FinalSnapshotRequired;

impl Rule for FinalSnapshotRequired {
    fn id(&self) -> &'static str {
        "final-snapshot-required"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn profile(&self) -> Option<&'static str> {
        Some(CONTRACT)
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module
                .blocks
                .iter()
                .filter(|b| TYPES.iter().any(|t| b.is_resource(t)))
            {
                let attr = b.attr("skip_final_snapshot");
                if let Some(a) = attr {
                    let value = known(module, &a.value);
                    if !value.complete || value.text != "false" {
                        continue;
                    }
                }
                let mut f = self.finding(
                    b.file,
                    attr.map_or_else(|| b.header(), span_of),
                    "Database requires a final snapshot".into(),
                    format!("`{}` does not skip its final snapshot: destroying it fails without `final_snapshot_identifier`, or leaves a snapshot", b.address),
                );
                f.address = Some(b.address.clone());
                f.fix = set_attribute(
                    model.path(b.file),
                    model.src(b.file),
                    b.span.clone(),
                    attr,
                    "skip_final_snapshot",
                    "true",
                )
                .map(|e| {
                    Fix::new(
                        "Set `skip_final_snapshot = true`",
                        Applicability::Safe,
                        vec![e],
                    )
                });
                out.push(f);
            }
        }
    }
}
