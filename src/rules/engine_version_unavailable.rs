//! # Database engine version RDS no longer offers
//!
//! ## What it does
//! Reports the `engine_version` of an `aws_db_instance`, `aws_rds_cluster` or
//! `aws_rds_global_cluster` (engine and version followed through variables, tfvars and
//! locals) that names a minor version RDS has retired, and of an
//! `aws_dms_replication_instance` that names a retired DMS replication engine (`3.4.7`,
//! `3.5.1`). The table holds, per engine and major version, the newest minor version
//! that AWS was seen refusing ("Cannot find version", "No replication engine found with
//! version") in deployments of the corpus's task folders outside the evaluation's test
//! split, or that their write-ups name as withdrawn; RDS retires minor versions oldest
//! first, so every older minor of that major is retired too. Aurora MySQL's release
//! lines 3.01 and 3.02 (`8.0.mysql_aurora.3.02.0`) are retired whole. A major version
//! alone (`"15"`) lets RDS choose a current minor and is never reported.
//!
//! ## Why is this bad?
//! Creating the database fails; nothing that depends on it is created either.
//!
//! ## Error
//! ```text
//! InvalidParameterCombination: Cannot find version 15.4 for postgres
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   engine         = "postgres"
//!   engine_version = "15.4"
//! }
//! ```
//! Use instead the major version, with minor upgrades on:
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   engine                     = "postgres"
//!   engine_version             = "15"
//!   auto_minor_version_upgrade = true
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe. For an `aws_db_instance` the fix keeps only the major version, which RDS
//! resolves to its current default minor: check that the application supports it.
//!
//! ## Root cause
//! A version that was current when the example or training data was written; RDS
//! supports each minor version for about a year.
//!
//! ## Impact
//! Deployment blocker.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html
//! https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::eval::{Written, known, written_at};
use crate::model::expr::span_of;
use crate::model::{BlockKind, Model};

/// `(engine, major, newest retired minor)`: every `major.minor` with minor at or below
/// it is retired.
/// Aurora MySQL writes its own version after the MySQL one (`8.0.mysql_aurora.3.02.0`):
/// there the "major" is the release line (`3.02`) and every patch of it is retired. DMS
/// replication instances (`engine` `dms` here) are versioned `3.5.1`.
const RETIRED: &[(&str, &str, u32)] = &[
    ("postgres", "15", 4),
    ("postgres", "14", 10),
    ("aurora-postgresql", "15", 4),
    ("aurora-postgresql", "13", 7),
    ("mysql", "8.0", 35),
    ("aurora-mysql", "8.0.mysql_aurora.3.01", u32::MAX),
    ("aurora-mysql", "8.0.mysql_aurora.3.02", u32::MAX),
    ("dms", "3.4", u32::MAX),
    ("dms", "3.5", 1),
];

pub struct EngineVersionUnavailable;

impl Rule for EngineVersionUnavailable {
    fn id(&self) -> &'static str {
        "engine-version-unavailable"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks_of(BlockKind::Resource) {
                let dms = b.is_resource("aws_dms_replication_instance");
                if !(dms
                    || b.is_resource("aws_db_instance")
                    || b.is_resource("aws_rds_cluster")
                    || b.is_resource("aws_rds_global_cluster"))
                {
                    continue;
                }
                let Some(version) = b.attr("engine_version") else {
                    continue;
                };
                let engine = if dms {
                    "dms".to_string()
                } else {
                    let Some(engine) = b.attr("engine") else {
                        continue;
                    };
                    known(module, &engine.value).text
                };
                let written = known(module, &version.value);
                if !written.complete {
                    continue;
                }
                let Some((major, minor)) = written.text.rsplit_once('.') else {
                    continue;
                };
                let Ok(minor) = minor.parse::<u32>() else {
                    continue;
                };
                let Some(&(_, _, newest)) = RETIRED
                    .iter()
                    .find(|(e, m, newest)| *e == engine && *m == major && minor <= *newest)
                else {
                    continue;
                };
                let Written { file, span, own } = written_at(model, module, b.file, &version.value);
                let (service, refusal, instead) = if dms {
                    (
                        "DMS",
                        "No replication engine found with version",
                        "a current replication engine version, or leave `engine_version` out for DMS's default".to_string(),
                    )
                } else if newest == u32::MAX {
                    (
                        "RDS",
                        "Cannot find version",
                        "a current version".to_string(),
                    )
                } else {
                    (
                        "RDS",
                        "Cannot find version",
                        format!("the major version `{major}` or a current minor"),
                    )
                };
                let retired = if newest == u32::MAX {
                    format!("no {major}.x is offered any more")
                } else {
                    format!("{major}.{newest} and older are retired")
                };
                let mut f = self.finding(
                    file,
                    span.clone(),
                    format!("{service} no longer offers {engine} {}", written.text),
                    format!(
                        "`{}` asks for {engine} {}, a version {service} has retired ({retired}, and creating it fails with \"{refusal}\"); give {instead}",
                        b.address, written.text
                    ),
                );
                f.address = Some(b.address.clone());
                f.key = written.text.clone();
                if !own {
                    f.related.push(Related {
                        file: b.file,
                        span: span_of(&version.value),
                        message: format!("the engine_version of `{}`", b.address),
                    });
                }
                if own && b.is_resource("aws_db_instance") {
                    f.fix = Some(Fix::new(
                        format!("Ask for {engine} {major}"),
                        Applicability::Unsafe,
                        vec![Edit::replace(
                            model.path(file),
                            span,
                            format!("\"{major}\""),
                        )],
                    ));
                }
                out.push(f);
            }
        }
    }
}
