//! One analysis: read the workspace, split it into groups of modules that call each
//! other, and for each group (in parallel) parse its files, build the model and run every
//! rule, dropping the syntax trees as soon as the group is done. Findings come back in a
//! stable order.
//!
//! Grouping keeps memory proportional to the largest group rather than to the workspace.
//! It is found without parsing: Terraform requires a module's `source` to be a literal
//! string, so a scan for `source = "./…"` lines finds every local module call (a stray
//! match only merges two groups, which is harmless).

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::finding::Finding;
use crate::model::parse::{ParseProblem, ParseProblemKind, ParsedFile};
use crate::model::{Model, resolve_local_source};
use crate::rules;
use crate::workspace::{FileId, FileKind, SourceFile, Workspace};

/// The result of analysing a workspace: its files and the findings, sorted by path,
/// position and rule.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub workspace: Workspace,
    pub findings: Vec<Finding>,
    /// The spans of the top-level blocks of each file, indexed by file id.
    pub blocks: Vec<Vec<Range<usize>>>,
    /// Files that stopped parsing and were analysed from their last good parse: their
    /// findings (but the syntax error) are stale, kept as they were, never resolved.
    pub stale: Vec<FileId>,
    /// What the analysis could not do, said once in its summary: modules whose provider
    /// constraint selects no bundled schema, so their blocks were not checked against it.
    pub notes: Vec<String>,
    /// Findings that a `# tfreview:ignore` comment silenced, with the comment's reason:
    /// not reported, but kept for the formats that record suppressions (SARIF).
    pub suppressed: Vec<Suppressed>,
}

/// A finding silenced by a `# tfreview:ignore RULE reason` comment.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: Option<String>,
}

impl Analysis {
    /// The line and column (1-based) where a finding starts and ends.
    pub fn position(&self, finding: &Finding) -> ((usize, usize), (usize, usize)) {
        match self.workspace.files.get(finding.file) {
            Some(file) => (
                file.line_col(finding.span.start),
                file.line_col(finding.span.end),
            ),
            None => ((1, 1), (1, 1)),
        }
    }

    /// A finding's related places: path, line (1-based) and what each place is.
    pub fn related_places(&self, finding: &Finding) -> Vec<(String, usize, String)> {
        finding
            .related
            .iter()
            .filter_map(|r| {
                let file = self.workspace.files.get(r.file)?;
                let (line, _) = file.line_col(r.span.start);
                Some((file.path.clone(), line, r.message.clone()))
            })
            .chain(
                finding
                    .asset_places
                    .iter()
                    .map(|a| (a.path.clone(), a.line, a.message.clone())),
            )
            .collect()
    }

    /// The top-level block that contains `span` in `file`.
    pub fn enclosing_block(&self, file: FileId, span: &Range<usize>) -> Option<Range<usize>> {
        self.blocks
            .get(file)?
            .iter()
            .find(|b| b.start <= span.start && span.end <= b.end)
            .cloned()
    }

    /// Whether a finding comes from the last good parse of a file that no longer parses.
    pub fn is_stale(&self, finding: &Finding) -> bool {
        finding.rule != SYNTAX_RULE && self.stale.contains(&finding.file)
    }

    /// The files with a syntax error now, with the line of the error.
    pub fn syntax_errors(&self) -> Vec<(&str, usize)> {
        self.findings
            .iter()
            .filter(|f| f.rule == SYNTAX_RULE)
            .map(|f| (self.path(f), self.position(f).0.0))
            .collect()
    }

    /// The module folders (as file paths' folders) in which a file does not parse: a
    /// finding of such a module that is gone cannot be called resolved.
    pub fn unsettled_dirs(&self) -> std::collections::HashSet<&str> {
        self.findings
            .iter()
            .filter(|f| f.rule == SYNTAX_RULE)
            .filter_map(|f| self.workspace.files.get(f.file))
            .map(|f| f.dir())
            .collect()
    }

    pub fn path(&self, finding: &Finding) -> &str {
        self.workspace
            .files
            .get(finding.file)
            .map_or("", |f| f.path.as_str())
    }
}

/// Analyses the `.tf` files under `root` with the configuration found there.
pub fn analyse_path(root: &Path) -> Result<Analysis, crate::Error> {
    analyse_with(root, &Target::Plain, None)
}

pub fn analyse_workspace(workspace: Workspace) -> Analysis {
    let groups = module_groups(&workspace);
    let results = largest_first(&workspace, &groups, |files| {
        let parsed = Model::parse_files(&workspace, files);
        analyse_group(&workspace, files, parsed.iter().collect())
    });
    assemble(workspace, results)
}

