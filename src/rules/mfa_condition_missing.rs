//! # Role assumable by people without MFA
//!
//! ## What it does
//! Reports a statement of an `aws_iam_role`'s trust policy that lets people assume the
//! role — an AWS principal that is an account (`:root`, a bare account id), a user or
//! `*` — without a condition on `aws:MultiFactorAuthPresent` or
//! `aws:MultiFactorAuthAge`. Roles trusted by services, by other roles, by federation,
//! or guarded by `sts:ExternalId` (third-party access) are not reported.
//!
//! ## Why is this bad?
//! Whoever holds a user's access keys can assume the role. Requiring MFA for human
//! access to privileged roles is in every baseline, and the task prompts that ask for
//! such roles usually ask for MFA.
//!
//! ## Example
//! ```hcl
//! Statement = [{
//!   Effect    = "Allow"
//!   Action    = "sts:AssumeRole"
//!   Principal = { AWS = "arn:aws:iam::${var.account_id}:root" }
//! }]
//! ```
//! Use instead:
//! ```hcl
//! Statement = [{
//!   Effect    = "Allow"
//!   Action    = "sts:AssumeRole"
//!   Principal = { AWS = "arn:aws:iam::${var.account_id}:root" }
//!   Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
//! }]
//! ```
//!
//! ## Fix safety
//! Unsafe, offered for statements without a condition in `jsonencode` and policy
//! documents: the fix adds the `aws:MultiFactorAuthPresent` condition; callers that
//! assume the role without MFA (scripts with long-term keys) stop working.
//!
//! ## Root cause
//! The trust policy was written for access, not for how it is authenticated.
//!
//! ## Impact
//! Security: stolen long-term keys are enough to use the role.
//!
//! ## References
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html

use super::{Class, Rule};
use crate::edits::append_to_block;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::policy::{Policy, PolicyForm, Statement};

pub struct MfaConditionMissing;

impl Rule for MfaConditionMissing {
    fn id(&self) -> &'static str {
        "mfa-condition-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for (index, role) in module
                .blocks
                .iter()
                .enumerate()
                .filter(|(_, b)| b.is_resource("aws_iam_role"))
            {
                for p in module.trust_policies(index) {
                    for s in p.policy.statements.iter().filter(|s| needs_mfa(s)) {
                        let mut f = self.finding(
                            p.file,
                            s.span.clone(),
                            "Role can be assumed without MFA".into(),
                            format!(
                                "`{}` trusts {} without requiring `aws:MultiFactorAuthPresent`: anyone with those credentials' keys can assume it",
                                role.address,
                                people(s).map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
                            ),
                        );
                        f.address = Some(role.address.clone());
                        f.key = s.sid.clone().unwrap_or_default();
                        f.fix = mfa_fix(model, p.file, &p.policy, s);
                        out.push(f);
                    }
                }
            }
        }
    }
}

/// Adds the MFA condition to a statement that has no condition yet: a `Condition`
/// entry in a `jsonencode` object, a `condition` block in a policy document.
fn mfa_fix(model: &Model<'_>, file: usize, policy: &Policy, s: &Statement) -> Option<Fix> {
    if s.condition_span.is_some() {
        return None;
    }
    let text = match policy.form {
        PolicyForm::JsonEncode => {
            "Condition = {\n  Bool = { \"aws:MultiFactorAuthPresent\" = \"true\" }\n}"
        }
        PolicyForm::Document => {
            "condition {\n  test     = \"Bool\"\n  variable = \"aws:MultiFactorAuthPresent\"\n  values   = [\"true\"]\n}"
        }
        PolicyForm::Heredoc => return None,
    };
    let edit = append_to_block(model.path(file), model.src(file), s.span.clone(), text)?;
    Some(Fix::new(
        "Require MFA to assume the role",
        Applicability::Unsafe,
        vec![edit],
    ))
}

/// AWS principals that stand for people: accounts, users, everyone.
fn people(s: &Statement) -> impl Iterator<Item = &str> {
    s.principals
        .iter()
        .filter(|(kind, _)| kind == "AWS" || kind == "*")
        .flat_map(|(_, values)| values.iter().map(String::as_str))
        .filter(|v| {
            *v == "*"
                || v.ends_with(":root")
                || v.contains(":user/")
                || (v.len() == 12 && v.bytes().all(|c| c.is_ascii_digit()))
        })
}

fn needs_mfa(s: &Statement) -> bool {
    let assumes = s.actions.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        a == "sts:assumerole" || a == "sts:*" || a == "*"
    });
    if !s.allows() || !assumes || people(s).next().is_none() {
        return false;
    }
    !s.conditions.iter().any(|c| {
        let key = c.key.to_ascii_lowercase();
        key.starts_with("aws:multifactorauth") || key == "sts:externalid"
    })
}
