//! # Environment name written as a literal (task contract)
//!
//! ## What it does
//! In the `contract` profile: reports a literal environment name (`production`, `prod`,
//! `staging`, `dev`, `test`, …) given as the value of an `Environment` tag (in `tags`,
//! `default_tags` or a `tags` variable's default, and in `*.tfvars`), and `production`
//! or `prod` as the default of a variable named `environment` or `env`. Also where
//! resources are selected by that tag: a block with `key = "Environment"` (or
//! `"tag:Environment"`, `"aws:ResourceTag/Environment"`) and a `value` or `values`
//! (AWS Backup's `selection_tag` and `condition`, SSM's `targets`, CodeDeploy's tag
//! filters, an Auto Scaling group's `tag` blocks), and a data source's
//! `filter { name = "tag:Environment" }`.
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
//! Tags and defaults that say production where there is none; backups, patch windows
//! and lookups that select the production resources from every environment, or none.
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
            let mut found: Vec<(FileId, &Expression, String, bool)> = Vec::new();
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
                            found.push((b.file, &default.value, b.address.clone(), false));
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
                    selector_values(body, b.file, &b.address, &mut found);
                    stack.extend(body.blocks().map(|blk| &blk.body));
                }
            }
            for v in &module.tfvars {
                tag_values(v.value, v.file, v.name, &mut found);
            }
            let mut keys = super::OccurrenceKeys::default();
            for (file, expr, owner, selects) in found {
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
                    if selects {
                        format!(
                            "`{owner}` selects by the environment tag `{value}`, written literally; in every other environment this code is deployed to it selects the wrong resources, or none"
                        )
                    } else {
                        format!(
                            "`{owner}` says `{value}` literally; every deployment of this code, whatever its environment, is labelled `{value}`"
                        )
                    },
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
    found: &mut Vec<(FileId, &'a Expression, String, bool)>,
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
            found.push((file, value.expr(), owner.to_string(), false));
        } else if name == "tags" {
            tag_values(value.expr(), file, owner, found);
        }
    }
}

/// Whether a tag key names the environment: `Environment`, `tag:Environment` (SSM and
/// EC2 filters), or a condition key such as `aws:ResourceTag/Environment`.
fn environment_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let name = key
        .strip_prefix("tag:")
        .or_else(|| key.rsplit_once('/').map(|(_, n)| n))
        .unwrap_or(&key);
    name == "environment" || name == "env"
}

/// The value, or each element of the list of values, of a tag block; `selects` when
/// the block selects resources rather than labelling one.
fn push_values<'a>(
    expr: &'a Expression,
    file: FileId,
    owner: &str,
    selects: bool,
    found: &mut Vec<(FileId, &'a Expression, String, bool)>,
) {
    match expr {
        Expression::Array(items) => {
            for item in items.iter() {
                found.push((file, item, owner.to_string(), selects));
            }
        }
        e => found.push((file, e, owner.to_string(), selects)),
    }
}

/// A block that labels with the environment tag (an Auto Scaling group's `tag`), or
/// selects by it: `key = "Environment"` (or
/// `"tag:Environment"`, `"aws:ResourceTag/Environment"`) with `value` or `values`, as in
/// AWS Backup's `selection_tag` and `condition`, SSM's `targets`, CodeDeploy's tag
/// filters; or `name = "tag:Environment"` with `values`, as in a data source's `filter`.
fn selector_values<'a>(
    body: &'a hcl_edit::structure::Body,
    file: FileId,
    owner: &str,
    found: &mut Vec<(FileId, &'a Expression, String, bool)>,
) {
    for block in body.blocks() {
        let key = block
            .body
            .get_attribute("key")
            .and_then(|a| static_str(&a.value))
            .filter(|k| environment_key(k))
            .or_else(|| {
                block
                    .body
                    .get_attribute("name")
                    .and_then(|a| static_str(&a.value))
                    .filter(|k| k.to_ascii_lowercase().starts_with("tag:") && environment_key(k))
            });
        if key.is_none() {
            continue;
        }
        for name in ["value", "values"] {
            if let Some(v) = block.body.get_attribute(name) {
                // An Auto Scaling group's `tag` block labels it.
                let selects = block.ident.as_str() != "tag";
                push_values(&v.value, file, owner, selects, found);
            }
        }
    }
}
