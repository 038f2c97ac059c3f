//! Walks every resource and data source of the model against the schema selected for its
//! module and provider, and lists what the provider would reject: unknown types, arguments
//! and blocks, blocks written as attributes and back, a second block where one is allowed,
//! missing required arguments, references to attributes a type does not have, arguments a
//! newer major version removed, and values the curated table (`curated.rs`) or a light
//! type check knows to be invalid. Each schema rule reports its own kind of problem.

use std::collections::HashMap;
use std::ops::Range;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use super::curated::{self, Verdict};
use super::{ArgSchema, BlockSchema, Nesting, Selection, bundled, select};
use crate::model::expr::{Target, span_of};
use crate::model::{BlockInfo, BlockKind, Model, Module};
use crate::workspace::FileId;

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    ArgumentUnsupported,
    BlockUnsupported,
    /// `tags { … }` where the schema has the attribute `tags = { … }`.
    AttributeWrittenAsBlock,
    /// `settings = { … }` where the schema has the block `settings { … }`.
    BlockWrittenAsAttribute,
    /// A second block where at most one is allowed, or a `dynamic` block over one.
    BlockCountExceeded,
    /// Required arguments or blocks that the body does not set (named in `missing`).
    ArgumentRequiredMissing,
    ResourceTypeUnknown,
    DataSourceTypeUnknown,
    /// `aws_lb.main.arn_suffixes`: the type has no such attribute.
    ReferenceAttributeUnknown,
    /// An argument or block that the selected major version removed.
    ArgumentRemovedInProvider,
    /// In the curated table: deprecated by the provider (`detail` says why, `source` where).
    ArgumentDeprecated,
    /// A value the provider rejects: from the curated table, or of the wrong type.
    ArgumentValueInvalid,
}

