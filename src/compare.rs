//! Matching an answer against its ideal: blocks are matched by address (resource and
//! data type + name, variable, output, local, module, provider + alias, `terraform`)
//! module by module, and each block only the ideal has, only the answer has, or that the
//! two write differently is a [`Comparison`]. The `ideal-block-*` rules report them.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::model::expr::span_of;
use crate::model::{BlockKind, Model, Module};
use crate::workspace::{FileId, Ideal, Workspace};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Missing,
    Extra,
    Differs,
}

/// One block as one side writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub path: String,
    pub text: String,
    /// Top-level arguments and nested blocks, normalised: name → text.
    pub parts: BTreeMap<String, String>,
    /// What the block refers to and the modules it calls, read off the ideal's parse
    /// when the comparison is made; `None` for a side not yet given them.
    uses: Option<Uses>,
}

/// The references of a block's text and the `source` of each module block in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uses {
    pub refs: Vec<crate::model::expr::Target>,
    pub module_sources: Vec<String>,
}

impl Side {
    pub fn new(path: String, text: String, parts: BTreeMap<String, String>) -> Side {
        Side {
            path,
            text,
            parts,
            uses: None,
        }
    }

    /// [`Uses`] of the block (every side a [`Comparison`] holds has them).
    pub fn uses(&self) -> Option<&Uses> {
        self.uses.as_ref()
    }

