//! # S3 backend without state encryption
//!
//! ## What it does
//! Reports a `backend "s3"` block without `encrypt = true`.
//!
//! ## Why is this bad?
//! The state file holds every attribute of every resource, secrets included (database
//! passwords, private keys, tokens). Without `encrypt = true` the S3 backend does not ask
//! for server-side encryption of the state object.
//!
//! ## Example
//! ```hcl
//! terraform {
//!   backend "s3" {}
//! }
//! ```
//! Use instead:
//! ```hcl
//! terraform {
//!   backend "s3" {
//!     encrypt = true
//!   }
//! }
//! ```
//!
//! ## Fix safety
//! Safe. Encryption of the state object changes nothing else.
//!
//! ## Root cause
//! The backend was declared for partial configuration and the security settings were
//! left to whoever runs `terraform init`.
//!
//! ## Impact
//! Security: secrets in the state may be stored unencrypted.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/backend/s3

use hcl_edit::expr::Expression;

use super::{Class, Rule};
use crate::edits::append_to_block;
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::expr::span_of;

pub struct BackendS3Unencrypted;

impl Rule for BackendS3Unencrypted {
    fn id(&self) -> &'static str {
        "backend-s3-unencrypted"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for (t, backend) in module.backends() {
                if backend.labels.first().map(|l| l.as_str()) != Some("s3") {
                    continue;
                }
                let encrypt = backend.body.get_attribute("encrypt");
                if encrypt.is_some_and(|a| matches!(a.value, Expression::Bool(ref b) if *b.value()))
                {
                    continue;
                }
                let src = model.src(t.file);
                let path = model.path(t.file);
                let span = span_of(backend);
                let header = span.start
                    ..span.start + src.get(span.clone()).and_then(|s| s.find('{')).unwrap_or(0);
                let mut f = self.finding(
                        t.file,
                        header,
                        "S3 backend does not encrypt the state".into(),
                        "`backend \"s3\"` has no `encrypt = true`: the state, which holds secrets, may be stored unencrypted".into(),
                    );
                f.address = Some("terraform".into());
                f.key = "backend.s3".into();
                let edit = match encrypt {
                    Some(attr) => Some(Edit::replace(path, span_of(&attr.value), "true")),
                    None => append_to_block(path, src, span, "encrypt = true"),
                };
                f.fix =
                    edit.map(|e| Fix::new("Set `encrypt = true`", Applicability::Safe, vec![e]));
                out.push(f);
            }
        }
    }
}