/// One thing the provider rejects.
#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemKind,
    pub file: FileId,
    /// The argument's name, the block's keyword, the type label, the attribute of a
    /// reference, or for a missing argument the header of the block that lacks it.
    pub span: Range<usize>,
    /// The whole attribute or block concerned (for fixes); `span` when there is none.
    pub whole: Range<usize>,
    /// The resource or data source (`aws_flow_log.vpc`); for a reference, the block
    /// that makes it.
    pub address: String,
    /// The name concerned: an argument, a block, a type, or a referenced attribute.
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
    /// The required names a body lacks (`ArgumentRequiredMissing`).
    pub missing: Vec<String>,
    /// Another place of the same problem: the first block of a repeated one.
    pub related: Option<Range<usize>>,
    /// Why, in words: the valid values, what replaces a deprecated argument, the type
    /// expected.
    pub detail: String,
    /// The documentation a curated entry comes from.
    pub source: Option<&'static str>,
    /// A nested block of the body that has an argument of this name: where a misplaced
    /// argument belongs (`weight` → `weighted_routing_policy`).
    pub belongs_in: Option<String>,
    /// A `dynamic` block label rather than a keyword.
    pub dynamic: bool,
    /// The schema type of the argument concerned (`map(string)`), where there is one.
    pub arg_type: String,
    /// Found in a reference that reads the attribute, not where it is set.
    pub read: bool,
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

    /// The major version checked against (`6`).
    fn major(&self) -> String {
        self.checked
            .split_whitespace()
            .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .and_then(|v| v.split('.').next())
            .unwrap_or("")
            .to_string()
    }

    /// What was checked: "checked against AWS provider 6.66.0 (…)", or for a name the
    /// selected major version removed: "removed in AWS provider 6.0 (it exists in 5.99.1);
    /// the constraint `>= 5.0` installs 6.x".
    pub fn version_note(&self) -> String {
        let major = self.major();
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
pub const SUCCESSORS: &[(&str, &str)] = &[
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

/// The major version of `provider` that the module's code needs, when it is the one its
/// constraint selects today and the newest bundled release of the major before it would
/// reject the code: it uses a type, argument or block only the newer major has, or leaves
/// out one only the older major requires. An upper bound must then stay above it. `None`
/// when the older major takes the code as well, or nothing can be said.
pub fn major_needed(model: &Model<'_>, module: &Module<'_>, provider: &str) -> Option<u64> {
    let current = select(model, module, provider);
    if !current.is_checked() {
        return None;
    }
    let major = current.major();
    let older = super::newest_of_major(provider, major.checked_sub(1)?)?;
    let needs = module.blocks.iter().any(|block| {
        if !matches!(block.kind, BlockKind::Resource | BlockKind::Data)
            || provider_of(block).as_deref() != Some(provider)
        {
            return false;
        }
        let ty = block.label(0);
        match (older.block(block.kind, ty), current.block(block.kind, ty)) {
            (None, Some(_)) => true,
            (Some(old), Some(new)) => needs_newer(block.body(), old, new, true),
            _ => false,
        }
    });
    needs.then_some(major)
}

/// Whether a body that `new` accepts would be rejected by `old` for a difference between
/// the two: a name only `new` has, or one only `old` requires and the body leaves out.
/// Problems both schemas share are not counted: they are not the version's doing.
fn needs_newer(body: &Body, old: &BlockSchema, new: &BlockSchema, top: bool) -> bool {
    let has =
        |s: &BlockSchema, name: &str| s.args.contains_key(name) || s.blocks.contains_key(name);
    for attr in body.attributes() {
        let name = attr.key.as_str();
        if !(top && META_ATTRS.contains(&name)) && has(new, name) && !has(old, name) {
            return true;
        }
    }
    for block in body.blocks() {
        let ident = block.ident.as_str();
        if top && META_BLOCKS.contains(&ident) {
            continue;
        }
        let (name, dynamic) = match dynamic_label(block) {
            Some(label) => (label, true),
            None => (ident, false),
        };
        if has(new, name) && !has(old, name) {
            return true;
        }
        if let (Some(o), Some(n)) = (old.blocks.get(name), new.blocks.get(name))
            && !dynamic
            && !o.opaque
            && !n.opaque
            && needs_newer(&block.body, &o.block, &n.block, false)
        {
            return true;
        }
    }
    let present = |name: &str| {
        body.get_attribute(name).is_some()
            || body
                .blocks()
                .any(|b| b.ident.as_str() == name || dynamic_label(b) == Some(name))
    };
    let only_old_requires_arg = old.args.iter().any(|(name, a)| {
        a.required && !new.args.get(name).is_some_and(|b| b.required) && !present(name)
    });
    let only_old_requires_block = old.blocks.iter().any(|(name, b)| {
        b.min > 0 && new.blocks.get(name).is_none_or(|n| n.min == 0) && !present(name)
    });
    only_old_requires_arg || only_old_requires_block
}

/// The provider a resource or data source type belongs to, and whether its own
/// `provider = x.y` agrees with the type's prefix.
fn provider_of(block: &BlockInfo<'_>) -> Option<String> {
    let ty = block.label(0);
    let provider = block
        .provider
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| ty.split('_').next().unwrap_or("").to_string());
    // The type's own prefix must match: `provider = aws.x` on a `random_id` is a
    // different mistake.
    let prefixed = ty
        .strip_prefix(provider.as_str())
        .is_some_and(|rest| rest.starts_with('_'));
    prefixed.then_some(provider)
}

fn compute(model: &Model<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    for module in &model.modules {
        let mut selections: HashMap<String, Selection> = HashMap::new();
        for block in &module.blocks {
            if !matches!(block.kind, BlockKind::Resource | BlockKind::Data) {
                continue;
            }
            let Some(provider) = provider_of(block) else {
                continue;
            };
            let selection = selections
                .entry(provider.clone())
                .or_insert_with(|| select(model, module, &provider));
            if !selection.is_checked() {
                continue;
            }
            check_block(model, block, selection, &mut out);
        }
        check_references(model, module, &mut selections, &mut out);
    }
    out
}

/// A problem with the fields every kind shares.
fn base(block: &BlockInfo<'_>, selection: &Selection, kind: ProblemKind) -> Problem {
    problem(block.file, &block.address, selection, kind)
}

/// A problem in `file` about `address`, with every other field empty.
fn problem(file: FileId, address: &str, selection: &Selection, kind: ProblemKind) -> Problem {
    Problem {
        kind,
        file,
        span: 0..0,
        whole: 0..0,
        address: address.to_string(),
        name: String::new(),
        within: String::new(),
        suggestions: Vec::new(),
        valid: Vec::new(),
        checked: selection.describe(),
        removed_since: None,
        added_in: None,
        constraint: selection.constraint.clone(),
        nested: String::new(),
        rename_to: None,
        missing: Vec::new(),
        related: None,
        detail: String::new(),
        source: None,
        belongs_in: None,
        dynamic: false,
        arg_type: String::new(),
        read: false,
    }
}

fn check_block(
    model: &Model<'_>,
    block: &BlockInfo<'_>,
    selection: &Selection,
    out: &mut Vec<Problem>,
) {
    let ty = block.label(0);
    let Some(schema) = selection.block(block.kind, ty) else {
        let kind = if block.kind == BlockKind::Data {
            ProblemKind::DataSourceTypeUnknown
        } else {
            ProblemKind::ResourceTypeUnknown
        };
        let mut p = base(block, selection, kind);
        p.span = block
            .block
            .labels
            .first()
            .map_or_else(|| block.header(), span_of);
        p.whole = block.span.clone();
        p.name = ty.to_string();
        p.within = ty.to_string();
        let types = selection.types(block.kind);
        p.suggestions = match SUCCESSORS.iter().find(|(old, _)| *old == ty) {
            Some((_, new)) if types.contains(new) => vec![new.to_string()],
            _ => closest(ty, &types),
        };
        let exists = |other: &Selection| other.block(block.kind, ty).is_some();
        p.removed_since = other_major(selection, false, exists);
        p.added_in = other_major(selection, true, exists);
        out.push(p);
        return;
    };
    let ctx = Walk {
        provider: selection.provider(),
        major: selection.major(),
        data: block.kind == BlockKind::Data,
        curated: curated::covers(ty),
        ty,
        src: model.src(block.file),
    };
    let mut found = Vec::new();
    let header = block.header();
    ctx.walk(block.body(), schema, &mut Vec::new(), header, &mut found);
    for f in found {
        let within = std::iter::once(ty.to_string())
            .chain(f.path.iter().cloned())
            .collect::<Vec<_>>()
            .join(".");
        let body = at_path(schema, &f.path);
        let names = body.map(valid_names).unwrap_or_default();
        let mut p = base(block, selection, f.kind);
        p.span = f.span;
        p.whole = f.whole;
        p.name = f.name.clone();
        p.within = within;
        p.valid = names.clone();
        p.nested = f.path.join(".");
        p.missing = f.missing;
        p.related = f.related;
        p.detail = f.detail;
        p.source = f.source;
        p.dynamic = f.dynamic;
        p.arg_type = body
            .and_then(|b| b.args.get(&f.name))
            .map(|a| a.ty.clone())
            .unwrap_or_default();
        let name = f.name.as_str();
        let unsupported = matches!(
            f.kind,
            ProblemKind::ArgumentUnsupported | ProblemKind::BlockUnsupported
        );
        if unsupported {
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            p.suggestions = closest(name, &refs);
        }
        if let ([only], Some(body)) = (p.suggestions.as_slice(), body) {
            let same_kind = match f.kind {
                ProblemKind::ArgumentUnsupported => body.args.contains_key(only),
                _ => {
                    body.blocks.contains_key(only)
                        || body.args.get(only).is_some_and(|a| a.may_be_block())
                }
            };
            if same_kind && !f.present.contains(only) {
                p.rename_to = Some(only.clone());
            }
        }
        if unsupported {
            let path = &f.path;
            let exists = |other: &Selection| {
                other
                    .block(block.kind, ty)
                    .and_then(|s| at_path(s, path))
                    .is_some_and(|s| s.args.contains_key(name) || s.blocks.contains_key(name))
            };
            p.removed_since = other_major(selection, false, exists);
            p.added_in = other_major(selection, true, exists);
            if p.removed_since.is_some() || p.added_in.is_some() {
                p.rename_to = None;
            }
            if p.removed_since.is_some() {
                p.kind = ProblemKind::ArgumentRemovedInProvider;
            }
            // An argument of exactly one nested block of this body: it was written one
            // level too high.
            if f.kind == ProblemKind::ArgumentUnsupported
                && p.rename_to.is_none()
                && p.removed_since.is_none()
                && let Some(body) = body
            {
                let owners: Vec<&String> = body
                    .blocks
                    .iter()
                    .filter(|(_, b)| !b.opaque && b.block.args.contains_key(name))
                    .map(|(n, _)| n)
                    .collect();
                if let [owner] = owners.as_slice() {
                    p.belongs_in = Some(owner.to_string());
                }
            }
        }
        out.push(p);
    }
}

/// A problem found in a body, before it is placed in its resource.
struct Found {
    kind: ProblemKind,
    span: Range<usize>,
    whole: Range<usize>,
    name: String,
    /// The nested blocks from the resource to the body.
    path: Vec<String>,
    /// The names the body holds.
    present: Vec<String>,
    missing: Vec<String>,
    related: Option<Range<usize>>,
    detail: String,
    source: Option<&'static str>,
    dynamic: bool,
}

impl Found {
    fn new(kind: ProblemKind, span: Range<usize>, name: &str, path: &[String]) -> Found {
        Found {
            kind,
            whole: span.clone(),
            span,
            name: name.to_string(),
            path: path.to_vec(),
            present: Vec::new(),
            missing: Vec::new(),
            related: None,
            detail: String::new(),
            source: None,
            dynamic: false,
        }
    }
}

/// What a walk over one resource needs besides the body.
struct Walk<'s> {
    provider: &'s str,
    major: u64,
    /// A data source rather than a resource.
    data: bool,
    /// The curated table has entries for the type.
    curated: bool,
    ty: &'s str,
    src: &'s str,
}

