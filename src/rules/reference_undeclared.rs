//! # Reference to something the module does not declare
//!
//! ## What it does
//! Reports a reference to a local value, module, resource or data source
//! (`local.x`, `module.m`, `aws_s3_bucket.b`, `data.aws_region.current`) that the module
//! does not declare, and a reference to an output (`module.m.out`) that the called local
//! module does not declare. Variables have their own rule, `variable-undeclared`.
//!
//! ## Why is this bad?
//! Terraform stops with "Reference to undeclared resource" (or local value, module,
//! output) before planning anything. In answers it comes from a block that was renamed
//! in one place, or from code split over files where one file was never written.
//!
//! ## Error
//! ```text
//! Error: Reference to undeclared resource
//! Error: Reference to undeclared local value
//! Error: Reference to undeclared module
//! Error: Unsupported attribute
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "logs" {}
//! resource "aws_s3_bucket_versioning" "logs" {
//!   bucket = aws_s3_bucket.log.id
//! }
//! ```
//! Use instead the declared name, `aws_s3_bucket.logs.id`.
//!
//! ## Fix safety
//! Unsafe, offered when the module declares exactly one resource or data source of the
//! referenced type: the fix refers to that one in every reference to the undeclared
//! address, which is a guess.
//!
//! ## Root cause
//! A name changed in one place, or a declaration was never written.
//!
//! ## Impact
//! Deployment blocker: `terraform validate` and `plan` fail.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/expressions/references

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::expr::{Target, static_str};
use crate::model::{BlockKind, Model, Module, Owner, resolve_local_source};

pub struct ReferenceUndeclared;

impl Rule for ReferenceUndeclared {
    fn id(&self) -> &'static str {
        "reference-undeclared"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            if !module.declarations_known() {
                continue;
            }
            let mut seen = std::collections::HashSet::new();
            for r in &module.refs {
                // `moved` and `removed` blocks name addresses that no longer exist.
                if let Owner::Block(i) = r.from
                    && module
                        .blocks
                        .get(i)
                        .is_some_and(|b| matches!(b.block.ident.as_str(), "moved" | "removed"))
                {
                    continue;
                }
                let problem = match &r.target {
                    Target::Var(_) => None,
                    Target::Local(name) => (!module.locals.iter().any(|l| l.name == name))
                        .then_some(("local value", None)),
                    target @ (Target::Resource { .. } | Target::Data { .. }) => {
                        (module.block(&target.address()).is_none()).then(|| {
                            let kind = if matches!(target, Target::Data { .. }) {
                                "data source"
                            } else {
                                "resource"
                            };
                            (kind, similar(module, target))
                        })
                    }
                    Target::Module(name) => match module.block(&format!("module.{name}")) {
                        None => Some(("module", None)),
                        Some(call) => {
                            let text = model.src(r.file).get(r.span.clone()).unwrap_or("");
                            undeclared_output(model, module, call, text).map(|_| ("output", None))
                        }
                    },
                };
                let Some((kind, hint)) = problem else {
                    continue;
                };
                // A broken piece of an answer file may hold the declaration.
                if !module.complete && kind != "output" && module.may_declare(model.ws, &r.target) {
                    continue;
                }
                let text = model
                    .src(r.file)
                    .get(r.span.clone())
                    .unwrap_or("")
                    .to_string();
                let address = if kind == "output" {
                    text.split('.').take(3).collect::<Vec<_>>().join(".")
                } else {
                    r.target.address()
                };
                // One finding per undeclared address, at its first reference.
                if !seen.insert(address.clone()) {
                    continue;
                }
                let mut message = format!(
                    "`{address}` is referenced but the module declares no such {kind}: Terraform stops with \"Reference to undeclared {kind}\""
                );
                if kind == "output" {
                    message = format!(
                        "`{address}` is referenced but the called module declares no such output: Terraform stops with \"Unsupported attribute\""
                    );
                }
                let mut fix = None;
                if let Some(hint) = &hint {
                    message.push_str(&format!("; did you mean `{hint}`?"));
                    // Each reference starts with the address it names: swap that part, in
                    // every reference to it (the finding stands for all of them).
                    let mut edits: Vec<Edit> = module
                        .refs
                        .iter()
                        .filter(|o| o.target == r.target)
                        .filter_map(|o| {
                            let t = model.src(o.file).get(o.span.clone())?;
                            t.starts_with(&address).then(|| {
                                Edit::replace(
                                    model.path(o.file),
                                    o.span.start..o.span.start + address.len(),
                                    hint.clone(),
                                )
                            })
                        })
                        .collect();
                    edits.sort_by(|a, b| (&a.path, a.range.start).cmp(&(&b.path, b.range.start)));
                    edits.dedup();
                    if text.starts_with(&address) {
                        fix = Some(Fix::new(
                            format!("Refer to `{hint}`"),
                            Applicability::Unsafe,
                            edits,
                        ));
                    }
                }
                let mut f = self.finding(
                    r.file,
                    r.span.clone(),
                    format!("Reference to undeclared {kind} `{address}`"),
                    message,
                );
                f.address = module.owner_block(r.from).map(|b| b.address.clone());
                if kind != "output" {
                    f.related = crate::finding::other_uses(model, &module.refs, r);
                }
                f.key = address;
                f.fix = fix;
                out.push(f);
            }
        }
    }
}

/// The only declaration of the same type, when the reference names another.
fn similar(module: &Module<'_>, target: &Target) -> Option<String> {
    let (data, ty) = match target {
        Target::Resource { ty, .. } => (false, ty),
        Target::Data { ty, .. } => (true, ty),
        _ => return None,
    };
    let kind = if data {
        BlockKind::Data
    } else {
        BlockKind::Resource
    };
    let mut same = module.blocks_of(kind).filter(|b| b.label(0) == ty);
    let only = same.next()?;
    same.next().is_none().then(|| only.address.clone())
}

/// For `module.m.out`, the called module's folder when it is in the workspace, fully
/// read, and declares no output `out`.
fn undeclared_output(
    model: &Model<'_>,
    module: &Module<'_>,
    call: &crate::model::BlockInfo<'_>,
    text: &str,
) -> Option<String> {
    let output = text.split('.').nth(2)?;
    let output = output.split(['[', ' ']).next()?;
    let source = static_str(&call.attr("source")?.value)?;
    let dir = resolve_local_source(&module.dir, &source)?;
    let child = model
        .modules
        .iter()
        .find(|m| m.dir == dir.trim_end_matches('/'))?;
    (child.complete && child.block(&format!("output.{output}")).is_none()).then_some(dir)
}
