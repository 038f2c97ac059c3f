//! The model: every file parsed once, and an index per module (folder) of its blocks by
//! address, the references between them, their meta-arguments (`provider`, `providers`,
//! `depends_on`), locals, tfvars values and policy documents. Rules read the model; they
//! never walk raw syntax for these things themselves.

pub mod companion;
pub mod eval;
pub mod expr;
pub mod follow;
pub mod grants;
pub mod parse;
pub mod policy;
pub mod routes;
pub mod schema;
pub mod types;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, Body};
use rayon::prelude::*;

use crate::workspace::{FileId, FileKind, Workspace};
use expr::{RefCollector, Target, span_of, static_str, traversal_path};
use parse::{ParseProblem, ParsedFile};
use policy::{Policy, policy_from_document, policy_from_expr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockKind {
    Terraform,
    Provider,
    Variable,
    Locals,
    Output,
    Resource,
    Data,
    Module,
    Other,
}

impl BlockKind {
    fn of(ident: &str) -> BlockKind {
        match ident {
            "terraform" => BlockKind::Terraform,
            "provider" => BlockKind::Provider,
            "variable" => BlockKind::Variable,
            "locals" => BlockKind::Locals,
            "output" => BlockKind::Output,
            "resource" => BlockKind::Resource,
            "data" => BlockKind::Data,
            "module" => BlockKind::Module,
            _ => BlockKind::Other,
        }
    }
}

/// `aws.secondary` as written in `provider = aws.secondary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRef {
    pub name: String,
    pub alias: Option<String>,
    pub span: Range<usize>,
}

impl ProviderRef {
    fn from_expr(expr: &Expression) -> Option<ProviderRef> {
        let (root, attrs) = traversal_path(expr)?;
        Some(ProviderRef {
            name: root.to_string(),
            alias: attrs.first().map(|a| a.to_string()),
            span: span_of(expr),
        })
    }

    pub fn display(&self) -> String {
        match &self.alias {
            Some(alias) => format!("{}.{alias}", self.name),
            None => self.name.clone(),
        }
    }
}

/// One top-level block of a module.
#[derive(Debug)]
pub struct BlockInfo<'a> {
    pub kind: BlockKind,
    pub labels: Vec<&'a str>,
    /// `aws_kms_key.main`, `data.aws_region.current`, `var.region`, `output.id`,
    /// `module.vpc`, `provider.aws.secondary`, `terraform`, `locals`.
    pub address: String,
    pub file: FileId,
    pub span: Range<usize>,
    pub block: &'a Block,
    /// `provider = aws.x` of a resource or data block.
    pub provider: Option<ProviderRef>,
    /// The values of `providers = { aws = aws.x }` of a module block.
    pub providers_map: Vec<ProviderRef>,
    /// The keys of that map: the provider names (and aliases) the child receives.
    pub providers_passed: Vec<ProviderRef>,
    /// The addresses in `depends_on`, with their spans.
    pub depends_on: Vec<(String, Range<usize>)>,
}

impl<'a> BlockInfo<'a> {
    /// Resource or data type (`aws_kms_key`), provider name, variable name, …
    pub fn label(&self, i: usize) -> &'a str {
        self.labels.get(i).copied().unwrap_or("")
    }

    /// The block's header: from its keyword to the end of its last label
    /// (`resource "aws_kms_key" "main"`), where findings about a whole block point.
    pub fn header(&self) -> Range<usize> {
        let end = self
            .block
            .labels
            .last()
            .map_or_else(|| span_of(&self.block.ident).end, |l| span_of(l).end);
        self.span.start..end.max(self.span.start)
    }

    pub fn attr(&self, name: &str) -> Option<&'a Attribute> {
        self.block.body.get_attribute(name)
    }

    pub fn body(&self) -> &'a Body {
        &self.block.body
    }

    pub fn is_resource(&self, ty: &str) -> bool {
        self.kind == BlockKind::Resource && self.label(0) == ty
    }

    /// Whether `address` appears in `depends_on`.
    pub fn depends_on_address(&self, address: &str) -> bool {
        self.depends_on.iter().any(|(a, _)| a == address)
    }
}

/// One entry of a `locals` block.
#[derive(Debug)]
pub struct LocalInfo<'a> {
    pub name: &'a str,
    pub file: FileId,
    /// The whole `name = value` attribute.
    pub span: Range<usize>,
    pub attr: &'a Attribute,
}

/// Who makes a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Block(usize),
    Local(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub target: Target,
    pub file: FileId,
    pub span: Range<usize>,
    pub from: Owner,
}

/// A policy document and the block that holds it.
#[derive(Debug, Clone)]
pub struct PolicyInfo {
    pub owner: Owner,
    pub file: FileId,
    pub policy: Policy,
}

/// A value for a variable from a `*.tfvars` file.
#[derive(Debug)]
pub struct TfvarValue<'a> {
    pub name: &'a str,
    pub file: FileId,
    pub value: &'a Expression,
}

/// `(companion type, argument)` → the resources such companions name there.
type CompanionIndex = HashMap<(String, String), std::sync::Arc<std::collections::HashSet<Target>>>;

