//! # Missing provider configuration for an alias
//!
//! ## What it does
//! Reports `provider = aws.x` (on a resource or data source) and
//! `providers = { aws = aws.x }` (on a module call) where the module defines no
//! `provider "aws"` block with `alias = "x"`. In a child module, an alias listed in
//! `configuration_aliases` of `required_providers`, or passed in by a caller's
//! `providers = { aws.x = … }`, counts as defined.
//!
//! ## Why is this bad?
//! Terraform resolves provider configurations per module. An alias nobody defined stops
//! `terraform validate` and `plan` with "Provider configuration not present".
//!
//! ## Error
//! ```text
//! Error: Provider configuration not present
//! ```
//!
//! ## Example
//! ```hcl
//! provider "aws" {
//!   region = var.aws_region
//! }
//!
//! resource "aws_kms_replica_key" "secondary" {
//!   provider        = aws.secondary
//!   primary_key_arn = aws_kms_key.primary.arn
//! }
//! ```
//! Use instead:
//! ```hcl
//! provider "aws" {
//!   alias  = "secondary"
//!   region = var.secondary_region
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe. The fix adds the aliased provider next to the module's other provider blocks,
//! copying the default provider's settings (such as `default_tags`) and taking its region
//! from a variable (`var.<alias>_region`, declared by the fix when missing, without a
//! default) or, when the alias names a region such as `us_west_2`, from that name. Check
//! the region before applying.
//!
//! ## Root cause
//! Multi-region resources were written with `provider = aws.x` without generating the
//! provider configuration they depend on: a disconnect between the resources and their
//! provider prerequisites.
//!
//! ## Impact
//! Deployment is blocked: validation fails before anything is created, and the resources
//! of the second region cannot be deployed.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/providers/configuration#alias-multiple-provider-configurations

use std::collections::BTreeSet;

use super::{Class, Rule};
use crate::edits::{append_to_block, append_to_file, line_indent};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::expr::{object_get, span_of, string_like, traversal_path};
use crate::model::{BlockInfo, BlockKind, Model, Module, ProviderRef};

pub struct ProviderAliasUndefined;

impl Rule for ProviderAliasUndefined {
    fn id(&self) -> &'static str {
        "provider-alias-undefined"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let defined = defined_aliases(module);
            // One finding per undefined configuration, at its first use: the other uses
            // are the same problem with the same fix.
            let mut uses: Vec<(&ProviderRef, Vec<&BlockInfo<'_>>)> = Vec::new();
            for block in &module.blocks {
                let refs = block.provider.iter().chain(block.providers_map.iter());
                for pref in refs {
                    let Some(alias) = &pref.alias else { continue };
                    if defined.contains(&(pref.name.clone(), alias.clone())) {
                        continue;
                    }
                    match uses.iter_mut().find(|(p, _)| p.display() == pref.display()) {
                        Some((_, blocks)) => blocks.push(block),
                        None => uses.push((pref, vec![block])),
                    }
                }
            }
            for (pref, blocks) in uses {
                let block = blocks[0];
                let shown = pref.display();
                let alias = pref.alias.as_deref().unwrap_or("");
                let mut message = if module.is_child {
                    format!(
                        "`{}` uses `{shown}`, but this module neither defines `provider \"{}\"` with `alias = \"{alias}\"` nor lists `{shown}` in `configuration_aliases`; Terraform stops with \"Provider configuration not present\"",
                        block.address, pref.name
                    )
                } else {
                    format!(
                        "`{}` uses `{shown}`, but no `provider \"{}\"` block in this module has `alias = \"{alias}\"`; Terraform stops with \"Provider configuration not present\"",
                        block.address, pref.name
                    )
                };
                if blocks.len() > 1 {
                    let others: Vec<String> = blocks[1..]
                        .iter()
                        .take(3)
                        .map(|b| format!("`{}`", b.address))
                        .collect();
                    let more = blocks.len() - 1 - others.len();
                    let who = match blocks.len() - 1 {
                        1 => "another block uses it too".to_string(),
                        n => format!("{n} other blocks use it too"),
                    };
                    message.push_str(&format!(
                        "; {who}: {}{}",
                        others.join(", "),
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        }
                    ));
                }
                let mut f = self.finding(
                    block.file,
                    pref.span.clone(),
                    format!("Provider configuration `{shown}` is not defined"),
                    message,
                );
                f.address = Some(block.address.clone());
                f.key = shown;
                f.fix = if module.is_child {
                    configuration_alias_fix(model, module, pref)
                } else {
                    provider_block_fix(model, module, pref)
                };
                out.push(f);
            }
        }
    }
}