/// `analyse` of every group on all cores, the groups sorted by size (bytes) and handed
/// out one per task: each core works from large to small through its share and steals
/// from the other's, so that the last groups to run are small ones and no core is left
/// alone with a large group at the end (rayon's split starts the second core in the
/// middle of the list, not at its second group; a `par_bridge` queue in strict order
/// measured no different). The results in the groups' order.
fn largest_first<R, F>(workspace: &Workspace, groups: &[Vec<FileId>], analyse: F) -> Vec<R>
where
    R: Send,
    F: Fn(&[FileId]) -> R + Sync,
{
    let size = |files: &[FileId]| -> usize {
        files
            .iter()
            .filter_map(|&id| workspace.files.get(id))
            .map(|f| f.text.len())
            .sum()
    };
    let mut order: Vec<(usize, usize)> = groups
        .iter()
        .enumerate()
        .map(|(i, files)| (size(files), i))
        .collect();
    order.sort_unstable_by(|a, b| b.cmp(a));
    let mut results: Vec<(usize, R)> = order
        .par_iter()
        .with_max_len(1)
        .map(|&(_, i)| (i, analyse(&groups[i])))
        .collect();
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

fn assemble(workspace: Workspace, results: Vec<GroupResult>) -> Analysis {
    let mut blocks = vec![Vec::new(); workspace.files.len()];
    let total: usize = results.iter().map(|g| g.findings.len()).sum();
    let mut findings: Vec<Finding> = Vec::new();
    let mut notes = Vec::new();
    let mut suppressed = Vec::new();
    for group in results {
        // The first group's vector is kept and grown, not copied: one workspace of
        // 100,000 findings is mostly one group.
        if findings.is_empty() {
            findings = group.findings;
            findings.reserve(total - findings.len());
        } else {
            findings.extend(group.findings);
        }
        notes.extend(group.notes);
        suppressed.extend(group.suppressed);
        for (id, spans) in group.outline {
            blocks[id] = spans;
        }
    }
    // Sorted by moving indices, not the findings (large structs) themselves; stable.
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&findings[a], &findings[b]);
        (a.file, a.span.start, a.rule, &a.key).cmp(&(b.file, b.span.start, b.rule, &b.key))
    });
    permute(&mut findings, order);
    notes.sort();
    notes.dedup();
    Analysis {
        workspace,
        findings,
        blocks,
        stale: Vec::new(),
        notes,
        suppressed,
    }
}

/// Takes the items that `pred` picks out of `items`, in place (no second vector of all
/// of them): both parts keep their order.
fn take_out<T>(items: &mut Vec<T>, pred: impl Fn(&T) -> bool) -> Vec<T> {
    if !items.iter().any(&pred) {
        return Vec::new();
    }
    // Kept items move forward by swaps, which shuffles the picked ones behind them;
    // where each came from is tracked to put them back in order.
    let mut from: Vec<usize> = (0..items.len()).collect();
    let mut kept = 0;
    for i in 0..items.len() {
        if !pred(&items[i]) {
            items.swap(kept, i);
            from.swap(kept, i);
            kept += 1;
        }
    }
    let mut taken = items.split_off(kept);
    let from = &from[kept..];
    let mut order: Vec<usize> = (0..taken.len()).collect();
    order.sort_unstable_by_key(|&j| from[j]);
    permute(&mut taken, order);
    taken
}