/// The files of one folder: one Terraform namespace.
#[derive(Debug, Default)]
pub struct Module<'a> {
    /// Folder relative to the workspace root (`""` for the root itself).
    pub dir: String,
    pub files: Vec<FileId>,
    pub blocks: Vec<BlockInfo<'a>>,
    pub locals: Vec<LocalInfo<'a>>,
    pub refs: Vec<Reference>,
    pub policies: Vec<PolicyInfo>,
    pub tfvars: Vec<TfvarValue<'a>>,
    /// False when a file of the module could not be read or parsed: declarations may be
    /// missing from the index, so rules about absent declarations stay quiet.
    pub complete: bool,
    /// The pieces of broken answer files that did not parse (the rest of each file was
    /// recovered block by block): a declaration can only be missing from the index when
    /// one of them may hold it (see [`Module::may_declare`]).
    pub gaps: Vec<(FileId, Range<usize>)>,
    /// A Terraform file of the module was not read or not parsed at all: nothing can be
    /// said about what it declares.
    pub unknown: bool,
    /// Folders of local modules this module calls (`source = "./modules/x"`).
    pub calls: Vec<String>,
    /// Whether another module of the workspace calls this one.
    pub is_child: bool,
    /// `(provider, alias)` pairs that callers pass in with `providers = { aws.x = … }`.
    pub received_aliases: Vec<(String, String)>,
    /// A child module's inputs as its callers give them (see [`eval::resolve_inputs`]):
    /// the value every call agrees on, evaluated where the call is; an input the calls
    /// give differently is unknown.
    pub(crate) inputs: HashMap<String, eval::Known>,
    by_address: HashMap<String, usize>,
    /// `(companion type, argument)` → the resources that companions of that type name
    /// in that argument (or iterate over): built once per pair, on first use.
    companions: std::sync::Mutex<CompanionIndex>,
    /// The references by target and by block, and the policies by block: built once, on
    /// first use, so that a rule asking for each block's references is not quadratic.
    index: std::sync::OnceLock<RefIndex>,
}

/// Positions in [`Module::refs`], [`Module::policies`] and [`Module::blocks`], grouped.
#[derive(Debug, Default)]
struct RefIndex {
    to: HashMap<Target, Vec<usize>>,
    /// By block index: the references made from inside the block.
    from_block: Vec<Vec<usize>>,
    /// By local index: the references the local's value makes.
    from_local: Vec<Vec<usize>>,
    /// By block index: the policies the block holds.
    policies_of_block: Vec<Vec<usize>>,
    /// By resource type: the indexes of the module's resources of that type.
    resources: HashMap<String, Vec<usize>>,
}

impl<'a> Module<'a> {
    /// The resources that blocks of type `companion` name in `argument` (or in their
    /// `for_each`, for companions that iterate over the owners): one pass over the
    /// module per pair, then a set lookup per owner.
    pub fn companion_targets(
        &self,
        companion: &str,
        argument: &str,
    ) -> std::sync::Arc<std::collections::HashSet<Target>> {
        let key = (companion.to_string(), argument.to_string());
        if let Ok(cache) = self.companions.lock()
            && let Some(found) = cache.get(&key)
        {
            return std::sync::Arc::clone(found);
        }
        let mut targets = std::collections::HashSet::new();
        for b in self.blocks.iter().filter(|b| b.is_resource(companion)) {
            let Some(a) = b.attr(argument) else { continue };
            let mut refs = RefCollector::default();
            refs.expr(&a.value);
            if let Some(fe) = b.attr("for_each") {
                refs.expr(&fe.value);
            }
            targets.extend(refs.refs.into_iter().map(|r| r.target));
        }
        let targets = std::sync::Arc::new(targets);
        if let Ok(mut cache) = self.companions.lock() {
            cache.insert(key, std::sync::Arc::clone(&targets));
        }
        targets
    }

