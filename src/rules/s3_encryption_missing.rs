//! # S3 bucket without an encryption configuration
//!
//! ## What it does
//! Reports an `aws_s3_bucket` with neither an inline
//! `server_side_encryption_configuration` block nor an
//! `aws_s3_bucket_server_side_encryption_configuration` that names it.
//!
//! ## Why is this bad?
//! S3 encrypts new objects with S3-managed keys by default, but a review cannot tell
//! whether that default is what was intended, and baselines ask for the encryption to be
//! declared (and often to use KMS). Reviewers report the missing configuration.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "data" {
//!   bucket = "data"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
//!   bucket = aws_s3_bucket.data.id
//!   rule {
//!     apply_server_side_encryption_by_default {
//!       sse_algorithm = "AES256"
//!     }
//!   }
//! }
//! ```
//!
//! ## Fix safety
//! Safe. The fix declares AES256, which is what S3 applies by default today.
//!
//! ## Root cause
//! The bucket was created without the hardening resources that go with it.
//!
//! ## Impact
//! Security and compliance: encryption at rest is not stated.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html

use super::{Class, Rule};
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::companion::{companion_edit, has_companion};

const TYPE: &str = "aws_s3_bucket_server_side_encryption_configuration";

pub struct S3EncryptionMissing;

impl Rule for S3EncryptionMissing {
    fn id(&self) -> &'static str {
        "s3-encryption-missing"
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
                if b.body()
                    .get_blocks("server_side_encryption_configuration")
                    .next()
                    .is_some()
                    || has_companion(module, b, TYPE, "bucket")
                {
                    continue;
                }
                let mut f = self.finding(
                    b.file,
                    b.header(),
                    "S3 bucket has no encryption configuration".into(),
                    format!(
                        "`{}` declares no server-side encryption; no `{TYPE}` names it",
                        b.address
                    ),
                );
                f.address = Some(b.address.clone());
                let body = "rule {\n  apply_server_side_encryption_by_default {\n    sse_algorithm = \"AES256\"\n  }\n}";
                f.fix = companion_edit(model, module, b, TYPE, "bucket", body).map(|e| {
                    Fix::new(
                        "Declare AES256 server-side encryption",
                        Applicability::Safe,
                        vec![e],
                    )
                });
                out.push(f);
            }
        }
    }
}