/// Puts `items[order[i]]` at `i`, in place: each cycle of the permutation is walked
/// once, by swaps (no second vector of the items).
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut at = start;
        // `order[at] == at` marks a place already filled.
        while order[at] != start {
            let from = order[at];
            items.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

/// The rule that reports files that do not parse.
pub const SYNTAX_RULE: &str = "hcl-syntax-error";

type Outline = Vec<(FileId, Vec<Range<usize>>)>;

/// What one group of modules gives.
struct GroupResult {
    findings: Vec<Finding>,
    /// The spans of the top-level blocks of its files.
    outline: Outline,
    notes: Vec<String>,
    suppressed: Vec<Suppressed>,
}

fn analyse_group(ws: &Workspace, files: &[FileId], parsed: Vec<&ParsedFile>) -> GroupResult {
    let outline = files
        .iter()
        .zip(&parsed)
        .map(|(&id, p)| {
            let spans = p
                .body
                .iter()
                .flat_map(|b| b.blocks())
                .map(crate::model::expr::span_of)
                .collect();
            (id, spans)
        })
        .collect();
    let model = Model::build_files(ws, files.to_vec(), parsed);
    let config = &ws.config;
    let mut out = Vec::new();
    for &rule in rules::all() {
        if !config.enabled(rule, ws.task) {
            continue;
        }
        let start = out.len();
        rule.check(&model, &mut out);
        if let Some(&severity) = config.severity.get(rule.id()) {
            for f in &mut out[start..] {
                f.severity = severity;
            }
        }
    }
    let suppressed = suppress_findings(&model, &mut out);
    let out = merge_ideal_differences(out);
    let schema_checked = rules::SCHEMA_RULES
        .iter()
        .filter_map(|id| rules::find(id))
        .any(|r| config.enabled(r, ws.task));
    let notes = if schema_checked {
        crate::model::schema::unchecked(&model)
    } else {
        Vec::new()
    };
    GroupResult {
        findings: merge_same_problem(ws, out),
        outline,
        notes,
        suppressed,
    }
}

/// Findings that report one problem become one: a module without provider
/// configuration is reported by `provider-configuration-missing` and, when an ideal is
/// compared, by `ideal-block-missing` for its `terraform` and `provider` blocks. They
/// become one finding with the strongest severity, every rule id, and the ideal's blocks
/// as the fix when the ideal has them.
fn merge_same_problem(ws: &Workspace, mut findings: Vec<Finding>) -> Vec<Finding> {
    let is_config = |f: &Finding| {
        f.rule == "ideal-block-missing"
            && f.address
                .as_deref()
                .is_some_and(|a| a == "terraform" || a.starts_with("provider."))
    };
    let dir = |f: &Finding| ws.files.get(f.file).map_or("", |x| x.dir()).to_string();
    let mut dirs: Vec<String> = findings.iter().filter(|f| is_config(f)).map(dir).collect();
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        let parts: Vec<usize> = findings
            .iter()
            .enumerate()
            .filter(|(_, f)| is_config(f) && dir(f) == d)
            .map(|(i, _)| i)
            .collect();
        let primary = findings
            .iter()
            .position(|f| f.rule == "provider-configuration-missing" && dir(f) == d)
            .or_else(|| (parts.len() > 1).then(|| parts[0]));
        let Some(primary) = primary else { continue };
        let merged: Vec<usize> = parts.into_iter().filter(|&i| i != primary).collect();
        if merged.is_empty() {
            continue;
        }
        let mut edits = Vec::new();
        let mut names = Vec::new();
        let mut ideal_fix = findings[primary].rule == "ideal-block-missing";
        if let Some(fix) = findings[primary].fix.as_ref().filter(|_| ideal_fix) {
            edits.extend(fix.edits.iter().cloned());
            names.extend(findings[primary].address.clone());
        }
        let mut severity = findings[primary].severity;
        let mut also = Vec::new();
        for &i in &merged {
            let f = &findings[i];
            severity = severity.max(f.severity);
            if !also.contains(&f.rule) && f.rule != findings[primary].rule {
                also.push(f.rule);
            }
            if let Some(fix) = &f.fix {
                edits.extend(fix.edits.iter().cloned());
                names.extend(f.address.clone());
                ideal_fix = true;
            }
        }
        // The ideal's blocks for one new file: one insert, `terraform` first, a blank
        // line between blocks.
        edits.sort_by_key(|e: &crate::finding::Edit| {
            (
                e.path.clone(),
                e.range.start,
                !e.text.starts_with("terraform"),
            )
        });
        let mut joined: Vec<crate::finding::Edit> = Vec::new();
        for e in edits {
            match joined.last_mut() {
                Some(last)
                    if last.path == e.path && last.range == e.range && e.range.is_empty() =>
                {
                    let sep = if last.text.ends_with("\n\n") {
                        ""
                    } else if last.text.ends_with('\n') {
                        "\n"
                    } else {
                        "\n\n"
                    };
                    last.text = format!("{}{sep}{}", last.text, e.text);
                }
                _ => joined.push(e),
            }
        }
        let edits = joined;
        names.sort_by_key(|n| n != "terraform");
        let p = &mut findings[primary];
        p.severity = severity;
        p.also = also;
        if ideal_fix && !edits.is_empty() {
            let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            p.fix = Some(crate::finding::Fix::new(
                format!("Add the ideal's {}", names.join(" and ")),
                crate::finding::Applicability::Unsafe,
                edits,
            ));
            p.ideal = None;
        }
        let mut i = 0;
        findings.retain(|_| {
            i += 1;
            !merged.contains(&(i - 1))
        });
    }
    findings
}