    /// The first resource of one of `types` that `expr` refers to
    /// (`aws_s3_bucket.logs.id` → the `aws_s3_bucket.logs` block), in this module.
    pub fn referenced(&self, expr: &Expression, types: &[&str]) -> Option<&BlockInfo<'a>> {
        let mut refs = RefCollector::default();
        refs.expr(expr);
        refs.refs.iter().find_map(|r| match &r.target {
            Target::Resource { ty, .. } if types.contains(&ty.as_str()) => {
                self.block(&r.target.address())
            }
            _ => None,
        })
    }

    pub fn block(&self, address: &str) -> Option<&BlockInfo<'a>> {
        self.by_address.get(address).map(|&i| &self.blocks[i])
    }

    /// The index in `blocks` of the (first) block declared at `address`.
    pub fn index_of(&self, address: &str) -> Option<usize> {
        self.by_address.get(address).copied()
    }

    /// The `aws_iam_policy_document` block that an expression such as
    /// `data.aws_iam_policy_document.x.json` names, by index.
    pub fn policy_document(&self, value: &Expression) -> Option<usize> {
        let (root, attrs) = traversal_path(value)?;
        if root != "data" || attrs.first() != Some(&"aws_iam_policy_document") {
            return None;
        }
        self.index_of(&format!("data.aws_iam_policy_document.{}", attrs.get(1)?))
    }

    /// Every `backend` block of the module's `terraform` blocks, with its `terraform`
    /// block.
    pub fn backends(&self) -> impl Iterator<Item = (&BlockInfo<'a>, &'a Block)> {
        self.blocks_of(BlockKind::Terraform)
            .flat_map(|t| t.body().get_blocks("backend").map(move |b| (t, b)))
    }

    pub fn blocks_of(&self, kind: BlockKind) -> impl Iterator<Item = &BlockInfo<'a>> {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }

    /// The indexes (into [`Module::blocks`]) of the module's resources of any of `types`,
    /// in the module's order.
    pub fn resource_indexes(&self, types: &[&str]) -> Vec<usize> {
        let index = self.index();
        let mut out: Vec<usize> = types
            .iter()
            .filter_map(|t| index.resources.get(*t))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The module's resources of type `ty`, in order (from an index: no pass over the
    /// module).
    pub fn resources(&self, ty: &str) -> impl Iterator<Item = &BlockInfo<'a>> {
        self.index()
            .resources
            .get(ty)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.blocks.get(i))
    }

    /// Whether the workspace path `path` is in the module's folder or below it.
    pub fn holds(&self, path: &str) -> bool {
        self.dir.is_empty()
            || path
                .strip_prefix(self.dir.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// Whether every Terraform file of the module parsed whole (a `*.tfvars` file that
    /// did not parse declares nothing): no block can be missing from the index.
    pub fn terraform_parsed(&self) -> bool {
        !self.unknown && self.gaps.is_empty()
    }

    /// Whether rules about undeclared names can speak for this module: every file was
    /// parsed, or recovered block by block (then [`Module::may_declare`] says which names
    /// the broken pieces could declare).
    pub fn declarations_known(&self) -> bool {
        !self.unknown
    }

    /// Whether a piece of a broken file of the module may declare `target`: its text
    /// holds the declaration's header (`variable "x"`, `resource "t" "n"`, `module "m"`,
    /// `data "t" "n"`), or, for a local, a `locals` block with `name =` in it. A module
    /// whose files all parsed declares nothing outside its index.
    pub fn may_declare(&self, ws: &Workspace, target: &Target) -> bool {
        if self.unknown {
            return true;
        }
        self.gaps.iter().any(|(file, range)| {
            let text = ws
                .files
                .get(*file)
                .and_then(|f| f.text.get(range.clone()))
                .unwrap_or("");
            declares(text, target)
        })
    }

    pub fn has_variable(&self, name: &str) -> bool {
        self.by_address.contains_key(&format!("var.{name}"))
    }

    fn index(&self) -> &RefIndex {
        self.index.get_or_init(|| {
            let mut index = RefIndex {
                from_block: vec![Vec::new(); self.blocks.len()],
                from_local: vec![Vec::new(); self.locals.len()],
                policies_of_block: vec![Vec::new(); self.blocks.len()],
                ..RefIndex::default()
            };
            for (i, r) in self.refs.iter().enumerate() {
                // No key copied for a target seen before (600k `${var.x}` name one).
                match index.to.get_mut(&r.target) {
                    Some(list) => list.push(i),
                    None => {
                        index.to.insert(r.target.clone(), vec![i]);
                    }
                }
                let list = match r.from {
                    Owner::Block(b) => index.from_block.get_mut(b),
                    Owner::Local(l) => index.from_local.get_mut(l),
                };
                if let Some(list) = list {
                    list.push(i);
                }
            }
            for (i, b) in self.blocks.iter().enumerate() {
                if b.kind == BlockKind::Resource {
                    index
                        .resources
                        .entry(b.label(0).to_string())
                        .or_default()
                        .push(i);
                }
            }
            for (i, p) in self.policies.iter().enumerate() {
                if let Owner::Block(b) = p.owner
                    && let Some(list) = index.policies_of_block.get_mut(b)
                {
                    list.push(i);
                }
            }
            index
        })
    }

    /// The references to `target`, in the module's order.
    pub fn refs_to(&self, target: &Target) -> impl Iterator<Item = &Reference> {
        self.index()
            .to
            .get(target)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.refs.get(i))
    }

    pub fn is_referenced(&self, target: &Target) -> bool {
        self.refs_to(target).next().is_some()
    }

    /// Whether the module's outputs may be taken further by a caller: it is called, or it
    /// configures neither a provider nor a backend (a module written to be called).
    pub fn may_be_called(&self) -> bool {
        self.is_child
            || !self.blocks.iter().any(|b| {
                b.kind == BlockKind::Provider
                    || (b.kind == BlockKind::Terraform
                        && b.body().get_blocks("backend").next().is_some())
            })
    }

    /// Whether a block of one of `kinds` other than `b` itself, or any local, references
    /// the resource `b` (a local may hand it to anything).
    pub fn used_by(&self, b: &BlockInfo<'_>, kinds: &[BlockKind]) -> bool {
        let target = Target::Resource {
            ty: b.label(0).to_string(),
            name: b.label(1).to_string(),
        };
        self.refs_to(&target).any(|r| match r.from {
            Owner::Block(i) => self
                .blocks
                .get(i)
                .is_some_and(|u| u.address != b.address && kinds.contains(&u.kind)),
            Owner::Local(_) => true,
        })
    }

    /// The `region` that decides where block `b` is created: the block's own `region`
    /// (provider 6), else that of the module's `aws` provider configuration it uses (its
    /// `provider` argument, else the default one). `None` when the module has no such
    /// configuration (a child module, whose caller passes it) or it sets no region.
    /// With the file that holds it.
    pub fn region_attr(&self, b: &BlockInfo<'a>) -> Option<(FileId, &'a Attribute)> {
        if !b.label(0).starts_with("aws_") {
            return None;
        }
        if let Some(own) = b.attr("region") {
            return Some((b.file, own));
        }
        let alias = b.provider.as_ref().and_then(|p| p.alias.clone());
        let provider = self.blocks_of(BlockKind::Provider).find(|p| {
            p.label(0) == "aws" && p.attr("alias").and_then(|a| static_str(&a.value)) == alias
        })?;
        Some((provider.file, provider.attr("region")?))
    }

    /// Whether the block at `later` waits (see [`Module::dependencies`]) for one of the
    /// blocks at `earlier`; `None` when `later` is not a block of the module.
    pub fn waits_for(&self, later: &str, earlier: &[&str]) -> Option<bool> {
        let deps = self.dependencies(self.index_of(later)?);
        Some(earlier.iter().any(|e| {
            self.index_of(e)
                .is_some_and(|j| deps.get(j).copied().unwrap_or(false))
        }))
    }

    /// The blocks that block `index` waits for, directly or through others: what it
    /// references and what its `depends_on` names, followed through other blocks and
    /// through locals (by index into [`Module::blocks`]).
    pub fn dependencies(&self, index: usize) -> Vec<bool> {
        let mut seen = vec![false; self.blocks.len()];
        let mut locals_seen = vec![false; self.locals.len()];
        let mut locals_by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (li, l) in self.locals.iter().enumerate() {
            locals_by_name.entry(l.name).or_default().push(li);
        }
        let mut stack = vec![index];
        while let Some(i) = stack.pop() {
            let Some(block) = self.blocks.get(i) else {
                continue;
            };
            let mut targets: Vec<String> =
                block.depends_on.iter().map(|(a, _)| a.clone()).collect();
            let mut refs: Vec<&Reference> = self.refs_from_block(i).collect();
            while let Some(r) = refs.pop() {
                if let Target::Local(name) = &r.target {
                    for &li in locals_by_name.get(name.as_str()).into_iter().flatten() {
                        if !std::mem::replace(&mut locals_seen[li], true) {
                            refs.extend(
                                self.index()
                                    .from_local
                                    .get(li)
                                    .into_iter()
                                    .flatten()
                                    .filter_map(|&x| self.refs.get(x)),
                            );
                        }
                    }
                    continue;
                }
                targets.push(r.target.address());
            }
            for address in targets {
                if let Some(j) = self.index_of(&address)
                    && !std::mem::replace(&mut seen[j], true)
                {
                    stack.push(j);
                }
            }
        }
        seen
    }

    /// The block that owns a reference or policy.
    pub fn owner_block(&self, owner: Owner) -> Option<&BlockInfo<'a>> {
        match owner {
            Owner::Block(i) => self.blocks.get(i),
            Owner::Local(_) => None,
        }
    }

    /// References made from inside block `index`.
    pub fn refs_from_block(&self, index: usize) -> impl Iterator<Item = &Reference> {
        self.index()
            .from_block
            .get(index)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.refs.get(i))
    }

    /// Policies held by block `index`.
    pub fn policies_of(&self, index: usize) -> impl Iterator<Item = &PolicyInfo> {
        self.index()
            .policies_of_block
            .get(index)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.policies.get(i))
    }

    /// The trust policy of the role at `index` (into [`Module::blocks`]): its
    /// `assume_role_policy`, written inline or as `data.aws_iam_policy_document.x.json`.
    pub fn trust_policies(&self, index: usize) -> Vec<&PolicyInfo> {
        let mut policies: Vec<&PolicyInfo> = self
            .policies_of(index)
            .filter(|p| p.policy.attr == "assume_role_policy")
            .collect();
        if let Some(doc) = self
            .blocks
            .get(index)
            .and_then(|role| role.attr("assume_role_policy"))
            .and_then(|a| self.policy_document(&a.value))
        {
            policies.extend(self.policies_of(doc));
        }
        policies
    }

    /// `target` and the locals whose value uses it, directly or through other locals.
    pub fn carriers_of(&self, target: Target) -> Vec<Target> {
        let mut carriers = vec![target];
        let mut next = 0;
        // Through the references index: each carrier's readers once.
        while let Some(t) = carriers.get(next).cloned() {
            next += 1;
            for r in self.refs_to(&t) {
                let Owner::Local(i) = r.from else {
                    continue;
                };
                let Some(local) = self.locals.get(i) else {
                    continue;
                };
                let carrier = Target::Local(local.name.to_string());
                if !carriers.contains(&carrier) {
                    carriers.push(carrier);
                }
            }
        }
        carriers
    }

    /// Path of a file named `name` in this module's folder.
    pub fn path_of(&self, name: &str) -> String {
        if self.dir.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.dir)
        }
    }
}

