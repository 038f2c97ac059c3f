//! # S3 ACL on a bucket whose ACLs are disabled
//!
//! ## What it does
//! Reports, for a bucket (`aws_s3_bucket`) of the module whose ACLs are disabled — no
//! `aws_s3_bucket_ownership_controls` names it (a new bucket's default is
//! `BucketOwnerEnforced`), or one sets `object_ownership = "BucketOwnerEnforced"`:
//! - an `aws_s3_bucket_acl` of that bucket (any ACL, `private` included);
//! - an `aws_cloudfront_distribution` whose `logging_config` writes to it (CloudFront's
//!   standard logs are delivered with an ACL).
//!
//! ## Why is this bad?
//! Since April 2023 a new bucket has Object Ownership `BucketOwnerEnforced`: ACLs are
//! disabled. S3 refuses the ACL (`AccessControlListNotSupported: The bucket does not
//! allow ACLs`) and CloudFront refuses the logging bucket (`InvalidArgument: The S3 bucket
//! that you specified for CloudFront logs does not enable ACL access`), so `apply`
//! fails.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "logs" {
//!   bucket = "app-logs"
//! }
//!
//! resource "aws_s3_bucket_acl" "logs" {
//!   bucket = aws_s3_bucket.logs.id
//!   acl    = "log-delivery-write"
//! }
//! ```
//! Use instead ownership controls that keep ACLs, applied before the ACL:
//! ```hcl
//! resource "aws_s3_bucket_ownership_controls" "logs" {
//!   bucket = aws_s3_bucket.logs.id
//!   rule {
//!     object_ownership = "BucketOwnerPreferred"
//!   }
//! }
//!
//! resource "aws_s3_bucket_acl" "logs" {
//!   depends_on = [aws_s3_bucket_ownership_controls.logs]
//!   bucket     = aws_s3_bucket.logs.id
//!   acl        = "log-delivery-write"
//! }
//! ```
//! (Or, for a private bucket, no ACL at all: with ACLs disabled it is private already.)
//!
//! ## Fix safety
//! Unsafe: the fix adds `aws_s3_bucket_ownership_controls` with `BucketOwnerPreferred`
//! (or changes `BucketOwnerEnforced` to it) and makes the ACL or distribution wait for
//! it. That turns ACLs back on for the bucket; AWS recommends keeping them off where
//! nothing needs them.
//!
//! ## Root cause
//! ACL-based examples written before S3 disabled ACLs by default.
//!
//! ## Impact
//! Deployment blocker: the ACL or the distribution is not created.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
//! - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html#AccessLogsBucketAndFileOwnership
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_acl

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::expr::{span_of, static_str};
use crate::model::{BlockInfo, BlockKind, Model, Module};

pub struct S3AclDisabled;

const CONTROLS: &str = "aws_s3_bucket_ownership_controls";

