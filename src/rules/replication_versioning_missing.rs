//! # S3 replication before versioning
//!
//! ## What it does
//! Reports an `aws_s3_bucket_replication_configuration` of the module when the
//! versioning that S3 requires for it is missing or not waited for:
//! - its source bucket, or a destination bucket of the module, has no versioning
//!   enabled: no `aws_s3_bucket_versioning` names it with `status = "Enabled"` (or a
//!   value that cannot be known), and the bucket has no `versioning { enabled = true }`;
//! - the source bucket's or a destination bucket's `aws_s3_bucket_versioning` is a
//!   resource of its own, and the replication configuration does not wait for it
//!   (nothing it references or names in `depends_on` leads to it).
//!
//! ## Why is this bad?
//! S3 accepts a replication configuration only on a bucket whose versioning is enabled,
//! and only towards versioned buckets. Without versioning the apply fails with
//! `InvalidRequest: Versioning must be 'Enabled' on the bucket to apply a replication
//! configuration` (or `Destination bucket must have versioning enabled`); with
//! versioning created alongside and not waited for, Terraform may send the replication
//! configuration first and fail the same way on some applies. Referencing the
//! destination bucket's ARN orders the configuration after the bucket, not after its
//! versioning. The
//! provider's documentation gives the replication configuration a `depends_on` on the
//! source bucket's versioning for this reason.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket_versioning" "source" {
//!   bucket = aws_s3_bucket.source.id
//!   versioning_configuration {
//!     status = "Enabled"
//!   }
//! }
//!
//! resource "aws_s3_bucket_replication_configuration" "source" {
//!   role   = aws_iam_role.replication.arn
//!   bucket = aws_s3_bucket.source.id
//!   # …
//! }
//! ```
//! Use instead a dependency on the versioning:
//! ```hcl
//! resource "aws_s3_bucket_replication_configuration" "source" {
//!   depends_on = [aws_s3_bucket_versioning.source]
//!   role       = aws_iam_role.replication.arn
//!   bucket     = aws_s3_bucket.source.id
//!   # …
//! }
//! ```
//!
//! A destination's versioning not waited for is reported at medium severity: the race
//! is lost less often than the source's.
//!
//! ## Fix safety
//! Safe for the missing dependency: it adds the versioning resource to `depends_on`. No
//! fix for missing versioning: enabling it changes how the bucket keeps objects (and
//! what it costs).
//!
//! ## Root cause
//! Versioning and replication were written as separate resources of the same bucket,
//! with no order between them.
//!
//! ## Impact
//! An apply that fails, always (no versioning) or on some runs (not waited for).
//!
//! ## References
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_replication_configuration
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::eval::known;
use crate::model::expr::span_of;
use crate::model::{BlockInfo, Model, Module};

pub struct ReplicationVersioningMissing;

/// The versioning of a bucket: the `aws_s3_bucket_versioning` blocks (by index) that
/// name it, and whether any of them, or the bucket itself, may enable it (as may one
/// whose bucket cannot be told: `for_each` over buckets, a local).
fn versioning(module: &Module<'_>, bucket: &BlockInfo<'_>) -> (Vec<usize>, bool) {
    let inline = bucket.body().get_blocks("versioning").any(|v| {
        v.body
            .get_attribute("enabled")
            .is_none_or(|e| e.value.as_bool() != Some(false))
    });
    let mut found = Vec::new();
    let mut enabled = inline;
    for i in module.resource_indexes(&["aws_s3_bucket_versioning"]) {
        let Some(v) = module.blocks.get(i) else {
            continue;
        };
        let named = v
            .attr("bucket")
            .and_then(|a| module.referenced(&a.value, &["aws_s3_bucket"]));
        match named {
            Some(b) if b.address == bucket.address => {}
            Some(_) => continue,
            // `bucket = each.value.id`, a local: it may be this bucket's.
            None => {
                enabled = true;
                continue;
            }
        }
        found.push(i);
        let on = v
            .body()
            .get_blocks("versioning_configuration")
            .filter_map(|c| c.body.get_attribute("status"))
            .any(|s| {
                let k = known(module, &s.value);
                !k.complete || k.text == "Enabled"
            });
        enabled |= on;
    }
    (found, enabled)
}

