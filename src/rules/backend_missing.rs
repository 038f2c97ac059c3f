//! # Root module without a state backend (task contract)
//!
//! ## What it does
//! In the `contract` profile: reports a root module that creates resources and has no
//! `backend` (or `cloud`) block in its `terraform` blocks, so that its state stays in a local
//! `terraform.tfstate`. In a task folder whose ideal answer has no backend either, the
//! task does not ask for one and nothing is reported.
//!
//! ## Why is this bad?
//! The task's pipeline keeps each deployment's state remotely (an S3 backend, configured
//! at `terraform init -backend-config=…`). With no backend block, `init` ignores that
//! configuration and the state is written on the machine that ran `apply`: the next run
//! (another CI job, a colleague) starts from nothing and tries to create everything
//! again, and nobody can destroy what was deployed.
//!
//! ## Example
//! ```hcl
//! terraform {
//!   required_providers {
//!     aws = { source = "hashicorp/aws", version = "~> 5.0" }
//!   }
//! }
//! ```
//! Use instead a partial S3 backend, completed at `init`:
//! ```hcl
//! terraform {
//!   backend "s3" {}
//!   required_providers { … }
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix adds `backend "s3" {}` to the module's `terraform` block; `terraform
//! init` then needs the bucket, key and region (`-backend-config`), and an existing local
//! state has to be migrated (`init -migrate-state`).
//!
//! ## Root cause
//! The configuration was written to be applied once, from a laptop.
//!
//! ## Impact
//! State lost between runs: repeated creation fails on names that exist, and teardown
//! is impossible.
//!
//! ## References
//! - https://developer.hashicorp.com/terraform/language/backend
//! - https://developer.hashicorp.com/terraform/language/backend#partial-configuration

use super::{CONTRACT, Class, Rule};
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::{BlockKind, Model, Module};

pub struct BackendMissing;

impl Rule for BackendMissing {
    fn id(&self) -> &'static str {
        "backend-missing"
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
        for module in model.modules.iter().filter(|m| !m.is_child && m.complete) {
            // `terraform { cloud { … } }` keeps the state in HCP Terraform.
            let cloud = module
                .blocks_of(BlockKind::Terraform)
                .any(|t| t.body().blocks().any(|x| x.ident.as_str() == "cloud"));
            if module.backends().next().is_some()
                || cloud
                || !module.blocks_of(BlockKind::Resource).any(|_| true)
                || !ideal_has_backend(model, module)
            {
                continue;
            }
            let terraform = module.blocks_of(BlockKind::Terraform).next();
            let Some(anchor) = terraform
                .or_else(|| module.blocks_of(BlockKind::Provider).next())
                .or_else(|| module.blocks_of(BlockKind::Resource).next())
            else {
                continue;
            };
            let mut f = self.finding(
                anchor.file,
                anchor.header(),
                "No state backend".to_string(),
                format!(
                    "the module in `{}` has no `backend` block: its state stays in a local `terraform.tfstate`, which the next run does not see",
                    if module.dir.is_empty() { "." } else { &module.dir }
                ),
            );
            f.address = Some("terraform".into());
            f.fix = terraform.and_then(|t| {
                crate::edits::append_to_block(
                    model.path(t.file),
                    model.src(t.file),
                    t.span.clone(),
                    "backend \"s3\" {}",
                )
                .map(|e| {
                    Fix::new(
                        "Add a partial S3 backend (`backend \"s3\" {}`)",
                        Applicability::Unsafe,
                        vec![e],
                    )
                })
            });
            out.push(f);
        }
    }
}

/// Whether the task asks for a backend: the ideal answer's `terraform` block has one.
/// `true` for a module that is not compared with an ideal.
fn ideal_has_backend(model: &Model<'_>, module: &Module<'_>) -> bool {
    let compared = crate::compare::of_module(model, &module.dir);
    if compared.is_empty() {
        return true;
    }
    compared.iter().any(|c| {
        c.address == "terraform"
            && c.ideal.as_ref().is_some_and(|side| {
                side.text.contains("backend \"") || side.text.contains("backend\"")
            })
    })
}
