//! # S3 actions granted on the wrong kind of resource
//!
//! ## What it does
//! Reports an `Allow` statement (identity or bucket policy) whose actions are all S3
//! object actions (`s3:GetObject`, `s3:PutObject`, `s3:DeleteObject`, their version, ACL
//! and tagging forms…) while every resource is a bucket ARN (`aws_s3_bucket.x.arn`,
//! `arn:aws:s3:::name`), and one whose actions are all bucket actions (`s3:ListBucket`,
//! `s3:GetBucketLocation`, `s3:GetBucketAcl`…) while every resource is an object ARN
//! (`"${aws_s3_bucket.x.arn}/*"`). Statements with a resource that is neither (a
//! variable, `*`) or with wildcard actions (`s3:Get*`) are left alone. The finding points
//! at the resources.
//!
//! ## Why is this bad?
//! S3 authorises an object action against the object's ARN (`bucket/key`) and a bucket
//! action against the bucket's: a statement that pairs one with the other kind matches
//! no request. The policy is accepted, and every read or write it was meant to allow is
//! denied at run time (`AccessDenied`).
//!
//! ## Example
//! ```hcl
//! Statement = [{
//!   Effect   = "Allow"
//!   Action   = ["s3:GetObject", "s3:PutObject"]
//!   Resource = aws_s3_bucket.data.arn
//! }]
//! ```
//! Use instead the objects of the bucket:
//! ```hcl
//!   Resource = "${aws_s3_bucket.data.arn}/*"
//! ```
//!
//! ## Fix safety
//! No fix: whether the objects of the whole bucket or of a prefix are meant is the
//! author's choice.
//!
//! ## Root cause
//! The bucket's `arn` attribute is the bucket's, not its objects'; the two are easy to
//! confuse when one statement is written for both.
//!
//! ## Impact
//! The application is denied what the policy seems to grant.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;

/// Actions S3 authorises against an object ARN.
const OBJECT_ACTIONS: &[&str] = &[
    "s3:getobject",
    "s3:getobjectversion",
    "s3:getobjectacl",
    "s3:getobjectversionacl",
    "s3:getobjecttagging",
    "s3:getobjectversiontagging",
    "s3:getobjectattributes",
    "s3:putobject",
    "s3:putobjectacl",
    "s3:putobjecttagging",
    "s3:deleteobject",
    "s3:deleteobjectversion",
    "s3:deleteobjecttagging",
    "s3:abortmultipartupload",
    "s3:listmultipartuploadparts",
    "s3:restoreobject",
];

/// Actions S3 authorises against a bucket ARN.
const BUCKET_ACTIONS: &[&str] = &[
    "s3:listbucket",
    "s3:listbucketversions",
    "s3:listbucketmultipartuploads",
    "s3:getbucketlocation",
    "s3:getbucketacl",
    "s3:getbucketpolicy",
    "s3:getbucketversioning",
    "s3:putbucketpolicy",
    "s3:putbucketacl",
];

#[derive(Clone, Copy, PartialEq)]
enum Level {
    Bucket,
    Object,
}

/// Whether a resource, as written, is a bucket ARN or an object ARN; `None` when it
/// cannot be told (a variable, a wildcard, another service).
fn level(resource: &str) -> Option<Level> {
    let r = resource.trim();
    if let Some(rest) = r.strip_prefix("arn:aws:s3:::") {
        // The bucket's name must be written out: `*` or `${…}` there may be anything.
        let (bucket, key) = rest
            .split_once('/')
            .map_or((rest, None), |(b, k)| (b, Some(k)));
        if bucket.is_empty() || bucket.contains('*') || bucket.contains("${") {
            return None;
        }
        return Some(if key.is_some() {
            Level::Object
        } else {
            Level::Bucket
        });
    }
    // A reference to a bucket's ARN, alone or interpolated, with or without `/…`.
    let (reference, after) = r
        .strip_prefix("${")
        .and_then(|x| x.split_once('}'))
        .map_or((r, ""), |(reference, after)| (reference.trim(), after));
    let bucket =
        reference.starts_with("aws_s3_bucket.") || reference.starts_with("data.aws_s3_bucket.");
    if !(bucket && reference.ends_with(".arn")) {
        return None;
    }
    match after {
        "" => Some(Level::Bucket),
        a if a.starts_with('/') => Some(Level::Object),
        _ => None,
    }
}

/// The objects of the bucket a bucket ARN names, written as the resource is:
/// `aws_s3_bucket.x.arn` → `"${aws_s3_bucket.x.arn}/*"`, `arn:aws:s3:::b` → `arn:aws:s3:::b/*`.
fn objects_of(resource: &str) -> String {
    let r = resource.trim();
    if r.starts_with("arn:") {
        format!("{r}/*")
    } else if let Some(inner) = r.strip_prefix("${").and_then(|x| x.strip_suffix('}')) {
        format!("\"${{{inner}}}/*\"")
    } else {
        format!("\"${{{r}}}/*\"")
    }
}

