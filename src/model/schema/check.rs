//! Walks every resource and data source of the model against the schema selected for its
//! module and provider, and lists what the provider would reject. The schema rules
//! (`argument-unsupported`, `block-unsupported`, `resource-type-unknown`,
//! `data-source-type-unknown`) each report their kind of problem.

use std::collections::HashMap;
use std::ops::Range;

use hcl_edit::structure::Body;

use super::{BlockSchema, Selection, bundled, select};
use crate::model::expr::span_of;
use crate::model::{BlockInfo, BlockKind, Model};
use crate::workspace::FileId;

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    ArgumentUnsupported,
    BlockUnsupported,
    ResourceTypeUnknown,
    DataSourceTypeUnknown,
}

/// One thing the provider rejects.
#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemKind,
    pub file: FileId,
    /// The argument's name, the block's keyword, or the type label.
    pub span: Range<usize>,
    /// The resource or data source (`aws_flow_log.vpc`).
    pub address: String,
    /// The unsupported name: an argument, a block or a type.
    pub name: String,
    /// Where it is: the resource type and the nested blocks (`aws_flow_log`,
    /// `aws_lb_listener.default_action`).
    pub within: String,
    /// The closest valid names, closest first.
    pub suggestions: Vec<String>,
    /// The valid names of the body, required ones first, for the reviewer.
    pub valid: Vec<String>,
    /// "AWS provider 6.66.0 (…)".
    pub checked: String,
    /// The name exists in the older bundled major version of the provider: it was
    /// removed in the version the constraint selects (`"5.99.1"`).
    pub removed_since: Option<String>,
    /// The name exists only in a newer bundled major version (`"6.66.0"`): the
    /// constraint keeps the module on a version without it.
    pub added_in: Option<String>,
    /// The constraint that selected the checked version.
    pub constraint: Option<String>,
    /// The nested blocks from the resource to the name (`default_action.forward`).
    pub nested: String,
    /// The single close match a rename can safely target: of the same kind (argument or
    /// block) and not already in the body.
    pub rename_to: Option<String>,
}

impl Problem {
    /// A stable key: the address, the nested blocks and the name.
    pub fn key(&self) -> String {
        if self.nested.is_empty() {
            format!("{}.{}", self.address, self.name)
        } else {
            format!("{}.{}.{}", self.address, self.nested, self.name)
        }
    }

    /// "did you mean `taint`?", "did you mean `a`, `b` or `c`?", or nothing.
    pub fn did_you_mean(&self) -> String {
        let quoted: Vec<String> = self.suggestions.iter().map(|s| format!("`{s}`")).collect();
        match quoted.as_slice() {
            [] => String::new(),
            [one] => format!("did you mean {one}?"),
            [init @ .., last] => format!("did you mean {} or {last}?", init.join(", ")),
        }
    }

    /// What was checked: "in AWS provider 6.66.0 (…)", or for a name the selected major
    /// version removed: "removed in AWS provider 6.0 (it exists in 5.99.1); the constraint
    /// `>= 5.0` installs 6.x".
    pub fn version_note(&self) -> String {
        let major = self
            .checked
            .split_whitespace()
            .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .and_then(|v| v.split('.').next())
            .unwrap_or("")
            .to_string();
        let provider = self.checked.split(" provider").next().unwrap_or("");
        let installs = match &self.constraint {
            Some(c) => format!("the constraint `{c}` installs {major}.x"),
            None => format!("without a version constraint `init` installs {major}.x"),
        };
        if let Some(old) = &self.removed_since {
            format!("removed in {provider} provider {major}.0 (it exists in {old}); {installs}")
        } else if let Some(new) = &self.added_in {
            format!("only newer {provider} providers have it (it exists in {new}); {installs}")
        } else {
            format!("checked against {}", self.checked)
        }
    }
}

/// Meta-arguments written as attributes at the top level of a resource or data source.
const META_ATTRS: &[&str] = &["count", "for_each", "depends_on", "provider"];
/// Meta-argument blocks at the top level.
const META_BLOCKS: &[&str] = &["lifecycle", "connection", "provisioner"];

/// Types that never existed (or were removed) with the type that does the job now: edit
/// distance alone would suggest unrelated neighbours.
const SUCCESSORS: &[(&str, &str)] = &[
    (
        "aws_s3_bucket_encryption",
        "aws_s3_bucket_server_side_encryption_configuration",
    ),
    (
        "aws_s3_bucket_encryption_configuration",
        "aws_s3_bucket_server_side_encryption_configuration",
    ),
];

