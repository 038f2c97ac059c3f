//! Fix sets: the fixes of many findings combined into one edit set per file. Identical
//! edits are made once, a block that an earlier fix (or the module) already declares is
//! not declared again (it is cut out of an insert that declares others too), edits that
//! overlap are a conflict that names both findings (the stronger finding's fix wins), and
//! a fix never undoes what another needs (a declaration that another fix uses, or that
//! another finding says should be used, is not removed as unused). The ideal's version
//! of a block, offered for another rule's finding, is left out when the ideal has the
//! same finding there, and any ideal block is left out when it brings an error the
//! ideal has there and the answer does not. What the edits write is formatted as
//! `terraform fmt` formats it (see [`crate::format`]): the whole file when it was
//! formatted before the fix or when the set formats it (`format-differs`), else the lines
//! the edits wrote and the lines aligned with them.
//!
//! [`fix_until_stable`] checks each pass before keeping it: a fix that, with the others,
//! leads to a new error-class finding, whose finding comes back on another block, or
//! (for an ideal's version) that does not remove its finding, is taken out and the pass
//! made again; a block changed in one pass is not changed again in a later one.
//! `tfreview fix`, the workbench's apply key and the exports use the same set, so what is
//! shown is what is written.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use crate::analysis::Analysis;
use crate::finding::{Applicability, Edit, Finding, Fix};
use crate::workspace::Workspace;

/// A file the set changes: its text before (`None` when the set creates it) and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub before: Option<String>,
    pub after: String,
}

/// A finding whose fix was left out of the set, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Index into the analysis's findings.
    pub finding: usize,
    /// The finding whose fix this one gave way to, if any.
    pub with: Option<usize>,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixSet {
    /// Every file the set changes, by workspace path.
    pub files: BTreeMap<String, FileChange>,
    /// Findings (indices into the analysis's findings) whose fix is in the set.
    pub applied: Vec<usize>,
    pub skipped: Vec<Skipped>,
    /// The edits the set makes, with the finding each belongs to, in the order they
    /// were accepted (offsets into the analysed text).
    pub edits: Vec<(usize, Edit)>,
}

/// Which findings' fixes to take.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Unsafe fixes too (they change behaviour or need a value from the reviewer).
    pub unsafe_fixes: bool,
    /// Only these rules (all when empty).
    pub rules: Vec<String>,
}