impl Rule for S3AclDisabled {
    fn id(&self) -> &'static str {
        "s3-acl-disabled"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for user in module.blocks_of(BlockKind::Resource) {
                let (attr, acl) = if user.is_resource("aws_s3_bucket_acl") {
                    (user.attr("bucket"), true)
                } else if user.is_resource("aws_cloudfront_distribution") {
                    let logging = user
                        .body()
                        .blocks()
                        .find(|l| l.ident.as_str() == "logging_config");
                    (logging.and_then(|l| l.body.get_attribute("bucket")), false)
                } else {
                    continue;
                };
                let Some(attr) = attr else {
                    continue;
                };
                let Some(bucket) = module.referenced(&attr.value, &["aws_s3_bucket"]) else {
                    continue;
                };
                // A bucket made per `count`/`for_each` item: its controls may be too.
                if bucket.attr("count").is_some() || bucket.attr("for_each").is_some() {
                    continue;
                }
                let Some(controls) = controls_of(module, bucket) else {
                    continue;
                };
                let enforced: Vec<&(&BlockInfo<'_>, Option<String>)> = controls
                    .iter()
                    .filter(|(_, o)| o.as_deref() == Some("BucketOwnerEnforced"))
                    .collect();
                let keeps_acls = controls.iter().any(|(_, o)| {
                    matches!(
                        o.as_deref(),
                        Some("BucketOwnerPreferred" | "ObjectWriter") | None
                    )
                });
                if keeps_acls {
                    continue;
                }
                let (why, related, fix) = match enforced.first() {
                    Some((c, _)) => {
                        let value = c
                            .body()
                            .blocks()
                            .find(|r| r.ident.as_str() == "rule")
                            .and_then(|r| r.body.get_attribute("object_ownership"));
                        let fix = value.map(|v| {
                            Fix::new(
                                "Keep ACLs on the bucket (`BucketOwnerPreferred`)",
                                Applicability::Unsafe,
                                vec![Edit::replace(
                                    model.path(c.file),
                                    span_of(&v.value),
                                    "\"BucketOwnerPreferred\"",
                                )],
                            )
                        });
                        (
                            format!("`{}` sets `BucketOwnerEnforced`, which disables ACLs", c.address),
                            vec![Related {
                                file: c.file,
                                span: value.map_or_else(|| c.header(), span_of),
                                message: "ACLs disabled here".into(),
                            }],
                            fix,
                        )
                    }
                    None => (
                        format!("no `{CONTROLS}` names it, so it has ACLs disabled (`BucketOwnerEnforced`, the default for new buckets)"),
                        Vec::new(),
                        add_controls(model, module, user, bucket).map(|edits| {
                            Fix::new(
                                "Add ownership controls that keep ACLs (`BucketOwnerPreferred`) and wait for them",
                                Applicability::Unsafe,
                                edits,
                            )
                        }),
                    ),
                };
                let (title, does, refusal) = if acl {
                    (
                        "ACL on a bucket without ACLs",
                        "sets an ACL on",
                        "S3 refuses the ACL (\"AccessControlListNotSupported: The bucket does not allow ACLs\")",
                    )
                } else {
                    (
                        "CloudFront logs to a bucket without ACLs",
                        "writes its standard logs to",
                        "CloudFront refuses the distribution (\"The S3 bucket that you specified for CloudFront logs does not enable ACL access\")",
                    )
                };
                let mut f = self.finding(
                    user.file,
                    span_of(attr),
                    title.to_string(),
                    format!(
                        "`{}` {does} `{}`, but {why}: {refusal}",
                        user.address, bucket.address
                    ),
                );
                f.address = Some(user.address.clone());
                f.key = "bucket".into();
                f.related = related;
                f.related.push(Related {
                    file: bucket.file,
                    span: bucket.header(),
                    message: "the bucket".into(),
                });
                f.fix = fix;
                out.push(f);
            }
        }
    }
}

/// The ownership controls that name `bucket`, each with its `object_ownership` when it
/// is written (`None`: not known, from a variable). `None` when some ownership controls
/// of the module name a bucket that cannot be told (a variable, a name): they may be
/// this bucket's.
fn controls_of<'m, 'a>(
    module: &'m Module<'a>,
    bucket: &BlockInfo<'a>,
) -> Option<Vec<(&'m BlockInfo<'a>, Option<String>)>> {
    let mut out = Vec::new();
    for c in module.resources(CONTROLS) {
        let named = c
            .attr("bucket")
            .and_then(|a| module.referenced(&a.value, &["aws_s3_bucket"]))?;
        if named.address != bucket.address {
            continue;
        }
        let ownership = c
            .body()
            .blocks()
            .find(|r| r.ident.as_str() == "rule")
            .and_then(|r| r.body.get_attribute("object_ownership"))
            .and_then(|a| static_str(&a.value));
        out.push((c, ownership));
    }
    Some(out)
}

/// The edits that add ownership controls keeping ACLs for `bucket`, and make `user` wait
/// for them.
fn add_controls(
    model: &Model<'_>,
    module: &Module<'_>,
    user: &BlockInfo<'_>,
    bucket: &BlockInfo<'_>,
) -> Option<Vec<Edit>> {
    let add = crate::model::companion::companion_edit(
        model,
        module,
        bucket,
        CONTROLS,
        "bucket",
        "rule {\n  object_ownership = \"BucketOwnerPreferred\"\n}",
    )?;
    let name = crate::model::companion::companion_name(module, CONTROLS, bucket);
    let wait = crate::edits::depend_on(model, user, &format!("{CONTROLS}.{name}"))?;
    Some(vec![add, wait])
}
