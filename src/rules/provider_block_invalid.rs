//! # Provider block uses a reserved argument or a computed alias
//!
//! ## What it does
//! Reports a `provider` block that sets an argument Terraform reserves there
//! (`for_each`, `count`, `depends_on`, `source`), or whose `alias` is not a name written
//! out (`alias = "region.${each.key}"`, `alias = each.key`): one provider block per
//! region or account cannot be generated.
//!
//! ## Why is this bad?
//! Terraform reads provider configurations before it evaluates anything, and each has
//! one fixed name. `terraform init` stops before it installs anything: "Reserved argument
//! name in provider block" or "Invalid provider configuration alias".
//!
//! ## Error
//! ```text
//! Error: Reserved argument name in provider block
//!   The provider argument name "for_each" is reserved for use by Terraform in a future version.
//! ```
//!
//! ## Example
//! ```hcl
//! provider "aws" {
//!   for_each = toset(var.regions)
//!   alias    = each.key
//!   region   = each.key
//! }
//! ```
//! Use instead one block per region, each with its own alias, and pass them to a module
//! called once per region:
//! ```hcl
//! provider "aws" {
//!   alias  = "use1"
//!   region = "us-east-1"
//! }
//! ```
//!
//! ## Fix safety
//! No fix: which regions or accounts to write out is the reviewer's decision.
//!
//! ## Root cause
//! The provider block was treated as a resource that `for_each` can repeat.
//!
//! ## Impact
//! Deployment blocker: `terraform init` fails.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/providers/configuration#alias-multiple-provider-configurations

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::expr::{span_of, static_str};
use crate::model::{BlockKind, Model};

pub struct ProviderBlockInvalid;

const RESERVED: &[&str] = &["for_each", "count", "depends_on", "source"];

/// Whether `alias` is a name Terraform takes: a letter or underscore, then letters,
/// digits, underscores and dashes.
fn valid_alias(alias: &str) -> bool {
    let mut chars = alias.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Rule for ProviderBlockInvalid {
    fn id(&self) -> &'static str {
        "provider-block-invalid"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks_of(BlockKind::Provider) {
                let name = b.label(0);
                for attr in b.body().attributes() {
                    let key = attr.key.as_str();
                    let (title, message) = if RESERVED.contains(&key) {
                        (
                            format!("Provider `{name}` sets the reserved `{key}`"),
                            format!(
                                "`{key}` is reserved in provider blocks: `terraform init` stops with \"Reserved argument name in provider block\"; a provider configuration cannot be repeated"
                            ),
                        )
                    } else if key == "alias" {
                        match static_str(&attr.value) {
                            Some(alias) if valid_alias(&alias) => continue,
                            Some(alias) => (
                                format!("Provider alias `{alias}` is not a valid name"),
                                format!(
                                    "`{alias}` is not a name Terraform takes (a letter or underscore, then letters, digits, underscores and dashes): `terraform init` stops with \"Invalid provider configuration alias\""
                                ),
                            ),
                            None => (
                                format!("Provider `{name}` computes its alias"),
                                "an alias is a fixed name written in the block; one computed from values (`each.key`, an interpolation) stops `terraform init` with \"Invalid provider configuration alias\"".to_string(),
                            ),
                        }
                    } else {
                        continue;
                    };
                    let mut f = self.finding(b.file, span_of(attr), title, message);
                    f.address = Some(b.address.clone());
                    f.key = key.to_string();
                    out.push(f);
                }
            }
        }
    }
}
