//! # Unused declarations
//!
//! ## What it does
//! Reports a `variable` block or a `locals` entry that nothing in its module references.
//!
//! ## Why is this bad?
//! An unused declaration is either dead code or, more often in generated code, a sign that
//! something meant to use it does not: a `business_hours_condition` local that no policy
//! uses means the policies do not enforce business hours.
//!
//! ## Example
//! ```hcl
//! locals {
//!   business_hours_condition = {
//!     DateGreaterThan = { "aws:CurrentTime" = "T14:00:00Z" }
//!   }
//! }
//! ```
//! Use instead: reference the local where it was meant to apply, or remove it.
//!
//! ## Fix safety
//! Unsafe. The fix removes the declaration; when the declaration was meant to be used,
//! the right change is to use it. Removing a variable also breaks callers and `.tfvars`
//! files that still set it.
//!
//! ## Root cause
//! The intent was written down as a declaration but never wired into the resources that
//! should carry it out.
//!
//! ## Impact
//! Maintainability, and often a requirement that silently is not implemented.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/values/locals

use super::{Class, Rule};
use crate::edits::remove_lines;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::expr::Target;
use crate::model::{BlockKind, Model, Owner};

pub struct DeclarationUnused;

impl Rule for DeclarationUnused {
    fn id(&self) -> &'static str {
        "declaration-unused"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Practice
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in model.modules.iter().filter(|m| m.complete) {
            // Who references each target, once per module: a declaration is used when
            // someone other than itself references it.
            let mut users: std::collections::HashMap<&crate::model::expr::Target, Vec<Owner>> =
                std::collections::HashMap::new();
            for r in &module.refs {
                let owners = users.entry(&r.target).or_default();
                // Two different owners are all the question needs.
                if owners.len() < 2 && !owners.contains(&r.from) {
                    owners.push(r.from);
                }
            }
            let used = |target: &crate::model::expr::Target, me: Owner| {
                users
                    .get(target)
                    .is_some_and(|owners| owners.iter().any(|o| *o != me))
            };
            for (index, var) in module.blocks.iter().enumerate() {
                if var.kind != BlockKind::Variable {
                    continue;
                }
                let name = var.label(0);
                let target = Target::Var(name.to_string());
                if used(&target, Owner::Block(index)) {
                    continue;
                }
                let src = model.src(var.file);
                let mut f = self.finding(
                    var.file,
                    var.span.clone(),
                    format!("Variable `{name}` is never used"),
                    format!("`variable \"{name}\"` is declared, but nothing in this module references `var.{name}`"),
                );
                f.address = Some(var.address.clone());
                f.key = name.to_string();
                f.fix = Some(Fix::new(
                    format!("Remove the unused variable `{name}`"),
                    Applicability::Unsafe,
                    vec![remove_lines(model.path(var.file), src, var.span.clone())],
                ));
                out.push(f);
            }
            for (index, local) in module.locals.iter().enumerate() {
                let target = Target::Local(local.name.to_string());
                if used(&target, Owner::Local(index)) {
                    continue;
                }
                let src = model.src(local.file);
                let mut f = self.finding(
                    local.file,
                    local.span.clone(),
                    format!("Local `{}` is never used", local.name),
                    format!(
                        "`local.{}` is defined, but nothing in this module references it",
                        local.name
                    ),
                );
                f.address = Some(format!("local.{}", local.name));
                f.key = local.name.to_string();
                f.fix = Some(Fix::new(
                    format!("Remove the unused local `{}`", local.name),
                    Applicability::Unsafe,
                    vec![remove_lines(
                        model.path(local.file),
                        src,
                        local.span.clone(),
                    )],
                ));
                out.push(f);
            }
        }
    }
}