impl Selection {
    /// The findings of `analysis` whose fix this selection takes.
    pub fn pick(&self, analysis: &Analysis) -> Vec<usize> {
        analysis
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                self.rules.is_empty()
                    || self
                        .rules
                        .iter()
                        .any(|r| r == f.rule || f.also.contains(&r.as_str()))
            })
            .filter(|(_, f)| !analysis.is_stale(f))
            .filter(|(_, f)| {
                fix_of(f).is_some_and(|fix| {
                    self.unsafe_fixes || fix.applicability == Applicability::Safe
                })
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// The fix a finding offers: its own, else the ideal's version of its block.
pub fn fix_of(f: &Finding) -> Option<&Fix> {
    f.fix
        .as_ref()
        .or_else(|| f.ideal.as_ref().and_then(|i| i.fix.as_ref()))
}

/// The rule whose fix formats a file.
const FORMAT_RULE: &str = "format-differs";

/// The rule whose fixes remove declarations nothing uses.
const UNUSED_RULE: &str = "declaration-unused";

struct Accepted<'a> {
    edit: std::borrow::Cow<'a, Edit>,
    finding: usize,
}

impl FixSet {
    /// Combines the fixes of `chosen` (indices into `analysis.findings`), strongest
    /// finding first.
    pub fn build(analysis: &Analysis, chosen: &[usize]) -> FixSet {
        FixSet::build_with(analysis, chosen, &BTreeSet::new())
    }

    /// As [`FixSet::build`], leaving out fixes that touch a block in `frozen` (module
    /// folder and block address): blocks an earlier pass already changed, so that two
    /// fixes can never undo each other pass after pass.
    pub fn build_with(
        analysis: &Analysis,
        chosen: &[usize],
        frozen: &BTreeSet<(String, String)>,
    ) -> FixSet {
        FixSet::build_cached(analysis, chosen, frozen, &IdealProblems::default())
    }

    fn build_cached(
        analysis: &Analysis,
        chosen: &[usize],
        frozen: &BTreeSet<(String, String)>,
        ideal_problems: &IdealProblems,
    ) -> FixSet {
        let findings = &analysis.findings;
        let mut order: Vec<usize> = chosen
            .iter()
            .copied()
            .filter(|&i| i < findings.len())
            .collect();
        order.sort_by_key(|&i| {
            let f = &findings[i];
            // Formatting a file comes after every other fix of it (it formats their
            // result).
            (
                f.rule == FORMAT_RULE,
                std::cmp::Reverse(f.severity),
                f.file,
                f.span.start,
                i,
            )
        });
        order.dedup();
        let mut set = FixSet::default();
        // In a module with a file that does not parse, what is declared is unknown: a
        // fix could declare a block twice or edit around a broken one.
        let unsettled = analysis.unsettled_dirs();
        let mut accepted: BTreeMap<String, Vec<Accepted<'_>>> = BTreeMap::new();
        // What the modules declare now.
        let existing: BTreeSet<(String, String)> = analysis
            .workspace
            .files
            .iter()
            .flat_map(|f| {
                declarations(&f.text)
                    .into_iter()
                    .map(move |d| (f.dir().to_string(), d))
            })
            .collect();
        // Blocks declared by accepted edits, per module folder.
        let mut declared: BTreeSet<(String, String)> = BTreeSet::new();
        // Files the set formats whole: their `format-differs` finding is in it, and other
        // fixes edit them too (its own edit would overlap theirs).
        let mut format_whole: BTreeSet<String> = BTreeSet::new();
        for &i in &order {
            let f = &findings[i];
            let Some(fix) = fix_of(f) else {
                continue;
            };
            if f.rule == FORMAT_RULE
                && let Some(path) = fix.edits.first().map(|e| e.path.clone())
                && accepted.contains_key(&path)
            {
                format_whole.insert(path);
                set.applied.push(i);
                continue;
            }
            let module = analysis.workspace.files.get(f.file).map_or("", |x| x.dir());
            if unsettled.contains(module) {
                set.skipped.push(Skipped {
                    finding: i,
                    with: None,
                    reason: "a file of its module does not parse".into(),
                });
                continue;
            }
            if f.fix.is_none() && !f.rule.starts_with("ideal-block") {
                // The ideal's version of the block, offered for this finding, fixes it
                // only when the ideal does not have the same problem.
                let address = f.address.as_deref().unwrap_or("");
                if ideal_problems.get(&analysis.workspace).contains(&(
                    module.to_string(),
                    f.rule,
                    address.to_string(),
                )) {
                    set.skipped.push(Skipped {
                        finding: i,
                        with: None,
                        reason: format!(
                            "the ideal's version of `{address}` has the same problem: using it would not fix this"
                        ),
                    });
                    continue;
                }
            }
            if f.fix.is_none() || f.rule.starts_with("ideal-block") {
                // The ideal's version of a block must not bring in an error the ideal
                // has there and the answer does not (a name too long for the contract's
                // suffix, say).
                let mut addresses: BTreeSet<String> = f.address.iter().cloned().collect();
                addresses.extend(fix.edits.iter().flat_map(|e| declarations(&e.text)));
                let brought: Vec<(&str, &str)> = ideal_problems
                    .get(&analysis.workspace)
                    .iter()
                    .filter(|(m, rule, a)| {
                        m == module
                            && addresses.contains(a)
                            && crate::rules::find(rule)
                                .is_some_and(|r| r.class() == crate::rules::Class::Error)
                    })
                    .map(|(_, rule, a)| (*rule, a.as_str()))
                    .filter(|(rule, address)| {
                        !analysis.findings.iter().any(|g| {
                            (g.rule == *rule || g.also.contains(rule))
                                && g.address.as_deref() == Some(*address)
                                && analysis.workspace.files.get(g.file).map(|x| x.dir())
                                    == Some(module)
                        })
                    })
                    .collect();
                if let Some((rule, address)) = brought.first() {
                    set.skipped.push(Skipped {
                        finding: i,
                        with: None,
                        reason: format!(
                            "the ideal's version of `{address}` has an error the answer does not have there (`{rule}`)"
                        ),
                    });
                    continue;
                }
            }
            if let Some((with, reason)) = needed_elsewhere(analysis, f, i, &order) {
                set.skipped.push(Skipped {
                    finding: i,
                    with,
                    reason,
                });
                continue;
            }
            let keys = touched_blocks(analysis, fix);
            if let Some(key) = keys.iter().find(|k| frozen.contains(*k)) {
                set.skipped.push(Skipped {
                    finding: i,
                    with: None,
                    reason: format!(
                        "`{}` was already changed by another fix in an earlier pass",
                        key.1
                    ),
                });
                continue;
            }
            // A one-edit fix that adds to a list argument another fix of this pass adds at
            // the same point (`depends_on = [...]`): one argument with both lists' items.
            if let [edit] = fix.edits.as_slice()
                && let Some(list) = accepted.get_mut(edit.path.as_str())
                && let Some((other, merged)) = list.iter_mut().find_map(|a| {
                    if !same_argument(&a.edit, edit) {
                        return None;
                    }
                    let merged = merge_list_argument(&a.edit.text, &edit.text)?;
                    Some((a, merged))
                })
            {
                let old = other.edit.clone().into_owned();
                let new = Edit {
                    text: merged,
                    ..old.clone()
                };
                if let Some(entry) = set
                    .edits
                    .iter_mut()
                    .find(|(f, e)| *f == other.finding && *e == old)
                {
                    entry.1 = new.clone();
                }
                other.edit = std::borrow::Cow::Owned(new);
                set.applied.push(i);
                continue;
            }
            let mut take: Vec<std::borrow::Cow<'_, Edit>> = Vec::new();
            let mut conflict = None;
            // What the fix itself takes out (a block it moves is declared again).
            let removed: BTreeSet<(String, String)> = fix
                .edits
                .iter()
                .filter_map(|e| {
                    let text = analysis.workspace.file_by_path(&e.path)?;
                    let old = text.text.get(e.range.clone())?;
                    Some(
                        declarations(old)
                            .into_iter()
                            .map(|d| (dir_of(&e.path).to_string(), d))
                            .collect::<Vec<_>>(),
                    )
                })
                .flatten()
                .collect();
            for edit in &fix.edits {
                let text = analysis.workspace.file_by_path(&edit.path).map(|f| &f.text);
                if !applies(text.map(String::as_str), &edit.range) {
                    conflict = Some((None, "it does not apply to the current text".to_string()));
                    break;
                }
                let same_file = accepted.get(edit.path.as_str());
                if same_file.is_some_and(|a| a.iter().any(|a| *a.edit == *edit)) {
                    continue; // The same edit, made once.
                }
                let module = dir_of(&edit.path).to_string();
                // Blocks that an earlier fix declares, or that the module has and this
                // fix does not take out, are not declared again.
                let decls = new_declarations(text.map(String::as_str), edit);
                let again: Vec<String> = decls
                    .iter()
                    .filter(|d| *d != "terraform")
                    .filter(|d| {
                        let key = (module.clone(), (*d).clone());
                        declared.contains(&key)
                            || (existing.contains(&key) && !removed.contains(&key))
                            || take.iter().any(|t| {
                                dir_of(&t.path) == module && declarations(&t.text).contains(d)
                            })
                    })
                    .cloned()
                    .collect();
                let twice = {
                    let mut d: Vec<&String> = decls.iter().filter(|d| *d != "terraform").collect();
                    let n = d.len();
                    d.sort();
                    d.dedup();
                    d.len() < n
                };
                let edit: std::borrow::Cow<'_, Edit> = if again.is_empty() && !twice {
                    std::borrow::Cow::Borrowed(edit)
                } else if again.len() == decls.len() && edit.range.is_empty() {
                    continue; // Declared already.
                } else {
                    match without_blocks(&edit.text, &again) {
                        Some(rest) if edit.range.is_empty() && rest.trim().is_empty() => continue,
                        Some(rest) => std::borrow::Cow::Owned(Edit {
                            text: rest,
                            ..edit.clone()
                        }),
                        None => {
                            conflict = Some((
                                None,
                                format!("it would declare {} again", again.join(", ")),
                            ));
                            break;
                        }
                    }
                };
                if let Some(other) = same_file.and_then(|a| {
                    a.iter().find(|a| {
                        overlaps(&a.edit.range, &edit.range) || same_argument(&a.edit, &edit)
                    })
                }) {
                    let o = &findings[other.finding];
                    conflict = Some((
                        Some(other.finding),
                        format!(
                            "its edits in {} overlap those of `{}` ({}), which is applied",
                            edit.path, o.rule, o.title
                        ),
                    ));
                    break;
                }
                take.push(edit);
            }
            if let Some((with, reason)) = conflict {
                set.skipped.push(Skipped {
                    finding: i,
                    with,
                    reason,
                });
                continue;
            }
            for edit in take {
                let text = analysis.workspace.file_by_path(&edit.path).map(|f| &f.text);
                for d in new_declarations(text.map(String::as_str), &edit) {
                    declared.insert((dir_of(&edit.path).to_string(), d));
                }
                set.edits.push((i, edit.clone().into_owned()));
                accepted
                    .entry(edit.path.clone())
                    .or_default()
                    .push(Accepted { edit, finding: i });
            }
            set.applied.push(i);
        }
        for (path, edits) in &accepted {
            let path = path.as_str();
            let before = analysis
                .workspace
                .file_by_path(path)
                .map(|f| f.text.clone());
            let sorted: Vec<&Edit> = edits.iter().map(|a| a.edit.as_ref()).collect();
            let mut after = apply_edits(before.as_deref().unwrap_or(""), &sorted);
            if formatted_kind(path) {
                let accepted: Vec<&Accepted<'_>> = edits.iter().collect();
                after = format_changed(
                    before.as_deref(),
                    &after,
                    &accepted,
                    format_whole.contains(path),
                );
            }
            if before.as_deref() != Some(after.as_str()) {
                set.files
                    .insert(path.to_string(), FileChange { before, after });
            }
        }
        set.applied.sort_unstable();
        set
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The whole set as one unified diff, with the paths where the files are on disk
    /// (relative to the workspace root), so that `git apply` takes it from there.
    pub fn diff(&self, ws: &Workspace) -> String {
        self.files
            .iter()
            .map(|(path, c)| unified_diff(ws, path, c.before.as_deref(), &c.after))
            .collect()
    }

    /// The set's diff cut into steps, one per group of findings in `groups` (indices
    /// into the analysis's findings), each step a diff from the text after the steps
    /// before it: applied one after the other (or concatenated, by `git apply`), they
    /// give the whole set. A group with no edit in the set gets `None`.
    pub fn sequential_diffs(
        &self,
        analysis: &Analysis,
        groups: &[Vec<usize>],
    ) -> Vec<Option<String>> {
        let ws = &analysis.workspace;
        let mut current: BTreeMap<&str, Option<String>> = BTreeMap::new();
        let mut taken: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
        let mut out = Vec::with_capacity(groups.len());
        for group in groups {
            let mut paths: Vec<&str> = Vec::new();
            for (finding, edit) in &self.edits {
                if group.contains(finding) {
                    taken.entry(edit.path.as_str()).or_default().push(edit);
                    if !paths.contains(&edit.path.as_str()) {
                        paths.push(edit.path.as_str());
                    }
                }
            }
            if paths.is_empty() {
                out.push(None);
                continue;
            }
            paths.sort_unstable();
            let mut diff = String::new();
            for path in paths {
                let original = ws.file_by_path(path).map(|f| f.text.as_str());
                let before = current
                    .get(path)
                    .cloned()
                    .unwrap_or_else(|| original.map(str::to_string));
                // Edits in the order the set accepted them: stable at one point.
                let mut edits: Vec<&Edit> = Vec::new();
                for (_, e) in &self.edits {
                    if taken
                        .get(path)
                        .is_some_and(|t| t.iter().any(|x| std::ptr::eq(*x, e)))
                    {
                        edits.push(e);
                    }
                }
                let after = apply_edits(original.unwrap_or(""), &edits);
                if before.as_deref() != Some(after.as_str()) {
                    diff.push_str(&unified_diff(ws, path, before.as_deref(), &after));
                }
                current.insert(path, Some(after));
            }
            out.push((!diff.is_empty()).then_some(diff));
        }
        out
    }

    /// The workspace with the set applied: changed files get their new text, created
    /// files are added (an answer's new files stay in its virtual folder).
    pub fn apply_to(&self, ws: &Workspace) -> Workspace {
        let mut out = ws.clone();
        for (path, change) in &self.files {
            match out.files.iter_mut().find(|f| &f.path == path) {
                Some(file) => {
                    let mut new = crate::workspace::SourceFile::new(
                        file.path.clone(),
                        file.kind,
                        change.after.clone(),
                    );
                    new.origin = file.origin.clone();
                    *file = new;
                }
                None => {
                    let kind = if path.ends_with(".tfvars") {
                        crate::workspace::FileKind::Tfvars
                    } else {
                        crate::workspace::FileKind::Terraform
                    };
                    let mut new =
                        crate::workspace::SourceFile::new(path.clone(), kind, change.after.clone());
                    if let Some((md, _)) = ws.answer_of(path) {
                        new.origin = Some(crate::workspace::Origin {
                            path: md.to_string(),
                            line: 1,
                        });
                    }
                    out.files.push(new);
                }
            }
        }
        out.files.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }
}

/// The findings of the ideals' own code, as (answer module folder, rule, address),
/// computed once when first needed: the ideal's version of a block is no fix for a
/// finding the ideal has as well.
#[derive(Default)]
struct IdealProblems(std::cell::OnceCell<BTreeSet<(String, &'static str, String)>>);

impl IdealProblems {
    fn get(&self, ws: &Workspace) -> &BTreeSet<(String, &'static str, String)> {
        self.0.get_or_init(|| {
            let mut out = BTreeSet::new();
            for ideal in &ws.ideals {
                // Under the same configuration and contract as the answer.
                let mut theirs = Workspace::from_files("", ideal.files.clone());
                theirs.config = ws.config.clone();
                theirs.task = ws.task;
                let a = crate::analysis::analyse_workspace(theirs);
                for f in &a.findings {
                    let Some(address) = address_of(&a, f) else {
                        continue;
                    };
                    let dir = a.workspace.files.get(f.file).map_or("", |x| x.dir());
                    let module = if dir.is_empty() {
                        ideal.prefix.clone()
                    } else {
                        format!("{}/{dir}", ideal.prefix)
                    };
                    for rule in std::iter::once(f.rule).chain(f.also.iter().copied()) {
                        out.insert((module.clone(), rule, address.clone()));
                    }
                }
            }
            out
        })
    }
}

/// The blocks a fix changes, as (module folder, address): the top-level block around
/// each edit, and the blocks an inserted text declares.
pub fn touched_blocks(analysis: &Analysis, fix: &Fix) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for edit in &fix.edits {
        let dir = dir_of(&edit.path).to_string();
        for d in declarations(&edit.text) {
            out.insert((dir.clone(), d));
        }
        let ws = &analysis.workspace;
        let Some(id) = ws.files.iter().position(|f| f.path == edit.path) else {
            continue;
        };
        let file = &ws.files[id];
        // Every top-level block the edit touches: the one around it, or those it
        // replaces or removes (an insert just before or after a block does not touch it).
        let r = &edit.range;
        for block in analysis.blocks.get(id).into_iter().flatten() {
            let touches = if r.is_empty() {
                block.start < r.start && r.start < block.end
            } else {
                r.start < block.end && block.start < r.end
            };
            if touches {
                let text = file.slice(block.start..block.end);
                for d in declarations(text).into_iter().take(1) {
                    out.insert((dir.clone(), d));
                }
                // In a `locals` block, the locals the edit replaces or removes.
                if text.starts_with("locals") && !r.is_empty() {
                    let from = crate::edits::line_start(&file.text, r.start).max(block.start + 1);
                    let lines = file.slice(from..r.end.min(block.end));
                    for d in declarations(&format!("locals {{\n{lines}\n}}")) {
                        out.insert((dir.clone(), d));
                    }
                }
            }
        }
    }
    out
}

/// `edits` (valid, not overlapping, in the order they were accepted) applied to
/// `text`: inserts at one point keep that order.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = text.to_string();
    for e in sorted.iter().rev() {
        if applies(Some(&out), &e.range) {
            out.replace_range(e.range.clone(), &e.text);
        }
    }
    out
}

/// A file's change as a unified diff with git's headers and the path where the file
/// is on disk; a file that did not exist comes from `/dev/null`.
pub fn unified_diff(ws: &Workspace, path: &str, before: Option<&str>, after: &str) -> String {
    let shown = ws.disk_path(path);
    let from = match before {
        Some(_) => crate::finding::git_header_name("a/", &shown),
        None => "/dev/null".to_string(),
    };
    similar::TextDiff::from_lines(before.unwrap_or(""), after)
        .unified_diff()
        .context_radius(3)
        .header(&from, &crate::finding::git_header_name("b/", &shown))
        .to_string()
}

/// What `edit` declares that the text it replaces did not: a block rewritten in place
/// declares nothing new.
fn new_declarations(text: Option<&str>, edit: &Edit) -> Vec<String> {
    let replaced = text
        .and_then(|t| t.get(edit.range.clone()))
        .map(declarations)
        .unwrap_or_default();
    declarations(&edit.text)
        .into_iter()
        .filter(|d| !replaced.contains(d))
        .collect()
}

/// `text` (top-level blocks) without the blocks that declare one of `addresses` or what
/// a block before them in `text` declares, with the comment lines just above them and a
/// blank line after; `None` when one of them
/// cannot be cut out alone (a `locals` block that declares others too).
fn without_blocks(text: &str, addresses: &[String]) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out: Vec<&str> = Vec::with_capacity(lines.len());
    let mut seen: Vec<String> = Vec::new();
    let mut n = 0;
    while n < lines.len() {
        let line = lines[n];
        if !line.trim().is_empty() && !line.starts_with([' ', '\t', '}', '#', '/']) {
            // The block's own lines, to its closing brace at column 0; a text that holds
            // a block's header without its body (a renamed type) cannot lose the block.
            let end = (n..lines.len())
                .find(|&k| {
                    let l = lines[k].trim_end();
                    l.starts_with('}') || (k == n && l.ends_with('}'))
                })
                .map(|k| k + 1)?;
            let d = declarations(&lines[n..end].concat());
            let gone = |x: &String| x != "terraform" && (addresses.contains(x) || seen.contains(x));
            if d.iter().any(gone) {
                if !d.iter().all(gone) {
                    return None;
                }
                // Drop the comments just above it, and one blank line after it.
                while out
                    .last()
                    .is_some_and(|l| l.starts_with('#') || l.starts_with("//"))
                {
                    out.pop();
                }
                n = end;
                if lines.get(n).is_some_and(|l| l.trim().is_empty()) {
                    n += 1;
                }
                continue;
            }
            seen.extend(d);
        }
        out.push(line);
        n += 1;
    }
    Some(out.concat())
}

