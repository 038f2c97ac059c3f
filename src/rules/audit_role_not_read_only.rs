//! # Audit or read-only role with write permissions
//!
//! ## What it does
//! Reports an `aws_iam_role` whose name says it is for auditing or reading (`audit`,
//! `auditor`, `readonly`, `read-only`, `viewer`) and that is given write permissions: an
//! AWS managed policy such as `AdministratorAccess`, `PowerUserAccess` or any
//! `…FullAccess`, or a policy (attached, inline, or `aws_iam_role_policy`) that allows a
//! write action.
//!
//! ## Why is this bad?
//! An auditor's role is handed to people and tools that should see everything and change
//! nothing. Write access there defeats the separation of duties the role exists for.
//!
//! ## Example
//! ```hcl
//! resource "aws_iam_role_policy_attachment" "auditor" {
//!   role       = aws_iam_role.auditor.name
//!   policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
//! }
//! ```
//! Use instead `arn:aws:iam::aws:policy/SecurityAudit` or `ReadOnlyAccess`.
//!
//! ## Fix safety
//! Unsafe, offered for AWS managed policies only: the fix attaches `ReadOnlyAccess`
//! instead; whatever the role wrote before fails.
//!
//! ## Root cause
//! The role was granted broad access to make it work.
//!
//! ## Impact
//! Security: an audit role that can change what it audits.
//!
//! ## References
//! https://docs.aws.amazon.com/aws-managed-policy/latest/reference/SecurityAudit.html

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::eval::known;

use crate::model::Model;
use crate::model::policy::is_write;

const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

pub struct AuditRoleNotReadOnly;

impl Rule for AuditRoleNotReadOnly {
    fn id(&self) -> &'static str {
        "audit-role-not-read-only"
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
                let name = role
                    .attr("name")
                    .map(|a| known(module, &a.value).text)
                    .unwrap_or_default();
                if !is_audit_name(role.label(1)) && !is_audit_name(&name) {
                    continue;
                }
                let given = crate::model::grants::role_grants(module, index);
                let mut grants: Vec<(usize, std::ops::Range<usize>, String, Option<Edit>)> =
                    Vec::new();
                for g in &given.policies {
                    push_writes(
                        &mut grants,
                        g.info.file,
                        &g.info.policy,
                        format!("`{}`", g.holder),
                    );
                }
                for m in &given.managed {
                    if m.arn.starts_with("arn:aws:iam::aws:policy/") && is_write_managed(m.name()) {
                        let fix = Edit::replace(
                            model.path(m.file),
                            m.span.clone(),
                            format!("\"{READ_ONLY}\""),
                        );
                        grants.push((
                            m.file,
                            m.span.clone(),
                            format!("the AWS managed policy `{}`", m.name()),
                            Some(fix),
                        ));
                    }
                }
                let mut keys = super::OccurrenceKeys::default();
                for (file, span, what, fix) in grants {
                    let mut f = self.finding(
                        file,
                        span.clone(),
                        format!("Audit role `{}` can write", role.label(1)),
                        format!("`{}` is named as an audit or read-only role, yet {what} grants it write actions", role.address),
                    );
                    f.address = Some(role.address.clone());
                    f.key = keys.key(what.clone());
                    f.fix = fix.map(|e| {
                        Fix::new(
                            "Attach `ReadOnlyAccess` instead",
                            Applicability::Unsafe,
                            vec![e],
                        )
                    });
                    out.push(f);
                }
            }
        }
    }
}

fn is_audit_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["audit", "readonly", "read-only", "read_only", "viewer"]
        .iter()
        .any(|w| lower.contains(w))
}

fn is_write_managed(policy: &str) -> bool {
    matches!(
        policy,
        "AdministratorAccess" | "PowerUserAccess" | "IAMFullAccess"
    ) || policy.ends_with("FullAccess")
}

/// One entry for the first allowing statement of `policy` with write actions.
fn push_writes(
    grants: &mut Vec<(usize, std::ops::Range<usize>, String, Option<Edit>)>,
    file: usize,
    policy: &crate::model::policy::Policy,
    holder: String,
) {
    for s in policy.statements.iter().filter(|s| s.allows()) {
        let writes: Vec<&String> = s
            .actions
            .iter()
            .filter(|a| *a == "*" || is_write(a))
            .collect();
        if let Some(first) = writes.first() {
            grants.push((file, s.span.clone(), format!("{holder} (`{first}`)"), None));
            return;
        }
    }
}
