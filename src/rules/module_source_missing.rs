//! # Local module source without Terraform files
//!
//! ## What it does
//! Reports a `module` block whose `source` is a local path (`./modules/vpc`) that holds no
//! `.tf` file in the workspace, or in the answer being reviewed.
//!
//! ## Why is this bad?
//! `terraform init` stops with "Unreadable module directory". Answers often call modules
//! they never write, or write them under another path.
//!
//! ## Error
//! ```text
//! Error: Unreadable module directory
//! ```
//!
//! ## Example
//! ```hcl
//! module "vpc" {
//!   source = "./modules/vpc"   # no modules/vpc/*.tf anywhere
//! }
//! ```
//! Use instead: write the module's files at that path, or use the resources directly.
//!
//! ## Fix safety
//! No fix: the module's content is unknown.
//!
//! ## Root cause
//! The answer was structured as modules but only the root module was written.
//!
//! ## Impact
//! Deployment blocker: nothing can be initialised.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/modules/sources#local-paths

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::expr::{span_of, static_str};
use crate::model::{BlockKind, Model, resolve_local_source};
use crate::workspace::FileKind;

pub struct ModuleSourceMissing;

impl Rule for ModuleSourceMissing {
    fn id(&self) -> &'static str {
        "module-source-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for call in module.blocks_of(BlockKind::Module) {
                let Some(attr) = call.attr("source") else {
                    continue;
                };
                let Some(source) = static_str(&attr.value) else {
                    continue;
                };
                let Some(dir) = resolve_local_source(&module.dir, &source) else {
                    continue;
                };
                let dir = dir.trim_end_matches('/');
                let exists = model
                    .ws
                    .files_in(dir)
                    .any(|f| f.kind == FileKind::Terraform);
                if exists {
                    continue;
                }
                let mut f = self.finding(
                    call.file,
                    span_of(&attr.value),
                    format!("Module source `{source}` has no Terraform files"),
                    format!(
                        "`{}` calls `{source}`, but no `.tf` file exists at `{dir}`: `terraform init` fails with \"Unreadable module directory\"",
                        call.address
                    ),
                );
                f.address = Some(call.address.clone());
                out.push(f);
            }
        }
    }
}