/// Drops the findings that a `# tfreview:ignore` comment above their block or attribute
/// names, and returns them with the comment's reason.
fn suppress_findings(model: &Model<'_>, findings: &mut Vec<Finding>) -> Vec<Suppressed> {
    // (file, the item's span, its rules, the reason)
    type Covered = (FileId, Range<usize>, Vec<String>, Option<String>);
    let mut covered: Vec<Covered> = Vec::new();
    for (&file, parsed) in model.files.iter().zip(&model.parsed) {
        let Some(body) = parsed.body.as_ref() else {
            continue;
        };
        for s in crate::suppress::scan(model.src(file)) {
            if let Some(span) = s
                .target
                .and_then(|offset| crate::suppress::item_at(body, offset))
            {
                covered.push((file, span, s.rules, s.reason));
            }
        }
    }
    if covered.is_empty() {
        return Vec::new();
    }
    let mut suppressed = Vec::new();
    findings.retain(|f| {
        let by = covered.iter().find(|(file, span, rules, _)| {
            *file == f.file
                && span.start <= f.span.start
                && f.span.start < span.end.max(span.start + 1)
                && rules.iter().any(|r| r == f.rule)
        });
        match by {
            Some((.., reason)) => {
                suppressed.push(Suppressed {
                    finding: f.clone(),
                    reason: reason.clone(),
                });
                false
            }
            None => true,
        }
    });
    suppressed
}

/// A rule finding and a comparison finding on the same block are one entry: the rule
/// finding carries the ideal's version (and its diff) as well.
fn merge_ideal_differences(mut findings: Vec<Finding>) -> Vec<Finding> {
    // Taken out in place: a second vector of every finding would double the group's
    // largest allocation while its parse trees are still held.
    let differs = take_out(&mut findings, |f| f.rule == "ideal-block-differs");
    for d in differs {
        let target = findings
            .iter_mut()
            .filter(|f| {
                f.file == d.file
                    && f.address == d.address
                    && f.ideal.is_none()
                    && !f.rule.starts_with("ideal-block")
            })
            .min_by_key(|f| f.span.start);
        match target {
            Some(f) => f.ideal = d.ideal,
            None => findings.push(d),
        }
    }
    findings
}

/// What to analyse at a path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Target {
    /// A task folder (or a folder of them) when the path holds `MODEL_RESPONSE.md`,
    /// else a plain workspace.
    #[default]
    Auto,
    /// The `.tf` files only, even in a task folder.
    Plain,
    /// This answer, compared with this ideal (a folder or a Markdown file) if given.
    Answer {
        answer: std::path::PathBuf,
        ideal: Option<std::path::PathBuf>,
    },
}

/// Analyses `root` as `target` says: task folders review their answers, plain folders
/// their `.tf` files.
pub fn analyse(root: &Path, target: &Target) -> Result<Analysis, crate::Error> {
    analyse_with(root, target, None)
}

/// As [`analyse`], with the configuration read from `config` rather than from
/// `root/.tfreview.toml`.
pub fn analyse_with(
    root: &Path,
    target: &Target,
    config: Option<&Path>,
) -> Result<Analysis, crate::Error> {
    Ok(analyse_workspace(load(root, target, config)?))
}

/// The workspace `target` names at `root`, configured.
pub fn load_workspace(
    root: &Path,
    target: &Target,
    config: Option<&Path>,
) -> Result<Workspace, crate::Error> {
    load(root, target, config)
}

fn load(root: &Path, target: &Target, config: Option<&Path>) -> Result<Workspace, crate::Error> {
    let meta = std::fs::metadata(root).map_err(|source| crate::Error::Io {
        path: root.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(crate::Error::NotADirectory(root.to_path_buf()));
    }
    let config = crate::config::Config::resolve(root, config)?;
    let tasks = task_folders(root, target);
    let workspace = if tasks.is_empty() {
        Workspace::load(root)?
    } else {
        crate::task::load(root, &tasks)?
    };
    Ok(workspace.configured(config))
}

fn task_folders(root: &Path, target: &Target) -> Vec<crate::task::TaskFolder> {
    match target {
        Target::Plain => Vec::new(),
        Target::Auto => crate::task::detect_all(root),
        Target::Answer { answer, ideal } => {
            let ideal = match ideal {
                Some(p) if p.is_dir() => Some(crate::task::IdealSource::Folder(p.clone())),
                Some(p) => Some(crate::task::IdealSource::Markdown(p.clone())),
                None => None,
            };
            vec![crate::task::TaskFolder {
                answer: answer.clone(),
                ideal,
            }]
        }
    }
}

/// The source text whose parses an [`Analyzer`] keeps between runs. A parse takes
/// several times its text in memory: a workspace of this size keeps all of them, and a
/// larger one (the corpus: 50 MB) keeps what fits and parses the rest again, one module
/// group at a time, as `check` does.
const PARSE_CACHE_BYTES: usize = 1 << 20;

/// Repeated analyses of one workspace that parse only what changed: parse results are
/// kept by path and content hash between runs, up to [`PARSE_CACHE_BYTES`] of text (the
/// watch mode's worker owns one). A file that stops parsing is analysed from its last
/// good text, so that nothing elsewhere changes because of it; its findings are then
/// marked stale.
pub struct Analyzer {
    cache: HashMap<String, (u64, Arc<ParsedFile>)>,
    /// How much text the kept parses may have ([`PARSE_CACHE_BYTES`]).
    cache_bytes: usize,
    /// Every file's hash and parse problems at the last run.
    known: HashMap<String, (u64, Vec<ParseProblem>)>,
    /// The last text of each file that parsed.
    good: HashMap<String, (u64, Arc<SourceFile>)>,
    /// The configuration file to use instead of `root/.tfreview.toml`.
    pub config: Option<std::path::PathBuf>,
    /// How many files the last analysis parsed (the others came from the cache).
    pub last_parsed: usize,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            cache: HashMap::new(),
            cache_bytes: PARSE_CACHE_BYTES,
            known: HashMap::new(),
            good: HashMap::new(),
            config: None,
            last_parsed: 0,
        }
    }
}

