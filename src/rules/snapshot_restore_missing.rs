//! # Restore from a snapshot that nothing creates
//!
//! ## What it does
//! Reports the argument that makes a database or cache start from a snapshot when its
//! value is written out in the module (a literal, or a template of locals and variable
//! defaults that is known), and is not a snapshot of the module (an
//! `aws_db_snapshot`, `aws_db_cluster_snapshot`, `aws_redshift_cluster_snapshot` or
//! `aws_elasticache_snapshot` it references) nor one it looks up (a data source): the
//! `snapshot_identifier` of `aws_db_instance`, `aws_rds_cluster`, `aws_docdb_cluster`,
//! `aws_neptune_cluster` and `aws_redshift_cluster`, and the `snapshot_name` and
//! `snapshot_arns` of `aws_elasticache_replication_group` and `aws_elasticache_cluster`.
//! A value from a variable with no default (or a `null` one) is the caller's snapshot,
//! and is not reported; nor is `null`, `""` or a conditional (a restore to choose).
//!
//! ## Why is this bad?
//! These arguments do not name the snapshot to take on deletion (that is
//! `final_snapshot_identifier`); they name one to restore from, at creation. A snapshot
//! that does not exist stops the apply: `DBSnapshotNotFound`, `DBClusterSnapshotNotFoundFault`,
//! `SnapshotNotFoundFault`, `ClusterSnapshotNotFound`. A value that speaks of a "final"
//! snapshot is the usual sign of the mix-up.
//!
//! ## Example
//! ```hcl
//! resource "aws_elasticache_replication_group" "main" {
//!   replication_group_id = "cache"
//!   snapshot_name        = "cache-final-snapshot"
//! }
//! ```
//! Use instead the argument for the snapshot taken on deletion:
//! ```hcl
//! resource "aws_elasticache_replication_group" "main" {
//!   replication_group_id      = "cache"
//!   final_snapshot_identifier = "cache-final-snapshot"
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe, and only when the value speaks of a final snapshot and the resource has a
//! `final_snapshot_identifier` argument that is not set: the fix renames the argument.
//!
//! ## Root cause
//! The restore argument was taken for the one that keeps a snapshot on deletion.
//!
//! ## Impact
//! The database or cache is not created.
//!
//! ## References
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/elasticache_replication_group#snapshot_name-1
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance#snapshot_identifier-1

use hcl_edit::expr::Expression;

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::eval::known;
use crate::model::expr::{RefCollector, Target, span_of};
use crate::model::{BlockInfo, Model, Module};

pub struct SnapshotRestoreMissing;

/// (resource type, restore argument, whether the type has `final_snapshot_identifier`).
const RESTORES: &[(&str, &str, bool)] = &[
    ("aws_db_instance", "snapshot_identifier", true),
    ("aws_rds_cluster", "snapshot_identifier", true),
    ("aws_docdb_cluster", "snapshot_identifier", true),
    ("aws_neptune_cluster", "snapshot_identifier", false),
    ("aws_redshift_cluster", "snapshot_identifier", true),
    ("aws_elasticache_replication_group", "snapshot_name", true),
    ("aws_elasticache_replication_group", "snapshot_arns", true),
    ("aws_elasticache_cluster", "snapshot_name", true),
    ("aws_elasticache_cluster", "snapshot_arns", true),
];

/// Whether the value names a snapshot of the module, one it looks up, or one a caller
/// chooses: a snapshot resource or data source, a module output, or a variable without
/// a default.
fn given(module: &Module<'_>, expr: &Expression) -> bool {
    let mut refs = RefCollector::default();
    refs.expr(expr);
    refs.refs.iter().any(|r| match &r.target {
        // A snapshot resource or lookup; a module's output may be one. Another resource
        // (a `random_string` suffix) only makes up a name.
        Target::Resource { ty, .. } | Target::Data { ty, .. } => ty.contains("snapshot"),
        Target::Module(_) => true,
        // No default, or `null`: the caller's snapshot, or no restore.
        Target::Var(name) => module
            .block(&format!("var.{name}"))
            .and_then(|v| v.attr("default"))
            .is_none_or(|d| matches!(d.value, Expression::Null(_))),
        Target::Local(_) => false,
    })
}

impl Rule for SnapshotRestoreMissing {
    fn id(&self) -> &'static str {
        "snapshot-restore-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for &(ty, arg, has_final) in RESTORES {
                for b in module.resources(ty) {
                    let Some(attr) = b.attr(arg) else {
                        continue;
                    };
                    // `null`, a given snapshot, or a choice (`var.restore ? "…" : null`).
                    if matches!(attr.value, Expression::Null(_) | Expression::Conditional(_))
                        || given(module, &attr.value)
                    {
                        continue;
                    }
                    // Through locals: a local that reads a resource or a variable without
                    // a default is given too.
                    let mut refs = RefCollector::default();
                    refs.expr(&attr.value);
                    let through_local = refs.refs.iter().any(|r| match &r.target {
                        Target::Local(name) => module
                            .locals
                            .iter()
                            .filter(|l| l.name == name.as_str())
                            .any(|l| given(module, &l.attr.value)),
                        _ => false,
                    });
                    if through_local {
                        continue;
                    }
                    let value = known(module, &attr.value);
                    let shown = if value.complete {
                        value.text.clone()
                    } else {
                        model
                            .src(b.file)
                            .get(span_of(&attr.value))
                            .unwrap_or("")
                            .to_string()
                    };
                    if value.complete && value.text.is_empty() {
                        continue;
                    }
                    let finalish = shown.to_ascii_lowercase().contains("final");
                    let mut f = self.finding(
                        b.file,
                        span_of(attr),
                        format!("`{}` restores from a snapshot nothing creates", b.address),
                        format!(
                            "`{arg}` makes `{}` start from the snapshot `{shown}`, which this configuration neither creates nor looks up: creating it fails while no such snapshot exists{}",
                            b.address,
                            if finalish && has_final {
                                "; a snapshot kept on deletion is `final_snapshot_identifier`"
                            } else {
                                ""
                            }
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = arg.to_string();
                    if finalish && has_final && arg != "snapshot_arns" {
                        f.fix = rename(model, b, attr, arg);
                    }
                    out.push(f);
                }
            }
        }
    }
}

/// The argument renamed to `final_snapshot_identifier`, when that one is not set.
fn rename(
    model: &Model<'_>,
    b: &BlockInfo<'_>,
    attr: &hcl_edit::structure::Attribute,
    arg: &str,
) -> Option<Fix> {
    if b.attr("final_snapshot_identifier").is_some() {
        return None;
    }
    let key = span_of(attr);
    let value = span_of(&attr.value);
    let src = model.src(b.file);
    if !src.get(key.start..)?.starts_with(arg) || value.start <= key.start {
        return None;
    }
    // The key and the `=` with its blanks: `final_snapshot_identifier = …`.
    Some(Fix::new(
        "Keep it as the final snapshot: `final_snapshot_identifier`".to_string(),
        Applicability::Unsafe,
        vec![Edit::replace(
            model.path(b.file),
            key.start..value.start,
            "final_snapshot_identifier = ",
        )],
    ))
}