impl Rule for ReplicationVersioningMissing {
    fn id(&self) -> &'static str {
        "replication-versioning-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        // A versioning resource in a file that did not parse may be missing from the
        // index.
        for module in model.modules.iter().filter(|m| m.terraform_parsed()) {
            for index in module.resource_indexes(&["aws_s3_bucket_replication_configuration"]) {
                let Some(r) = module.blocks.get(index) else {
                    continue;
                };
                let Some(bucket_attr) = r.attr("bucket") else {
                    continue;
                };
                let Some(source) = module.referenced(&bucket_attr.value, &["aws_s3_bucket"]) else {
                    continue;
                };
                let mut buckets = vec![(source, span_of(&bucket_attr.value), "source")];
                for rule in r.body().get_blocks("rule") {
                    for dest in rule.body.get_blocks("destination") {
                        if let Some(b) = dest.body.get_attribute("bucket")
                            && let Some(d) = module.referenced(&b.value, &["aws_s3_bucket"])
                            && !buckets.iter().any(|(x, _, _)| x.address == d.address)
                        {
                            buckets.push((d, span_of(&b.value), "destination"));
                        }
                    }
                }
                let waits = module.dependencies(index);
                for (bucket, span, role) in buckets {
                    let (resources, enabled) = versioning(module, bucket);
                    if !enabled {
                        let mut f = self.finding(
                            r.file,
                            span,
                            format!(
                                "Replication {} an unversioned bucket: `{}`",
                                if role == "source" { "from" } else { "to" },
                                bucket.address
                            ),
                            format!(
                                "`{}` replicates {} `{}`, which has no versioning enabled (no `aws_s3_bucket_versioning` with `status = \"Enabled\"` names it): S3 refuses the configuration, `InvalidRequest: Versioning must be 'Enabled' on the bucket`",
                                r.address,
                                if role == "source" { "from" } else { "to" },
                                bucket.address
                            ),
                        );
                        f.address = Some(r.address.clone());
                        f.key = format!("{role} {}", bucket.address);
                        f.related.push(Related {
                            file: bucket.file,
                            span: bucket.header(),
                            message: format!("the {role} bucket, not versioned"),
                        });
                        out.push(f);
                        continue;
                    }
                    // The source's and the destinations' versioning must be in place
                    // first.
                    if resources.is_empty()
                        || resources
                            .iter()
                            .any(|&v| waits.get(v).copied().unwrap_or(false))
                    {
                        continue;
                    }
                    let Some(first) = resources.first().and_then(|&v| module.blocks.get(v)) else {
                        continue;
                    };
                    let mut f = self.finding(
                        r.file,
                        r.header(),
                        format!("`{}` does not wait for `{}`", r.address, first.address),
                        format!(
                            "`{}` neither references nor depends on `{}`, which enables versioning on the {role} bucket `{}`: Terraform may send the replication configuration first, and S3 refuses it until versioning is on ({})",
                            r.address,
                            first.address,
                            bucket.address,
                            if role == "source" {
                                "`InvalidRequest: Versioning must be 'Enabled' on the bucket`"
                            } else {
                                "`InvalidRequest: Destination bucket must have versioning enabled`"
                            }
                        ),
                    );
                    f.address = Some(r.address.clone());
                    f.key = first.address.clone();
                    // The destination's versioning is usually older than the source's
                    // replication (the race is lost less often): medium.
                    if role != "source" {
                        f.severity = Severity::Medium;
                    }
                    f.related.push(Related {
                        file: first.file,
                        span: first.header(),
                        message: "the versioning, which must come first".into(),
                    });
                    f.fix = crate::edits::depend_on_fix(model, r, &first.address);
                    out.push(f);
                }
            }
        }
    }
}
