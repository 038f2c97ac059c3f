//! # Missing dependencies on the KMS key policy
//!
//! ## What it does
//! Reports a resource that encrypts with `aws_kms_key.k` (an argument such as
//! `kms_key_id`, `kms_master_key_id` or `kms_key_arn`) when `k`'s policy is a separate
//! `aws_kms_key_policy` that the resource neither references nor lists in `depends_on`.
//!
//! ## Why is this bad?
//! Referencing `aws_kms_key.k.arn` orders the resource after the key, not after the key
//! policy. Terraform creates both in parallel, and the resource may reach KMS before the
//! policy that lets its service use the key exists.
//!
//! ## Error
//! A log group that Terraform creates before the key policy fails with:
//! ```text
//! api error AccessDeniedException: The specified KMS key does not exist or is not allowed to be used
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudwatch_log_group" "audit" {
//!   name       = "/aws/iam/audit"
//!   kms_key_id = aws_kms_key.logs.arn
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_cloudwatch_log_group" "audit" {
//!   name       = "/aws/iam/audit"
//!   kms_key_id = aws_kms_key.logs.arn
//!   depends_on = [aws_kms_key_policy.logs]
//! }
//! ```
//!
//! ## Fix safety
//! Safe. Adding an ordering edge changes when the resource is created, not what it is.
//!
//! ## Root cause
//! An implicit dependency on the key was taken to cover the key policy, which is a
//! separate resource that must be referenced explicitly.
//!
//! ## Impact
//! Intermittent deployment failures (AccessDeniedException) that depend on Terraform's
//! parallel execution timing, and time lost to debugging them.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/meta-arguments/depends_on

use hcl_edit::structure::Body;

use super::{Class, Rule};
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::expr::{RefCollector, Target, span_of, traversal_path};
use crate::model::{BlockInfo, BlockKind, Model};

pub struct KmsKeyPolicyDependencyMissing;

/// Resources that manage the key itself rather than encrypt with it.
const KEY_MANAGEMENT: &[&str] = &[
    "aws_kms_key_policy",
    "aws_kms_alias",
    "aws_kms_grant",
    "aws_kms_replica_key",
    "aws_kms_key",
];

impl Rule for KmsKeyPolicyDependencyMissing {
    fn id(&self) -> &'static str {
        "kms-key-policy-dependency-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for policy in module.resources("aws_kms_key_policy") {
                let Some((root, attrs)) =
                    policy.attr("key_id").and_then(|a| traversal_path(&a.value))
                else {
                    continue;
                };
                let (Some(name), "aws_kms_key") = (attrs.first(), root) else {
                    continue;
                };
                let key = Target::Resource {
                    ty: "aws_kms_key".into(),
                    name: name.to_string(),
                };
                let policy_target = Target::Resource {
                    ty: "aws_kms_key_policy".into(),
                    name: policy.label(1).to_string(),
                };
                // The blocks that name the key (each once, in the module's order).
                let mut users: Vec<usize> = module
                    .refs_to(&key)
                    .filter_map(|r| match r.from {
                        crate::model::Owner::Block(i) => Some(i),
                        crate::model::Owner::Local(_) => None,
                    })
                    .collect();
                users.sort_unstable();
                users.dedup();
                for index in users {
                    let Some(user) = module.blocks.get(index) else {
                        continue;
                    };
                    if user.kind != BlockKind::Resource || KEY_MANAGEMENT.contains(&user.label(0)) {
                        continue;
                    }
                    let Some(span) = encryption_use(&user.block.body, &key) else {
                        continue;
                    };
                    if user.depends_on_address(&policy.address)
                        || module
                            .refs_from_block(index)
                            .any(|r| r.target == policy_target)
                    {
                        continue;
                    }
                    let mut f = self.finding(
                        user.file,
                        span,
                        format!("`{}` does not wait for the key policy", user.address),
                        format!(
                            "`{}` encrypts with `{}`, whose policy is the separate `{}`, but does not depend on it: Terraform may create it before the policy allows its service to use the key",
                            user.address,
                            key.address(),
                            policy.address
                        ),
                    );
                    f.address = Some(user.address.clone());
                    f.key = policy.address.clone();
                    f.fix = fix(model, user, &policy.address);
                    out.push(f);
                }
            }
        }
    }
}

/// The span of an encryption argument (name containing `kms`, or `key_arn`) anywhere in
/// the body that references `key`.
fn encryption_use(body: &Body, key: &Target) -> Option<std::ops::Range<usize>> {
    for attr in body.attributes() {
        let name = attr.key.as_str();
        if name.contains("kms") || name == "key_arn" {
            let mut refs = RefCollector::default();
            refs.expr(&attr.value);
            if refs.refs.iter().any(|r| &r.target == key) {
                return Some(span_of(attr));
            }
        }
    }
    body.blocks().find_map(|b| encryption_use(&b.body, key))
}

fn fix(model: &Model<'_>, user: &BlockInfo<'_>, policy: &str) -> Option<Fix> {
    let edit = crate::edits::depend_on(model, user, policy)?;
    Some(Fix::new(
        format!("Add `{policy}` to `depends_on`"),
        Applicability::Safe,
        vec![edit],
    ))
}