/// A set of modules of the workspace, indexed: the whole workspace, or one group of
/// modules that call each other (see [`crate::analysis`]).
#[derive(Debug)]
pub struct Model<'a> {
    pub ws: &'a Workspace,
    /// The files this model covers.
    pub files: Vec<FileId>,
    /// Their syntax trees, in the same order.
    pub parsed: Vec<&'a ParsedFile>,
    pub modules: Vec<Module<'a>>,
    /// Problems found while parsing: syntax errors and duplicate object keys.
    pub parse_problems: Vec<(FileId, ParseProblem)>,
    /// The comparison with the ideal answer, computed once for the rules that use it.
    pub comparisons: std::sync::OnceLock<Vec<crate::compare::Comparison>>,
    /// What the provider schemas reject, computed once for the four schema rules.
    pub schema_problems: std::sync::OnceLock<Vec<schema::check::Problem>>,
    /// Folder of a local module → `(calling module, call block)` of each call of it,
    /// indices into `modules` and that module's `blocks`.
    calls: HashMap<String, Vec<(usize, usize)>>,
}

impl<'a> Model<'a> {
    /// Parses every readable file (in parallel).
    pub fn parse_all(ws: &Workspace) -> Vec<ParsedFile> {
        ws.files.par_iter().map(parse::parse_file).collect()
    }