/// Files `terraform fmt` formats.
fn formatted_kind(path: &str) -> bool {
    path.ends_with(".tf") || path.ends_with(".tfvars")
}

/// `after` (the text with the sorted `edits` made) formatted as `terraform fmt` formats
/// it: whole when the set creates the file, formats it (`whole`), or when the file was
/// formatted before (so a fix never leaves a formatted file unformatted); else only the
/// lines the edits wrote or joined and those aligned with them (an inserted attribute
/// aligned with its neighbours, a run realigned when its longest key was removed), so
/// that the author's layout elsewhere is kept.
fn format_changed(
    before: Option<&str>,
    after: &str,
    edits: &[&Accepted<'_>],
    whole: bool,
) -> String {
    let clean = before.is_none_or(|b| crate::format::is_formatted(b) == Some(true));
    if (whole || clean)
        && let Ok(formatted) = crate::format::format(after)
    {
        return formatted;
    }
    // Line starts of `after`, to turn offsets into line numbers.
    let starts = crate::workspace::line_starts(after);
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset).saturating_sub(1);
    let mut touched: BTreeSet<usize> = BTreeSet::new();
    let mut delta: isize = 0;
    for a in edits {
        let start = a.edit.range.start.saturating_add_signed(delta);
        let end = start + a.edit.text.len();
        delta += a.edit.text.len() as isize - a.edit.range.len() as isize;
        let first = line_of(start);
        // A removal joins the line before it with the one after it.
        let first = if a.edit.text.is_empty() {
            first.saturating_sub(1)
        } else {
            first
        };
        let last = line_of(end.saturating_sub(1).max(start));
        touched.extend(first..=last.max(first));
    }
    crate::format::format_lines(after, &|n| touched.contains(&n))
}