/// A syntax error among a file's parse problems: it does not parse.
fn broken(problems: &[ParseProblem]) -> bool {
    problems.iter().any(|q| q.kind == ParseProblemKind::Syntax)
}

/// What an [`Analyzer`] run learns of a file: its parse problems, and its parse when
/// the cache keeps it.
type Learned = (FileId, Vec<ParseProblem>, Option<Arc<ParsedFile>>);

impl Analyzer {
    /// As [`analyse`], with the cache.
    pub fn analyse(&mut self, root: &Path, target: &Target) -> Result<Analysis, crate::Error> {
        let workspace = load(root, target, self.config.as_deref())?;
        Ok(self.analyse_workspace(workspace))
    }

    pub fn analyse_workspace(&mut self, workspace: Workspace) -> Analysis {
        let hashes: Vec<u64> = workspace
            .files
            .par_iter()
            .map(|f| xxhash_rust::xxh3::xxh3_64(f.text.as_bytes()))
            .collect();
        let parsed = std::sync::atomic::AtomicUsize::new(0);
        let parse = |file: &SourceFile| {
            parsed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Arc::new(crate::model::parse::parse_file(file))
        };
        let cached = |id: FileId| {
            let file = &workspace.files[id];
            self.cache
                .get(&file.path)
                .filter(|(h, _)| *h == hashes[id] && file.problem.is_none())
                .map(|(_, p)| Arc::clone(p))
        };
        // Only a file with a good text from an earlier run, other than today's, can be
        // stale: it is parsed first, to know whether it parses now.
        let candidates: Vec<FileId> = (0..workspace.files.len())
            .filter(|&id| {
                let file = &workspace.files[id];
                file.problem.is_none()
                    && self
                        .good
                        .get(&file.path)
                        .is_some_and(|(h, _)| *h != hashes[id])
            })
            .collect();
        let mut is_candidate = vec![false; workspace.files.len()];
        for &id in &candidates {
            is_candidate[id] = true;
        }
        let early: Vec<Learned> = candidates
            .par_iter()
            .map(|&id| {
                let file = &workspace.files[id];
                match self.known.get(&file.path) {
                    Some((h, problems)) if *h == hashes[id] => (id, problems.clone(), cached(id)),
                    _ => {
                        let p = cached(id).unwrap_or_else(|| parse(file));
                        (id, p.problems.clone(), Some(p))
                    }
                }
            })
            .collect();
        // Files that stopped parsing but parsed before: their last good text and parse,
        // with today's syntax error.
        let mut stale: Vec<(FileId, Arc<SourceFile>, Arc<ParsedFile>)> = Vec::new();
        let mut first: HashMap<FileId, Arc<ParsedFile>> = HashMap::new();
        let mut learned_early: Vec<Learned> = Vec::new();
        for (id, problems, p) in early {
            if broken(&problems) {
                if let Some((_, old)) = self.good.get(&workspace.files[id].path) {
                    parsed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let old_parse = crate::model::parse::parse_file(old);
                    let merged = Arc::new(ParsedFile {
                        problems: problems.clone(),
                        ..old_parse
                    });
                    stale.push((id, Arc::clone(old), Arc::clone(&merged)));
                    first.insert(id, merged);
                }
            } else if let Some(p) = &p {
                first.insert(id, Arc::clone(p));
            }
            learned_early.push((id, problems, p));
        }
        // The model sees the last good text and parse of the stale files.
        let model_ws = if stale.is_empty() {
            None
        } else {
            let mut ws = workspace.clone();
            for (id, old, _) in &stale {
                ws.files[*id] = SourceFile::clone(old);
            }
            Some(ws)
        };
        let stale_ids: Vec<FileId> = stale.iter().map(|(id, _, _)| *id).collect();
        let model_ws_ref = model_ws.as_ref().unwrap_or(&workspace);
        let budget = std::sync::atomic::AtomicUsize::new(self.cache_bytes);
        let keep = |id: FileId, p: &Arc<ParsedFile>| -> Option<Arc<ParsedFile>> {
            let len = workspace.files[id].text.len();
            budget
                .fetch_update(
                    std::sync::atomic::Ordering::Relaxed,
                    std::sync::atomic::Ordering::Relaxed,
                    |left| left.checked_sub(len),
                )
                .ok()
                .map(|_| Arc::clone(p))
        };
        let groups = module_groups(model_ws_ref);
        // Each group parses what it needs, is analysed, and keeps no more parses than the
        // cache's share: the parses of the whole workspace are never in memory at once.
        let results = largest_first(model_ws_ref, &groups, |files| {
            let parses: Vec<Arc<ParsedFile>> = files
                .par_iter()
                .map(|&id| {
                    first
                        .get(&id)
                        .cloned()
                        .or_else(|| cached(id))
                        .unwrap_or_else(|| parse(&model_ws_ref.files[id]))
                })
                .collect();
            let refs: Vec<&ParsedFile> = parses.iter().map(Arc::as_ref).collect();
            let result = analyse_group(model_ws_ref, files, refs);
            let learned: Vec<Learned> = files
                .iter()
                .zip(&parses)
                .filter(|(id, _)| !is_candidate[**id])
                .map(|(&id, p)| (id, p.problems.clone(), keep(id, p)))
                .collect();
            (result, learned)
        });
        let mut group_results = Vec::with_capacity(results.len());
        let mut learned = learned_early;
        for (result, l) in results {
            group_results.push(result);
            learned.extend(l);
        }
        // Parses of the candidates that parse now count against the cache's share too.
        for entry in &mut learned {
            if is_candidate[entry.0]
                && let Some(p) = entry.2.take()
            {
                entry.2 = if broken(&entry.1) {
                    None
                } else {
                    keep(entry.0, &p)
                };
            }
        }
        self.last_parsed = parsed.into_inner();
        self.remember(&workspace, &hashes, learned);
        match model_ws {
            None => assemble(workspace, group_results),
            Some(model_ws) => restale(assemble(model_ws, group_results), workspace, stale_ids),
        }
    }

