//! # Log group not encrypted with a customer-managed key
//!
//! ## What it does
//! Reports an `aws_cloudwatch_log_group` without `kms_key_id`.
//!
//! ## Why is this bad?
//! Without a key of one's own, log data is encrypted with a key nobody controls: access
//! to it cannot be audited or revoked through a key policy, which security baselines
//! (CIS, PCI) and most reviews require for logs that may hold sensitive data.
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudwatch_log_group" "app" {
//!   name = "/app/api"
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_cloudwatch_log_group" "app" {
//!   name       = "/app/api"
//!   kms_key_id = aws_kms_key.logs.arn
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe, and only offered when the module declares exactly one `aws_kms_key`. The key
//! policy must also allow the CloudWatch Logs service, or creating the log group fails
//! (`kms-key-policy-missing-service-principal`): when it does not, the fix adds the
//! statement that rule's fix adds (or, for a key with the default policy, a policy that
//! keeps the account's access). No fix is offered when the key's policy lacks other
//! services too (its own fix writes the same place: apply it first) or is a heredoc.
//!
//! ## Root cause
//! Encryption at rest was left to the service's default.
//!
//! ## Impact
//! Security: no control over who can read the logs.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html

use super::{Class, Rule};
use crate::edits::append_to_block;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::Model;

pub struct LogGroupKmsMissing;

impl Rule for LogGroupKmsMissing {
    fn id(&self) -> &'static str {
        "log-group-kms-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let keys: Vec<_> = module.resources("aws_kms_key").collect();
            for b in module.resources("aws_cloudwatch_log_group") {
                if b.attr("kms_key_id").is_some() {
                    continue;
                }
                let mut f = self.finding(
                    b.file,
                    b.header(),
                    "Log group is not encrypted with a customer-managed key".into(),
                    format!("`{}` has no `kms_key_id`: its events are encrypted with a key no policy of yours controls", b.address),
                );
                f.address = Some(b.address.clone());
                if let [key] = keys.as_slice() {
                    let line = format!("kms_key_id = {}.arn", key.address);
                    let access = module.index_of(&key.address).and_then(|k| {
                        super::kms_key_policy_missing_service_principal::logs_access_edits(
                            model, module, k,
                        )
                    });
                    f.fix = access.and_then(|access| {
                        let e = append_to_block(
                            model.path(b.file),
                            model.src(b.file),
                            b.span.clone(),
                            &line,
                        )?;
                        let title = if access.is_empty() {
                            format!("Encrypt with `{}`", key.address)
                        } else {
                            format!(
                                "Encrypt with `{}`, allowing CloudWatch Logs in its key policy",
                                key.address
                            )
                        };
                        Some(Fix::new(
                            title,
                            Applicability::Unsafe,
                            std::iter::once(e).chain(access).collect(),
                        ))
                    });
                }
                out.push(f);
            }
        }
    }
}