/// Every schema problem of the model, in model order, computed once per model.
pub fn problems<'m>(model: &'m Model<'_>) -> &'m [Problem] {
    model.schema_problems.get_or_init(|| compute(model))
}

fn compute(model: &Model<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    for module in &model.modules {
        let mut selections: HashMap<String, Selection> = HashMap::new();
        for block in &module.blocks {
            if !matches!(block.kind, BlockKind::Resource | BlockKind::Data) {
                continue;
            }
            let ty = block.label(0);
            let provider = block
                .provider
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| ty.split('_').next().unwrap_or("").to_string());
            // The type's own prefix must match: `provider = aws.x` on a `random_id` is a
            // different mistake.
            if !ty.starts_with(&format!("{provider}_")) {
                continue;
            }
            let selection = selections
                .entry(provider.clone())
                .or_insert_with(|| select(model, module, &provider));
            if !selection.is_checked() {
                continue;
            }
            check_block(block, selection, &mut out);
        }
    }
    out
}

fn check_block(block: &BlockInfo<'_>, selection: &Selection, out: &mut Vec<Problem>) {
    let ty = block.label(0);
    let problem = |kind, span, name: &str, within: &str, suggestions, valid| Problem {
        kind,
        file: block.file,
        span,
        address: block.address.clone(),
        name: name.to_string(),
        within: within.to_string(),
        suggestions,
        valid,
        checked: selection.describe(),
        removed_since: None,
        added_in: None,
        constraint: selection.constraint.clone(),
        nested: String::new(),
        rename_to: None,
    };
    let Some(schema) = selection.block(block.kind, ty) else {
        let kind = if block.kind == BlockKind::Data {
            ProblemKind::DataSourceTypeUnknown
        } else {
            ProblemKind::ResourceTypeUnknown
        };
        let span = block
            .block
            .labels
            .first()
            .map_or_else(|| block.header(), span_of);
        let types = selection.types(block.kind);
        let suggestions = match SUCCESSORS.iter().find(|(old, _)| *old == ty) {
            Some((_, new)) if types.contains(new) => vec![new.to_string()],
            _ => closest(ty, &types),
        };
        let mut p = problem(kind, span, ty, ty, suggestions, Vec::new());
        let exists = |other: &Selection| other.block(block.kind, ty).is_some();
        p.removed_since = other_major(selection, false, exists);
        p.added_in = other_major(selection, true, exists);
        out.push(p);
        return;
    };
    let mut found = Vec::new();
    walk(block.body(), schema, true, &mut Vec::new(), &mut found);
    for (kind, span, name, path, present) in found {
        let within = std::iter::once(ty.to_string())
            .chain(path.iter().cloned())
            .collect::<Vec<_>>()
            .join(".");
        let body = at_path(schema, &path);
        let names = body.map(valid_names).unwrap_or_default();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut p = problem(
            kind,
            span,
            &name,
            &within,
            closest(&name, &refs),
            names.clone(),
        );
        p.nested = path.join(".");
        if let ([only], Some(body)) = (p.suggestions.as_slice(), body) {
            let same_kind = match kind {
                ProblemKind::ArgumentUnsupported => body.args.contains_key(only),
                _ => {
                    body.blocks.contains_key(only)
                        || body.args.get(only).is_some_and(|a| a.may_be_block())
                }
            };
            if same_kind && !present.contains(only) {
                p.rename_to = Some(only.clone());
            }
        }
        let exists = |other: &Selection| {
            other
                .block(block.kind, ty)
                .and_then(|s| at_path(s, &path))
                .is_some_and(|s| match kind {
                    ProblemKind::ArgumentUnsupported => s.args.contains_key(&name),
                    _ => s.blocks.contains_key(&name),
                })
        };
        p.removed_since = other_major(selection, false, exists);
        p.added_in = other_major(selection, true, exists);
        if p.removed_since.is_some() || p.added_in.is_some() {
            p.rename_to = None;
        }
        out.push(p);
    }
}

/// The newest bundled version of another major version of the same provider for which
/// `has` holds: older (`newer` false: the selected version removed the name) or newer
/// (`newer` true: the name arrived after the selected version).
fn other_major(
    selection: &Selection,
    newer: bool,
    has: impl Fn(&Selection) -> bool,
) -> Option<String> {
    let schema = selection.schema?;
    let major = |v: &str| v.split('.').next().and_then(|m| m.parse::<u64>().ok());
    let selected = major(&schema.version)?;
    super::bundled_versions(&schema.provider)
        .into_iter()
        .rev()
        .filter(|v| major(v).is_some_and(|m| if newer { m > selected } else { m < selected }))
        .find(|v| {
            let other = Selection {
                schema: bundled(&schema.provider, v),
                constraint: None,
            };
            has(&other)
        })
}