    /// The hashes, problems, good texts and kept parses of this run, for the next.
    fn remember(&mut self, workspace: &Workspace, hashes: &[u64], learned: Vec<Learned>) {
        let mut cache = HashMap::new();
        let mut known = HashMap::with_capacity(learned.len());
        let mut good = HashMap::with_capacity(workspace.files.len());
        for (id, problems, p) in learned {
            let (file, hash) = (&workspace.files[id], hashes[id]);
            if file.problem.is_some() {
                continue;
            }
            if !broken(&problems) {
                let text = match self.good.remove(&file.path) {
                    Some((h, old)) if h == hash => old,
                    _ => Arc::new(file.clone()),
                };
                good.insert(file.path.clone(), (hash, text));
            } else if let Some(old) = self.good.remove(&file.path) {
                good.insert(file.path.clone(), old);
            }
            if let Some(p) = p {
                cache.insert(file.path.clone(), (hash, p));
            }
            known.insert(file.path.clone(), (hash, problems));
        }
        self.cache = cache;
        self.known = known;
        self.good = good;
    }
}

/// An analysis made with the last good text of the `stale` files, put back on the
/// current text: findings in those files keep their place by line and column, lose their
/// fixes (which were computed on the old text), and are marked stale; the syntax error
/// points into the current text already.
fn restale(mut analysis: Analysis, current: Workspace, stale: Vec<FileId>) -> Analysis {
    for f in &mut analysis.findings {
        if f.rule == SYNTAX_RULE || !stale.contains(&f.file) {
            continue;
        }
        let (old, new) = (&analysis.workspace.files[f.file], &current.files[f.file]);
        let map = |offset: usize| {
            let (line, col) = old.line_col(offset);
            let range = new.line_range(line.min(new.line_count()));
            let text = new.slice(range.clone());
            range.start
                + text
                    .char_indices()
                    .nth(col - 1)
                    .map_or(text.len(), |(i, _)| i)
        };
        let (start, end) = (map(f.span.start), map(f.span.end));
        f.span = start..end.max(start);
        f.fix = None;
        if let Some(ideal) = &mut f.ideal {
            ideal.fix = None;
        }
    }
    for &id in &stale {
        if let Some(blocks) = analysis.blocks.get_mut(id) {
            blocks.clear();
        }
    }
    analysis.findings.sort_by(|a, b| {
        (a.file, a.span.start, a.rule, &a.key).cmp(&(b.file, b.span.start, b.rule, &b.key))
    });
    analysis.workspace = current;
    analysis.stale = stale;
    analysis
}