/// Whether `range` is a valid edit range of `text` (a missing file takes inserts at 0).
fn applies(text: Option<&str>, range: &Range<usize>) -> bool {
    let text = text.unwrap_or("");
    range.start <= range.end
        && range.end <= text.len()
        && text.is_char_boundary(range.start)
        && text.is_char_boundary(range.end)
}

/// Whether two edits touch the same bytes: two replacements that share a byte, or an
/// insert strictly inside a replacement. Inserts at one point do not overlap.
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => false,
        (true, false) => b.start < a.start && a.start < b.end,
        (false, true) => a.start < b.start && b.start < a.end,
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

/// Whether two insertions at one point each set the same argument (two fixes adding
/// `depends_on = [...]` to one block): together they would declare it twice, which HCL
/// refuses. The later waits for the next pass, where it edits the argument the first
/// wrote.
fn same_argument(a: &Edit, b: &Edit) -> bool {
    a.range.is_empty()
        && b.range.is_empty()
        && a.range.start == b.range.start
        && argument_names(&a.text)
            .iter()
            .any(|n| argument_names(&b.text).contains(n))
}

/// Two insertions of the same one-line list argument (`depends_on = [a]` and
/// `depends_on = [b]`) as one (`depends_on = [a, b]`), laid out as the first; `None` when
/// either is anything else.
fn merge_list_argument(first: &str, second: &str) -> Option<String> {
    fn parts(text: &str) -> Option<(&str, Vec<&str>)> {
        let line = text.trim();
        if line.contains('\n') {
            return None;
        }
        let (name, value) = line.split_once('=')?;
        let inner = value.trim().strip_prefix('[')?.strip_suffix(']')?;
        if inner.contains(['[', ']', '{', '"', '#']) {
            return None;
        }
        let items = inner.split(',').map(str::trim).filter(|i| !i.is_empty());
        Some((name.trim(), items.collect()))
    }
    let (name, mut items) = parts(first)?;
    let (other, more) = parts(second)?;
    if name != other {
        return None;
    }
    for item in more {
        if !items.contains(&item) {
            items.push(item);
        }
    }
    let open = first.find('[')?;
    let close = first.rfind(']')?;
    Some(format!(
        "{}{}{}",
        &first[..=open],
        items.join(", "),
        &first[close..]
    ))
}

