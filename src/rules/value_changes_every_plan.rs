//! # Argument that changes on every plan
//!
//! ## What it does
//! Reports `timestamp()` and `uuid()` — functions whose value is new each time
//! Terraform evaluates them — in the arguments of a resource, a data source, a provider
//! or a module call, directly or through locals (`tags = { CreatedAt = local.now }`
//! with `now = timestamp()`). Left alone: arguments whose purpose is to change
//! (`triggers`, `triggers_replace`, `keepers`, a `terraform_data`'s `input`),
//! provisioners, arguments the resource's
//! `lifecycle { ignore_changes }` lists, and outputs. A local that many blocks use
//! (common tags) is reported once, where it calls the function, with the arguments that
//! use it as related places.
//!
//! ## Why is this bad?
//! Terraform plans the value as unknown and learns it at apply, so the resource never
//! converges: every plan shows a change, every apply updates it, and an argument that
//! forces replacement (a name, an identifier) replaces the resource each time. In the
//! AWS provider's `default_tags` it breaks the apply outright: the tags planned for each
//! resource differ from the tags applied.
//!
//! ## Error
//! ```text
//! Error: Provider produced inconsistent final plan
//!
//! When expanding the plan for aws_s3_bucket.logs to include new values learned so
//! far during apply, provider "registry.terraform.io/hashicorp/aws" produced an
//! invalid new value for .tags_all: new element "CreatedAt" has appeared.
//! ```
//!
//! ## Example
//! ```hcl
//! locals {
//!   common_tags = {
//!     Project   = var.project
//!     CreatedAt = timestamp()
//!   }
//! }
//! ```
//! Use instead a time fixed when it is first applied, which later plans keep:
//! ```hcl
//! resource "time_static" "created" {}
//!
//! locals {
//!   common_tags = {
//!     Project   = var.project
//!     CreatedAt = time_static.created.rfc3339
//!   }
//! }
//! ```
//! or leave the tag out, or list it in `lifecycle { ignore_changes }`.
//!
//! ## Fix safety
//! No fix: `time_static` (from the `time` provider), `ignore_changes` or a fixed value
//! each mean something different.
//!
//! ## Root cause
//! A creation date or a unique suffix was wanted, and the function looked like the way
//! to get one.
//!
//! ## Impact
//! A plan that never comes clean (drift alarms, pipelines that wait for an empty plan),
//! resources replaced on every apply, or, in `default_tags`, an apply that fails.
//!
//! ## References
//! - https://developer.hashicorp.com/terraform/language/functions/timestamp
//! - https://registry.terraform.io/providers/hashicorp/time/latest/docs/resources/static
//! - https://github.com/hashicorp/terraform-provider-aws/issues/19583
//! - https://github.com/hashicorp/terraform-provider-aws/issues/40065

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use hcl_edit::expr::{Expression, FuncCall};
use hcl_edit::structure::Body;
use hcl_edit::visit::{self, Visit};

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::expr::{span_of, traversal_path};
use crate::model::{BlockInfo, BlockKind, Model, Module};
use crate::workspace::FileId;

pub struct ValueChangesEveryPlan;

/// Functions whose value is new on every evaluation.
const UNSTABLE: &[&str] = &["timestamp", "uuid"];

/// The calls of [`UNSTABLE`] as they are written, for a quick search of a file.
const CALLS: &[&str] = &["timestamp(", "uuid("];

/// Arguments that are meant to change (a trigger for replacement or a new value).
const MEANT_TO_CHANGE: &[&str] = &["triggers", "triggers_replace", "keepers"];

/// Where an unstable value comes from: a call, or a local holding one.
#[derive(Default)]
struct Sources {
    /// `(function, span)` of calls.
    calls: Vec<(String, Range<usize>)>,
    /// `(local name, span)` of references to locals.
    locals: Vec<(String, Range<usize>)>,
}

impl Visit for Sources {
    fn visit_func_call(&mut self, node: &FuncCall) {
        let name = node.name.name.as_str();
        if node.name.namespace.is_empty() && UNSTABLE.contains(&name) {
            self.calls.push((name.to_string(), span_of(node)));
        }
        visit::visit_func_call(self, node);
    }

    fn visit_expr(&mut self, node: &Expression) {
        if let Some(("local", attrs)) = traversal_path(node)
            && let Some(name) = attrs.first()
        {
            self.locals.push((name.to_string(), span_of(node)));
        }
        visit::visit_expr(self, node);
    }
}

fn sources_of(expr: &Expression) -> Sources {
    let mut s = Sources::default();
    s.visit_expr(expr);
    s
}