impl Walk<'_> {
    /// Checks `body` against `schema`; `header` is where a finding about the body as a
    /// whole points (the resource's header, or a nested block's keyword).
    fn walk(
        &self,
        body: &Body,
        schema: &BlockSchema,
        path: &mut Vec<String>,
        header: Range<usize>,
        out: &mut Vec<Found>,
    ) {
        let top = path.is_empty();
        let present: Vec<&str> = body
            .attributes()
            .map(|a| a.key.as_str())
            .chain(
                body.blocks()
                    .map(|b| dynamic_label(b).unwrap_or(b.ident.as_str())),
            )
            .collect();
        let mut mine: Vec<Found> = Vec::new();
        for attr in body.attributes() {
            let name = attr.key.as_str();
            if top && META_ATTRS.contains(&name) {
                continue;
            }
            let key = span_of(&attr.key);
            if let Some(arg) = schema.args.get(name) {
                for f in self.check_value(name, &attr.value, arg, path, key.clone()) {
                    mine.push(Found {
                        whole: span_of(attr),
                        ..f
                    });
                }
                continue;
            }
            let kind = if schema.blocks.contains_key(name) {
                ProblemKind::BlockWrittenAsAttribute
            } else {
                ProblemKind::ArgumentUnsupported
            };
            mine.push(Found {
                whole: span_of(attr),
                ..Found::new(kind, key, name, path)
            });
        }
        let mut seen: HashMap<&str, Range<usize>> = HashMap::new();
        for block in body.blocks() {
            let ident = block.ident.as_str();
            if top && META_BLOCKS.contains(&ident) {
                continue;
            }
            // `dynamic "x" { … }`: check the name and how many it makes, not the inside.
            let (name, span, dynamic) = match dynamic_label(block) {
                Some(label) => (
                    label,
                    block.labels.first().map(span_of).unwrap_or(0..0),
                    true,
                ),
                None if ident == "dynamic" => continue,
                None => (ident, span_of(&block.ident), false),
            };
            let whole = span_of(block);
            if let Some(nested) = schema.blocks.get(name) {
                if let Some(f) = self.deprecated(name, path, span.clone()) {
                    mine.push(Found {
                        whole: whole.clone(),
                        dynamic,
                        ..f
                    });
                }
                if nested.nesting == Nesting::Single {
                    let mut f =
                        Found::new(ProblemKind::BlockCountExceeded, span.clone(), name, path);
                    f.whole = whole.clone();
                    f.dynamic = dynamic;
                    if dynamic {
                        let for_each = block.body.get_attribute("for_each").map(|a| &a.value);
                        if let Some(why) = for_each.and_then(|e| may_repeat(self.src, e)) {
                            f.detail = why;
                            mine.push(f);
                        }
                    } else if let Some(first) = seen.get(name) {
                        f.related = Some(first.clone());
                        mine.push(f);
                    } else {
                        seen.insert(name, span.clone());
                    }
                }
                if !dynamic && !nested.opaque {
                    path.push(name.to_string());
                    self.walk(&block.body, &nested.block, path, span.clone(), out);
                    path.pop();
                }
                continue;
            }
            if let Some(arg) = schema.args.get(name) {
                // Object attributes may also be written as blocks.
                if !arg.may_be_block() {
                    let mut f = Found::new(ProblemKind::AttributeWrittenAsBlock, span, name, path);
                    f.whole = whole;
                    f.dynamic = dynamic;
                    f.detail = format!("an attribute of type {}", arg.ty);
                    mine.push(f);
                }
                continue;
            }
            let mut f = Found::new(ProblemKind::BlockUnsupported, span, name, path);
            f.whole = whole;
            f.dynamic = dynamic;
            mine.push(f);
        }
        let mut missing: Vec<String> = schema
            .args
            .iter()
            .filter(|(n, a)| a.required && !present.contains(&n.as_str()))
            .map(|(n, _)| n.clone())
            .chain(
                schema
                    .blocks
                    .iter()
                    .filter(|(n, b)| b.min > 0 && !present.contains(&n.as_str()))
                    .map(|(n, _)| n.clone()),
            )
            .collect();
        missing.sort();
        if !missing.is_empty() {
            let mut f = Found::new(
                ProblemKind::ArgumentRequiredMissing,
                header.clone(),
                &missing.join(", "),
                path,
            );
            f.missing = missing;
            mine.push(f);
        }
        for mut f in mine {
            f.present = present.iter().map(|s| s.to_string()).collect();
            out.push(f);
        }
    }

    /// The problems of one argument's value: deprecated or invalid in the curated table,
    /// or a literal of a type the argument cannot take.
    fn check_value(
        &self,
        name: &str,
        value: &Expression,
        arg: &ArgSchema,
        path: &[String],
        span: Range<usize>,
    ) -> Vec<Found> {
        let mut out = Vec::new();
        if let Some(f) = self.deprecated(name, path, span.clone()) {
            out.push(f);
        }
        let verdict = if self.curated {
            curated::value(
                self.provider,
                self.major,
                self.ty,
                &dotted(path, name),
                value,
            )
        } else {
            None
        };
        if let Some(Verdict { detail, source }) = verdict {
            let mut f = Found::new(
                ProblemKind::ArgumentValueInvalid,
                span_of(value),
                name,
                path,
            );
            f.detail = detail;
            f.source = Some(source);
            out.push(f);
        } else if let Some(detail) = type_mismatch(self.src, value, &arg.ty) {
            let mut f = Found::new(
                ProblemKind::ArgumentValueInvalid,
                span_of(value),
                name,
                path,
            );
            f.detail = detail;
            out.push(f);
        }
        out
    }

    fn deprecated(&self, name: &str, path: &[String], span: Range<usize>) -> Option<Found> {
        if !self.curated {
            return None;
        }
        let Verdict { detail, source } = curated::deprecated(
            self.provider,
            self.major,
            self.data,
            self.ty,
            &dotted(path, name),
        )?;
        let mut f = Found::new(ProblemKind::ArgumentDeprecated, span, name, path);
        f.detail = detail;
        f.source = Some(source);
        Some(f)
    }
}

