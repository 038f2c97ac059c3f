//! What an IAM role of a module is granted, as far as the module's code shows it: the
//! role's own inline policies, `aws_iam_role_policy` blocks that name it, and the
//! policies attached to it (`aws_iam_role_policy_attachment`, `aws_iam_policy_attachment`,
//! `managed_policy_arns`): AWS managed policies by ARN, and the module's own
//! `aws_iam_policy` documents, written inline or as `data.aws_iam_policy_document`.
//! Anything attached that cannot be followed (a variable, another module's policy, a
//! `for_each` over ARNs) makes the grants unknown, so that rules asking "is X allowed?"
//! can stay quiet instead of guessing.

use std::ops::Range;

use hcl_edit::expr::Expression;

use super::expr::{RefCollector, Target, static_str};
use super::policy::Policy;
use super::{Module, PolicyInfo};
use crate::workspace::FileId;

/// An AWS managed policy attached by ARN, and where the ARN is written.
pub struct Managed {
    /// The whole ARN (`arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole`).
    pub arn: String,
    pub file: FileId,
    pub span: Range<usize>,
}

impl Managed {
    /// The policy's name, without its path.
    pub fn name(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or("")
    }
}

/// A policy document that applies to a role.
pub struct Granted<'m> {
    pub info: &'m PolicyInfo,
    /// The address of the block that holds the document (the role, an
    /// `aws_iam_role_policy`, an `aws_iam_policy`).
    pub holder: String,
}

/// The policies that apply to a role.
pub struct Grants<'m> {
    pub policies: Vec<Granted<'m>>,
    /// AWS managed policies attached by ARN.
    pub managed: Vec<Managed>,
    /// Whether something attached could not be followed, or a policy could not be read
    /// whole.
    pub unknown: bool,
}

impl Grants<'_> {
    /// Whether an `Allow` statement of a policy grants `action` (wildcards matched), or
    /// one of the AWS managed policies `managed` (by name) is attached.
    pub fn allow(&self, action: &str, managed: &[&str]) -> bool {
        self.managed.iter().any(|m| managed.contains(&m.name()))
            || self.policies.iter().any(|g| allows(&g.info.policy, action))
    }
}

/// Whether `policy` has an `Allow` statement whose actions cover `action`: listed in
/// `Action` (wildcards matched), or not excluded by its `NotAction`.
pub fn allows(policy: &Policy, action: &str) -> bool {
    let matches = |a: &String| super::policy::action_matches(a, action);
    policy.statements.iter().any(|s| {
        s.allows()
            && (s.actions.iter().any(matches)
                || (!s.not_actions.is_empty() && !s.not_actions.iter().any(matches)))
    })
}

/// What the role at `role` (an index into `module.blocks`) is granted.
pub fn role_grants<'m>(module: &'m Module<'_>, role: usize) -> Grants<'m> {
    let mut g = Grants {
        policies: Vec::new(),
        managed: Vec::new(),
        unknown: false,
    };
    let Some(role_block) = module.blocks.get(role) else {
        g.unknown = true;
        return g;
    };
    let target = Target::Resource {
        ty: role_block.label(0).to_string(),
        name: role_block.label(1).to_string(),
    };
    for p in module.policies_of(role) {
        if p.policy.attr != "assume_role_policy" {
            g.push(p, &role_block.address);
        }
    }
    // An `inline_policy` whose document is not written in the block (a policy document
    // data source, `file()`, a variable).
    for inline in role_block.body().get_blocks("inline_policy") {
        let Some(policy) = inline.body.get_attribute("policy") else {
            continue;
        };
        match module.policy_document(&policy.value) {
            Some(doc) => {
                for p in module.policies_of(doc) {
                    g.push(p, &role_block.address);
                }
            }
            None if !matches!(
                policy.value,
                Expression::FuncCall(ref call) if call.name.name.as_str() == "jsonencode"
            ) && !matches!(policy.value, Expression::HeredocTemplate(_)) =>
            {
                g.unknown = true;
            }
            None => {}
        }
    }
    if let Some(arns) = role_block.attr("managed_policy_arns") {
        g.attach_list(module, role_block.file, &arns.value);
    }
    let role_name = role_block
        .attr("name")
        .map(|a| super::eval::known(module, &a.value))
        .filter(|k| k.complete)
        .map(|k| k.text);
    // Provider 6's exclusive attachments (`role_name`, `policy_arns`).
    for i in module.resource_indexes(&["aws_iam_role_policy_attachments_exclusive"]) {
        let Some(b) = module.blocks.get(i) else {
            continue;
        };
        let Some(named) = b.attr("role_name") else {
            g.unknown = true;
            continue;
        };
        let mut refs = RefCollector::default();
        refs.expr(&named.value);
        let this = refs.refs.iter().any(|r| r.target == target)
            || (role_name.is_some() && static_str(&named.value) == role_name);
        let other = !this
            && (static_str(&named.value).is_some()
                || refs.refs.iter().any(
                    |r| matches!(&r.target, Target::Resource { ty, .. } if ty == "aws_iam_role"),
                ));
        if other {
            continue;
        }
        match b.attr("policy_arns") {
            Some(arns) if this => g.attach_list(module, b.file, &arns.value),
            _ => g.unknown = true,
        }
    }
    let attachments = module.resource_indexes(&[
        "aws_iam_role_policy",
        "aws_iam_role_policy_attachment",
        "aws_iam_policy_attachment",
    ]);
    for i in attachments {
        let Some(b) = module.blocks.get(i) else {
            continue;
        };
        match names_role(b, &target, role_name.as_deref()) {
            Some(true) => {}
            Some(false) => continue,
            // `role = each.value` over roles, `role = var.role_name`: it may be this role.
            None => {
                g.unknown = true;
                continue;
            }
        }
        if b.is_resource("aws_iam_role_policy") {
            g.holder(module, i);
        } else {
            match b.attr("policy_arn") {
                Some(arn) => g.attach(module, b.file, &arn.value),
                None => g.unknown = true,
            }
        }
    }
    g
}