/// The arguments an inserted text sets at its own top level (`name = …` lines at its
/// smallest indentation); none for inserted blocks.
fn argument_names(text: &str) -> Vec<&str> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let Some(top) = lines.iter().map(|l| indent(l)).min() else {
        return Vec::new();
    };
    lines
        .iter()
        .filter(|l| indent(l) == top)
        .filter_map(|l| {
            let (name, rest) = l.trim().split_once('=')?;
            let name = name.trim();
            let ident = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            (ident && !rest.starts_with('=')).then_some(name)
        })
        .collect()
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// What a piece of HCL declares at the top level, by address: `var.x`, `local.x` (each
/// key of a `locals` block), `aws_s3_bucket.b`, `data.aws_x.y`, `provider.aws`,
/// `provider.aws.alias`, `output.o`, `module.m`, and `terraform`.
pub fn declarations(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let mut words = line.split_whitespace();
        let Some(kind) = words.next() else { continue };
        let labels: Vec<&str> = words
            .take_while(|w| w.starts_with('"'))
            .map(|w| w.trim_matches('"'))
            .collect();
        let address = match (kind, labels.as_slice()) {
            ("locals", []) | ("locals{", []) => {
                out.extend(local_names(&lines[n + 1..]).map(|l| format!("local.{l}")));
                continue;
            }
            ("terraform", []) | ("terraform{", []) => "terraform".to_string(),
            ("variable", [name]) => format!("var.{name}"),
            ("output", [name]) => format!("output.{name}"),
            ("module", [name]) => format!("module.{name}"),
            ("resource", [t, name]) => format!("{t}.{name}"),
            ("data", [t, name]) => format!("data.{t}.{name}"),
            ("provider", [name]) => {
                let alias = provider_alias(&lines[n + 1..]);
                match alias {
                    Some(a) => format!("provider.{name}.{a}"),
                    None => format!("provider.{name}"),
                }
            }
            _ => continue,
        };
        out.push(address);
    }
    out
}