/// `rule.apply_server_side_encryption_by_default.sse_algorithm`.
fn dotted(path: &[String], name: &str) -> String {
    path.iter()
        .map(String::as_str)
        .chain(std::iter::once(name))
        .collect::<Vec<_>>()
        .join(".")
}

/// The label of a `dynamic "x"` block.
fn dynamic_label(block: &Block) -> Option<&str> {
    (block.ident.as_str() == "dynamic")
        .then(|| block.labels.first().map(|l| l.as_str()))
        .flatten()
}

/// Why a `dynamic` block's `for_each` can make more than one block, or `None` when it
/// makes at most one (`var.on ? [1] : []`) or nothing can be said.
fn may_repeat(src: &str, expr: &Expression) -> Option<String> {
    let text = src.get(span_of(expr)).unwrap_or("").trim();
    match max_len(expr) {
        Some(n) if n > 1 => Some(format!("its `for_each` (`{text}`) has {n} elements")),
        Some(_) => None,
        None => match expr {
            Expression::ForExpr(_) | Expression::Traversal(_) | Expression::Variable(_) => Some(
                format!("its `for_each` (`{text}`) is a collection that can hold more than one"),
            ),
            _ => None,
        },
    }
}

/// The most elements a `for_each` expression can have, when the expression says.
fn max_len(expr: &Expression) -> Option<usize> {
    match expr {
        Expression::Null(_) => Some(0),
        Expression::Array(a) => Some(a.len()),
        Expression::Object(o) => Some(o.len()),
        Expression::Parenthesis(p) => max_len(p.inner()),
        Expression::Conditional(c) => Some(max_len(&c.true_expr)?.max(max_len(&c.false_expr)?)),
        Expression::FuncCall(f)
            if matches!(
                f.name.name.as_str(),
                "toset" | "tolist" | "tomap" | "compact" | "distinct"
            ) && f.args.len() == 1 =>
        {
            max_len(f.args.iter().next()?)
        }
        _ => None,
    }
}

