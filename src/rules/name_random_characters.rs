//! # Lower-case name built from a random value that can hold other characters
//!
//! ## What it does
//! Reports a name that AWS takes in lower case only — an S3 `bucket` or
//! `bucket_prefix`, an RDS, DocumentDB, Neptune or Redshift identifier, an ElastiCache
//! cluster or replication group id — built from a `random_string` or `random_password`
//! that may produce upper-case letters or special characters (`upper` and `special`
//! are on unless set to `false`), or from a `random_id` in base64 (`b64_url`,
//! `b64_std`). The value may be used directly or through a local value. The random
//! block is named as a related place.
//!
//! ## Why is this bad?
//! The name is valid only when the draw happens to be lower case: the apply fails with
//! `InvalidBucketName` (or `InvalidParameterValue`) for most draws, and the error
//! appears long after the review.
//!
//! ## Error
//! ```text
//! Error: validating S3 Bucket (logs-Xa9!) name: only lowercase alphanumeric characters
//! and hyphens allowed in "logs-Xa9!"
//! ```
//!
//! ## Example
//! ```hcl
//! resource "random_string" "suffix" {
//!   length = 8
//! }
//! resource "aws_s3_bucket" "logs" {
//!   bucket = "logs-${random_string.suffix.result}"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "random_string" "suffix" {
//!   length  = 8
//!   upper   = false
//!   special = false
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix sets `upper = false` and `special = false` on the random block,
//! which draws a new value, and every name built from it changes (the resources are
//! replaced).
//!
//! ## Root cause
//! The random resource's defaults (letters of both cases, punctuation) were not
//! checked against the naming rules of the names built from it.
//!
//! ## Impact
//! Deployment blocker: the apply fails for most draws.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
//! https://registry.terraform.io/providers/hashicorp/random/latest/docs/resources/string

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::expr::{RefCollector, Target, span_of};
use crate::model::{BlockInfo, BlockKind, Model, Module};

pub struct NameRandomCharacters;

/// The lower-case names: (resource type, argument).
const LOWER_CASE_NAMES: &[(&str, &str)] = &[
    ("aws_s3_bucket", "bucket"),
    ("aws_s3_bucket", "bucket_prefix"),
    ("aws_db_instance", "identifier"),
    ("aws_db_instance", "identifier_prefix"),
    ("aws_rds_cluster", "cluster_identifier"),
    ("aws_rds_cluster_instance", "identifier"),
    ("aws_docdb_cluster", "cluster_identifier"),
    ("aws_neptune_cluster", "cluster_identifier"),
    ("aws_redshift_cluster", "cluster_identifier"),
    ("aws_elasticache_cluster", "cluster_id"),
    ("aws_elasticache_replication_group", "replication_group_id"),
];

impl Rule for NameRandomCharacters {
    fn id(&self) -> &'static str {
        "name-random-characters"
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
                for (ty, arg) in LOWER_CASE_NAMES {
                    if !b.is_resource(ty) {
                        continue;
                    }
                    let Some(attr) = b.attr(arg) else {
                        continue;
                    };
                    let mut refs = RefCollector::default();
                    refs.expr(&attr.value);
                    let mut targets: Vec<(Target, String)> = refs
                        .refs
                        .iter()
                        .map(|r| (r.target.clone(), text(model, b.file, &r.span)))
                        .collect();
                    // One level of local values: `local.suffix = random_string.x.result`.
                    for r in &refs.refs {
                        let Target::Local(name) = &r.target else {
                            continue;
                        };
                        if let Some(local) = module.locals.iter().find(|l| l.name == name) {
                            let mut inner = RefCollector::default();
                            inner.expr(&local.attr.value);
                            targets.extend(
                                inner
                                    .refs
                                    .iter()
                                    .map(|r| (r.target.clone(), text(model, local.file, &r.span))),
                            );
                        }
                    }
                    let Some((random, why)) = targets
                        .iter()
                        .find_map(|(target, written)| unsafe_random(module, target, written))
                    else {
                        continue;
                    };
                    let mut f = self.finding(
                        b.file,
                        span_of(&attr.value),
                        format!("`{arg}` can get characters AWS refuses"),
                        format!(
                            "`{}` builds its `{arg}` from `{}`, which {why}; AWS takes this name in lower-case letters, digits and hyphens only, so most draws fail the apply",
                            b.address, random.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = arg.to_string();
                    f.related.push(Related {
                        file: random.file,
                        span: random.span.clone(),
                        message: "the random value".to_string(),
                    });
                    f.fix = lower_case_fix(model, random);
                    out.push(f);
                }
            }
        }
    }
}

fn text(model: &Model<'_>, file: usize, span: &std::ops::Range<usize>) -> String {
    model.src(file).get(span.clone()).unwrap_or("").to_string()
}

/// The random block a reference reads, and why its value can hold characters a
/// lower-case name cannot, if it can.
fn unsafe_random<'m, 'a>(
    module: &'m Module<'a>,
    target: &Target,
    written: &str,
) -> Option<(&'m BlockInfo<'a>, String)> {
    let Target::Resource { ty, .. } = target else {
        return None;
    };
    let random = module.block(&target.address())?;
    match ty.as_str() {
        "random_string" | "random_password" => {
            if !written.ends_with(".result") {
                return None;
            }
            let off = |name: &str| {
                random
                    .attr(name)
                    .is_some_and(|a| a.value.as_bool() == Some(false))
            };
            // Special characters limited to `-` (or none) are fine in these names.
            let special_ok = off("special")
                || random.attr("override_special").is_some_and(|a| {
                    crate::model::expr::static_str(&a.value)
                        .is_some_and(|s| s.chars().all(|c| c == '-'))
                });
            let upper = !off("upper");
            let special = !special_ok;
            match (upper, special) {
                (false, false) => None,
                (true, false) => Some((random, "may give upper-case letters (`upper` is on)".into())),
                (false, true) => Some((
                    random,
                    "may give special characters (`special` is on)".into(),
                )),
                (true, true) => Some((
                    random,
                    "may give upper-case letters and special characters (`upper` and `special` are on)"
                        .into(),
                )),
            }
        }
        "random_id" if written.ends_with(".b64_url") || written.ends_with(".b64_std") => Some((
            random,
            "is base64, with upper-case letters (and `_`, `+` or `/`)".into(),
        )),
        _ => None,
    }
}

/// `upper = false` and `special = false` on a `random_string` or `random_password`.
fn lower_case_fix(model: &Model<'_>, random: &BlockInfo<'_>) -> Option<Fix> {
    if !(random.is_resource("random_string") || random.is_resource("random_password")) {
        return None;
    }
    let path = model.path(random.file);
    let src = model.src(random.file);
    let mut edits = Vec::new();
    let mut missing = Vec::new();
    for name in ["upper", "special"] {
        match random.attr(name) {
            Some(a) if a.value.as_bool() == Some(false) => {}
            Some(a) => edits.push(Edit::replace(path, span_of(&a.value), "false")),
            None => missing.push(name),
        }
    }
    if !missing.is_empty() {
        let lines: Vec<String> = missing.iter().map(|n| format!("{n} = false")).collect();
        edits.push(crate::edits::append_to_block(
            path,
            src,
            random.span.clone(),
            &lines.join("\n"),
        )?);
    }
    Some(Fix::new(
        format!(
            "Draw `{}` from lower-case letters and digits only (`upper = false`, `special = false`)",
            random.address
        ),
        Applicability::Unsafe,
        edits,
    ))
}
