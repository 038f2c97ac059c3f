//! # Undeclared variables
//!
//! ## What it does
//! Reports `var.x` where the module has no `variable "x"` block. One finding per variable,
//! at its first use.
//!
//! ## Why is this bad?
//! Terraform rejects a reference to an undeclared input variable ("Reference to
//! undeclared input variable") during validation and planning.
//!
//! ## Error
//! ```text
//! Error: Reference to undeclared input variable
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudwatch_log_group" "audit" {
//!   retention_in_days = var.cloudwatch_log_retention_days
//! }
//! ```
//! Use instead:
//! ```hcl
//! variable "cloudwatch_log_retention_days" {
//!   description = "Cloudwatch log retention days"
//!   type        = number
//! }
//! ```
//!
//! ## Fix safety
//! Safe. The fix appends a `variable` block with a description and a type to the
//! module's `variables.tf` (creating it when needed). The type is taken from the value in
//! a `.tfvars` file when there is one, else from how the variable is used (`tags` → map,
//! `*_days` → number, `enable_*` → bool, `*_ids` → list); the variable has no default, so
//! Terraform asks for it until one is given.
//!
//! ## Root cause
//! The resources were generated with variables that the variables file never declared:
//! variable extraction from the requirements was not systematic, and the files were not
//! checked against each other.
//!
//! ## Impact
//! Deployment is blocked: `terraform plan` fails with a reference error for every
//! undeclared variable.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/values/variables

use std::collections::BTreeMap;

use hcl_edit::expr::Expression;

use super::{Class, Rule};
use crate::edits::{append_to_file, line_start};
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::expr::Target;
use crate::model::{Model, Module, Reference};

pub struct VariableUndeclared;

impl Rule for VariableUndeclared {
    fn id(&self) -> &'static str {
        "variable-undeclared"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in model.modules.iter().filter(|m| m.declarations_known()) {
            let mut missing: BTreeMap<&str, Vec<&Reference>> = BTreeMap::new();
            for r in &module.refs {
                if let Target::Var(name) = &r.target
                    && !module.has_variable(name)
                    && (module.complete || !module.may_declare(model.ws, &r.target))
                {
                    missing.entry(name).or_default().push(r);
                }
            }
            for (name, uses) in missing {
                let Some(first) = uses
                    .iter()
                    .min_by_key(|r| (model.path(r.file), r.span.start))
                else {
                    continue;
                };
                let count = uses.len();
                let times = if count == 1 {
                    "once".to_string()
                } else {
                    format!("{count} times")
                };
                let mut f = self.finding(
                    first.file,
                    first.span.clone(),
                    format!("Variable `{name}` is not declared"),
                    format!(
                        "`var.{name}` is used {times} in this module, but no `variable \"{name}\"` block declares it; Terraform fails with \"Reference to undeclared input variable\""
                    ),
                );
                f.address = Some(format!("var.{name}"));
                f.related = crate::finding::other_uses(model, &module.refs, first);
                f.key = name.to_string();
                let assigned = assigned_to(model, &uses);
                let ty = infer_type(module, name, assigned.as_deref());
                let text = crate::edits::variable_block(
                    model,
                    module,
                    name,
                    ty,
                    &describe(name),
                    assigned.as_deref(),
                );
                f.fix = Some(Fix::new(
                    format!("Declare `variable \"{name}\"` in variables.tf"),
                    Applicability::Safe,
                    vec![append_to_file(
                        model.ws,
                        &module.path_of("variables.tf"),
                        &text,
                    )],
                ));
                out.push(f);
            }
        }
    }
}

/// `cloudwatch_log_retention_days` → `Cloudwatch log retention days`.
fn describe(name: &str) -> String {
    let words = name.replace(['_', '-'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The argument the variable is assigned to, where it is the whole value.
fn assigned_to(model: &Model<'_>, uses: &[&Reference]) -> Option<String> {
    uses.iter().find_map(|r| {
        let src = model.src(r.file);
        let before = src
            .get(line_start(src, r.span.start)..r.span.start)?
            .trim_end();
        let key = before.strip_suffix('=')?.trim();
        let after = src.get(r.span.end..)?.lines().next()?.trim();
        (after.is_empty() || after.starts_with('#') || after.starts_with("//"))
            .then(|| key.trim_matches('"').to_string())
    })
}

fn infer_type(module: &Module<'_>, name: &str, assigned_to: Option<&str>) -> &'static str {
    if let Some(value) = module.tfvars.iter().find(|v| v.name == name) {
        return type_of_value(value.value);
    }
    for word in [Some(name), assigned_to].into_iter().flatten() {
        if let Some(ty) = type_from_name(word) {
            return ty;
        }
    }
    "string"
}

fn type_from_name(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    if n == "tags" || n.ends_with("_tags") {
        return Some("map(string)");
    }
    const NUMBER_SUFFIXES: &[&str] = &[
        "_days",
        "_window",
        "_count",
        "_port",
        "_size",
        "_seconds",
        "_timeout",
        "_minutes",
        "_hours",
        "_retention",
        "_capacity",
        "_memory",
        "_mb",
        "_gb",
        "_period",
        "_threshold",
        "_limit",
        "_interval",
        "_age",
        "_length",
    ];
    if NUMBER_SUFFIXES.iter().any(|s| n.ends_with(s))
        || matches!(
            n.as_str(),
            "count" | "port" | "retention_in_days" | "deletion_window_in_days"
        )
    {
        return Some("number");
    }
    if ["enable_", "is_", "create_", "use_", "enabled_"]
        .iter()
        .any(|p| n.starts_with(p))
        || n.ends_with("_enabled")
        || n == "enabled"
    {
        return Some("bool");
    }
    const LIST_SUFFIXES: &[&str] = &[
        "_ids",
        "_arns",
        "_cidrs",
        "_cidr_blocks",
        "_names",
        "_zones",
        "_subnets",
        "_list",
        "_accounts",
        "_regions",
    ];
    if LIST_SUFFIXES.iter().any(|s| n.ends_with(s)) {
        return Some("list(string)");
    }
    None
}

fn type_of_value(value: &Expression) -> &'static str {
    match value {
        Expression::Number(_) => "number",
        Expression::Bool(_) => "bool",
        Expression::Array(items) => match items.iter().next() {
            Some(Expression::Number(_)) => "list(number)",
            Some(Expression::Object(_)) => "list(any)",
            _ => "list(string)",
        },
        Expression::Object(obj) => {
            if obj
                .iter()
                .all(|(_, v)| matches!(v.expr(), Expression::String(_)))
            {
                "map(string)"
            } else {
                "any"
            }
        }
        _ => "string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_follow_names() {
        assert_eq!(type_from_name("tags"), Some("map(string)"));
        assert_eq!(
            type_from_name("cloudwatch_log_retention_days"),
            Some("number")
        );
        assert_eq!(type_from_name("kms_deletion_window"), Some("number"));
        assert_eq!(type_from_name("enable_logging"), Some("bool"));
        assert_eq!(type_from_name("private_subnet_ids"), Some("list(string)"));
        assert_eq!(type_from_name("primary_region"), None);
        assert_eq!(describe("security_ou_name"), "Security ou name");
    }
}