/// A literal the argument's type cannot take, said in words; `None` for anything that
/// is not a literal (references, calls, templates) and for what Terraform converts
/// (`"5"` to a number, `"true"` to a bool, numbers and bools to strings).
fn type_mismatch(src: &str, value: &Expression, ty: &str) -> Option<String> {
    let shown = || {
        let t = src.get(span_of(value)).unwrap_or("").trim();
        let t: String = t.chars().take(40).collect();
        if t.contains('\n') {
            String::new()
        } else {
            format!(" `{t}`")
        }
    };
    let literal = match value {
        Expression::String(s) => Some(("string", Some(s.as_str()))),
        Expression::Number(_) => Some(("number", None)),
        Expression::Bool(_) => Some(("bool", None)),
        Expression::Array(_) => Some(("list", None)),
        Expression::Object(_) => Some(("object", None)),
        _ => None,
    }?;
    let base = ty.split('(').next().unwrap_or(ty);
    let ok = match (base, literal) {
        ("any", _) => true,
        ("string", (kind, _)) => matches!(kind, "string" | "number" | "bool"),
        ("number", ("string", Some(s))) => s.trim().parse::<f64>().is_ok(),
        ("number", (kind, _)) => kind == "number",
        ("bool", ("string", Some(s))) => matches!(s, "true" | "false"),
        ("bool", (kind, _)) => kind == "bool",
        ("list" | "set", (kind, _)) => kind == "list",
        ("map" | "object", (kind, _)) => kind == "object",
        _ => true,
    };
    if ok {
        return None;
    }
    let wanted = match base {
        "string" => "a string",
        "number" => "a number",
        "bool" => "a bool (`true` or `false`)",
        "list" | "set" => "a list",
        _ => "a map",
    };
    let given = match literal.0 {
        "string" => "a string",
        "number" => "a number",
        "bool" => "a bool",
        "list" => "a list",
        _ => "an object",
    };
    let hint = if base == "string" && literal.0 == "object" {
        " (a JSON document is written with `jsonencode({ … })`)"
    } else {
        ""
    };
    Some(format!(
        "it takes {wanted} ({ty}), and{} is {given}{hint}",
        shown()
    ))
}

