//! # Provider configured twice
//!
//! ## What it does
//! Reports a `provider` block with the same name and alias (or no alias) as an earlier
//! one in the same module (not in an `override.tf` or `*_override.tf` file, which
//! Terraform merges into the first).
//!
//! ## Why is this bad?
//! A module may hold one default configuration per provider and one per alias. Terraform
//! stops with "Duplicate provider configuration"; answers split over several files
//! (`provider.tf` and `main.tf`) often configure `aws` in both.
//!
//! ## Error
//! ```text
//! Error: Duplicate provider configuration
//! ```
//!
//! ## Example
//! ```hcl
//! provider "aws" {
//!   region = var.aws_region
//! }
//! # main.tf
//! provider "aws" {
//!   region = "us-east-1"
//! }
//! ```
//! Use instead one block, or give the second an `alias`.
//!
//! ## Fix safety
//! Unsafe. The fix removes the later block; when the two differ, what the later one set
//! is lost.
//!
//! ## Root cause
//! Files were written separately, each with its own provider block.
//!
//! ## Impact
//! Deployment blocker: `terraform init` and `plan` fail.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/providers/configuration

use super::{Class, Rule};
use crate::edits::remove_lines;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::{BlockKind, Model};

pub struct ProviderDuplicated;

impl Rule for ProviderDuplicated {
    fn id(&self) -> &'static str {
        "provider-duplicated"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let providers: Vec<_> = module.blocks_of(BlockKind::Provider).collect();
            let mut keys = super::OccurrenceKeys::default();
            for (i, p) in providers.iter().enumerate() {
                let Some(first) = providers[..i].iter().find(|q| q.address == p.address) else {
                    continue;
                };
                // An override file's provider block is merged into the first one.
                let merged = |f: crate::workspace::FileId| {
                    model.ws.files.get(f).is_some_and(|f| f.is_override())
                };
                if merged(p.file) || merged(first.file) {
                    continue;
                }
                let (line, _) = model.ws.files[first.file].line_col(first.span.start);
                let mut f = self.finding(
                    p.file,
                    p.header(),
                    format!("`{}` is configured twice", p.address),
                    format!(
                        "`{}` is already configured in {}:{line}; Terraform rejects a second configuration of the same provider and alias",
                        p.address,
                        model.path(first.file)
                    ),
                );
                f.address = Some(p.address.clone());
                f.key = keys.key(model.path(p.file).to_string());
                let src = model.src(p.file);
                let same = src.get(p.span.clone()) == model.src(first.file).get(first.span.clone());
                f.fix = Some(Fix::new(
                    "Remove the second configuration",
                    if same {
                        Applicability::Safe
                    } else {
                        Applicability::Unsafe
                    },
                    vec![remove_lines(model.path(p.file), src, p.span.clone())],
                ));
                out.push(f);
            }
        }
    }
}
