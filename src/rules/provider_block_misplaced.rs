//! # `terraform` or `provider` block outside the provider file (task contract)
//!
//! ## What it does
//! In the `contract` profile: reports a `terraform` block (with its `backend` and
//! `required_providers`) or a `provider` block of a root module that is not in the
//! contract's provider file (`provider.tf` by default).
//!
//! ## Why is this bad?
//! The task's pipeline replaces the provider file to point the backend and providers at
//! its own account and state; blocks elsewhere are then duplicated ("Duplicate provider
//! configuration", "Duplicate backend configuration", and for a second
//! `required_providers` block — in `main.tf` beside the one in `provider.tf` —
//! "Duplicate required providers configuration: A module may have only one required
//! providers configuration", which stops `terraform init`) or keep settings the
//! pipeline meant to replace.
//!
//! ## Example
//! ```hcl
//! # main.tf
//! provider "aws" {
//!   region = var.aws_region
//! }
//! ```
//! Use instead: the same block in `provider.tf`.
//!
//! ## Fix safety
//! Safe, offered when the provider file has no block of the same kind and name: the fix
//! moves the block; Terraform reads every file of a module alike.
//!
//! ## Root cause
//! The answer was laid out without the task's file contract.
//!
//! ## Impact
//! Deployment blocker in the task's pipeline.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/files

use super::{CONTRACT, Class, Rule};
use crate::edits::{append_to_file, remove_lines};
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::{BlockKind, Model};

pub struct ProviderBlockMisplaced;

impl Rule for ProviderBlockMisplaced {
    fn id(&self) -> &'static str {
        "provider-block-misplaced"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn profile(&self) -> Option<&'static str> {
        Some(CONTRACT)
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let provider_file = &model.ws.config.contract.provider_file;
        for module in model.modules.iter().filter(|m| !m.is_child) {
            let target = module.path_of(provider_file);
            // Two `terraform` blocks outside the file are two findings: the second's key
            // tells them apart (the first keeps the plain fingerprint).
            let mut keys = super::OccurrenceKeys::default();
            for b in module
                .blocks
                .iter()
                .filter(|b| matches!(b.kind, BlockKind::Terraform | BlockKind::Provider))
            {
                let path = model.path(b.file);
                if path == target {
                    continue;
                }
                let what = match b.kind {
                    BlockKind::Terraform => "`terraform` block".to_string(),
                    _ => format!("`{}`", b.address),
                };
                let mut f = self.finding(
                    b.file,
                    b.header(),
                    format!("{what} is outside `{provider_file}`"),
                    format!(
                        "the task contract puts the {what} in `{provider_file}`; it is in `{path}`"
                    ),
                );
                f.address = Some(b.address.clone());
                f.key = keys
                    .key(b.address.clone())
                    .strip_prefix(b.address.as_str())
                    .unwrap_or("")
                    .to_string();
                let taken = module
                    .blocks
                    .iter()
                    .any(|o| o.address == b.address && model.path(o.file) == target);
                if !taken {
                    let src = model.src(b.file);
                    let text = src.get(b.span.clone()).unwrap_or("");
                    f.fix = Some(Fix::new(
                        format!("Move it to `{provider_file}`"),
                        Applicability::Safe,
                        vec![
                            remove_lines(path, src, b.span.clone()),
                            append_to_file(model.ws, &target, text),
                        ],
                    ));
                }
                out.push(f);
            }
        }
    }
}