/// The resource and data source attributes that references read: checked against the
/// type's arguments, blocks and computed attributes.
fn check_references(
    model: &Model<'_>,
    module: &Module<'_>,
    selections: &mut HashMap<String, Selection>,
    out: &mut Vec<Problem>,
) {
    // Found on the first reference to an unknown attribute: most modules have none.
    let mut guarded: Option<Vec<(FileId, Range<usize>)>> = None;
    for r in &module.refs {
        let (kind, ty, data) = match &r.target {
            Target::Resource { ty, .. } => (BlockKind::Resource, ty.as_str(), false),
            Target::Data { ty, .. } => (BlockKind::Data, ty.as_str(), true),
            _ => continue,
        };
        let provider = ty.split('_').next().unwrap_or("");
        if provider.is_empty() || !ty.contains('_') {
            continue;
        }
        let selection = selections
            .entry(provider.to_string())
            .or_insert_with(|| select(model, module, provider));
        let Some(schema) = selection.block(kind, ty) else {
            continue;
        };
        let src = model.src(r.file);
        let Some((name, at)) = src
            .get(r.span.clone())
            .and_then(|t| referenced_attribute(t, data))
        else {
            continue;
        };
        let address = || {
            module
                .owner_block(r.from)
                .map_or_else(|| "locals".to_string(), |b| b.address.clone())
        };
        if has_attribute(schema, name) {
            let deprecated =
                curated::deprecated(selection.provider(), selection.major(), data, ty, name);
            if let Some(verdict) = deprecated {
                let mut p = reference_problem(r, selection, &address(), ty, name, at, &[]);
                p.kind = ProblemKind::ArgumentDeprecated;
                p.within = r.target.address();
                p.detail = verdict.detail;
                p.source = Some(verdict.source);
                out.push(p);
            }
            continue;
        }
        // `try(x.y.attr, …)` and `can(…)` are how optional attributes are read.
        let inside_guard = guarded
            .get_or_insert_with(|| guarded_spans(module))
            .iter()
            .any(|(file, g)| *file == r.file && g.start <= r.span.start && r.span.end <= g.end);
        if inside_guard {
            continue;
        }
        let attrs = attributes(schema);
        let mut p = reference_problem(r, selection, &address(), ty, name, at, &attrs);
        let exists = |other: &Selection| {
            other
                .block(kind, ty)
                .is_some_and(|s| has_attribute(s, name))
        };
        p.removed_since = other_major(selection, false, exists);
        p.added_in = other_major(selection, true, exists);
        out.push(p);
    }
}

