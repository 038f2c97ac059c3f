//! # Environment name written as a literal (task contract)
//!
//! ## What it does
//! In the `contract` profile: reports a literal environment name (`production`, `prod`,
//! `staging`, `dev`, `test`, …) given as the value of an `Environment` tag (in `tags`,
//! `default_tags` or a `tags` variable's default, and in `*.tfvars`), and `production`
//! or `prod` as the default of a variable named `environment` or `env`.
//!
//! ## Why is this bad?
//! The task's pipeline deploys the same code for many environments and tells them apart
//! by variables. A literal `Environment = "production"` mislabels every test deployment
//! as production, which cost reports, alarms and access policies then trust.
//!
//! ## Example
//! ```hcl
//! default_tags {
//!   tags = {
//!     Environment = "production"
//!   }
//! }
//! ```
//! Use instead:
//! ```hcl
//! default_tags {
//!   tags = {
//!     Environment = var.environment
//!   }
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe, offered in `.tf` files when the module declares `variable "environment"`: the
//! fix writes `var.environment` instead.
//!
//! ## Root cause
//! The code was written for one environment.
//!
//! ## Impact
//! Tags and defaults that say production where there is none.
//!
//! ## References
//! https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html

use hcl_edit::expr::Expression;

use super::{CONTRACT, Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::expr::{object_key_text, span_of, static_str};
use crate::model::{BlockKind, Model};
use crate::workspace::FileId;

const NAMES: &[&str] = &[
    "production",
    "prod",
    "staging",
    "stage",
    "development",
    "dev",
    "test",
    "qa",
    "uat",
];

pub struct EnvironmentValueHardcoded;

impl Rule for EnvironmentValueHardcoded {
    fn id(&self) -> &'static str {
        "environment-value-hardcoded"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn profile(&self) -> Option<&'static str> {
        Some(CONTRACT)
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let variable = ["environment", "env"]
                .into_iter()
                .find(|v| module.has_variable(v));
            let mut found: Vec<(FileId, &Expression, String)> = Vec::new();
            for b in &module.blocks {
                if b.kind == BlockKind::Variable {
                    let name = b.label(0).to_ascii_lowercase();
                    if let Some(default) = b.attr("default") {
                        // A `dev` default is the safe choice; `production` labels every
                        // test deployment as production.
                        let production = static_str(&default.value).is_some_and(|v| {
                            matches!(v.to_ascii_lowercase().as_str(), "production" | "prod")
                        });
                        if (name == "environment" || name == "env") && production {
                            found.push((b.file, &default.value, b.address.clone()));
                        } else {
                            tag_values(&default.value, b.file, &b.address, &mut found);
                        }
                    }
                    continue;
                }
                let mut stack = vec![b.body()];
                while let Some(body) = stack.pop() {
                    for attr in body.attributes() {
                        if attr.key.as_str().contains("tags") {
                            tag_values(&attr.value, b.file, &b.address, &mut found);
                        }
                    }
                    stack.extend(body.blocks().map(|blk| &blk.body));
                }
            }
            for v in &module.tfvars {
                tag_values(v.value, v.file, v.name, &mut found);
            }
            let mut keys = super::OccurrenceKeys::default();
            for (file, expr, owner) in found {
                let Some(value) = static_str(expr) else {
                    continue;
                };
                if !NAMES.contains(&value.to_ascii_lowercase().as_str()) {
                    continue;
                }
                let span = span_of(expr);
                let mut f = self.finding(
                    file,
                    span.clone(),
                    format!("Environment `{value}` is written as a literal"),
                    format!(
                        "`{owner}` says `{value}` literally; every deployment of this code, whatever its environment, is labelled `{value}`"
                    ),
                );
                f.address = Some(owner);
                f.key = keys.key(format!("{}:{value}", model.path(file)));
                let in_tf = model
                    .ws
                    .files
                    .get(file)
                    .is_some_and(|f| f.kind == crate::workspace::FileKind::Terraform);
                if let Some(var) = variable
                    && in_tf
                    && f.address.as_deref() != Some(format!("var.{var}").as_str())
                {
                    f.fix = Some(Fix::new(
                        format!("Use `var.{var}`"),
                        Applicability::Unsafe,
                        vec![Edit::replace(model.path(file), span, format!("var.{var}"))],
                    ));
                }
                out.push(f);
            }
        }
    }
}

/// The values of `Environment`/`Env` keys of an object literal (the tags).
fn tag_values<'a>(
    expr: &'a Expression,
    file: FileId,
    owner: &str,
    found: &mut Vec<(FileId, &'a Expression, String)>,
) {
    let Some(obj) = expr.as_object() else {
        if let Expression::FuncCall(call) = expr {
            for arg in call.args.iter() {
                tag_values(arg, file, owner, found);
            }
        }
        return;
    };
    for (key, value) in obj.iter() {
        let name = object_key_text(key)
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name == "environment" || name == "env" {
            found.push((file, value.expr(), owner.to_string()));
        } else if name == "tags" {
            tag_values(value.expr(), file, owner, found);
        }
    }
}