/// A problem in a body: its kind, span, name, nested path and the names the body holds.
type Found = (ProblemKind, Range<usize>, String, Vec<String>, Vec<String>);

fn walk(
    body: &Body,
    schema: &BlockSchema,
    top: bool,
    path: &mut Vec<String>,
    out: &mut Vec<Found>,
) {
    let present: Vec<String> = body
        .attributes()
        .map(|a| a.key.to_string())
        .chain(body.blocks().map(|b| b.ident.to_string()))
        .collect();
    for attr in body.attributes() {
        let name = attr.key.as_str();
        if top && META_ATTRS.contains(&name) {
            continue;
        }
        // A block written as an attribute (`settings = {}`) is a different mistake.
        if schema.args.contains_key(name) || schema.blocks.contains_key(name) {
            continue;
        }
        out.push((
            ProblemKind::ArgumentUnsupported,
            span_of(&attr.key),
            name.to_string(),
            path.clone(),
            present.clone(),
        ));
    }
    for block in body.blocks() {
        let ident = block.ident.as_str();
        if top && META_BLOCKS.contains(&ident) {
            continue;
        }
        // `dynamic "x" { … }`: check the name, not the inside.
        let (name, span, dynamic) = if ident == "dynamic" {
            match block.labels.first() {
                Some(label) => (label.as_str(), span_of(label), true),
                None => continue,
            }
        } else {
            (ident, span_of(&block.ident), false)
        };
        if let Some(nested) = schema.blocks.get(name) {
            if !dynamic && !nested.opaque {
                path.push(name.to_string());
                walk(&block.body, &nested.block, false, path, out);
                path.pop();
            }
            continue;
        }
        // Object attributes may be written as blocks; an attribute of another type
        // written as a block is a different mistake.
        if schema.args.contains_key(name) {
            continue;
        }
        out.push((
            ProblemKind::BlockUnsupported,
            span,
            name.to_string(),
            path.clone(),
            present.clone(),
        ));
    }
}

fn at_path<'s>(schema: &'s BlockSchema, path: &[String]) -> Option<&'s BlockSchema> {
    let mut s = schema;
    for p in path {
        s = &s.blocks.get(p)?.block;
    }
    Some(s)
}

/// The names a body may hold: required arguments and blocks first, then the others,
/// each alphabetically; `id` and `tags_all` (set by the provider) are left out.
pub fn valid_names(schema: &BlockSchema) -> Vec<String> {
    let mut required = Vec::new();
    let mut optional = Vec::new();
    for (name, arg) in &schema.args {
        if matches!(name.as_str(), "id" | "tags_all") {
            continue;
        }
        if arg.required {
            required.push(name.clone());
        } else {
            optional.push(name.clone());
        }
    }
    for (name, b) in &schema.blocks {
        if b.min > 0 {
            required.push(name.clone());
        } else {
            optional.push(name.clone());
        }
    }
    required.sort();
    optional.sort();
    required.extend(optional);
    required
}

/// Up to three names closest to `name` by edit distance, within a third of its length
/// (at least 2); a name that extends or shortens `name` by a `_word` counts too
/// (`log_destination_arn` → `log_destination`).
pub fn closest(name: &str, candidates: &[&str]) -> Vec<String> {
    let limit = (name.len() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .iter()
        .filter(|c| **c != name && !matches!(**c, "id" | "tags_all"))
        .filter_map(|c| {
            let d = distance(name, c);
            let affix = (name.starts_with(&format!("{c}_")) || c.starts_with(&format!("{name}_")))
                && c.len().min(name.len()) >= 4;
            (d <= limit || affix).then_some((d, *c))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

/// Levenshtein distance over bytes (names are ASCII).
pub fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names() {
        assert_eq!(distance("taints", "taint"), 1);
        assert_eq!(
            closest("taints", &["taint", "labels", "tags"]),
            vec!["taint"]
        );
        assert_eq!(
            closest(
                "log_destination_arn",
                &["log_destination", "log_format", "vpc_id"]
            ),
            vec!["log_destination"]
        );
        assert!(closest("tags", &["route_table_id", "subnet_id", "gateway_id"]).is_empty());
    }
}
