//! # `slice` past the end of its list
//!
//! ## What it does
//! Reports `slice(list, start, end)` whose `end` (a number, written or given by a
//! variable's default or tfvars) is greater than the length of `list` where that list
//! is known: written in the call, or given by the variable (its tfvars value, else its
//! default) or local value it reads. The place where the list is given is named as a
//! related place.
//!
//! ## Why is this bad?
//! Terraform evaluates `slice` while it plans and stops: the call asks for elements the
//! list does not have. It is common with availability zones: `slice(var.azs, 0, 3)` and
//! a default of two zones.
//!
//! ## Error
//! ```text
//! Error: Invalid function argument
//!
//! Invalid value for "end_index" parameter: end index must not be greater than the
//! length of the list.
//! ```
//!
//! ## Example
//! ```hcl
//! variable "azs" {
//!   default = ["us-west-1a", "us-west-1c"]
//! }
//! locals {
//!   azs = slice(var.azs, 0, 3)
//! }
//! ```
//! Use instead `slice(var.azs, 0, min(3, length(var.azs)))`, or a list as long as the
//! slice.
//!
//! ## Fix safety
//! Unsafe: the fix bounds `end` by the list's length (`min(end, length(list))`), which
//! gives fewer elements than the code asked for.
//!
//! ## Root cause
//! The slice and the list were written for different numbers of elements (three
//! availability zones, and a region default with two).
//!
//! ## Impact
//! Deployment blocker: the plan fails.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/functions/slice

use hcl_edit::expr::{Expression, FuncCall};
use hcl_edit::visit::{self, Visit};

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::eval::literal_sources;
use crate::model::expr::{span_of, traversal_path};
use crate::model::{Model, Module};
use crate::workspace::FileId;

pub struct SliceOutOfRange;

impl Rule for SliceOutOfRange {
    fn id(&self) -> &'static str {
        "slice-out-of-range"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in &module.blocks {
                let mut calls = Slices::default();
                calls.visit_body(&b.block.body);
                for call in calls.found {
                    let args: Vec<&Expression> = call.args.iter().collect();
                    let [list, _start, end] = args.as_slice() else {
                        continue;
                    };
                    let Some(end_value) = number(model, module, b.file, end) else {
                        continue;
                    };
                    let lists = lists_of(module, b.file, list, 0);
                    let Some(longest) = lists.iter().map(|(_, _, n)| *n).max() else {
                        continue;
                    };
                    if lists.is_empty() || end_value <= longest as f64 {
                        continue;
                    }
                    let src = model.src(b.file);
                    let list_text = src.get(span_of(*list)).unwrap_or("the list");
                    let mut f = self.finding(
                        b.file,
                        span_of(&call),
                        format!("`slice` ends at {end_value} in a list of {longest}"),
                        format!(
                            "`{}` takes `slice({list_text}, …, {end_value})`, but the list has {longest} element{}: Terraform stops with \"end index must not be greater than the length of the list\"",
                            b.address,
                            if longest == 1 { "" } else { "s" }
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = src.get(span_of(&call)).unwrap_or("").to_string();
                    f.related = lists
                        .iter()
                        .map(|(file, span, n)| Related {
                            file: *file,
                            span: span.clone(),
                            message: format!(
                                "the list, with {n} element{}",
                                if *n == 1 { "" } else { "s" }
                            ),
                        })
                        .collect();
                    let end_text = src.get(span_of(*end)).unwrap_or("");
                    f.fix = Some(Fix::new(
                        format!(
                            "End the slice at the list's length: `min({end_text}, length({list_text}))`"
                        ),
                        Applicability::Unsafe,
                        vec![Edit::replace(
                            model.path(b.file),
                            span_of(*end),
                            format!("min({end_text}, length({list_text}))"),
                        )],
                    ));
                    out.push(f);
                }
            }
        }
    }
}

/// The number `expr` is, written or through variables and locals, when every place it
/// comes from gives the same number.
fn number(model: &Model<'_>, module: &Module<'_>, file: FileId, expr: &Expression) -> Option<f64> {
    let mut values = literal_sources(model, module, file, expr)
        .into_iter()
        .map(|(_, e)| match e {
            Expression::Number(n) => n.value().as_f64(),
            _ => None,
        });
    let first = values.next()??;
    values.all(|v| v == Some(first)).then_some(first)
}

/// The lists `expr` can be, with where each is written and its length: a list written
/// in place, or the tfvars values (else the default) of the variable, or the value of
/// the local, it reads. Empty when any of them is not a written list.
fn lists_of(
    module: &Module<'_>,
    file: FileId,
    expr: &Expression,
    depth: usize,
) -> Vec<(FileId, std::ops::Range<usize>, usize)> {
    if depth > 4 {
        return Vec::new();
    }
    match expr {
        Expression::Array(items) => vec![(file, span_of(expr), items.len())],
        Expression::Parenthesis(p) => lists_of(module, file, p.inner(), depth + 1),
        Expression::Traversal(_) => match traversal_path(expr) {
            Some(("var", attrs)) if attrs.len() == 1 && !module.is_child => {
                let name = attrs[0];
                let given: Vec<_> = module.tfvars.iter().filter(|v| v.name == name).collect();
                let values: Vec<(FileId, &Expression)> = if given.is_empty() {
                    module
                        .block(&format!("var.{name}"))
                        .and_then(|b| Some((b.file, &b.attr("default")?.value)))
                        .into_iter()
                        .collect()
                } else {
                    given.iter().map(|v| (v.file, v.value)).collect()
                };
                let mut out = Vec::new();
                for (file, value) in values {
                    let found = lists_of(module, file, value, depth + 1);
                    if found.is_empty() {
                        return Vec::new();
                    }
                    out.extend(found);
                }
                out
            }
            Some(("local", attrs)) if attrs.len() == 1 => module
                .locals
                .iter()
                .find(|l| l.name == attrs[0])
                .map(|l| lists_of(module, l.file, &l.attr.value, depth + 1))
                .unwrap_or_default(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The `slice` calls of a body.
#[derive(Default)]
struct Slices {
    found: Vec<FuncCall>,
}

impl Visit for Slices {
    fn visit_func_call(&mut self, node: &FuncCall) {
        if node.name.namespace.is_empty() && node.name.name.as_str() == "slice" {
            self.found.push(node.clone());
        }
        visit::visit_func_call(self, node);
    }
}
