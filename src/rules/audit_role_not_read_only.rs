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
use crate::model::expr::{RefCollector, Target, span_of, static_str};
use crate::model::policy::is_write;
use crate::model::{BlockInfo, Model, Module};

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
                let target = Target::Resource {
                    ty: "aws_iam_role".into(),
                    name: role.label(1).into(),
                };
                let mut grants: Vec<(usize, std::ops::Range<usize>, String, Option<Edit>)> =
                    Vec::new();
                // Inline policies of the role itself.
                for p in module.policies_of(index) {
                    if p.policy.attr != "assume_role_policy" {
                        push_writes(
                            &mut grants,
                            p.file,
                            &p.policy,
                            format!("`{}`", role.address),
                        );
                    }
                }
                for (i, b) in module.blocks.iter().enumerate() {
                    let attached = ["role", "roles"].iter().any(|k| {
                        b.attr(k).is_some_and(|a| {
                            let mut refs = RefCollector::default();
                            refs.expr(&a.value);
                            refs.refs.iter().any(|r| r.target == target)
                        })
                    });
                    if !attached {
                        continue;
                    }
                    if b.is_resource("aws_iam_role_policy") {
                        for p in module.policies_of(i) {
                            push_writes(&mut grants, p.file, &p.policy, format!("`{}`", b.address));
                        }
                    }
                    if b.is_resource("aws_iam_role_policy_attachment")
                        || b.is_resource("aws_iam_policy_attachment")
                    {
                        let Some(arn) = b.attr("policy_arn") else {
                            continue;
                        };
                        if let Some(text) = static_str(&arn.value) {
                            let policy = text.rsplit('/').next().unwrap_or("");
                            if text.starts_with("arn:aws:iam::aws:policy/")
                                && is_write_managed(policy)
                            {
                                let fix = Edit::replace(
                                    model.path(b.file),
                                    span_of(&arn.value),
                                    format!("\"{READ_ONLY}\""),
                                );
                                grants.push((
                                    b.file,
                                    span_of(&arn.value),
                                    format!("the AWS managed policy `{policy}`"),
                                    Some(fix),
                                ));
                            }
                        } else if let Some(policy) = attached_policy(module, &arn.value) {
                            for p in module.policies_of(policy.0) {
                                push_writes(
                                    &mut grants,
                                    p.file,
                                    &p.policy,
                                    format!("`{}`", policy.1.address),
                                );
                            }
                        }
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

/// The `aws_iam_policy` that `policy_arn = aws_iam_policy.x.arn` names.
fn attached_policy<'m, 'a>(
    module: &'m Module<'a>,
    expr: &hcl_edit::expr::Expression,
) -> Option<(usize, &'m BlockInfo<'a>)> {
    let mut refs = RefCollector::default();
    refs.expr(expr);
    let index = module.index_of(&refs.refs.first()?.target.address())?;
    let block = &module.blocks[index];
    block
        .is_resource("aws_iam_policy")
        .then_some((index, block))
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
