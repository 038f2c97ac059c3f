//! # S3 bucket without a public access block
//!
//! ## What it does
//! Reports an `aws_s3_bucket` that no `aws_s3_bucket_public_access_block` names.
//! Buckets configured as websites (`aws_s3_bucket_website_configuration`) are meant to
//! be public and are not reported.
//!
//! ## Why is this bad?
//! Without a bucket-level block, a later ACL or bucket policy can make objects public; the
//! block is the guard that reviews and baselines (CIS 2.1.5) expect on every bucket.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "data" {
//!   bucket = "data"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_s3_bucket_public_access_block" "data" {
//!   bucket                  = aws_s3_bucket.data.id
//!   block_public_acls       = true
//!   block_public_policy     = true
//!   ignore_public_acls      = true
//!   restrict_public_buckets = true
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe. The fix adds the block with all four settings on; a bucket that is meant to be
//! reachable through a public policy stops being so.
//!
//! ## Root cause
//! The bucket was created without the hardening resources that go with it.
//!
//! ## Impact
//! Security: one policy mistake away from public data.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html

use super::{Class, Rule};
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::companion::{companion_edit, has_companion};

const TYPE: &str = "aws_s3_bucket_public_access_block";

pub struct S3PublicAccessBlockMissing;

impl Rule for S3PublicAccessBlockMissing {
    fn id(&self) -> &'static str {
        "s3-public-access-block-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.resources("aws_s3_bucket") {
                if has_companion(module, b, TYPE, "bucket")
                    || has_companion(module, b, "aws_s3_bucket_website_configuration", "bucket")
                {
                    continue;
                }
                let mut f = self.finding(
                    b.file,
                    b.header(),
                    "S3 bucket has no public access block".into(),
                    format!(
                        "no `{TYPE}` names `{}`: a later ACL or policy can make its objects public",
                        b.address
                    ),
                );
                f.address = Some(b.address.clone());
                let body = "block_public_acls       = true\nblock_public_policy     = true\nignore_public_acls      = true\nrestrict_public_buckets = true";
                f.fix = companion_edit(model, module, b, TYPE, "bucket", body).map(|e| {
                    Fix::new(
                        "Block public access to the bucket",
                        Applicability::Unsafe,
                        vec![e],
                    )
                });
                out.push(f);
            }
        }
    }
}
