//! # Provider used without a `required_providers` entry
//!
//! ## What it does
//! Reports a provider whose resources or data sources a module uses (`random_password`,
//! `archive_file`, `tls_private_key`, `null_resource`, …) when the module declares
//! `required_providers` but lists no source and version for that provider. The finding
//! is at the `required_providers` block, where the entry belongs; each block that needs
//! the provider is a related place.
//!
//! ## Why is this bad?
//! Terraform then guesses `hashicorp/<name>` with no version constraint: every
//! `terraform init` may pick a new major version, and a lock file cannot be reviewed
//! against an intended version. Reviewers treat it as a missing declaration.
//!
//! ## Example
//! ```hcl
//! terraform {
//!   required_providers {
//!     aws = { source = "hashicorp/aws", version = "~> 5.0" }
//!   }
//! }
//! resource "random_password" "db" { length = 24 }
//! ```
//! Use instead:
//! ```hcl
//! terraform {
//!   required_providers {
//!     aws    = { source = "hashicorp/aws", version = "~> 5.0" }
//!     random = { source = "hashicorp/random", version = "~> 3.0" }
//!   }
//! }
//! ```
//!
//! ## Fix safety
//! Safe. The fix adds the provider's HashiCorp source with the current major version.
//!
//! ## Root cause
//! A utility provider was used without thinking of it as a provider.
//!
//! ## Impact
//! Reliability: unpinned provider versions make runs unrepeatable.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/providers/requirements

use std::collections::BTreeMap;

use super::{Class, Rule};
use crate::edits::append_to_block;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::{BlockKind, Model};

/// HashiCorp utility providers and the major version to pin.
const KNOWN: &[(&str, &str)] = &[
    ("random", "~> 3.0"),
    ("archive", "~> 2.0"),
    ("tls", "~> 4.0"),
    ("null", "~> 3.0"),
    ("local", "~> 2.0"),
    ("time", "~> 0.9"),
    ("external", "~> 2.0"),
    ("http", "~> 3.0"),
    ("cloudinit", "~> 2.0"),
];

pub struct RequiredProviderMissing;

impl Rule for RequiredProviderMissing {
    fn id(&self) -> &'static str {
        "required-provider-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let mut required = Vec::new();
            let mut blocks = Vec::new();
            for t in module.blocks_of(BlockKind::Terraform) {
                for rp in t.body().get_blocks("required_providers") {
                    required.extend(rp.body.attributes().map(|a| a.key.as_str()));
                    blocks.push((t.file, crate::model::expr::span_of(rp)));
                }
            }
            let Some((rp_file, rp_span)) = blocks.first().cloned() else {
                continue;
            };
            let mut used: BTreeMap<&str, Vec<&crate::model::BlockInfo<'_>>> = BTreeMap::new();
            for b in &module.blocks {
                if !matches!(b.kind, BlockKind::Resource | BlockKind::Data) {
                    continue;
                }
                let provider = b.provider.as_ref().map_or_else(
                    || b.label(0).split('_').next().unwrap_or(""),
                    |p| p.name.as_str(),
                );
                if KNOWN.iter().any(|(k, _)| *k == provider) && !required.contains(&provider) {
                    used.entry(provider).or_default().push(b);
                }
            }
            for (provider, uses) in used {
                let Some(b) = uses.first() else {
                    continue;
                };
                let version = KNOWN
                    .iter()
                    .find(|(k, _)| *k == provider)
                    .map_or("", |(_, v)| v);
                // At the list that lacks the entry (where the fix goes); the blocks that
                // need the provider are the related places.
                let mut f = self.finding(
                    rp_file,
                    rp_span.start..rp_span.start + "required_providers".len(),
                    format!("Provider `{provider}` is used but not in `required_providers`"),
                    format!(
                        "`{}` needs the `{provider}` provider, which `required_providers` does not list: Terraform installs whatever `hashicorp/{provider}` version is newest",
                        b.address
                    ),
                );
                f.address = Some("terraform".into());
                f.key = provider.to_string();
                f.related = uses
                    .iter()
                    .map(|b| crate::finding::Related {
                        file: b.file,
                        span: b.header(),
                        message: format!("`{}` needs `hashicorp/{provider}`", b.address),
                    })
                    .collect();
                let entry = format!(
                    "{provider} = {{\n  source  = \"hashicorp/{provider}\"\n  version = \"{version}\"\n}}"
                );
                f.fix = append_to_block(
                    model.path(rp_file),
                    model.src(rp_file),
                    rp_span.clone(),
                    &entry,
                )
                .map(|e| {
                    Fix::new(
                        format!("Add `hashicorp/{provider}` `{version}` to `required_providers`"),
                        Applicability::Safe,
                        vec![e],
                    )
                });
                out.push(f);
            }
        }
    }
}