/// Where an unstable value is made: the function, the local that calls it, and where.
#[derive(Clone)]
struct Origin {
    function: String,
    local: String,
    file: FileId,
    call: Range<usize>,
}

/// The module's locals that hold an unstable value, with where it is made (the first
/// call found).
fn unstable_locals(module: &Module<'_>) -> BTreeMap<String, Origin> {
    let mut out: BTreeMap<String, Origin> = BTreeMap::new();
    let sources: Vec<(&str, FileId, Sources)> = module
        .locals
        .iter()
        .map(|l| (l.name, l.file, sources_of(&l.attr.value)))
        .collect();
    for (name, file, s) in &sources {
        if let Some((function, span)) = s.calls.first() {
            out.insert(
                name.to_string(),
                Origin {
                    function: function.clone(),
                    local: name.to_string(),
                    file: *file,
                    call: span.clone(),
                },
            );
        }
    }
    // Locals built from such locals: a walk from each origin along the locals that use
    // it (linear in the references, however long the chains).
    let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, _, s) in &sources {
        for (used, _) in &s.locals {
            users.entry(used.as_str()).or_default().push(name);
        }
    }
    let mut queue: Vec<String> = out.keys().cloned().collect();
    while let Some(made) = queue.pop() {
        let Some(origin) = out.get(&made).cloned() else {
            continue;
        };
        for user in users.get(made.as_str()).into_iter().flatten() {
            if !out.contains_key(*user) {
                out.insert(user.to_string(), origin.clone());
                queue.push(user.to_string());
            }
        }
    }
    out
}

/// The arguments `lifecycle { ignore_changes }` of a block lists (`all` for every one).
fn ignored(b: &BlockInfo<'_>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for lifecycle in b.body().get_blocks("lifecycle") {
        let Some(attr) = lifecycle.body.get_attribute("ignore_changes") else {
            continue;
        };
        match &attr.value {
            Expression::Array(items) => {
                for item in items.iter() {
                    if let Some((root, _)) = traversal_path(item) {
                        out.insert(root.to_string());
                    } else if let Expression::String(s) = item {
                        out.insert(s.value().split(['.', '[']).next().unwrap_or("").to_string());
                    }
                }
            }
            e => {
                if let Some((root, _)) = traversal_path(e) {
                    out.insert(root.to_string());
                }
            }
        }
    }
    out
}

