//! # Variable the task contract requires is not declared (task contract)
//!
//! ## What it does
//! In the `contract` profile: reports each variable of the contract's
//! `required-variables` (by default `environment_suffix`; add the tag variables a team
//! uses, such as `repository` or `team`) that a root module does not declare.
//!
//! ## Why is this bad?
//! The task's pipeline passes these variables to every deployment (`-var
//! environment_suffix=pr123`). Terraform rejects a value for an undeclared variable, and
//! names and tags cannot use it.
//!
//! ## Example
//! A module with resources and no `variable "environment_suffix"`.
//! Use instead:
//! ```hcl
//! variable "environment_suffix" {
//!   description = "Suffix that keeps the names of parallel deployments apart"
//!   type        = string
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe. The fix declares the variable without a default, so it must be given.
//!
//! ## Root cause
//! The answer was written without the task's contract.
//!
//! ## Impact
//! Deployment blocker in the task's pipeline.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/values/variables

use super::{CONTRACT, Class, Rule};
use crate::edits::append_to_file;
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::{BlockInfo, BlockKind, Model, Module};

pub struct RequiredVariableMissing;

impl Rule for RequiredVariableMissing {
    fn id(&self) -> &'static str {
        "required-variable-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn profile(&self) -> Option<&'static str> {
        Some(CONTRACT)
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let contract = &model.ws.config.contract;
        for module in model.modules.iter().filter(|m| !m.is_child && m.complete) {
            let Some(anchor) = module
                .blocks
                .iter()
                .find(|b| b.kind == BlockKind::Provider)
                .or_else(|| module.blocks.iter().find(|b| b.kind == BlockKind::Resource))
            else {
                continue;
            };
            let target = variables_file(model, module, anchor);
            for name in &contract.required_variables {
                if module.has_variable(name) {
                    continue;
                }
                let mut f = self.finding(
                    anchor.file,
                    anchor.header(),
                    format!("Variable `{name}` is not declared"),
                    format!("the task contract requires `variable \"{name}\"`, which this module does not declare"),
                );
                f.address = Some(format!("var.{name}"));
                f.key = name.clone();
                f.fix = Some(Fix::new(
                    format!("Declare `{name}` in `{target}`"),
                    Applicability::Unsafe,
                    vec![declare(model, &target, name)],
                ));
                out.push(f);
            }
        }
    }
}

/// Where a required variable is declared: the module's `variables.tf`, else the file of
/// `anchor`.
fn variables_file(model: &Model<'_>, module: &Module<'_>, anchor: &BlockInfo<'_>) -> String {
    let variables_file = module.path_of("variables.tf");
    if model.ws.file_by_path(&variables_file).is_some() {
        variables_file
    } else {
        model.path(anchor.file).to_string()
    }
}

fn declare(model: &Model<'_>, target: &str, name: &str) -> Edit {
    let block = format!(
        "variable \"{name}\" {{\n  description = \"Required by the task contract\"\n  type        = string\n}}\n"
    );
    append_to_file(model.ws, target, &block)
}

/// The edit that declares the required variable `name` in `module`, the same as this
/// rule's fix (so that two fixes adding it make one edit); `None` when the module has no
/// block to place it by.
pub(super) fn declaration(model: &Model<'_>, module: &Module<'_>, name: &str) -> Option<Edit> {
    let anchor = module
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::Provider)
        .or_else(|| module.blocks.iter().find(|b| b.kind == BlockKind::Resource))?;
    Some(declare(model, &variables_file(model, module, anchor), name))
}
