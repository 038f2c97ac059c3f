//! # Instance user data given as base64 to `user_data`
//!
//! ## What it does
//! Reports an `aws_instance` whose `user_data` is already base64 (`base64encode()`,
//! `base64gzip()`, `filebase64()`), written at the argument or in the variable or local
//! it reads (every value it can take), where `user_data_base64` is the argument for it.
//!
//! ## Why is this bad?
//! An instance's `user_data` is plain text that the provider encodes. Given base64, the
//! provider warns ("Value is base64 encoded … please use the user_data_base64
//! argument") on every plan, and the state shows the encoded text as if it were the
//! script, so a reviewer of a plan cannot read what the instance will run.
//!
//! ## Example
//! ```hcl
//! resource "aws_instance" "bastion" {
//!   user_data = base64encode(file("${path.module}/bastion.sh"))
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_instance" "bastion" {
//!   user_data_base64 = base64encode(file("${path.module}/bastion.sh"))
//! }
//! ```
//! (or `user_data = file("${path.module}/bastion.sh")`).
//!
//! ## Fix safety
//! Unsafe: the fix renames the argument to `user_data_base64`, which sends the same
//! bytes, but an instance already deployed may show a change of its user data on the
//! next plan.
//!
//! ## Root cause
//! A launch template's habit (which needs base64) carried over to an instance.
//!
//! ## Impact
//! A provider warning on every plan and user data that reviewers see encoded.
//!
//! ## References
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/instance#user_data-1

use hcl_edit::repr::Span as _;

use super::launch_template_user_data_plain::{Encoding, related, user_data};
use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::expr::span_of;

pub struct InstanceUserDataBase64;

impl Rule for InstanceUserDataBase64 {
    fn id(&self) -> &'static str {
        "instance-user-data-base64"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Practice
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for (b, attr, sources) in user_data(model, "aws_instance", Encoding::Base64) {
            let mut f = self.finding(
                b.file,
                span_of(attr),
                "Instance user data is base64 in `user_data`".into(),
                format!(
                    "`{}` gives base64 to `user_data`, which takes plain text and encodes it: the provider warns \"Value is base64 encoded\" and the state shows the encoded text as the script; base64 belongs in `user_data_base64`",
                    b.address
                ),
            );
            let key = attr.key.span().unwrap_or(0..0);
            if !key.is_empty() && b.attr("user_data_base64").is_none() {
                f.fix = Some(Fix::new(
                    "Rename the argument to `user_data_base64`",
                    Applicability::Unsafe,
                    vec![Edit::replace(model.path(b.file), key, "user_data_base64")],
                ));
            }
            f.address = Some(b.address.clone());
            f.key = b.address.clone();
            f.related = related(b.file, &span_of(&attr.value), &sources);
            out.push(f);
        }
    }
}
