//! # Missing provider configuration
//!
//! ## What it does
//! Reports a root module (one that no other module of the workspace calls) that declares
//! resources or data sources but has neither a `terraform { required_providers }` block
//! nor any `provider` block; and a root module whose `provider "aws"` blocks all have an
//! `alias` while some AWS resource or data source names no `provider` (it uses the
//! default configuration, which nothing sets up).
//!
//! ## Why is this bad?
//! Without `required_providers`, `terraform init` installs whatever provider version is
//! newest, and a third-party provider cannot be found at all. Without a `provider "aws"`
//! block, the region comes only from the environment, so the same code deploys to
//! different places on different machines.
//!
//! ## Example
//! A folder with `kms.tf`, `iam.tf` and `variables.tf` and no provider file.
//!
//! Use instead:
//! ```hcl
//! terraform {
//!   required_version = ">= 1.5.0, < 2.0.0"
//!   required_providers {
//!     aws = {
//!       source  = "hashicorp/aws"
//!       version = "~> 5.0"
//!     }
//!   }
//! }
//!
//! provider "aws" {
//!   region = var.aws_region
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe. The fix creates `provider.tf` with `required_providers` for every provider
//! whose resources the module uses (major version pinned with `~>`) and a
//! `provider "aws"` block whose region comes from an existing region variable, or from a
//! new `aws_region` variable without a default. Check the versions before applying.
//!
//! ## Root cause
//! The provider configuration was treated as implicit knowledge rather than as part of a
//! complete deliverable.
//!
//! ## Impact
//! The configuration is incomplete: users must write the provider file themselves, and
//! unpinned providers make deployments unrepeatable.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/providers/requirements

use std::collections::BTreeSet;

use super::{Class, Rule};
use crate::edits::append_to_file;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::{BlockKind, Model, Module};

pub struct ProviderConfigurationMissing;

/// Version constraints the fix writes for the providers it knows, unless the module's code
/// needs a newer major (`schema::check::major_needed`).
const KNOWN_PROVIDERS: &[(&str, &str)] = &[
    ("aws", "~> 5.0"),
    ("random", "~> 3.0"),
    ("archive", "~> 2.0"),
    ("tls", "~> 4.0"),
    ("null", "~> 3.0"),
    ("local", "~> 2.0"),
    ("time", "~> 0.9"),
    ("http", "~> 3.0"),
    ("external", "~> 2.0"),
    ("template", "~> 2.0"),
];

impl Rule for ProviderConfigurationMissing {
    fn id(&self) -> &'static str {
        "provider-configuration-missing"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in model.modules.iter().filter(|m| m.complete && !m.is_child) {
            let has_required = module
                .blocks_of(BlockKind::Terraform)
                .any(|t| t.body().has_blocks("required_providers"));
            if module.terraform_parsed() {
                self.default_unconfigured(module, out);
            }
            if has_required || module.blocks_of(BlockKind::Provider).next().is_some() {
                continue;
            }
            let Some(first) = module
                .blocks
                .iter()
                .find(|b| matches!(b.kind, BlockKind::Resource | BlockKind::Data))
            else {
                continue;
            };
            let where_ = if module.dir.is_empty() {
                "the root module".to_string()
            } else {
                format!("module `{}`", module.dir)
            };
            let mut f = self.finding(
                first.file,
                first.header(),
                "Provider configuration is missing".into(),
                format!(
                    "{where_} declares resources but has no `terraform {{ required_providers }}` block and no `provider` block: provider versions are not pinned and the region is not configured"
                ),
            );
            f.key = "provider-configuration".into();
            f.fix = Some(fix(model, module));
            out.push(f);
        }
    }
}

impl ProviderConfigurationMissing {
    /// Every `provider "aws"` block of the root module has an alias, yet AWS resources or
    /// data sources name no `provider`: they use the default configuration, which nothing
    /// configures.
    fn default_unconfigured(&self, module: &Module<'_>, out: &mut Vec<Finding>) {
        let aws: Vec<_> = module
            .blocks_of(BlockKind::Provider)
            .filter(|p| p.label(0) == "aws")
            .collect();
        if aws.is_empty() || aws.iter().any(|p| p.attr("alias").is_none()) {
            return;
        }
        let users: Vec<_> = module
            .blocks
            .iter()
            .filter(|b| {
                matches!(b.kind, BlockKind::Resource | BlockKind::Data)
                    && b.label(0).starts_with("aws_")
                    && b.provider.is_none()
                    // Provider 6's per-resource region.
                    && b.attr("region").is_none()
            })
            .collect();
        let Some(first) = users.first() else {
            return;
        };
        let mut f = self.finding(
            first.file,
            first.header(),
            "The default `aws` provider is used but not configured".into(),
            format!(
                "Every `provider \"aws\"` block of this module has an `alias`, but `{}`{} name{} no `provider`: {} the default configuration, which no block sets up, so the region comes only from the environment (`invalid AWS Region: (empty)` where none is set). Give {} `provider = aws.<alias>`, or drop the alias of the main region's block",
                first.address,
                if users.len() > 1 {
                    format!(" and {} more", users.len() - 1)
                } else {
                    String::new()
                },
                if users.len() > 1 { "" } else { "s" },
                if users.len() > 1 { "they use" } else { "it uses" },
                if users.len() > 1 { "each" } else { "it" },
            ),
        );
        f.key = "default-provider".into();
        f.address = Some(first.address.clone());
        for p in aws.iter().take(3) {
            f.related.push(crate::finding::Related {
                file: p.file,
                span: p.header(),
                message: "an aliased provider block".into(),
            });
        }
        out.push(f);
    }
}

fn fix(model: &Model<'_>, module: &Module<'_>) -> Fix {
    let used: BTreeSet<&str> = module
        .blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Resource | BlockKind::Data))
        .filter_map(|b| b.label(0).split_once('_').map(|(p, _)| p))
        .collect();
    let mut text = String::from(
        "terraform {\n  required_version = \">= 1.5.0, < 2.0.0\"\n\n  required_providers {\n",
    );
    for name in &used {
        // The code may need the newer major that `init` installs without a constraint.
        let needed = crate::model::schema::check::major_needed(model, module, name)
            .map(|m| format!("~> {m}.0"));
        let version = needed
            .as_deref()
            .or_else(|| {
                KNOWN_PROVIDERS
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| *v)
            })
            .map(|v| format!("\n      version = \"{v}\""))
            .unwrap_or_default();
        text.push_str(&format!(
            "    {name} = {{\n      source  = \"hashicorp/{name}\"{version}\n    }}\n"
        ));
    }
    text.push_str("  }\n}\n");
    let mut edits = Vec::new();
    if used.contains("aws") {
        let region_var = ["aws_region", "region"]
            .into_iter()
            .find(|n| module.has_variable(n));
        let region_var = match region_var {
            Some(n) => n,
            None => {
                edits.push(append_to_file(
                    model.ws,
                    &module.path_of("variables.tf"),
                    "variable \"aws_region\" {\n  description = \"AWS region to deploy into\"\n  type        = string\n}\n",
                ));
                "aws_region"
            }
        };
        text.push_str(&format!(
            "\nprovider \"aws\" {{\n  region = var.{region_var}\n}}\n"
        ));
    }
    edits.push(append_to_file(
        model.ws,
        &module.path_of("provider.tf"),
        &text,
    ));
    Fix::new(
        "Create provider.tf with required_providers and the provider configuration",
        Applicability::Unsafe,
        edits,
    )
}
