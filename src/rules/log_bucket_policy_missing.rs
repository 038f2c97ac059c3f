//! # Service delivers logs to a bucket whose policy does not let it write
//!
//! ## What it does
//! Reports a CloudTrail trail (`s3_bucket_name`) or a load balancer with access logs
//! enabled (`access_logs { bucket, enabled = true }`) whose bucket is created in the same
//! module, when no `aws_s3_bucket_policy` of that bucket grants the delivering service:
//! `cloudtrail.amazonaws.com` for a trail; for access logs, the Elastic Load Balancing
//! account of the region (`data.aws_elb_service_account`, or its account ID), or
//! `logdelivery.elasticloadbalancing.amazonaws.com` / `delivery.logs.amazonaws.com`.
//! The caller's own account as principal does not let the service write. When the
//! policy does let the service write but the trail or load balancer neither references
//! nor depends on it, Terraform may create them first: that is reported at medium
//! severity, with a fix that adds the `depends_on` the provider's documentation shows.
//! And an application load balancer (`aws_lb` of the default type, `aws_alb`) whose
//! access-log bucket is encrypted by default with SSE-KMS
//! (`aws_s3_bucket_server_side_encryption_configuration` with `sse_algorithm =
//! "aws:kms"`, followed through variables and locals): Elastic Load Balancing writes
//! access logs to SSE-S3 (`AES256`) buckets only, whatever the bucket policy says. The
//! finding points at the algorithm, with the load balancer as a related place.
//!
//! ## Why is this bad?
//! These services write into the bucket as themselves, not as the caller. Without a
//! bucket policy that allows them, AWS refuses the resource when it is created: the
//! trail with `InsufficientS3BucketPolicyException`, the load balancer's attributes with
//! "Access Denied for bucket … Please check S3bucket permission".
//!
//! ## Error
//! ```text
//! InsufficientS3BucketPolicyException: Incorrect S3 bucket policy is detected for bucket
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "trail" {
//!   bucket = "audit-trail-logs"
//! }
//!
//! resource "aws_cloudtrail" "main" {
//!   name           = "audit"
//!   s3_bucket_name = aws_s3_bucket.trail.id
//! }
//! ```
//! Use instead a bucket policy that lets the service check the bucket and write to it:
//! ```hcl
//! resource "aws_s3_bucket_policy" "trail" {
//!   bucket = aws_s3_bucket.trail.id
//!   policy = jsonencode({ … Principal = { Service = "cloudtrail.amazonaws.com" } … })
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe: when the bucket has no policy at all, the fix adds one that grants the
//! service what it needs to deliver (and for CloudTrail, `s3:GetBucketAcl`); review the
//! prefix it allows. A bucket that has a policy without the service gets no fix: a
//! bucket has one policy, and the statement must be added to it.
//!
//! ## Root cause
//! The bucket was created for the logs, but the permission the log service needs was
//! left to the caller's IAM role, which the service does not use.
//!
//! ## Impact
//! Deployment blocker: the trail or the load balancer's logging fails when applied.
//!
//! ## References
//! https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
//! https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
//! ("The only server-side encryption option that's supported is Amazon S3-managed keys
//! (SSE-S3)")

use super::{Class, Rule};
use crate::finding::{Applicability, Finding, Fix, Related, Severity};
use crate::model::expr::{RefCollector, Target, span_of, static_str};
use crate::model::{BlockInfo, BlockKind, Model, Module};

pub struct LogBucketPolicyMissing;

/// Who delivers the logs, and the principals that let it write.
struct Delivery {
    service: &'static str,
    principals: &'static [&'static str],
}

const CLOUDTRAIL: Delivery = Delivery {
    service: "CloudTrail",
    principals: &["cloudtrail.amazonaws.com"],
};

const ELB: Delivery = Delivery {
    service: "Elastic Load Balancing",
    principals: &[
        "elb_service_account",
        "logdelivery.elasticloadbalancing.amazonaws.com",
        "delivery.logs.amazonaws.com",
    ],
};