/// `(provider name, alias)` pairs that the module defines or declares.
fn defined_aliases(module: &Module<'_>) -> BTreeSet<(String, String)> {
    // Terraform accepts (with a warning) an alias that a caller passes in even when the
    // child does not declare it.
    let mut out: BTreeSet<(String, String)> = module.received_aliases.iter().cloned().collect();
    for b in module.blocks_of(BlockKind::Provider) {
        if let Some(alias) = b.attr("alias") {
            out.insert((b.label(0).to_string(), string_like("", &alias.value)));
        }
    }
    for t in module.blocks_of(BlockKind::Terraform) {
        for rp in t.body().get_blocks("required_providers") {
            for attr in rp.body.attributes() {
                let Some(obj) = attr.value.as_object() else {
                    continue;
                };
                let Some((_, aliases)) = object_get(obj, "configuration_aliases") else {
                    continue;
                };
                for item in aliases.expr().as_array().into_iter().flat_map(|a| a.iter()) {
                    if let Some((root, attrs)) = traversal_path(item)
                        && let Some(alias) = attrs.first()
                    {
                        out.insert((root.to_string(), alias.to_string()));
                    }
                }
            }
        }
    }
    out
}

/// `us_west_2` / `eu-central-1` → the region it names.
pub(super) fn region_from_alias(alias: &str) -> Option<String> {
    let parts: Vec<&str> = alias.split(['_', '-']).collect();
    let ok = parts.len() == 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[1].chars().all(|c| c.is_ascii_lowercase())
        && !parts[1].is_empty()
        && parts[2].chars().all(|c| c.is_ascii_digit())
        && !parts[2].is_empty();
    ok.then(|| parts.join("-"))
}

fn provider_block_fix(model: &Model<'_>, module: &Module<'_>, pref: &ProviderRef) -> Option<Fix> {
    let alias = pref.alias.as_deref()?;
    let same_name: Vec<_> = module
        .blocks_of(BlockKind::Provider)
        .filter(|b| b.label(0) == pref.name)
        .collect();
    let default = same_name.iter().find(|b| b.attr("alias").is_none());
    let mut edits = Vec::new();

    let region = if pref.name != "aws" {
        None
    } else if let Some(region) = region_from_alias(alias) {
        Some(format!("\"{region}\""))
    } else {
        let existing = module.blocks_of(BlockKind::Variable).find(|v| {
            let n = v.label(0);
            n.contains(alias) && n.contains("region")
        });
        let name = match existing {
            Some(v) => v.label(0).to_string(),
            None => {
                let name = format!("{alias}_region");
                edits.push(append_to_file(
                    model.ws,
                    &module.path_of("variables.tf"),
                    &crate::edits::variable_block(
                        model,
                        module,
                        &name,
                        "string",
                        &format!("AWS region of the `{alias}` provider configuration"),
                        Some("region"),
                    ),
                ));
                name
            }
        };
        Some(format!("var.{name}"))
    };

    let mut body = vec![format!("alias  = \"{alias}\"")];
    if let Some(region) = &region {
        body.push(format!("region = {region}"));
    }
    if let Some(default) = default {
        let src = model.src(default.file);
        for attr in default.body().attributes() {
            if matches!(attr.key.as_str(), "alias" | "region") {
                continue;
            }
            body.push(dedented(src, span_of(attr)));
        }
        for nested in default.body().blocks() {
            body.push(dedented(src, span_of(nested)));
        }
    }
    let text = format!(
        "provider \"{}\" {{\n{}\n}}",
        pref.name,
        crate::edits::indent_lines(&body.join("\n"), "  ")
    );

    match same_name.last() {
        Some(last) => {
            let path = model.path(last.file);
            edits.push(Edit::insert(path, last.span.end, format!("\n\n{text}")));
        }
        None => {
            let file = module
                .blocks_of(BlockKind::Provider)
                .chain(module.blocks_of(BlockKind::Terraform))
                .map(|b| model.path(b.file).to_string())
                .next()
                .unwrap_or_else(|| module.path_of("provider.tf"));
            edits.push(append_to_file(model.ws, &file, &text));
        }
    }
    Some(Fix::new(
        format!(
            "Add `provider \"{}\"` with `alias = \"{alias}\"`",
            pref.name
        ),
        Applicability::Unsafe,
        edits,
    ))
}

