//! # Blocks of the ideal answer missing from the answer
//!
//! ## What it does
//! Reports a block (resource, data source, variable, output, local, module, provider,
//! `terraform`) that the ideal answer has and the model's answer does not, matched by
//! address module by module.
//!
//! ## Why is this bad?
//! The ideal answer is the version that was corrected and deployed. A block only it has
//! is something the answer left out: a provider configuration, a variable the code uses,
//! a resource the task asked for.
//!
//! ## Example
//! The ideal's `provider.tf` holds `terraform { required_providers }` and
//! `provider "aws"`; the answer has no provider configuration at all.
//!
//! Use instead: the ideal's block.
//!
//! ## Fix safety
//! Unsafe. The fix adds the ideal's block, as the ideal writes it, to the answer's file
//! of the same name (creating it). A block that refers to declarations the answer lacks
//! brings those too when the ideal has them (a variable, a local, the key it encrypts
//! with, and what they refer to in turn), each to its own file, so that the fix alone
//! leaves nothing undeclared. No fix is offered when the block refers to something the
//! ideal does not declare either, or calls a local module (`source = "./modules/x"`)
//! whose files the answer does not have: added, it would only trade this finding for an
//! error (`reference-undeclared`, `module-source-missing`).
//!
//! ## Root cause
//! Part of the deliverable was treated as implicit or forgotten between files.
//!
//! ## Impact
//! The answer is incomplete: what the block provides is missing when it is deployed.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/syntax/configuration

use std::collections::BTreeMap;

use super::{Class, Rule};
use crate::compare::{Comparison, Kind, comparisons};
use crate::edits::append_to_file;
use crate::finding::{Applicability, Finding, Fix, IdealVersion, Severity};
use crate::model::Model;
use crate::model::expr::Target;

pub struct IdealBlockMissing;

impl Rule for IdealBlockMissing {
    fn id(&self) -> &'static str {
        "ideal-block-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let missing = missing_by_module(model);
        for c in comparisons(model)
            .iter()
            .filter(|c| c.kind == Kind::Missing)
        {
            let Some(side) = &c.ideal else { continue };
            let target = format!(
                "{}/{}",
                c.module,
                side.path.rsplit('/').next().unwrap_or(&side.path)
            );
            let file = model
                .files
                .iter()
                .copied()
                .find(|&id| model.ws.files[id].path == target)
                .or_else(|| {
                    model
                        .files
                        .iter()
                        .copied()
                        .find(|&id| model.ws.files[id].dir() == c.module)
                });
            let Some(file) = file else { continue };
            let (fix, why_not) = match with_dependencies(model, &missing, c) {
                Ok(blocks) => {
                    let edits: Vec<_> = blocks
                        .iter()
                        .map(|b| {
                            let side = b.ideal.as_ref().map_or(side, |s| s);
                            append_to_file(model.ws, &target_file(b, side), &side.text)
                        })
                        .collect();
                    let brought: Vec<String> = blocks
                        .iter()
                        .skip(1)
                        .map(|b| format!("`{}`", b.address))
                        .collect();
                    let title = if brought.is_empty() {
                        format!("Add the ideal's `{}`", c.address)
                    } else {
                        format!(
                            "Add the ideal's `{}` with {} it uses",
                            c.address,
                            brought.join(", ")
                        )
                    };
                    (Some(Fix::new(title, Applicability::Unsafe, edits)), None)
                }
                Err(why) => (None, Some(why)),
            };
            let mut message = format!(
                "the ideal answer ({}, {}) has `{}`; the model's answer does not",
                c.ideal_source, side.path, c.address
            );
            if let Some(why) = why_not {
                message.push_str(&format!("; no fix is offered: {why}"));
            }
            let mut f = self.finding(
                file,
                0..0,
                format!("`{}` is missing from the answer", c.address),
                message,
            );
            f.address = Some(c.address.clone());
            f.key = c.address.clone();
            f.ideal = Some(IdealVersion {
                path: side.path.clone(),
                text: side.text.clone(),
                fix: fix.clone(),
            });
            f.fix = fix;
            out.push(f);
        }
    }
}

/// The answer's file a missing block goes to: the one named as the ideal's file, in the
/// answer's module.
pub(super) fn target_file(c: &Comparison, side: &crate::compare::Side) -> String {
    format!(
        "{}/{}",
        c.module,
        side.path.rsplit('/').next().unwrap_or(&side.path)
    )
}

/// The blocks only the ideal has, by module folder and address (built once per check).
pub(super) type Missing<'c> = std::collections::HashMap<&'c str, BTreeMap<&'c str, &'c Comparison>>;

pub(super) fn missing_by_module<'c>(model: &'c Model<'_>) -> Missing<'c> {
    let mut out: Missing<'c> = std::collections::HashMap::new();
    for m in comparisons(model)
        .iter()
        .filter(|m| m.kind == Kind::Missing)
    {
        out.entry(m.module.as_str())
            .or_default()
            .insert(m.address.as_str(), m);
    }
    out
}

/// The missing block `c` and, transitively, the missing blocks of the ideal it refers
/// to (looked up in `missing`); an error when it refers to something neither the answer
/// nor the ideal declares, or calls a local module the answer does not have.
pub(super) fn with_dependencies<'c>(
    model: &'c Model<'_>,
    missing: &Missing<'c>,
    c: &'c Comparison,
) -> Result<Vec<&'c Comparison>, String> {
    let Some(module) = model.module_at(&c.module) else {
        return Ok(vec![c]);
    };
    let empty = BTreeMap::new();
    let missing = missing.get(c.module.as_str()).unwrap_or(&empty);
    let declared = |target: &Target| match target {
        Target::Local(name) => module.locals.iter().any(|l| l.name == *name),
        other => module.block(&other.address()).is_some(),
    };
    let mut out = vec![c];
    let mut queue = vec![c];
    while let Some(x) = queue.pop() {
        let Some(uses) = x.ideal.as_ref().and_then(|side| side.uses()) else {
            continue;
        };
        if let Some(source) = local_module_source(model, &c.module, &uses.module_sources) {
            return Err(format!(
                "`{}` calls the local module `{source}`, whose files the answer does not have",
                x.address
            ));
        }
        for target in &uses.refs {
            let address = target.address();
            if address == x.address || declared(target) {
                continue;
            }
            match missing.get(address.as_str()) {
                Some(dep) => {
                    if !out.iter().any(|o| o.address == dep.address) {
                        out.push(dep);
                        queue.push(dep);
                    }
                }
                None => {
                    return Err(format!(
                        "`{}` refers to `{address}`, which neither the answer nor the ideal declares",
                        x.address
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// The local `source` of a `module` block in `body` that has no Terraform file in the
/// answer's workspace.
fn local_module_source(model: &Model<'_>, module_dir: &str, sources: &[String]) -> Option<String> {
    for source in sources {
        let Some(dir) = crate::model::resolve_local_source(module_dir, source) else {
            continue;
        };
        let dir = dir.trim_end_matches('/');
        if !model
            .ws
            .files_in(dir)
            .any(|f| f.kind == crate::workspace::FileKind::Terraform)
        {
            return Some(source.clone());
        }
    }
    None
}