/// The arguments of every `try(…)` and `can(…)` call in the module, by file.
fn guarded_spans(module: &Module<'_>) -> Vec<(FileId, Range<usize>)> {
    use hcl_edit::visit::Visit;
    struct Guards(Vec<Range<usize>>);
    impl Visit for Guards {
        fn visit_func_call(&mut self, node: &hcl_edit::expr::FuncCall) {
            if matches!(node.name.name.as_str(), "try" | "can") {
                self.0.extend(node.args.iter().map(span_of));
            } else {
                hcl_edit::visit::visit_func_call(self, node);
            }
        }
    }
    let mut out = Vec::new();
    for block in &module.blocks {
        let mut g = Guards(Vec::new());
        g.visit_body(block.body());
        out.extend(g.0.into_iter().map(|s| (block.file, s)));
    }
    for local in &module.locals {
        let mut g = Guards(Vec::new());
        g.visit_expr(&local.attr.value);
        out.extend(g.0.into_iter().map(|s| (local.file, s)));
    }
    out
}

fn reference_problem(
    r: &crate::model::Reference,
    selection: &Selection,
    address: &str,
    ty: &str,
    name: &str,
    at: Range<usize>,
    attrs: &[&str],
) -> Problem {
    let mut p = problem(
        r.file,
        address,
        selection,
        ProblemKind::ReferenceAttributeUnknown,
    );
    p.span = r.span.start + at.start..r.span.start + at.end;
    p.whole = r.span.clone();
    p.name = name.to_string();
    p.within = ty.to_string();
    p.suggestions = closest(name, attrs);
    p.valid = attrs.iter().map(|s| s.to_string()).collect();
    p.nested = r.target.address();
    p.read = true;
    p
}