/// The names a `locals` block whose body starts at `body` defines: its first-level keys.
fn local_names<'a>(body: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
    let inner: Vec<&str> = body
        .iter()
        .copied()
        .take_while(|l| !l.starts_with('}'))
        .collect();
    let indent = inner
        .iter()
        .find(|l| !l.trim().is_empty())
        .map_or(0, |l| l.len() - l.trim_start().len());
    inner.into_iter().filter_map(move |l| {
        let rest = l.get(indent..)?;
        if rest.starts_with([' ', '\t']) {
            return None;
        }
        let (key, _) = rest.split_once('=')?;
        let key = key.trim();
        (!key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .then_some(key)
    })
}

/// The `alias` of the provider block whose body starts at `body` (up to its closing
/// brace at column 0).
fn provider_alias(body: &[&str]) -> Option<String> {
    for line in body {
        if line.starts_with('}') {
            return None;
        }
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("alias") {
            let value = rest.trim_start().strip_prefix('=')?.trim();
            return Some(value.trim_matches('"').to_string());
        }
    }
    None
}

/// Whether removing what `f` proposes to remove would undo what another finding needs:
/// a `declaration-unused` fix for a declaration that another chosen fix uses, or that
/// another finding names as something that should be used.
fn needed_elsewhere(
    analysis: &Analysis,
    f: &Finding,
    index: usize,
    chosen: &[usize],
) -> Option<(Option<usize>, String)> {
    if f.rule != UNUSED_RULE {
        return None;
    }
    let address = f.address.as_deref()?;
    let dir = analysis.workspace.files.get(f.file).map(|x| x.dir())?;
    for &j in chosen {
        if j == index {
            continue;
        }
        let other = &analysis.findings[j];
        let uses = fix_of(other).is_some_and(|fix| {
            fix.edits
                .iter()
                .any(|e| dir_of(&e.path) == dir && mentions(&e.text, address))
        });
        if uses {
            return Some((
                Some(j),
                format!(
                    "kept: the fix of `{}` ({}) uses `{address}`",
                    other.rule, other.title
                ),
            ));
        }
    }
    for (j, other) in analysis.findings.iter().enumerate() {
        if j == index || other.rule == UNUSED_RULE {
            continue;
        }
        let same_module = analysis
            .workspace
            .files
            .get(other.file)
            .is_some_and(|x| x.dir() == dir);
        if same_module && other.message.contains(&format!("`{address}`")) {
            return Some((
                Some(j),
                format!(
                    "kept: `{}` ({}) says `{address}` should be used",
                    other.rule, other.title
                ),
            ));
        }
    }
    None
}

/// Whether `text` references `address` as a whole traversal (`var.region` in
/// `var.region_name` does not count).
fn mentions(text: &str, address: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    text.match_indices(address).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + address.len()..].chars().next();
        !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
    })
}