impl Rule for ValueChangesEveryPlan {
    fn id(&self) -> &'static str {
        "value-changes-every-plan"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            // Most modules call neither function: one search of their files' text
            // saves walking every argument.
            let mut files: Vec<FileId> = module
                .blocks
                .iter()
                .map(|b| b.file)
                .chain(module.locals.iter().map(|l| l.file))
                .collect();
            files.sort_unstable();
            files.dedup();
            if !files.iter().any(|&f| {
                let src = model.src(f);
                CALLS.iter().any(|call| src.contains(call))
            }) {
                continue;
            }
            let locals = unstable_locals(module);
            let mut keys = super::OccurrenceKeys::default();
            // Local → the places that use it.
            // The local that makes the value → the arguments that use it, and the local
            // each names.
            let mut uses: BTreeMap<String, Vec<(Use, String)>> = BTreeMap::new();
            for b in &module.blocks {
                if !matches!(
                    b.kind,
                    BlockKind::Resource | BlockKind::Data | BlockKind::Provider | BlockKind::Module
                ) {
                    continue;
                }
                let ignore = ignored(b);
                if ignore.contains("all") {
                    continue;
                }
                let mut found = Vec::new();
                walk(b.body(), None, &mut found);
                for (argument, in_default_tags, expr) in found {
                    // A provider's other arguments are not planned as changes.
                    if (b.kind == BlockKind::Provider && !in_default_tags)
                        || MEANT_TO_CHANGE.contains(&argument.as_str())
                        // The usual "replace every apply" trigger, named by another
                        // block's `replace_triggered_by`.
                        || (b.is_resource("terraform_data") && argument == "input")
                        || ignore.contains(&argument)
                        || (b.kind == BlockKind::Module && argument == "source")
                    {
                        continue;
                    }
                    let s = sources_of(expr);
                    let place = Use {
                        address: b.address.clone(),
                        argument: argument.clone(),
                        in_default_tags,
                        file: b.file,
                        span: Range::default(),
                    };
                    if let Some((function, span)) = s.calls.first() {
                        let place = Use {
                            span: span.clone(),
                            ..place
                        };
                        let (severity, consequence) = consequence(&place);
                        let mut f = self.finding(
                            b.file,
                            span.clone(),
                            format!("`{function}()` in `{argument}` changes on every plan"),
                            format!(
                                "`{}` sets `{argument}` from `{function}()`, a new value each time Terraform evaluates it: {consequence}; {ADVICE}",
                                b.address
                            ),
                        );
                        f.severity = severity;
                        f.address = Some(b.address.clone());
                        f.key = keys.key(format!("{}:{argument}", b.address));
                        out.push(f);
                    } else if let Some((l, span, origin)) = s
                        .locals
                        .iter()
                        .find_map(|(l, span)| Some((l, span, locals.get(l)?)))
                    {
                        let place = Use {
                            span: span.clone(),
                            ..place
                        };
                        uses.entry(origin.local.clone())
                            .or_default()
                            .push((place, l.clone()));
                    }
                }
            }
            // A local reaches many blocks (common tags): one finding where its value is
            // made, with the blocks as related places.
            for (l, places) in uses {
                let Some(origin) = locals.get(&l) else {
                    continue;
                };
                let Some((worst, named)) = places
                    .iter()
                    .max_by_key(|(p, _)| (consequence(p).0 == Severity::High, p.in_default_tags))
                else {
                    continue;
                };
                let (severity, consequence) = consequence(worst);
                let through = if *named == l {
                    String::new()
                } else {
                    format!(" (through `local.{named}`)")
                };
                let more = match places.len() {
                    1 => String::new(),
                    n => format!(", and {} more", n - 1),
                };
                let function = &origin.function;
                let mut f = self.finding(
                    origin.file,
                    origin.call.clone(),
                    format!("`local.{l}` holds `{function}()`, which changes on every plan"),
                    format!(
                        "`local.{l}` takes `{function}()`, a new value each time Terraform evaluates it, and `{}` sets `{}` from it{through}{more}: {consequence}; {ADVICE}",
                        worst.address, worst.argument
                    ),
                );
                f.severity = severity;
                f.address = Some(format!("local.{l}"));
                f.key = keys.key(format!("local.{l}"));
                f.related = places
                    .iter()
                    .take(10)
                    .map(|(p, named)| Related {
                        file: p.file,
                        span: p.span.clone(),
                        message: format!(
                            "`{}` sets `{}` from `local.{named}`",
                            p.address, p.argument
                        ),
                    })
                    .collect();
                out.push(f);
            }
        }
    }
}

const ADVICE: &str = "use `time_static` (or `random_id`) for a value fixed at creation, or list the argument in `lifecycle { ignore_changes }`";

/// An argument that takes an unstable value.
struct Use {
    address: String,
    argument: String,
    in_default_tags: bool,
    file: FileId,
    span: Range<usize>,
}

/// How bad an unstable value is where it is used, and what happens.
fn consequence(place: &Use) -> (Severity, String) {
    let argument = &place.argument;
    if place.in_default_tags {
        (
            Severity::High,
            "in the provider's `default_tags` it is unknown when each resource's tags are planned, and the AWS provider fails the apply (\"Provider produced inconsistent final plan\")".to_string(),
        )
    } else if (argument.ends_with("name")
        || argument.ends_with("identifier")
        || argument == "bucket")
        && argument != "final_snapshot_identifier"
    {
        (
            Severity::High,
            format!(
                "`{argument}` gets a new value on every plan, so each apply renames `{}`, which for most resources means destroying it and creating another",
                place.address
            ),
        )
    } else {
        (
            Severity::Medium,
            format!(
                "`{argument}` gets a new value on every plan: no plan ever comes clean, and each apply updates `{}` again",
                place.address
            ),
        )
    }
}

/// The top-level arguments of a body, and those of its nested blocks under the name of
/// the top-level block (`default_tags { tags = … }` counts as `default_tags`), with
/// whether they are a provider's `default_tags`.
fn walk<'a>(body: &'a Body, top: Option<&'a str>, found: &mut Vec<(String, bool, &'a Expression)>) {
    for attr in body.attributes() {
        let name = top.unwrap_or(attr.key.as_str());
        found.push((name.to_string(), top == Some("default_tags"), &attr.value));
    }
    for block in body.blocks() {
        // Provisioners run once, at creation; `lifecycle` holds no values.
        if matches!(
            block.ident.as_str(),
            "lifecycle" | "provisioner" | "connection"
        ) {
            continue;
        }
        // A `dynamic "tag"` block writes `tag` blocks.
        let name = match (block.ident.as_str(), block.labels.first()) {
            ("dynamic", Some(label)) => label.as_str(),
            (ident, _) => ident,
        };
        walk(&block.body, Some(top.unwrap_or(name)), found);
    }
}