    /// This side with its [`Uses`] read off the parse the ideal's model holds already
    /// (no second parse of the block's text).
    fn with_uses_of(mut self, of: Of<'_, '_>) -> Side {
        let mut refs = crate::model::expr::RefCollector::default();
        let mut module_sources = Vec::new();
        match of {
            Of::Block(b) => {
                refs.block(b.block);
                if b.block.ident.as_str() == "module"
                    && let Some(source) = b.body().get_attribute("source")
                    && let Some(source) = crate::model::expr::static_str(&source.value)
                {
                    module_sources.push(source);
                }
            }
            Of::Local(l) => refs.expr(&l.attr.value),
        }
        self.uses = Some(Uses {
            refs: refs.refs.into_iter().map(|r| r.target).collect(),
            module_sources,
        });
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub kind: Kind,
    pub address: String,
    /// The answer's module folder.
    pub module: String,
    /// Where the answer has the block (file and span).
    pub answer: Option<(FileId, Range<usize>)>,
    pub ideal: Option<Side>,
    /// Where the ideal comes from, for messages.
    pub ideal_source: String,
    /// Arguments or nested blocks that differ.
    pub differing: Vec<String>,
}

/// The comparisons of the answer's module in `dir`; empty when it is not compared with
/// an ideal (or matches it block for block).
pub fn of_module<'m>(model: &'m Model<'_>, dir: &str) -> Vec<&'m Comparison> {
    comparisons(model)
        .iter()
        .filter(|c| c.module == dir)
        .collect()
}

/// The comparisons of the modules of this model that have an ideal (computed once).
pub fn comparisons<'m>(model: &'m Model<'_>) -> &'m [Comparison] {
    model.comparisons.get_or_init(|| compute(model))
}

/// Comments dropped and white space folded, so that layout is no difference: white
/// space is kept only between two words (`for k in x`), so `["a","b"]` and
/// `[ "a", "b" ]` are the same, and a string that is one interpolation (`"${x}"`) is
/// the expression in it, as `terraform fmt` writes it.
fn normalise(text: &str) -> String {
    let mut code = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut cut = line.len();
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'"' if i == 0 || bytes[i - 1] != b'\\' => in_string = !in_string,
                b'#' if !in_string => {
                    cut = i;
                    break;
                }
                b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                    cut = i;
                    break;
                }
                _ => {}
            }
        }
        code.push_str(&line[..cut]);
        code.push('\n');
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(code.len());
    let mut rest = code.as_str();
    let mut space = false;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            space = true;
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if space && word(out.chars().next_back()) && word(Some(c)) {
            out.push(' ');
        }
        space = false;
        if c == '"' {
            let end = crate::edits::quoted_end(rest).unwrap_or(rest.len());
            out.push_str(crate::edits::unwrap_interpolation(&rest[..end]));
            rest = &rest[end..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The block or local a [`BlockEntry`] was read from.
#[derive(Clone, Copy)]
enum Of<'m, 'a> {
    Block(&'m crate::model::BlockInfo<'a>),
    Local(&'m crate::model::LocalInfo<'a>),
}

/// `(address, file, span, parts, origin)` of a block or local; the parts as written
/// (name → text), normalised only when two sides' texts differ.
type BlockEntry<'m, 'a, 's> = (
    String,
    FileId,
    Range<usize>,
    BTreeMap<String, &'s str>,
    Of<'m, 'a>,
);

/// Parts as [`normalise`]d: what is compared when the written texts differ.
fn normalised(parts: &BTreeMap<String, &str>) -> BTreeMap<String, String> {
    parts
        .iter()
        .map(|(k, v)| (k.clone(), normalise(v)))
        .collect()
}

/// `(address, file, span, parts, origin)` of every block and local of a module.
fn blocks<'m, 'a, 's>(model: &'s Model<'_>, module: &'m Module<'a>) -> Vec<BlockEntry<'m, 'a, 's>> {
    let mut out = Vec::new();
    for b in &module.blocks {
        if matches!(b.kind, BlockKind::Locals | BlockKind::Other) {
            continue;
        }
        let src = model.src(b.file);
        let mut parts = BTreeMap::new();
        for attr in b.body().attributes() {
            parts.insert(
                attr.key.as_str().to_string(),
                src.get(span_of(&attr.value)).unwrap_or(""),
            );
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for nested in b.body().blocks() {
            let name = std::iter::once(nested.ident.as_str())
                .chain(nested.labels.iter().map(|l| l.as_str()))
                .collect::<Vec<_>>()
                .join(".");
            let n = seen.entry(name.clone()).or_default();
            *n += 1;
            let key = if *n == 1 {
                name
            } else {
                format!("{name}[{}]", *n - 1)
            };
            parts.insert(key, src.get(span_of(nested)).unwrap_or(""));
        }
        out.push((
            b.address.clone(),
            b.file,
            b.span.clone(),
            parts,
            Of::Block(b),
        ));
    }
    for local in &module.locals {
        let src = model.src(local.file);
        let mut parts = BTreeMap::new();
        parts.insert(
            "value".to_string(),
            src.get(span_of(&local.attr.value)).unwrap_or(""),
        );
        out.push((
            format!("local.{}", local.name),
            local.file,
            local.span.clone(),
            parts,
            Of::Local(local),
        ));
    }
    out
}

fn compute(model: &Model<'_>) -> Vec<Comparison> {
    let mut out = Vec::new();
    let under = |dir: &str, prefix: &str| {
        dir.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    for ideal in &model.ws.ideals {
        if !model.modules.iter().any(|m| under(&m.dir, &ideal.prefix)) {
            continue;
        }
        compare_one(model, ideal, &mut out);
    }
    out
}

fn compare_one(model: &Model<'_>, ideal: &Ideal, out: &mut Vec<Comparison>) {
    let ws = Workspace::from_files("", ideal.files.clone());
    let parsed = Model::parse_all(&ws);
    let ideal_model = Model::build(&ws, &parsed);
    for ideal_module in &ideal_model.modules {
        let dir = if ideal_module.dir.is_empty() {
            ideal.prefix.clone()
        } else {
            format!("{}/{}", ideal.prefix, ideal_module.dir)
        };
        let Some(answer_module) = model.module_at(&dir) else {
            continue;
        };
        let theirs: BTreeMap<String, _> = blocks(&ideal_model, ideal_module)
            .into_iter()
            .map(|(address, file, span, parts, of)| (address, (file, span, parts, of)))
            .collect();
        let side = |file: FileId, span: &Range<usize>, parts: BTreeMap<String, String>| {
            let text = ideal_model
                .src(file)
                .get(span.clone())
                .unwrap_or("")
                .to_string();
            Side::new(ideal_model.path(file).to_string(), text, parts)
        };
        let ours = blocks(model, answer_module);
        let our_addresses: std::collections::HashSet<&str> =
            ours.iter().map(|(a, ..)| a.as_str()).collect();
        for (address, file, span, parts, _) in &ours {
            match theirs.get(address) {
                None => out.push(Comparison {
                    kind: Kind::Extra,
                    address: address.clone(),
                    module: dir.clone(),
                    answer: Some((*file, span.clone())),
                    ideal: None,
                    ideal_source: ideal.source.clone(),
                    differing: Vec::new(),
                }),
                // Written alike: no normalising needed.
                Some((_, _, their_parts, _)) if their_parts == parts => {}
                Some((their_file, their_span, their_parts, of)) => {
                    let (theirs_n, ours_n) = (normalised(their_parts), normalised(parts));
                    if theirs_n == ours_n {
                        continue;
                    }
                    let keys: std::collections::BTreeSet<&String> =
                        theirs_n.keys().chain(ours_n.keys()).collect();
                    let differing = keys
                        .into_iter()
                        .filter(|k| theirs_n.get(*k) != ours_n.get(*k))
                        .cloned()
                        .collect();
                    out.push(Comparison {
                        kind: Kind::Differs,
                        address: address.clone(),
                        module: dir.clone(),
                        answer: Some((*file, span.clone())),
                        ideal: Some(side(*their_file, their_span, theirs_n).with_uses_of(*of)),
                        ideal_source: ideal.source.clone(),
                        differing,
                    });
                }
            }
        }
        for (address, (file, span, parts, of)) in theirs {
            if our_addresses.contains(address.as_str()) {
                continue;
            }
            let side = side(file, &span, normalised(&parts));
            // A local is an attribute of a `locals` block: added, it needs one.
            let side = if address.starts_with("local.") {
                Side::new(
                    side.path,
                    format!("locals {{\n  {}\n}}", side.text.trim_end()),
                    side.parts,
                )
            } else {
                side
            };
            out.push(Comparison {
                kind: Kind::Missing,
                address,
                module: dir.clone(),
                answer: None,
                ideal: Some(side.with_uses_of(of)),
                ideal_source: ideal.source.clone(),
                differing: Vec::new(),
            });
        }
    }
}