/// The source text of a structure with the indentation of its first line taken off every
/// following line.
fn dedented(src: &str, span: std::ops::Range<usize>) -> String {
    let indent = line_indent(src, span.start);
    src.get(span)
        .unwrap_or("")
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l
            } else {
                l.strip_prefix(indent).unwrap_or(l)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// In a child module: declare the alias in `configuration_aliases`.
fn configuration_alias_fix(
    model: &Model<'_>,
    module: &Module<'_>,
    pref: &ProviderRef,
) -> Option<Fix> {
    let shown = pref.display();
    let title = format!("Declare `{shown}` in `configuration_aliases`");
    let terraform = module.blocks_of(BlockKind::Terraform).next();
    let entry = |extra: &str| {
        format!(
            "{} = {{\n  source                = \"hashicorp/{}\"\n  configuration_aliases = [{extra}]\n}}",
            pref.name, pref.name
        )
    };
    let edit = match terraform {
        None => {
            let file = module.files.first().map(|&f| model.path(f).to_string())?;
            append_to_file(
                model.ws,
                &file,
                &format!(
                    "terraform {{\n  required_providers {{\n{}\n  }}\n}}\n",
                    crate::edits::indent_lines(&entry(&shown), "    ")
                ),
            )
        }
        Some(t) => {
            let src = model.src(t.file);
            let path = model.path(t.file);
            match t.body().get_blocks("required_providers").next() {
                None => append_to_block(
                    path,
                    src,
                    t.span.clone(),
                    &format!(
                        "required_providers {{\n{}\n}}",
                        crate::edits::indent_lines(&entry(&shown), "  ")
                    ),
                )?,
                Some(rp) => match rp.body.get_attribute(&pref.name) {
                    None => append_to_block(path, src, span_of(rp), &entry(&shown))?,
                    Some(attr) => {
                        let obj = attr.value.as_object()?;
                        match object_get(obj, "configuration_aliases") {
                            Some((_, list)) => {
                                // Only a list literal takes one more element in place
                                // (`configuration_aliases = local.aliases` does not).
                                list.expr().as_array()?;
                                let span = span_of(list.expr());
                                let inside =
                                    src.get(span.start + 1..span.end.saturating_sub(1))?.trim();
                                let sep = if inside.is_empty() { "" } else { ", " };
                                Edit::replace(path, span.clone(), format!("[{inside}{sep}{shown}]"))
                            }
                            None => append_to_block(
                                path,
                                src,
                                span_of(&attr.value),
                                &format!("configuration_aliases = [{shown}]"),
                            )?,
                        }
                    }
                },
            }
        }
    };
    Some(Fix::new(title, Applicability::Safe, vec![edit]))
}

#[cfg(test)]
mod tests {
    use super::region_from_alias;

    #[test]
    fn aliases_that_name_regions() {
        assert_eq!(region_from_alias("us_west_2").as_deref(), Some("us-west-2"));
        assert_eq!(
            region_from_alias("eu-central-1").as_deref(),
            Some("eu-central-1")
        );
        assert_eq!(region_from_alias("secondary"), None);
        assert_eq!(region_from_alias("dr_site_b"), None);
    }
}