impl Rule for LogBucketPolicyMissing {
    fn id(&self) -> &'static str {
        "log-bucket-policy-missing"
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
                let (value, delivery) = match b.label(0) {
                    "aws_cloudtrail" => match b.attr("s3_bucket_name") {
                        Some(a) => (&a.value, &CLOUDTRAIL),
                        None => continue,
                    },
                    "aws_lb" | "aws_alb" => {
                        let Some(logs) = b.body().get_blocks("access_logs").next() else {
                            continue;
                        };
                        // Access logs are off unless `enabled` is set (to anything but
                        // false).
                        let enabled = logs
                            .body
                            .get_attribute("enabled")
                            .is_some_and(|a| a.value.as_bool() != Some(false));
                        match logs.body.get_attribute("bucket") {
                            Some(a) if enabled => (&a.value, &ELB),
                            _ => continue,
                        }
                    }
                    _ => continue,
                };
                let Some(bucket) = bucket_of(module, value) else {
                    continue;
                };
                // Application load balancers (the default type) write access logs with
                // SSE-S3 only; network ones can use a KMS key the log service may use.
                let application = b.attr("load_balancer_type").is_none_or(|a| {
                    let t = crate::model::eval::known(module, &a.value);
                    t.complete && t.text == "application"
                });
                if b.label(0) != "aws_cloudtrail"
                    && application
                    && let Some(kms) = kms_encryption(module, bucket)
                {
                    out.push(self.kms_bucket_finding(b, bucket, kms));
                }
                let policies: Vec<&BlockInfo<'_>> = module
                    .blocks_of(BlockKind::Resource)
                    .filter(|p| p.label(0) == "aws_s3_bucket_policy")
                    .filter(|p| {
                        p.attr("bucket")
                            .and_then(|a| bucket_of(module, &a.value))
                            .is_some_and(|x| x.address == bucket.address)
                    })
                    .collect();
                let granting: Vec<&&BlockInfo<'_>> = policies
                    .iter()
                    .filter(|p| grants(model, module, p, delivery.principals))
                    .collect();
                if let Some(first) = granting.first() {
                    // The policy exists: the resource must wait for it (a CloudTrail trail
                    // checks the policy when it is created).
                    let policies: Vec<&str> = granting.iter().map(|p| p.address.as_str()).collect();
                    if module.waits_for(&b.address, &policies) == Some(false) {
                        let mut f = self.finding(
                            b.file,
                            b.header(),
                            format!("`{}` does not wait for `{}`", b.address, first.address),
                            format!(
                                "`{}` neither references nor depends on `{}`, which lets {} write to `{}`: Terraform may create `{}` first, and AWS refuses it until the policy is in place",
                                b.address, first.address, delivery.service, bucket.address, b.address
                            ),
                        );
                        f.severity = Severity::Medium;
                        f.address = Some(b.address.clone());
                        f.key = first.address.clone();
                        f.related.push(Related {
                            file: first.file,
                            span: first.header(),
                            message: "the bucket policy, which must come first".into(),
                        });
                        f.fix = crate::edits::depend_on_fix(model, b, &first.address);
                        out.push(f);
                    }
                    continue;
                }
                let span = span_of(value);
                let message = if policies.is_empty() {
                    format!(
                        "{} writes to `{}` as itself, and no `aws_s3_bucket_policy` of that bucket lets it: AWS refuses `{}` when it is created",
                        delivery.service, bucket.address, b.address
                    )
                } else {
                    format!(
                        "{} writes to `{}` as itself, and the bucket's policy does not name it as a principal: AWS refuses `{}` when it is created",
                        delivery.service, bucket.address, b.address
                    )
                };
                let mut f = self.finding(
                    b.file,
                    span,
                    format!("{} cannot write to `{}`", delivery.service, bucket.address),
                    message,
                );
                f.address = Some(b.address.clone());
                f.key = bucket.address.clone();
                f.related.push(Related {
                    file: bucket.file,
                    span: crate::model::expr::block_header(
                        model.src(bucket.file),
                        span_of(bucket.block),
                    ),
                    message: "the bucket the logs go to".into(),
                });
                for p in &policies {
                    f.related.push(Related {
                        file: p.file,
                        span: span_of(p.block),
                        message: "its policy, without the service".into(),
                    });
                }
                if policies.is_empty() {
                    f.fix = Some(policy_fix(model, b, bucket, delivery));
                }
                out.push(f);
            }
        }
    }
}