/// What one pass of [`fix_until_stable`] did.
#[derive(Debug, Clone, Default)]
pub struct Pass {
    /// The findings fixed: path (as on disk), line, rule, title.
    pub applied: Vec<(String, usize, &'static str, String)>,
    /// Their fingerprints, in the same order.
    pub fingerprints: Vec<String>,
    /// Fixes left out: path, line, rule, title, why.
    pub skipped: Vec<(String, usize, &'static str, String, String)>,
}

/// The result of fixing a workspace in memory.
pub struct FixRun {
    /// The workspace as read.
    pub original: Workspace,
    /// The last analysis, of the fixed workspace.
    pub last: Analysis,
    pub passes: Vec<Pass>,
    /// Why the run stopped before nothing was left to fix, if it did.
    pub stopped: Option<String>,
}

impl FixRun {
    /// The files the run changed or created: (workspace path, text before, text after).
    pub fn changes(&self) -> Vec<(&str, Option<&str>, &str)> {
        self.last
            .workspace
            .files
            .iter()
            .filter_map(|f| {
                let before = self.original.file_by_path(&f.path);
                match before {
                    Some(b) if b.text == f.text => None,
                    Some(b) => Some((f.path.as_str(), Some(b.text.as_str()), f.text.as_str())),
                    None => Some((f.path.as_str(), None, f.text.as_str())),
                }
            })
            .collect()
    }

    /// Every change as one unified diff with the paths on disk.
    pub fn diff(&self) -> String {
        self.changes()
            .into_iter()
            .map(|(path, before, after)| unified_diff(&self.original, path, before, after))
            .collect()
    }
}

/// Applies the fixes `selection` takes, analyses again, and repeats until nothing
/// changes (at most `max_passes` times), the way `ruff --fix` does. A pass that would
/// leave a file that does not parse is discarded and ends the run.
pub fn fix_until_stable(workspace: Workspace, selection: &Selection, max_passes: usize) -> FixRun {
    let original = workspace.clone();
    let mut analysis = crate::analysis::analyse_workspace(workspace);
    let mut passes = Vec::new();
    let mut stopped = None;
    let mut frozen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut fixed: BTreeSet<String> = BTreeSet::new();
    let ideal_problems = IdealProblems::default();
    for _ in 0..max_passes {
        // A finding fixed once that is back was undone or does not converge: not again.
        let mut chosen: Vec<usize> = selection
            .pick(&analysis)
            .into_iter()
            .filter(|&i| !fixed.contains(&analysis.findings[i].fingerprint(&analysis.workspace)))
            .collect();
        // A fix that, with the others, leads to a new error is taken out and the pass
        // made again without it (a few times at most).
        let mut dropped: Vec<Skipped> = Vec::new();
        let mut attempt = 0;
        let (mut set, next) = loop {
            let set = FixSet::build_cached(&analysis, &chosen, &frozen, &ideal_problems);
            if set.is_empty() {
                break (set, None);
            }
            let next = crate::analysis::analyse_workspace(set.apply_to(&analysis.workspace));
            let culprits = causes_to_undo(&analysis, &set, &next);
            attempt += 1;
            if culprits.is_empty() || attempt > 4 {
                break (set, Some(next));
            }
            for (i, reason) in culprits {
                chosen.retain(|&c| c != i);
                dropped.push(Skipped {
                    finding: i,
                    with: None,
                    reason,
                });
            }
        };
        let Some(next) = next else { break };
        set.skipped.extend(dropped);
        let broken = |a: &Analysis| a.syntax_errors().len();
        if broken(&next) > broken(&analysis) {
            stopped = Some(
                "a pass would have left a file that does not parse; it was not applied".into(),
            );
            break;
        }
        for &i in &set.applied {
            let f = &analysis.findings[i];
            fixed.insert(f.fingerprint(&analysis.workspace));
            if let Some(fix) = fix_of(f) {
                frozen.extend(touched_blocks(&analysis, fix));
            }
        }
        passes.push(describe(&analysis, &set));
        analysis = next;
    }
    if passes.len() == max_passes && stopped.is_none() {
        let chosen: Vec<usize> = selection
            .pick(&analysis)
            .into_iter()
            .filter(|&i| !fixed.contains(&analysis.findings[i].fingerprint(&analysis.workspace)))
            .collect();
        let more = FixSet::build_cached(&analysis, &chosen, &frozen, &ideal_problems);
        if !more.is_empty() {
            stopped = Some(format!(
                "stopped after {max_passes} passes with fixes still to apply"
            ));
        }
    }
    FixRun {
        original,
        last: analysis,
        passes,
        stopped,
    }
}

/// The address a finding is about: its own, else that of the top-level block its span
/// is in (an object key defined twice in a policy).
fn address_of(analysis: &Analysis, f: &Finding) -> Option<String> {
    if let Some(a) = &f.address {
        return Some(a.clone());
    }
    let file = analysis.workspace.files.get(f.file)?;
    let span = analysis
        .blocks
        .get(f.file)?
        .iter()
        .find(|s| s.start <= f.span.start && f.span.start < s.end)?;
    declarations(file.slice(span.clone())).into_iter().next()
}

fn is_error(f: &Finding) -> bool {
    crate::rules::find(f.rule).is_some_and(|r| r.class() == crate::rules::Class::Error)
}

/// The applied fixes of `set` to take out, with why: an ideal's version offered for a
/// rule's finding that does not remove it, and the fixes that lead to an error-class
/// finding in `next` that `analysis` did not have (those that changed the block the
/// error is on, else those that changed the block of one of its related places, else
/// those that changed what that block refers to or wrote a reference to it).
fn causes_to_undo(analysis: &Analysis, set: &FixSet, next: &Analysis) -> Vec<(usize, String)> {
    let had: BTreeSet<String> = analysis
        .findings
        .iter()
        .filter(|f| is_error(f))
        .map(|f| f.fingerprint(&analysis.workspace))
        .collect();
    type Touched<'a> = (usize, BTreeSet<(String, String)>, &'a Fix);
    let touched: Vec<Touched<'_>> = set
        .applied
        .iter()
        .filter_map(|&i| {
            let fix = fix_of(&analysis.findings[i])?;
            Some((i, touched_blocks(analysis, fix), fix))
        })
        .collect();
    let mut out: Vec<(usize, String)> = Vec::new();
    // The ideal's version of a block, offered for another rule's finding, depends on
    // the rest of the ideal: where the answer writes that rest differently (a local
    // that does not carry the suffix), the finding stays.
    let now: BTreeSet<String> = next
        .findings
        .iter()
        .map(|f| f.fingerprint(&next.workspace))
        .collect();
    for &i in &set.applied {
        let f = &analysis.findings[i];
        if f.fix.is_none()
            && !f.rule.starts_with("ideal-block")
            && now.contains(&f.fingerprint(&analysis.workspace))
        {
            out.push((
                i,
                "the ideal's version of the block does not fix it in this answer, which writes what it depends on differently".into(),
            ));
        }
    }
    for e in next.findings.iter().filter(|f| is_error(f)) {
        if had.contains(&e.fingerprint(&next.workspace)) {
            continue;
        }
        let Some(file) = next.workspace.files.get(e.file) else {
            continue;
        };
        let dir = file.dir().to_string();
        let address = address_of(next, e).unwrap_or_default();
        let key = (dir.clone(), address.clone());
        // A fix whose finding comes back on another block moved the problem: the one
        // finding of `reference-undeclared` for an address, say, at its next reference.
        let mut found: Vec<usize> = set
            .applied
            .iter()
            .copied()
            .filter(|&i| {
                let f = &analysis.findings[i];
                f.rule == e.rule
                    && f.key == e.key
                    && analysis.workspace.files.get(f.file).map(|x| x.dir()) == Some(dir.as_str())
            })
            .collect();
        if found.is_empty() {
            found = touched
                .iter()
                .filter(|(_, t, _)| t.contains(&key))
                .map(|(i, ..)| *i)
                .collect();
        }
        if found.is_empty() {
            // The blocks of its related places: the provider configuration whose region
            // a fix changed, say, for a finding on a resource that uses it.
            let related: BTreeSet<(String, String)> = e
                .related
                .iter()
                .filter_map(|r| {
                    let file = next.workspace.files.get(r.file)?;
                    let span = next
                        .blocks
                        .get(r.file)?
                        .iter()
                        .find(|s| s.start <= r.span.start && r.span.start < s.end)?;
                    // Every declaration of the block: a `locals` block declares many.
                    let dir = file.dir().to_string();
                    Some(
                        declarations(file.slice(span.clone()))
                            .into_iter()
                            .map(move |a| (dir.clone(), a)),
                    )
                })
                .flatten()
                .collect();
            found = touched
                .iter()
                .filter(|(_, t, _)| t.iter().any(|k| related.contains(k)))
                .map(|(i, ..)| *i)
                .collect();
        }
        if found.is_empty() {
            let block = next
                .blocks
                .get(e.file)
                .and_then(|spans| {
                    spans
                        .iter()
                        .find(|s| s.start <= e.span.start && e.span.start < s.end.max(s.start + 1))
                })
                .map_or("", |s| file.slice(s.clone()));
            found = touched
                .iter()
                .filter(|(_, t, fix)| {
                    t.iter()
                        .any(|(d, a)| *d == dir && a.contains('.') && mentions(block, a))
                        || (!address.is_empty()
                            && fix
                                .edits
                                .iter()
                                .any(|ed| dir_of(&ed.path) == dir && mentions(&ed.text, &address)))
                })
                .map(|(i, ..)| *i)
                .collect();
        }
        for i in found {
            if !out.iter().any(|(j, _)| *j == i) {
                out.push((
                    i,
                    format!(
                        "with the other fixes it leads to `{}` on `{address}`: {}",
                        e.rule, e.title
                    ),
                ));
            }
        }
    }
    out
}

fn describe(analysis: &Analysis, set: &FixSet) -> Pass {
    let place = |i: usize| {
        let f = &analysis.findings[i];
        let path = analysis.workspace.disk_path(analysis.path(f));
        (path, analysis.position(f).0.0, f.rule, f.title.clone())
    };
    Pass {
        applied: set.applied.iter().map(|&i| place(i)).collect(),
        fingerprints: set
            .applied
            .iter()
            .map(|&i| analysis.findings[i].fingerprint(&analysis.workspace))
            .collect(),
        skipped: set
            .skipped
            .iter()
            .map(|s| {
                let (p, l, r, t) = place(s.finding);
                (p, l, r, t, s.reason.clone())
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_insertions_of_one_list_argument_become_one() {
        let a = Edit::insert(
            "main.tf",
            40,
            "\n  depends_on = [aws_s3_bucket_versioning.src]\n",
        );
        let b = Edit::insert(
            "main.tf",
            40,
            "\n  depends_on = [aws_s3_bucket_versioning.dst]\n",
        );
        assert!(same_argument(&a, &b));
        assert_eq!(
            merge_list_argument(&a.text, &b.text).as_deref(),
            Some("\n  depends_on = [aws_s3_bucket_versioning.src, aws_s3_bucket_versioning.dst]\n")
        );
        // The same item once.
        assert_eq!(
            merge_list_argument(&a.text, &a.text).as_deref(),
            Some(a.text.as_str())
        );
        // Blocks appended at one point set no argument of their own: both apply.
        let r1 = Edit::insert("main.tf", 90, "\nresource \"x\" \"a\" {\n  bucket = 1\n}\n");
        let r2 = Edit::insert("main.tf", 90, "\nresource \"x\" \"b\" {\n  bucket = 2\n}\n");
        assert!(!same_argument(&r1, &r2));
        // Different arguments at one point, or one argument at two points, do not clash.
        let c = Edit::insert("main.tf", 40, "  encrypt = true\n");
        assert!(!same_argument(&a, &c));
        let d = Edit::insert("main.tf", 41, "\n  depends_on = [x]\n");
        assert!(!same_argument(&a, &d));
        // Only one-line lists of references merge.
        assert_eq!(
            merge_list_argument("tags = { a = 1 }", "tags = { b = 2 }"),
            None
        );
    }

    #[test]
    fn declarations_are_read_from_the_top_level_only() {
        let text = "locals {\n  a = 1\n  b = {\n    c = 2\n  }\n}\nvariable \"region\" {\n  type = string\n}\n\nprovider \"aws\" {\n  alias  = \"secondary\"\n  region = var.region\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  variable = 1\n}\nterraform {\n}\n";
        assert_eq!(
            declarations(text),
            vec![
                "local.a",
                "local.b",
                "var.region",
                "provider.aws.secondary",
                "aws_s3_bucket.b",
                "terraform"
            ]
        );
    }

    #[test]
    fn without_blocks_cuts_out_what_is_declared_already() {
        let text = "\nprovider \"aws\" {\n  region = var.r\n}\n\n# the region\nvariable \"r\" {\n}\n\nvariable \"r\" {\n}\n";
        assert_eq!(
            without_blocks(text, &["var.r".to_string()]).unwrap(),
            "\nprovider \"aws\" {\n  region = var.r\n}\n\n"
        );
        assert_eq!(
            without_blocks(text, &[]).unwrap(),
            "\nprovider \"aws\" {\n  region = var.r\n}\n\n# the region\nvariable \"r\" {\n}\n\n"
        );
        // A header alone (a fix that renames a block's type): its body is not in the
        // text, so the block cannot be cut out of it.
        let header = "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"logs\"";
        let address = "aws_s3_bucket_server_side_encryption_configuration.logs".to_string();
        assert_eq!(without_blocks(header, &[address]), None);
    }

    #[test]
    fn overlaps_and_mentions() {
        assert!(overlaps(&(0..4), &(3..5)));
        assert!(!overlaps(&(0..3), &(3..5)));
        assert!(!overlaps(&(3..3), &(3..3)));
        assert!(overlaps(&(4..4), &(3..5)));
        assert!(!overlaps(&(3..3), &(3..5)));
        assert!(mentions("region = var.region\n", "var.region"));
        assert!(!mentions("x = var.region_name", "var.region"));
        assert!(!mentions("x = avar.region", "var.region"));
    }
}