/// The files of the workspace, grouped so that a module and every local module it calls
/// (transitively) are in the same group.
pub fn module_groups(ws: &Workspace) -> Vec<Vec<FileId>> {
    let mut dirs: Vec<&str> = ws.files.iter().map(|f| f.dir()).collect();
    dirs.sort_unstable();
    dirs.dedup();
    let index: HashMap<&str, usize> = dirs.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    let mut parent: Vec<usize> = (0..dirs.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // The module calls of every file, found on both cores; joined in the files' order.
    let calls: Vec<(usize, usize)> = {
        use rayon::prelude::*;
        let index = &index;
        ws.files
            .par_iter()
            .flat_map_iter(|file| {
                let dir = file.dir();
                let from = index.get(dir).copied();
                local_sources(&file.text).filter_map(move |source| {
                    let target = resolve_local_source(dir, source)?;
                    Some((from?, *index.get(target.trim_end_matches('/'))?))
                })
            })
            .collect()
    };
    for (a, b) in calls {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        parent[ra] = rb;
    }
    // Values in a folder below a module may be for that module (the model gives the
    // values of a folder without variables to the nearest module above it).
    for file in ws.files.iter().filter(|f| f.kind == FileKind::Tfvars) {
        let dir = file.dir();
        let ancestors = dir
            .match_indices('/')
            .map(|(i, _)| &dir[..i])
            .rev()
            .chain((!dir.is_empty()).then_some(""));
        for up in ancestors {
            if let (Some(&a), Some(&b)) = (index.get(dir), index.get(up)) {
                let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                parent[ra] = rb;
                break;
            }
        }
    }
    // An answer is one piece of work: its module folders are analysed together, so that
    // a value one folder gives (an environment's tfvars) reaches the folders its author
    // meant it for even where the answer leaves out the module calls.
    if ws.task {
        let mut first_of: HashMap<&str, usize> = HashMap::new();
        for (i, dir) in dirs.iter().enumerate() {
            let answer = match dir.find(".md/") {
                Some(at) => &dir[..at + 3],
                None if dir.ends_with(".md") => dir,
                None => continue,
            };
            let first = *first_of.entry(answer).or_insert(i);
            let (ra, rb) = (find(&mut parent, i), find(&mut parent, first));
            parent[ra] = rb;
        }
    }
    let mut groups: HashMap<usize, Vec<FileId>> = HashMap::new();
    for (id, file) in ws.files.iter().enumerate() {
        let root = find(&mut parent, index[file.dir()]);
        groups.entry(root).or_default().push(id);
    }
    let mut groups: Vec<Vec<FileId>> = groups.into_values().collect();
    // Largest first, so that a big group does not start last on its own.
    groups.sort_by_key(|g| (std::cmp::Reverse(g.len()), g[0]));
    groups
}

/// The values of `source = "./…"` / `source = "../…"` lines.
fn local_sources(text: &str) -> impl Iterator<Item = &str> {
    // Only the lines where `source` is the first word: found by searching for the word,
    // not by splitting every line of the file.
    // The start of the line is carried from match to match, so that a long line with
    // the word many times is scanned once.
    let (mut line_start, mut scanned) = (0, 0);
    text.match_indices("source").filter_map(move |(at, _)| {
        if let Some(i) = text[scanned..at].rfind('\n') {
            line_start = scanned + i + 1;
        }
        scanned = at;
        if !text[line_start..at].trim_start().is_empty() {
            return None;
        }
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = &text[at..end];
        let rest = line.strip_prefix("source")?;
        let rest = rest.trim_start().strip_prefix('=')?.trim_start();
        let rest = rest.strip_prefix('"')?;
        let value = &rest[..rest.find('"')?];
        (value.starts_with("./") || value.starts_with("../")).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{FileKind, SourceFile};

    #[test]
    fn take_out_keeps_the_order_of_both_parts() {
        let odd = |n: &u32| n % 2 == 1;
        for items in [
            vec![],
            vec![1],
            vec![2],
            vec![1, 3, 5, 2, 4],
            vec![2, 1, 4, 3, 6, 5, 7, 9, 8],
            vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        ] {
            let mut rest = items.clone();
            let taken = take_out(&mut rest, odd);
            let want_taken: Vec<u32> = items.iter().copied().filter(odd).collect();
            let want_rest: Vec<u32> = items.iter().copied().filter(|n| !odd(n)).collect();
            assert_eq!((taken, rest), (want_taken, want_rest), "items {items:?}");
        }
    }

    #[test]
    fn permute_puts_each_item_where_the_order_says() {
        // Cycles of several lengths, fixed points and the empty order.
        for order in [
            vec![],
            vec![0],
            vec![1, 0],
            vec![2, 0, 1, 3],
            vec![3, 4, 0, 1, 2, 5],
            vec![5, 4, 3, 2, 1, 0],
        ] {
            let items: Vec<String> = (0..order.len()).map(|i| format!("item{i}")).collect();
            let want: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            let mut got = items.clone();
            permute(&mut got, order.clone());
            assert_eq!(got, want, "order {order:?}");
        }
    }

    #[test]
    fn the_analyzer_parses_only_what_changed_and_agrees_with_a_fresh_analysis() {
        let tf = |p: &str, t: &str| SourceFile::new(p, FileKind::Terraform, t);
        let mut files = vec![
            tf(
                "a.tf",
                "variable \"x\" {}\noutput \"o\" {\n  description = \"o\"\n  value       = var.x\n}\n",
            ),
            tf(
                "b.tf",
                "output \"p\" {\n  description = \"p\"\n  value       = var.y\n}\n",
            ),
        ];
        let mut analyzer = Analyzer::default();
        let first = analyzer.analyse_workspace(Workspace::from_files("/w", files.clone()));
        assert_eq!(analyzer.last_parsed, 2);
        assert_eq!(first.findings.len(), 1);
        files[1] = tf(
            "b.tf",
            "output \"p\" {\n  description = \"p\"\n  value       = var.x\n}\n",
        );
        let second = analyzer.analyse_workspace(Workspace::from_files("/w", files.clone()));
        assert_eq!(analyzer.last_parsed, 1);
        assert!(second.findings.is_empty());
        let fresh = analyse_workspace(Workspace::from_files("/w", files));
        assert_eq!(fresh.findings.len(), second.findings.len());
    }

    #[test]
    fn past_the_cache_budget_files_are_parsed_again_and_a_broken_one_keeps_its_last_good_text() {
        let tf = |p: &str, t: &str| SourceFile::new(p, FileKind::Terraform, t);
        let a = "variable \"x\" {}\n";
        let b = "output \"p\" {\n  description = \"p\"\n  value       = var.x\n}\n";
        let mut files = vec![tf("a.tf", a), tf("b.tf", b)];
        // Room for a.tf's parse only.
        let mut analyzer = Analyzer {
            cache_bytes: a.len(),
            ..Analyzer::default()
        };
        let first = analyzer.analyse_workspace(Workspace::from_files("/w", files.clone()));
        assert_eq!(analyzer.last_parsed, 2);
        assert!(first.findings.is_empty(), "{:?}", first.findings);
        analyzer.analyse_workspace(Workspace::from_files("/w", files.clone()));
        assert_eq!(analyzer.last_parsed, 1, "b.tf did not fit in the cache");
        // b.tf breaks: its findings come from its last good text, and a.tf's variable
        // stays used.
        files[1] = tf("b.tf", "output \"p\" {\n  value = var.x\n");
        let broken = analyzer.analyse_workspace(Workspace::from_files("/w", files.clone()));
        assert_eq!(broken.stale, vec![1]);
        assert!(
            broken
                .findings
                .iter()
                .all(|f| f.rule != "declaration-unused"),
            "{:?}",
            broken.findings
        );
        assert!(broken.findings.iter().any(|f| f.rule == SYNTAX_RULE));
        // Still broken, unchanged: stale again, from what the last run learned.
        let again = analyzer.analyse_workspace(Workspace::from_files("/w", files.clone()));
        assert_eq!(again.stale, vec![1]);
        // Nothing uses the budget with no room at all, and the results agree.
        let mut none = Analyzer {
            cache_bytes: 0,
            ..Analyzer::default()
        };
        files[1] = tf("b.tf", b);
        let fresh = analyse_workspace(Workspace::from_files("/w", files.clone()));
        for _ in 0..2 {
            let run = none.analyse_workspace(Workspace::from_files("/w", files.clone()));
            assert_eq!(none.last_parsed, 2);
            assert_eq!(run.findings.len(), fresh.findings.len());
        }
    }

    #[test]
    fn modules_that_call_each_other_share_a_group() {
        let tf = |p: &str, t: &str| SourceFile::new(p, FileKind::Terraform, t);
        let ws = Workspace::from_files(
            "/w",
            vec![
                tf(
                    "a/main.tf",
                    "module \"x\" {\n  source = \"../shared/x\"\n}\n",
                ),
                tf(
                    "shared/x/main.tf",
                    "module \"y\" {\n  source    = \"./y\"\n}\n",
                ),
                tf("shared/x/y/main.tf", ""),
                tf(
                    "b/main.tf",
                    "module \"r\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n",
                ),
            ],
        );
        let mut groups: Vec<Vec<&str>> = module_groups(&ws)
            .into_iter()
            .map(|g| g.into_iter().map(|id| ws.files[id].path.as_str()).collect())
            .collect();
        groups.sort();
        assert_eq!(
            groups,
            vec![
                vec!["a/main.tf", "shared/x/main.tf", "shared/x/y/main.tf"],
                vec!["b/main.tf"],
            ]
        );
    }
}
