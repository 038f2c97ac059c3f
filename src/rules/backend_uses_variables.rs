//! # Backend configuration references variables or locals
//!
//! ## What it does
//! Reports a `backend` block (inside `terraform {}`) whose arguments reference `var.`,
//! `local.` or any other expression that is not a literal value.
//!
//! ## Why is this bad?
//! Terraform reads the backend before it evaluates anything else, so the backend may not
//! use variables, locals or functions: `terraform init` stops with "Variables not allowed".
//! The code cannot even be initialised.
//!
//! ## Error
//! ```text
//! Error: Variables not allowed
//! ```
//!
//! ## Example
//! ```hcl
//! terraform {
//!   backend "s3" {
//!     bucket = var.state_bucket
//!   }
//! }
//! ```
//! Use instead a literal value, or leave the argument out and pass it with
//! `terraform init -backend-config=...`:
//! ```hcl
//! terraform {
//!   backend "s3" {
//!     bucket = "my-state-bucket"
//!   }
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe. When the variable has a literal default, the fix writes that default in place
//! of the reference; the value then no longer follows the variable.
//!
//! ## Root cause
//! The backend was treated as ordinary configuration that can be parameterised like a
//! resource.
//!
//! ## Impact
//! Deployment blocker: `terraform init` fails, so nothing can be planned or applied.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/backend#partial-configuration

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::Model;
use crate::model::expr::{RefCollector, Target, span_of, static_str};

pub struct BackendUsesVariables;

impl Rule for BackendUsesVariables {
    fn id(&self) -> &'static str {
        "backend-uses-variables"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for (t, backend) in module.backends() {
                let kind = backend.labels.first().map_or("", |l| l.as_str());
                for attr in backend.body.attributes() {
                    let mut refs = RefCollector::default();
                    refs.expr(&attr.value);
                    let Some(first) = refs.refs.first() else {
                        continue;
                    };
                    let span = span_of(&attr.value);
                    let reference = model.src(t.file).get(first.span.clone()).unwrap_or("");
                    let mut f = self.finding(
                            t.file,
                            span.clone(),
                            format!("Backend `{kind}` argument `{}` references `{reference}`", attr.key.as_str()),
                            format!(
                                "backends are configured before anything is evaluated: `terraform init` rejects `{}` with \"Variables not allowed\"",
                                attr.key.as_str()
                            ),
                        );
                    f.address = Some("terraform".into());
                    f.key = attr.key.as_str().to_string();
                    let default = match (&first.target, refs.refs.len()) {
                        (Target::Var(name), 1) if span == first.span => module
                            .block(&format!("var.{name}"))
                            .and_then(|v| v.attr("default"))
                            .and_then(|d| static_str(&d.value)),
                        _ => None,
                    };
                    if let Some(value) = default {
                        f.fix = Some(Fix::new(
                            format!("Write the variable's default, `\"{value}\"`"),
                            Applicability::Unsafe,
                            vec![Edit::replace(
                                model.path(t.file),
                                span,
                                format!("{:?}", value),
                            )],
                        ));
                    }
                    out.push(f);
                }
            }
        }
    }
}