    /// Parses the given files (in parallel); the result is in the same order.
    pub fn parse_files(ws: &Workspace, files: &[FileId]) -> Vec<ParsedFile> {
        files
            .par_iter()
            .map(|&id| parse::parse_file(&ws.files[id]))
            .collect()
    }

    /// The model of the whole workspace; `parsed` is [`Model::parse_all`]'s result.
    pub fn build(ws: &'a Workspace, parsed: &'a [ParsedFile]) -> Model<'a> {
        let files: Vec<FileId> = (0..ws.files.len()).collect();
        Model::build_files(ws, files, parsed.iter().collect())
    }

    /// The model of some files of the workspace; `parsed[i]` is the parse of `files[i]`.
    pub fn build_files(
        ws: &'a Workspace,
        files: Vec<FileId>,
        parsed: Vec<&'a ParsedFile>,
    ) -> Model<'a> {
        let mut by_dir: BTreeMap<&str, Vec<(FileId, &'a ParsedFile)>> = BTreeMap::new();
        for (&id, &p) in files.iter().zip(&parsed) {
            by_dir.entry(ws.files[id].dir()).or_default().push((id, p));
        }
        // A folder with only tfvars is not a module: its values are for the nearest
        // module above it (`terraform apply -var-file=environments/prod/terraform.tfvars`
        // from the root).
        // So are the values of a folder whose Terraform only configures Terraform and
        // providers (an environment folder with its `backend.tf`).
        let (mut modules_dirs, mut tfvars_only): (BTreeMap<_, _>, BTreeMap<_, _>) =
            by_dir.into_iter().partition(|(_, ids)| {
                ids.iter()
                    .any(|&(id, _)| ws.files[id].kind == FileKind::Terraform)
            });
        for (dir, ids) in modules_dirs.iter_mut() {
            let declares = ids.iter().any(|(id, p)| {
                ws.files[*id].kind == FileKind::Terraform
                    && p.body.as_ref().is_none_or(|b| {
                        b.blocks()
                            .any(|blk| !matches!(blk.ident.as_str(), "terraform" | "provider"))
                    })
            });
            if !declares {
                let (values, rest): (Vec<_>, Vec<_>) = ids
                    .drain(..)
                    .partition(|(id, _)| ws.files[*id].kind == FileKind::Tfvars);
                *ids = rest;
                if !values.is_empty() {
                    tfvars_only.insert(*dir, values);
                }
            }
        }
        by_dir = modules_dirs;
        for (dir, ids) in tfvars_only {
            let mut up = dir;
            let owner = loop {
                let Some(i) = up.rfind('/') else {
                    break by_dir.contains_key("").then_some("");
                };
                up = &up[..i];
                if by_dir.contains_key(up) {
                    break Some(up);
                }
            };
            match owner.and_then(|o| by_dir.get_mut(o)) {
                // Before the module's own files: a value of the module's own tfvars is
                // the one `known` takes (the last one read).
                Some(list) => {
                    list.splice(0..0, ids);
                }
                // No module above: the values stay with their own folder's module.
                None => {
                    if let Some(list) = by_dir.get_mut(dir) {
                        list.extend(ids);
                    }
                }
            }
        }
        let mut modules: Vec<Module<'a>> = by_dir
            .into_par_iter()
            .map(|(dir, ids)| build_module(ws, dir, &ids))
            .collect();
        // Who calls each local module, and the provider aliases the calls pass it.
        let calls = call_index(&modules);
        let received: Vec<Option<Vec<(String, String)>>> = modules
            .iter()
            .map(|m| {
                calls.get(&m.dir).map(|list| {
                    list.iter()
                        .flat_map(|&(i, j)| &modules[i].blocks[j].providers_passed)
                        .filter_map(|key| Some((key.name.clone(), key.alias.clone()?)))
                        .collect()
                })
            })
            .collect();
        for (module, aliases) in modules.iter_mut().zip(received) {
            if let Some(aliases) = aliases {
                module.is_child = true;
                module.received_aliases = aliases;
            }
        }
        eval::resolve_inputs(&mut modules, &calls);
        let parse_problems = files
            .iter()
            .zip(&parsed)
            .flat_map(|(&id, p)| p.problems.iter().map(move |pr| (id, pr.clone())))
            .collect();
        Model {
            ws,
            files,
            parsed,
            modules,
            parse_problems,
            comparisons: std::sync::OnceLock::new(),
            schema_problems: std::sync::OnceLock::new(),
            calls,
        }
    }

    /// The block declared at `address` in the module that holds `file`.
    pub fn block_in(&self, file: FileId, address: &str) -> Option<&BlockInfo<'a>> {
        self.modules
            .iter()
            .find(|m| m.files.contains(&file))?
            .block(address)
    }

    pub fn src(&self, file: FileId) -> &'a str {
        self.ws.files.get(file).map_or("", |f| f.text.as_str())
    }

    /// Whether `path` (relative to `module`'s folder) is a file of the workspace: a
    /// Terraform file, or another file discovery saw (`lambda.zip`, a template).
    pub fn has_file(&self, module: &Module<'_>, path: &str) -> bool {
        let full = in_module(module, path);
        self.ws.assets.binary_search(&full).is_ok() || self.ws.file_by_path(&full).is_some()
    }

    /// The text of the file `path` (relative to `module`) when it may be a template: read
    /// with the workspace, or shown by the answer (in a task, under its name wherever its
    /// folder, when only one shown file has that name). With its workspace path.
    pub fn template_text(
        &self,
        module: &Module<'_>,
        path: &str,
    ) -> Option<(&'a str, &'a crate::workspace::markdown::AssetText)> {
        let ws: &'a Workspace = self.ws;
        let full = in_module(module, path);
        if let Some((k, v)) = ws.asset_texts.get_key_value(&full) {
            return Some((k.as_str(), v));
        }
        if !ws.task {
            return None;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut shown = ws
            .asset_texts
            .iter()
            .filter(|(k, _)| module.holds(k) && k.rsplit('/').next() == Some(name));
        let first = shown.next()?;
        shown
            .next()
            .is_none()
            .then_some((first.0.as_str(), first.1))
    }

    /// Whether the folder `path` (relative to `module`) holds a file of the workspace or
    /// one the answer shows.
    pub fn has_dir(&self, module: &Module<'_>, path: &str) -> bool {
        let prefix = format!("{}/", in_module(module, path.trim_end_matches('/')));
        self.ws.assets.iter().any(|a| a.starts_with(&prefix))
            || self.ws.files.iter().any(|f| f.path.starts_with(&prefix))
    }

    /// Each call of the local module in folder `dir`: the calling module and its
    /// `module` block.
    pub fn callers_of(&self, dir: &str) -> impl Iterator<Item = (&Module<'a>, &BlockInfo<'a>)> {
        self.calls
            .get(dir)
            .into_iter()
            .flatten()
            .map(|&(m, b)| (&self.modules[m], &self.modules[m].blocks[b]))
    }

    /// The module that a `module` block calls, when its source is a local folder this
    /// model holds.
    pub fn called(&self, caller: &Module<'a>, call: &BlockInfo<'a>) -> Option<&Module<'a>> {
        let dir = call
            .attr("source")
            .and_then(|s| static_str(&s.value))
            .and_then(|s| resolve_local_source(&caller.dir, &s))?;
        self.module_at(&dir)
    }

    /// The module of folder `dir` (`""` for the root).
    pub fn module_at(&self, dir: &str) -> Option<&Module<'a>> {
        self.modules.iter().find(|m| m.dir == dir)
    }

    pub fn path(&self, file: FileId) -> &'a str {
        self.ws.files.get(file).map_or("", |f| f.path.as_str())
    }
}