/// Whether a policy or attachment block names the role `target` (named `name`):
/// `Some(true)` when its `role` / `roles` refers to it (directly, or as `each.value` of a
/// `for_each` that refers to it) or writes its name, `Some(false)` when it names other
/// roles only, `None` when that cannot be known (a variable, a name built at run time).
fn names_role(b: &super::BlockInfo<'_>, target: &Target, name: Option<&str>) -> Option<bool> {
    let refs_of = |expr: &Expression| {
        let mut refs = RefCollector::default();
        refs.expr(expr);
        refs.refs
    };
    let mut known = true;
    for key in ["role", "roles"] {
        let Some(attr) = b.attr(key) else {
            continue;
        };
        let refs = refs_of(&attr.value);
        if refs.iter().any(|r| &r.target == target) {
            return Some(true);
        }
        let written: Vec<String> = match &attr.value {
            Expression::Array(items) => items.iter().filter_map(static_str).collect(),
            e => static_str(e).into_iter().collect(),
        };
        if name.is_some_and(|n| written.iter().any(|w| w == n)) {
            return Some(true);
        }
        let names_a_role = refs
            .iter()
            .any(|r| matches!(&r.target, Target::Resource { ty, .. } if ty == "aws_iam_role"));
        if !names_a_role && written.is_empty() {
            known = false;
        }
    }
    if !known {
        // `for_each = { a = aws_iam_role.a.name, ... }` with `role = each.value`.
        let over: Vec<Target> = ["for_each", "count"]
            .iter()
            .filter_map(|k| b.attr(k))
            .flat_map(|a| refs_of(&a.value))
            .map(|r| r.target)
            .collect();
        if over.contains(target) {
            return Some(true);
        }
        let over_roles = over
            .iter()
            .any(|t| matches!(t, Target::Resource { ty, .. } if ty == "aws_iam_role"));
        return over_roles.then_some(false);
    }
    Some(false)
}

impl<'m> Grants<'m> {
    fn push(&mut self, p: &'m PolicyInfo, holder: &str) {
        if !p.policy.complete {
            self.unknown = true;
        }
        self.policies.push(Granted {
            info: p,
            holder: holder.to_string(),
        });
    }

    /// The policies block `index` holds: written in it, or the policy document its
    /// `policy` names.
    fn holder(&mut self, module: &'m Module<'_>, index: usize) {
        let Some(block) = module.blocks.get(index) else {
            return;
        };
        let before = self.policies.len();
        for p in module.policies_of(index) {
            if p.policy.attr != "assume_role_policy" {
                self.push(p, &block.address);
            }
        }
        if let Some(doc) = block
            .attr("policy")
            .and_then(|a| module.policy_document(&a.value))
        {
            for p in module.policies_of(doc) {
                self.push(p, &block.address);
            }
        }
        if self.policies.len() == before {
            self.unknown = true;
        }
    }

    /// One attached policy ARN: an AWS managed one written out, or the module's own
    /// `aws_iam_policy`.
    fn attach(&mut self, module: &'m Module<'_>, file: FileId, expr: &Expression) {
        if let Some(arn) = static_str(expr)
            && arn.starts_with("arn:")
        {
            // A customer managed policy written by ARN: its document is not here.
            if !arn.contains(":iam::aws:policy/") {
                self.unknown = true;
                return;
            }
            self.managed.push(Managed {
                arn,
                file,
                span: super::expr::span_of(expr),
            });
            return;
        }
        let mut refs = RefCollector::default();
        refs.expr(expr);
        let policy = match refs.refs.as_slice() {
            [r] if matches!(&r.target, Target::Resource { ty, .. } if ty == "aws_iam_policy") => {
                module.index_of(&r.target.address())
            }
            _ => None,
        };
        match policy {
            Some(index) => self.holder(module, index),
            None => self.unknown = true,
        }
    }

    fn attach_list(&mut self, module: &'m Module<'_>, file: FileId, expr: &Expression) {
        match expr {
            Expression::Array(items) => {
                for item in items.iter() {
                    self.attach(module, file, item);
                }
            }
            _ => self.unknown = true,
        }
    }
}