/// The bucket an object ARN is in, written as the resource is:
/// `${aws_s3_bucket.x.arn}/*` → `aws_s3_bucket.x.arn`, `arn:aws:s3:::b/*` → `arn:aws:s3:::b`.
fn bucket_of(resource: &str) -> String {
    let r = resource.trim();
    if let Some(rest) = r.strip_prefix("arn:aws:s3:::") {
        let bucket = rest.split('/').next().unwrap_or(rest);
        format!("arn:aws:s3:::{bucket}")
    } else if let Some((inner, _)) = r.strip_prefix("${").and_then(|x| x.split_once('}')) {
        inner.trim().to_string()
    } else {
        r.to_string()
    }
}

pub struct S3ActionResourceMismatch;

impl Rule for S3ActionResourceMismatch {
    fn id(&self) -> &'static str {
        "s3-action-resource-mismatch"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for p in &module.policies {
                if p.policy.attr == "assume_role_policy" {
                    continue;
                }
                let owner = match p.owner {
                    crate::model::Owner::Block(i) => module.blocks.get(i),
                    crate::model::Owner::Local(_) => None,
                };
                for (n, s) in p.policy.statements.iter().enumerate() {
                    if !s.allows() || s.actions.is_empty() || s.resources.is_empty() {
                        continue;
                    }
                    let actions: Vec<String> =
                        s.actions.iter().map(|a| a.to_ascii_lowercase()).collect();
                    let wanted = if actions.iter().all(|a| OBJECT_ACTIONS.contains(&a.as_str())) {
                        Level::Object
                    } else if actions.iter().all(|a| BUCKET_ACTIONS.contains(&a.as_str())) {
                        Level::Bucket
                    } else {
                        continue;
                    };
                    let levels: Option<Vec<Level>> = s.resources.iter().map(|r| level(r)).collect();
                    let Some(levels) = levels else {
                        continue;
                    };
                    if levels.contains(&wanted) {
                        continue;
                    }
                    let first = s.resources.first().map(String::as_str).unwrap_or("");
                    let (kind, other, instead) = match wanted {
                        Level::Object => (
                            "object",
                            "the bucket",
                            format!("the bucket's objects (`{}`)", objects_of(first)),
                        ),
                        Level::Bucket => (
                            "bucket",
                            "objects",
                            format!("the bucket itself (`{}`)", bucket_of(first)),
                        ),
                    };
                    let shown: Vec<String> = s.actions.iter().map(|a| format!("`{a}`")).collect();
                    let whose = owner.map_or_else(
                        || "a policy in a local value".to_string(),
                        |b| format!("`{}`", b.address),
                    );
                    let mut f = self.finding(
                        p.file,
                        s.resource_span.clone().unwrap_or_else(|| s.span.clone()),
                        format!("S3 {kind} actions granted on {other} only"),
                        format!(
                            "a statement of {whose} allows {} on {} only: S3 checks {kind} actions against {}, so the statement matches no request and they are denied; grant them on {instead}",
                            shown.join(", "),
                            s.resources
                                .iter()
                                .map(|r| format!("`{r}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            if wanted == Level::Object {
                                "object ARNs (`bucket/key`)"
                            } else {
                                "the bucket's ARN"
                            }
                        ),
                    );
                    f.address = owner.map(|b| b.address.clone());
                    f.key = format!("{}:{n}", p.policy.attr);
                    out.push(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Level, bucket_of, level, objects_of};

    #[test]
    fn advice_is_written_from_the_resource() {
        assert_eq!(
            objects_of("aws_s3_bucket.data.arn"),
            "\"${aws_s3_bucket.data.arn}/*\""
        );
        assert_eq!(
            objects_of("arn:aws:s3:::my-bucket"),
            "arn:aws:s3:::my-bucket/*"
        );
        assert_eq!(
            bucket_of("${aws_s3_bucket.data.arn}/*"),
            "aws_s3_bucket.data.arn"
        );
        assert_eq!(
            bucket_of("arn:aws:s3:::my-bucket/logs/*"),
            "arn:aws:s3:::my-bucket"
        );
    }

    #[test]
    fn resources_are_told_apart() {
        assert!(level("aws_s3_bucket.data.arn") == Some(Level::Bucket));
        assert!(level("${aws_s3_bucket.data.arn}/*") == Some(Level::Object));
        assert!(level("${aws_s3_bucket.data.arn}/logs/*") == Some(Level::Object));
        assert!(level("aws_s3_bucket.data[0].arn") == Some(Level::Bucket));
        assert!(level("arn:aws:s3:::my-bucket") == Some(Level::Bucket));
        assert!(level("arn:aws:s3:::my-bucket/*") == Some(Level::Object));
        assert!(level("arn:aws:s3:::*").is_none());
        assert!(level("arn:aws:s3:::${var.bucket}").is_none());
        assert!(level("var.bucket_arn").is_none());
        assert!(level("*").is_none());
        assert!(level("aws_s3_bucket.data.id").is_none());
    }
}