/// Folder of a local module → `(calling module, call block)` of each call of it.
fn call_index(modules: &[Module<'_>]) -> HashMap<String, Vec<(usize, usize)>> {
    let mut calls: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (i, m) in modules.iter().enumerate() {
        for (j, b) in m.blocks.iter().enumerate() {
            if b.kind != BlockKind::Module {
                continue;
            }
            if let Some(dir) = b
                .attr("source")
                .and_then(|s| static_str(&s.value))
                .and_then(|s| resolve_local_source(&m.dir, &s))
            {
                calls.entry(dir).or_default().push((i, j));
            }
        }
    }
    calls
}

fn build_module<'a>(ws: &'a Workspace, dir: &str, ids: &[(FileId, &'a ParsedFile)]) -> Module<'a> {
    let mut module = Module {
        dir: dir.to_string(),
        complete: true,
        ..Module::default()
    };
    for &(id, parsed) in ids {
        let file = &ws.files[id];
        let Some(body) = parsed.body.as_ref() else {
            if file.kind == FileKind::Terraform {
                module.complete = false;
                module.unknown = true;
            }
            continue;
        };
        // A body recovered block by block from a broken answer lacks the broken blocks.
        if parsed.recovered {
            module.complete = false;
            if file.kind == FileKind::Terraform {
                module
                    .gaps
                    .extend(parsed.gaps.iter().map(|g| (id, g.clone())));
            }
        }
        match file.kind {
            FileKind::Tfvars => {
                for attr in body.attributes() {
                    module.tfvars.push(TfvarValue {
                        name: attr.key.as_str(),
                        file: id,
                        value: &attr.value,
                    });
                }
            }
            FileKind::Terraform => {
                module.files.push(id);
                for block in body.blocks() {
                    index_block(&mut module, &file.text, id, block);
                }
            }
        }
    }
    module.calls = module
        .blocks_of(BlockKind::Module)
        .filter_map(|b| {
            let source = static_str(&b.attr("source")?.value)?;
            resolve_local_source(dir, &source)
        })
        .collect();
    module
}

fn index_block<'a>(module: &mut Module<'a>, src: &str, file: FileId, block: &'a Block) {
    let kind = BlockKind::of(block.ident.as_str());
    let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
    let label = |i: usize| labels.get(i).copied().unwrap_or("");
    let address = match kind {
        BlockKind::Resource => format!("{}.{}", label(0), label(1)),
        BlockKind::Data => format!("data.{}.{}", label(0), label(1)),
        BlockKind::Variable => format!("var.{}", label(0)),
        BlockKind::Output => format!("output.{}", label(0)),
        BlockKind::Module => format!("module.{}", label(0)),
        BlockKind::Provider => match block
            .body
            .get_attribute("alias")
            .and_then(|a| static_str(&a.value))
        {
            Some(alias) => format!("provider.{}.{alias}", label(0)),
            None => format!("provider.{}", label(0)),
        },
        BlockKind::Terraform | BlockKind::Locals => block.ident.as_str().to_string(),
        BlockKind::Other => std::iter::once(block.ident.as_str())
            .chain(labels.iter().copied())
            .collect::<Vec<_>>()
            .join("."),
    };
    let provider = match kind {
        BlockKind::Resource | BlockKind::Data => block
            .body
            .get_attribute("provider")
            .and_then(|a| ProviderRef::from_expr(&a.value)),
        _ => None,
    };
    let mut providers_map = Vec::new();
    let mut providers_passed = Vec::new();
    if kind == BlockKind::Module
        && let Some(obj) = block
            .body
            .get_attribute("providers")
            .and_then(|a| a.value.as_object())
    {
        for (key, value) in obj.iter() {
            providers_map.extend(ProviderRef::from_expr(value.expr()));
            providers_passed.extend(match key {
                hcl_edit::expr::ObjectKey::Expression(e) => ProviderRef::from_expr(e),
                hcl_edit::expr::ObjectKey::Ident(i) => Some(ProviderRef {
                    name: i.as_str().to_string(),
                    alias: None,
                    span: span_of(key),
                }),
            });
        }
    }
    let depends_on = block
        .body
        .get_attribute("depends_on")
        .and_then(|a| a.value.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|e| {
                    let (root, attrs) = traversal_path(e)?;
                    let target = Target::from_path(root, &attrs)?;
                    Some((target.address(), span_of(e)))
                })
                .collect()
        })
        .unwrap_or_default();

    let index = module.blocks.len();
    let owner = Owner::Block(index);
    if kind == BlockKind::Locals {
        for attr in block.body.attributes() {
            let local_index = module.locals.len();
            module.locals.push(LocalInfo {
                name: attr.key.as_str(),
                file,
                span: span_of(attr),
                attr,
            });
            let mut refs = RefCollector::default();
            refs.expr(&attr.value);
            push_refs(module, file, Owner::Local(local_index), refs);
            collect_policies(module, src, file, Owner::Local(local_index), attr);
        }
    } else {
        let mut refs = RefCollector::default();
        if kind == BlockKind::Module {
            // `providers = { aws = aws.x }` names providers, not resources.
            for attr in block
                .body
                .attributes()
                .filter(|a| a.key.as_str() != "providers")
            {
                refs.expr(&attr.value);
            }
            for nested in block.body.blocks() {
                refs.block(nested);
            }
        } else {
            refs.body(&block.body);
        }
        push_refs(module, file, owner, refs);
        if kind == BlockKind::Data && label(0) == "aws_iam_policy_document" {
            module.policies.push(PolicyInfo {
                owner,
                file,
                policy: policy_from_document(src, block),
            });
        } else {
            collect_policies_in_body(module, src, file, owner, &block.body);
        }
    }
    module.by_address.entry(address.clone()).or_insert(index);
    module.blocks.push(BlockInfo {
        kind,
        labels,
        address,
        file,
        span: span_of(block),
        block,
        provider,
        providers_map,
        providers_passed,
        depends_on,
    });
}

