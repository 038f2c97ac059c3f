//! # Conditional whose two results have no common type
//!
//! ## What it does
//! Reports a conditional expression (`cond ? a : b`) whose two results Terraform cannot
//! convert to one type: a list and a string, an object and a string, a list and an
//! object (`[] : {}` included), a number and a bool, or objects or lists whose matching
//! parts differ so (`{ Action = "s3:*" } : { Action = ["s3:Get*"] }`). Results that are
//! not known before evaluation (references, most function calls, `null`) are taken to
//! fit anything, so only literal shapes are judged; `jsonencode(…)` and the other
//! string functions count as strings.
//!
//! ## Why is this bad?
//! Terraform checks the two results' types before it knows the condition, so the
//! configuration fails `validate` and `plan` whichever branch would be taken.
//!
//! ## Error
//! ```text
//! Error: Inconsistent conditional result types
//!
//! The true and false result expressions must have consistent types. The 'true' value
//! is tuple, but the 'false' value is string.
//! ```
//!
//! ## Example
//! ```hcl
//! Condition = var.require_mfa ? {
//!   Bool = { "aws:MultiFactorAuthPresent" = "true" }
//! } : "none"
//! ```
//! Use instead results of one shape (an empty object for "no condition"):
//! ```hcl
//! Condition = var.require_mfa ? {
//!   Bool = { "aws:MultiFactorAuthPresent" = "true" }
//! } : {}
//! ```
//!
//! ## Fix safety
//! No fix: which result to change is a design choice.
//!
//! ## Root cause
//! A value that is sometimes a list and sometimes a single string (an IAM `Action`, a
//! CIDR), or "nothing" written as `""` or `[]` next to an object.
//!
//! ## Impact
//! Deployment blocker: the configuration does not validate.
//!
//! ## References
//! - https://developer.hashicorp.com/terraform/language/expressions/conditionals#result-types
//! - https://developer.hashicorp.com/terraform/language/expressions/type-constraints#conversion-of-primitive-types

use hcl_edit::expr::Conditional;
use hcl_edit::visit::{self, Visit};

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::expr::span_of;
use crate::model::types::{Ty, constraint, of_with, unify};
use crate::model::{BlockKind, Model, Module};
use crate::workspace::FileKind;

pub struct ConditionalTypeMismatch;

impl Rule for ConditionalTypeMismatch {
    fn id(&self) -> &'static str {
        "conditional-type-mismatch"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let vars = declared(module);
            for b in &module.blocks {
                // A `locals` block's entries are reported by name, below.
                if b.kind == BlockKind::Locals
                    || model.ws.files.get(b.file).map(|f| f.kind) != Some(FileKind::Terraform)
                {
                    continue;
                }
                let mut found = Mismatches::new(&vars);
                found.visit_body(&b.block.body);
                for (span, why) in found.found {
                    let mut f = self.finding(
                        b.file,
                        span,
                        "Conditional results have no common type".to_string(),
                        format!(
                            "in `{}`, {why}: Terraform cannot give the conditional one type and stops (\"Inconsistent conditional result types\")",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    out.push(f);
                }
            }
            for l in &module.locals {
                let mut found = Mismatches::new(&vars);
                found.visit_expr(&l.attr.value);
                for (span, why) in found.found {
                    let mut f = self.finding(
                        l.file,
                        span,
                        "Conditional results have no common type".to_string(),
                        format!(
                            "in `local.{}`, {why}: Terraform cannot give the conditional one type and stops (\"Inconsistent conditional result types\")",
                            l.name
                        ),
                    );
                    f.address = Some(format!("local.{}", l.name));
                    out.push(f);
                }
            }
        }
    }
}

/// The declared type of each variable of a module that has one.
type Declared<'m> = std::collections::HashMap<&'m str, Ty>;

fn declared<'m>(module: &'m Module<'_>) -> Declared<'m> {
    module
        .blocks_of(BlockKind::Variable)
        .filter_map(|v| Some((v.label(0), constraint(&v.attr("type")?.value))))
        .collect()
}

struct Mismatches<'d, 'm> {
    vars: &'d Declared<'m>,
    found: Vec<(std::ops::Range<usize>, String)>,
}

impl<'d, 'm> Mismatches<'d, 'm> {
    fn new(vars: &'d Declared<'m>) -> Self {
        Mismatches {
            vars,
            found: Vec::new(),
        }
    }
}

impl Visit for Mismatches<'_, '_> {
    fn visit_conditional(&mut self, node: &Conditional) {
        let vars = |name: &str| self.vars.get(name).cloned();
        let (t, f) = (
            of_with(&node.true_expr, &vars),
            of_with(&node.false_expr, &vars),
        );
        if unify(&[t.clone(), f.clone()]).is_none() {
            self.found.push((span_of(node), explain(&t, &f, "")));
        }
        visit::visit_conditional(self, node);
    }
}

/// Why `t` and `f` do not unify, naming the first part where they part ways.
fn explain(t: &Ty, f: &Ty, path: &str) -> String {
    let at = if path.is_empty() {
        String::new()
    } else {
        format!(" at `{path}`")
    };
    match (t, f) {
        (Ty::Object(a), Ty::Object(b))
            if a.len() == b.len() && a.keys().all(|k| b.contains_key(k)) =>
        {
            for (name, x) in a {
                if let Some(y) = b.get(name)
                    && unify(&[x.clone(), y.clone()]).is_none()
                {
                    let inner = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    return explain(x, y, &inner);
                }
            }
            format!("the two objects{at} cannot be unified")
        }
        (Ty::Object(_), Ty::Object(_)) => format!(
            "the two objects{at} have different attributes whose values share no type, so they cannot become one map"
        ),
        (Ty::Tuple(a), Ty::Tuple(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                if unify(&[x.clone(), y.clone()]).is_none() {
                    return explain(x, y, &format!("{path}[{i}]"));
                }
            }
            format!("the two lists{at} cannot be unified")
        }
        (Ty::Tuple(_), Ty::Tuple(_)) => format!(
            "the two lists{at} hold elements that share no type, so they cannot become one list"
        ),
        _ => format!(
            "the true result{at} is {} and the false result is {}",
            t.describe(),
            f.describe()
        ),
    }
}