/// Whether a reference can read `name` from the type.
fn has_attribute(schema: &BlockSchema, name: &str) -> bool {
    name == "id"
        || schema.args.contains_key(name)
        || schema.blocks.contains_key(name)
        || schema.computed.iter().any(|c| c == name)
}

/// Every attribute a reference can read from a type: `id`, its arguments, its blocks and
/// its computed attributes, sorted.
pub fn attributes(schema: &BlockSchema) -> Vec<&str> {
    let mut all: Vec<&str> = std::iter::once("id")
        .chain(schema.args.keys().map(String::as_str))
        .chain(schema.blocks.keys().map(String::as_str))
        .chain(schema.computed.iter().map(String::as_str))
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// In the text of a reference (`aws_lb.main[0].arn_suffix`, `data.aws_x.y.*.id`), the
/// first attribute read after the instance (past indexes and splats), with its range in
/// the text; `None` when the reference stops at the instance.
fn referenced_attribute(text: &str, data: bool) -> Option<(&str, Range<usize>)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let ident = |i: &mut usize| -> Range<usize> {
        let start = *i;
        while *i < bytes.len()
            && (bytes[*i].is_ascii_alphanumeric() || matches!(bytes[*i], b'_' | b'-'))
        {
            *i += 1;
        }
        start..*i
    };
    let skip_space = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    // The root, then `.name` (and for data sources `.type.name`).
    ident(&mut i);
    for _ in 0..if data { 2 } else { 1 } {
        skip_space(&mut i);
        if bytes.get(i) != Some(&b'.') {
            return None;
        }
        i += 1;
        ident(&mut i);
    }
    loop {
        skip_space(&mut i);
        match bytes.get(i)? {
            b'[' => {
                let mut depth = 0usize;
                while i < bytes.len() {
                    match bytes[i] {
                        b'[' => depth += 1,
                        b']' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            b'.' => {
                i += 1;
                skip_space(&mut i);
                if bytes.get(i) == Some(&b'*') {
                    i += 1;
                    continue;
                }
                let r = ident(&mut i);
                let name = text.get(r.clone())?;
                if name.is_empty() {
                    return None;
                }
                // A legacy index: `.0`.
                if name.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                return Some((name, r));
            }
            _ => return None,
        }
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
            let affix = c.len().min(name.len()) >= 4 && (extends(name, c) || extends(c, name));
            // The distance is at least the difference in length: most candidates are
            // ruled out without computing it.
            if !affix && name.len().abs_diff(c.len()) > limit {
                return None;
            }
            if affix {
                return Some((distance(name, c), *c));
            }
            within(name, c, limit).map(|d| (d, *c))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

/// Whether `long` is `short` followed by `_` and more (`log_destination_arn`,
/// `log_destination`).
fn extends(long: &str, short: &str) -> bool {
    long.strip_prefix(short)
        .is_some_and(|rest| rest.starts_with('_'))
}

/// [`distance`] when it is at most `limit`: a row whose every cell is over the limit
/// ends the computation (most candidates are ruled out within a few letters).
fn within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut best = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            best = best.min(cur[j + 1]);
        }
        if best > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= limit)
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
        // The bounded distance agrees with the full one within its limit.
        for (a, b) in [
            ("taints", "taint"),
            ("aws_s3_bucket", "aws_s3_buckets"),
            ("abc", "xyz"),
        ] {
            let d = distance(a, b);
            assert_eq!(within(a, b, 2), (d <= 2).then_some(d), "{a} {b}");
        }
    }
}