fn push_refs(module: &mut Module<'_>, file: FileId, from: Owner, refs: RefCollector) {
    module.refs.extend(refs.refs.into_iter().map(|r| Reference {
        target: r.target,
        file,
        span: r.span,
        from,
    }));
}

fn collect_policies_in_body(
    module: &mut Module<'_>,
    src: &str,
    file: FileId,
    owner: Owner,
    body: &Body,
) {
    for attr in body.attributes() {
        collect_policies(module, src, file, owner, attr);
    }
    for nested in body.blocks() {
        collect_policies_in_body(module, src, file, owner, &nested.body);
    }
}

fn collect_policies(
    module: &mut Module<'_>,
    src: &str,
    file: FileId,
    owner: Owner,
    attr: &Attribute,
) {
    if matches!(
        attr.value,
        Expression::FuncCall(_) | Expression::HeredocTemplate(_)
    ) && let Some(policy) = policy_from_expr(src, attr.key.as_str(), &attr.value)
    {
        module.policies.push(PolicyInfo {
            owner,
            file,
            policy,
        });
    }
}

/// A literal file path as the module reads it: `${path.module}/x`, `${path.root}/x` and
/// `./x` become `x`; and whether it named the module's own folder (`${path.module}`).
pub fn module_file_path(written: &str) -> (String, bool) {
    let own_folder = written.starts_with("${path.module}/");
    let path = ["${path.module}/", "${path.root}/", "./"]
        .iter()
        .fold(written.to_string(), |p, prefix| {
            p.strip_prefix(prefix).map_or(p.clone(), str::to_string)
        });
    (path, own_folder)
}