impl LogBucketPolicyMissing {
    /// A load balancer whose access logs go to a bucket encrypted with SSE-KMS by
    /// default: Elastic Load Balancing writes them with SSE-S3 only.
    fn kms_bucket_finding(
        &self,
        lb: &BlockInfo<'_>,
        bucket: &BlockInfo<'_>,
        kms: (&BlockInfo<'_>, std::ops::Range<usize>, String),
    ) -> Finding {
        let (config, span, algorithm) = kms;
        let mut f = self.finding(
            config.file,
            span,
            format!("`{}` cannot deliver access logs to `{}`, which is SSE-KMS encrypted", lb.address, bucket.address),
            format!(
                "`{}` encrypts `{}` with `{algorithm}` by default, and `{}` writes its access logs there: application and classic load balancers deliver access logs only to buckets encrypted with SSE-S3 (`AES256`), so the logging attributes are refused (\"Access Denied for bucket\") or no log arrives",
                config.address, bucket.address, lb.address
            ),
        );
        f.address = Some(lb.address.clone());
        f.key = format!("sse-kms:{}", bucket.address);
        f.related.push(Related {
            file: lb.file,
            span: lb.header(),
            message: "the load balancer whose access logs go there".into(),
        });
        f
    }
}

/// Where the bucket's default encryption is set to SSE-KMS (`aws:kms`, `aws:kms:dsse`):
/// the configuration block, the span of the algorithm's value, and the algorithm.
fn kms_encryption<'m, 'a>(
    module: &'m Module<'a>,
    bucket: &BlockInfo<'a>,
) -> Option<(&'m BlockInfo<'a>, std::ops::Range<usize>, String)> {
    let configs = module.blocks_of(BlockKind::Resource).filter(|c| {
        c.label(0) == "aws_s3_bucket_server_side_encryption_configuration"
            && c.attr("bucket")
                .and_then(|a| bucket_of(module, &a.value))
                .is_some_and(|x| x.address == bucket.address)
    });
    for config in configs {
        for rule in config.body().get_blocks("rule") {
            for default in rule
                .body
                .get_blocks("apply_server_side_encryption_by_default")
            {
                let Some(algorithm) = default.body.get_attribute("sse_algorithm") else {
                    continue;
                };
                let written = crate::model::eval::known(module, &algorithm.value);
                if written.complete && written.text.starts_with("aws:kms") {
                    return Some((config, span_of(&algorithm.value), written.text));
                }
            }
        }
    }
    None
}

/// The `aws_s3_bucket` of this module that `value` names: by reference, or by the
/// literal name it is created with.
fn bucket_of<'m, 'a>(
    module: &'m Module<'a>,
    value: &hcl_edit::expr::Expression,
) -> Option<&'m BlockInfo<'a>> {
    if let Some(bucket) = module.referenced(value, &["aws_s3_bucket"]) {
        return Some(bucket);
    }
    let name = static_str(value)?;
    module.blocks_of(BlockKind::Resource).find(|b| {
        b.label(0) == "aws_s3_bucket"
            && b.attr("bucket")
                .and_then(|a| static_str(&a.value))
                .as_deref()
                == Some(&name)
    })
}

/// Whether the policy `p` (its text, and the policy documents it refers to) names one of
/// `principals`.
fn grants(model: &Model<'_>, module: &Module<'_>, p: &BlockInfo<'_>, principals: &[&str]) -> bool {
    let Some(policy) = p.attr("policy") else {
        // A policy that cannot be read is given the benefit of the doubt.
        return true;
    };
    let mut texts = vec![model.src(p.file).get(span_of(&policy.value)).unwrap_or("")];
    let mut refs = RefCollector::default();
    refs.expr(&policy.value);
    for r in &refs.refs {
        match module.block(&r.target.address()) {
            Some(doc) => texts.push(model.src(doc.file).get(doc.span.clone()).unwrap_or("")),
            // A policy from elsewhere (a variable, a file) cannot be read here.
            None if !matches!(r.target, Target::Resource { .. }) => return true,
            None => {}
        }
    }
    // A policy read from a file cannot be checked here either.
    if texts[0].contains("file(") {
        return true;
    }
    texts.iter().any(|t| {
        principals.iter().any(|principal| t.contains(principal))
            || (principals.contains(&"elb_service_account")
                && ELB_ACCOUNTS.iter().any(|(_, id)| t.contains(id)))
    })
}

/// The Elastic Load Balancing account of each region (the principal of access log
/// delivery in the regions older than August 2022), as policies write them.
pub(super) const ELB_ACCOUNTS: &[(&str, &str)] = &[
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
    ("af-south-1", "098369216593"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-south-1", "635631232127"),
    ("eu-west-3", "009996457667"),
    ("eu-north-1", "897822967062"),
    ("ap-east-1", "754344448648"),
    ("ap-northeast-1", "582318560864"),
    ("ap-northeast-2", "600734575887"),
    ("ap-northeast-3", "383597477331"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-south-1", "718504428378"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
];

/// A bucket policy that lets the service deliver, appended to the bucket's file, and the
/// delivering resource made to wait for it (AWS checks the policy when it is created).
fn policy_fix(
    model: &Model<'_>,
    writer: &BlockInfo<'_>,
    bucket: &BlockInfo<'_>,
    delivery: &Delivery,
) -> Fix {
    let name = bucket.label(1);
    let b = format!("aws_s3_bucket.{name}");
    let text = if delivery.service == "CloudTrail" {
        format!(
            r#"resource "aws_s3_bucket_policy" "{name}_delivery" {{
  bucket = {b}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Sid       = "CloudTrailAclCheck"
        Effect    = "Allow"
        Principal = {{ Service = "cloudtrail.amazonaws.com" }}
        Action    = "s3:GetBucketAcl"
        Resource  = {b}.arn
      }},
      {{
        Sid       = "CloudTrailWrite"
        Effect    = "Allow"
        Principal = {{ Service = "cloudtrail.amazonaws.com" }}
        Action    = "s3:PutObject"
        Resource  = "${{{b}.arn}}/AWSLogs/*"
        Condition = {{
          StringEquals = {{ "s3:x-amz-acl" = "bucket-owner-full-control" }}
        }}
      }}
    ]
  }})
}}"#
        )
    } else {
        format!(
            r#"data "aws_elb_service_account" "{name}_delivery" {{}}

resource "aws_s3_bucket_policy" "{name}_delivery" {{
  bucket = {b}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Sid       = "LoadBalancerAccessLogs"
        Effect    = "Allow"
        Principal = {{ AWS = data.aws_elb_service_account.{name}_delivery.arn }}
        Action    = "s3:PutObject"
        Resource  = "${{{b}.arn}}/*"
      }},
      {{
        Sid       = "LoadBalancerLogDelivery"
        Effect    = "Allow"
        Principal = {{ Service = "logdelivery.elasticloadbalancing.amazonaws.com" }}
        Action    = "s3:PutObject"
        Resource  = "${{{b}.arn}}/*"
      }}
    ]
  }})
}}"#
        )
    };
    let mut edits = vec![crate::edits::append_to_file(
        model.ws,
        model.path(bucket.file),
        &text,
    )];
    edits.extend(crate::edits::depend_on(
        model,
        writer,
        &format!("aws_s3_bucket_policy.{name}_delivery"),
    ));
    Fix::new(
        format!("Add a bucket policy that lets {} write", delivery.service),
        Applicability::Unsafe,
        edits,
    )
}