/// A path relative to `module` as a workspace path (`x.sh` in `envs/prod` →
/// `envs/prod/x.sh`).
fn in_module(module: &Module<'_>, path: &str) -> String {
    resolve_local_source(&module.dir, &format!("./{path}")).unwrap_or_else(|| path.to_string())
}

/// `./modules/vpc` called from `envs/prod` → `envs/prod/modules/vpc`; registry and git
/// sources give `None`.
pub fn resolve_local_source(dir: &str, source: &str) -> Option<String> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Whether `text` (a piece of a file that did not parse) holds what declares `target`.
fn declares(text: &str, target: &Target) -> bool {
    let words = |line: &str| -> Vec<String> {
        line.split(|c: char| c.is_whitespace() || c == '{')
            .filter(|w| !w.is_empty())
            .map(|w| w.trim_matches('"').to_string())
            .collect()
    };
    let header = |keyword: &str, labels: &[&str]| {
        text.lines().any(|line| {
            let w = words(line.trim_start());
            w.first().map(String::as_str) == Some(keyword)
                && w.len() > labels.len()
                && labels.iter().zip(&w[1..]).all(|(l, x)| l == x)
        })
    };
    match target {
        Target::Var(name) => header("variable", &[name]),
        Target::Resource { ty, name } => header("resource", &[ty, name]),
        Target::Data { ty, name } => header("data", &[ty, name]),
        Target::Module(name) => header("module", &[name]),
        Target::Local(name) => {
            text.contains("locals")
                && text.lines().any(|line| {
                    line.trim_start()
                        .strip_prefix(name.as_str())
                        .is_some_and(|rest| rest.trim_start().starts_with('='))
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::SourceFile;

    #[test]
    fn local_module_sources_resolve_relative_to_the_caller() {
        assert_eq!(
            resolve_local_source("", "./modules/vpc").as_deref(),
            Some("modules/vpc")
        );
        assert_eq!(
            resolve_local_source("envs/prod", "../../modules/x/").as_deref(),
            Some("modules/x")
        );
        assert_eq!(resolve_local_source("", "../x"), None);
        assert_eq!(
            resolve_local_source("", "terraform-aws-modules/vpc/aws"),
            None
        );
    }

    #[test]
    fn values_of_a_folder_without_variables_go_to_the_module_above() {
        let file = |path: &str, kind, text: &str| SourceFile::new(path, kind, text);
        let ws = Workspace::from_files(
            "/w",
            vec![
                file("main.tf", FileKind::Terraform, "variable \"size\" {}\n"),
                file(
                    "envs/prod/backend.tf",
                    FileKind::Terraform,
                    "terraform {\n  backend \"s3\" {}\n}\n",
                ),
                file("envs/prod/terraform.tfvars", FileKind::Tfvars, "size = 3\n"),
                // A module with no variables and nothing above it keeps its values.
                file("lone/main.tf", FileKind::Terraform, "locals {}\n"),
                file("lone/terraform.tfvars", FileKind::Tfvars, "x = 1\n"),
            ],
        );
        let parsed = Model::parse_all(&ws);
        let model = Model::build(&ws, &parsed);
        let tfvars = |dir: &str| -> Vec<&str> {
            model
                .modules
                .iter()
                .find(|m| m.dir == dir)
                .map(|m| m.tfvars.iter().map(|v| v.name).collect())
                .unwrap_or_default()
        };
        assert_eq!(tfvars(""), ["size"]);
        assert!(tfvars("envs/prod").is_empty());
        assert_eq!(tfvars("lone"), ["x"]);
    }

    #[test]
    fn model_indexes_blocks_meta_arguments_and_children() {
        let ws = Workspace::from_files(
            "/w",
            vec![
                SourceFile::new(
                    "main.tf",
                    FileKind::Terraform,
                    r#"
provider "aws" {
  alias = "dr"
}
resource "aws_kms_replica_key" "r" {
  provider   = aws.dr
  depends_on = [aws_kms_key.k]
  description = var.d
}
module "net" {
  source    = "./modules/net"
  providers = { aws = aws.dr }
}
locals { a = local.b }
"#,
                ),
                SourceFile::new(
                    "modules/net/main.tf",
                    FileKind::Terraform,
                    "variable \"x\" {}\n",
                ),
                SourceFile::new("terraform.tfvars", FileKind::Tfvars, "d = \"hi\"\n"),
            ],
        );
        let parsed = Model::parse_all(&ws);
        let model = Model::build(&ws, &parsed);
        let root = &model.modules[0];
        assert_eq!(root.dir, "");
        assert!(root.block("provider.aws.dr").is_some());
        let replica = root.block("aws_kms_replica_key.r").unwrap();
        assert_eq!(replica.provider.as_ref().unwrap().display(), "aws.dr");
        assert_eq!(replica.depends_on[0].0, "aws_kms_key.k");
        assert_eq!(
            root.block("module.net").unwrap().providers_map[0].display(),
            "aws.dr"
        );
        assert_eq!(
            root.block("module.net").unwrap().providers_passed[0].display(),
            "aws"
        );
        assert!(root.is_referenced(&Target::Var("d".into())));
        assert!(root.is_referenced(&Target::Local("b".into())));
        assert_eq!(root.tfvars[0].name, "d");
        assert_eq!(root.calls, vec!["modules/net"]);
        assert!(model.modules[1].is_child);
        assert!(!root.is_child);
    }
}
