//! The workbench's state and `update`: every key, mouse event and finished analysis goes
//! through [`App::handle`]; drawing reads the state and changes nothing. Decisions are
//! saved after every change.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use ratatui_textarea::TextArea;

use crate::analysis::Analysis;
use crate::export::markdown::{self, MarkdownOptions};
use crate::finding::{Finding, Severity};
use crate::review::{Decision, Review, ReviewStore, Status, write_atomically};
use crate::workspace::FileId;

use super::highlight::{HighlightCache, SyntaxAssets};
use super::keymap::{Action, Key, default_keymap, lookup};
use super::layout::{Areas, areas};
use super::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Files,
    Source,
    Findings,
    Detail,
}

impl Pane {
    pub const ORDER: [Pane; 4] = [Pane::Files, Pane::Source, Pane::Findings, Pane::Detail];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Files => "Files",
            Pane::Source => "Source",
            Pane::Findings => "Findings",
            Pane::Detail => "Detail",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Severity,
    File,
}

/// Which findings the list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Indexed like [`Severity::ALL_DESCENDING`].
    pub severities: [bool; 4],
    pub pending: bool,
    pub accepted: bool,
    pub rejected: bool,
    pub search: String,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            severities: [true; 4],
            pending: true,
            accepted: true,
            rejected: true,
            search: String::new(),
        }
    }
}

impl Filter {
    pub fn is_default(&self) -> bool {
        *self == Filter::default()
    }
}

/// What the multi-line editor is editing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditTarget {
    Annotate(String),
    Reject(String),
    Summary,
    Strengths,
}

/// A one-line prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    Search,
    Export,
}

pub enum Mode {
    Normal,
    Help,
    Filter,
    /// `q` with decisions that could not be saved: asks before they are lost.
    ConfirmQuit,
    /// `A` or `X`: every pending finding of one rule, decided at once when confirmed.
    ConfirmBulk {
        status: Status,
        rule: &'static str,
        fingerprints: Vec<String>,
    },
    /// The messages of this session, newest last.
    Messages,
    Prompt {
        kind: PromptKind,
        input: String,
        /// Where the cursor is, in characters from the start.
        cursor: usize,
        /// The text is the current query, shown selected: typing replaces it, a cursor
        /// key or backspace edits it.
        replace: bool,
    },
    Editor {
        target: EditTarget,
        area: Box<TextArea<'static>>,
    },
}

/// What `u` undoes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoStep {
    /// A decision, with the one it replaced.
    Decision(String, Option<Decision>),
    /// Decisions taken at once (every pending finding of a rule), each with the one it
    /// replaced.
    Decisions(Vec<(String, Option<Decision>)>),
    /// Fixes written to disk: each file's path (workspace-relative), its text before
    /// (`None`: the fix created it) and the text written.
    Apply(Vec<(String, Option<String>, String)>),
}

/// The findings in list order for each grouping, and the text a search looks in (title,
/// message, rule, class and path, in lower case): computed once per analysis, so that a
/// key never sorts or lower-cases tens of thousands of findings.
#[derive(Debug, Clone, Default)]
pub struct ListIndex {
    /// Which analysis it is of (one more for each analysis applied).
    pub version: u64,
    pub by_severity: Vec<usize>,
    pub by_file: Vec<usize>,
    pub haystacks: Vec<String>,
    /// How many findings have each fingerprint: what the status counts and the
    /// resolved decisions are computed from without a pass over every finding.
    pub fingerprints: HashMap<String, usize>,
    /// Findings per severity, most severe first.
    pub severity_counts: [usize; 4],
}

impl ListIndex {
    pub fn of(analysis: &Analysis, version: u64) -> ListIndex {
        let findings = &analysis.findings;
        let mut by_severity: Vec<usize> = (0..findings.len()).collect();
        by_severity.sort_by_key(|&i| {
            let f = &findings[i];
            (std::cmp::Reverse(f.severity), f.file, f.span.start)
        });
        let mut by_file: Vec<usize> = (0..findings.len()).collect();
        by_file.sort_by_key(|&i| (findings[i].file, findings[i].span.start));
        let haystacks = findings
            .iter()
            .map(|f| {
                // `contract`, `security`…: the class narrows the list too.
                let class = crate::rules::find(f.rule).map_or("", |r| r.class().as_str());
                format!(
                    "{}\n{}\n{}\n{class}\n{}",
                    f.title,
                    f.message,
                    f.rule,
                    analysis.path(f)
                )
                .to_lowercase()
            })
            .collect();
        let mut fingerprints: HashMap<String, usize> = HashMap::with_capacity(findings.len());
        let mut severity_counts = [0; 4];
        for f in findings {
            *fingerprints
                .entry(f.fingerprint_ref(&analysis.workspace).to_string())
                .or_default() += 1;
            let i = Severity::ALL_DESCENDING
                .iter()
                .position(|s| *s == f.severity)
                .unwrap_or(0);
            severity_counts[i] += 1;
        }
        ListIndex {
            version,
            by_severity,
            by_file,
            haystacks,
            fingerprints,
            severity_counts,
        }
    }
}

/// A change as the list depends on it: the revision, its lines, the findings before it.
type ChangeKey = (
    String,
    std::collections::BTreeMap<String, Vec<std::ops::RangeInclusive<usize>>>,
    usize,
);

#[derive(Debug, Clone, PartialEq, Eq)]
struct VisibleKey {
    analysis: u64,
    filter: Filter,
    grouping: Grouping,
    changes: Option<ChangeKey>,
    decisions: String,
}

/// How many messages the log (`L`) keeps.
pub const MESSAGE_LOG: usize = 200;

/// A message for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub warning: bool,
}

/// What the event loop must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    None,
    Quit,
    /// Suspend the terminal and edit this text in `$EDITOR`.
    ExternalEdit(String),
}

pub struct App {
    pub root: PathBuf,
    pub name: String,
    pub analysis: Option<Analysis>,
    pub review: Review,
    /// The review as last read from or written to disk: what this workbench changed is
    /// the difference from it, merged into the file under a lock on every save.
    pub base: Review,
    /// Why the last save failed, while decisions are unsaved.
    pub unsaved: Option<String>,
    /// The review file's modification time and size when last seen, to notice another
    /// workbench's decisions.
    review_stamp: Option<(std::time::SystemTime, u64)>,
    last_poll: std::time::Instant,
    pub store: ReviewStore,
    pub theme: Theme,
    pub keymap: Vec<(Key, Action)>,
    pub mode: Mode,
    pub focus: Pane,
    pub grouping: Grouping,
    pub filter: Filter,
    /// `--changed-since`: the change whose findings are shown, and whose lines are marked.
    pub changes: Option<crate::changes::Changes>,
    pub show_diff: bool,
    /// The selected finding's fix as a diff, made when the selection or the analysis
    /// changes rather than at every frame: (analysis version, finding, diff or why not).
    fix_diff: Option<(u64, usize, Result<String, String>)>,
    /// Selected row of the file list (an index into [`App::tree_files`]).
    pub tree_selected: usize,
    /// Selected finding, by index into `analysis.findings`.
    pub selected: Option<usize>,
    pub open_file: Option<FileId>,
    pub source_scroll: usize,
    /// Columns of the source scrolled off to the left.
    pub source_hscroll: usize,
    pub detail_scroll: usize,
    pub undo: Vec<UndoStep>,
    pub notice: Option<Notice>,
    /// Every message of this session (`L` shows them), the last [`MESSAGE_LOG`] kept.
    pub messages: Vec<Notice>,
    /// The focused pane fills the screen (`z`).
    pub zoom: bool,
    /// How far the help is scrolled.
    pub help_scroll: usize,
    /// Accepting, rejecting or annotating moves on to the next pending finding.
    pub advance: bool,
    /// Where the last export went: the next one is offered there.
    pub export_path: Option<String>,
    /// What the list needs of every finding, computed once per analysis.
    pub index: ListIndex,
    /// The last list computed, with what it depended on (a frame asks several times).
    visible_cache: std::cell::RefCell<Option<(VisibleKey, Vec<usize>)>>,
    /// The colours the terminal shows; 24-bit colours are converted to them.
    pub color_depth: super::colors::Depth,
    pub highlight: HighlightCache,
    pub size: Rect,
    pub analysing: bool,
    /// How the workspace is watched ("watching", "polling (…)", "not watching").
    pub watch_state: String,
    /// Generation of the analysis on screen; older results are dropped.
    pub generation: u64,
    /// Figures of the last analysis, for the status line.
    pub last: Option<LastRun>,
    /// Findings that appeared after an edit and have not been visited yet.
    pub new: HashSet<String>,
    /// The Markdown an extracted file comes from, when shown instead of the file.
    pub markdown: Option<MarkdownView>,
}

/// A model's answer shown as Markdown in the source pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkdownView {
    pub path: String,
    pub text: String,
}

/// What the status line says about the last analysis (new and resolved counts are
/// derived from the state when drawing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastRun {
    pub files: usize,
    pub millis: u128,
    /// Files parsed again (the others came from the cache).
    pub parsed: usize,
}

impl App {
    pub fn new(
        root: PathBuf,
        store: ReviewStore,
        theme: Theme,
    ) -> Result<App, crate::review::ReviewError> {
        let (review, warning) = store.load()?;
        let name = std::fs::canonicalize(&root)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| root.display().to_string());
        let review_stamp = store.stamp();
        Ok(App {
            root,
            name,
            analysis: None,
            base: review.clone(),
            review,
            unsaved: None,
            review_stamp,
            last_poll: std::time::Instant::now(),
            store,
            theme,
            keymap: default_keymap(),
            mode: Mode::Normal,
            focus: Pane::Findings,
            grouping: Grouping::Severity,
            filter: Filter::default(),
            changes: None,
            show_diff: true,
            fix_diff: None,
            tree_selected: 0,
            selected: None,
            open_file: None,
            source_scroll: 0,
            source_hscroll: 0,
            detail_scroll: 0,
            undo: Vec::new(),
            notice: warning.clone().map(|text| Notice {
                text,
                warning: true,
            }),
            messages: warning
                .map(|text| Notice {
                    text,
                    warning: true,
                })
                .into_iter()
                .collect(),
            zoom: false,
            help_scroll: 0,
            advance: true,
            export_path: None,
            index: ListIndex::default(),
            visible_cache: std::cell::RefCell::new(None),
            color_depth: super::colors::Depth::TrueColor,
            highlight: HighlightCache::default(),
            size: Rect::new(0, 0, 120, 40),
            analysing: true,
            watch_state: "not watching".into(),
            generation: 0,
            last: None,
            new: HashSet::new(),
            markdown: None,
        })
    }

    pub fn set_syntax(&mut self, assets: Arc<SyntaxAssets>) {
        self.highlight.set_assets(assets);
        self.prepare_view();
    }

    /// A result of the live analysis: applied unless an analysis of the same or a newer
    /// generation is already on screen. Returns whether it was applied.
    pub fn apply_live(
        &mut self,
        generation: u64,
        analysis: Analysis,
        millis: u128,
        parsed: usize,
    ) -> bool {
        if self.analysis.is_some() && generation <= self.generation {
            return false;
        }
        self.generation = generation;
        let files = analysis.workspace.files.len();
        self.set_analysis(analysis);
        self.last = Some(LastRun {
            files,
            millis,
            parsed,
        });
        true
    }

    /// A finished analysis. The selection stays on its finding when that still exists,
    /// the source keeps its scroll position, findings that appeared are marked new and
    /// findings that disappeared are recorded as resolved.
    pub fn set_analysis(&mut self, analysis: Analysis) {
        if let Some(changes) = &mut self.changes
            && let Err(e) = changes.refresh_lines(&self.root)
        {
            let text = format!("cannot read the change since {}: {e}", changes.rev);
            self.notice(&text, true);
        }
        let previous = self.selected_fingerprint();
        let open_path = self.open_file.and_then(|id| self.file_path(id));
        let before = self.analysis.take();
        if let Some(before) = &before {
            let fps = |a: &Analysis| -> HashSet<String> {
                a.findings
                    .iter()
                    .map(|f| f.fingerprint(&a.workspace))
                    .collect()
            };
            let (old, now) = (fps(before), fps(&analysis));
            self.new.extend(now.difference(&old).cloned());
            self.new.retain(|fp| now.contains(fp));
            if self.review.reconcile(before, &analysis) {
                // Quietly: the status line counts what was resolved, and the message of
                // what the reviewer just did stays.
                self.save(String::new());
            }
        }
        let first = before.is_none();
        let broken = analysis.syntax_errors();
        let was_broken = before
            .as_ref()
            .is_some_and(|b| !b.syntax_errors().is_empty());
        if broken.is_empty() && was_broken {
            self.notice("every file parses again", false);
        }
        if !broken.is_empty() {
            let files: Vec<String> = broken
                .iter()
                .map(|(path, line)| format!("{path}:{line}"))
                .collect();
            let stale = if analysis.stale.is_empty() {
                String::new()
            } else {
                " — its findings are from its last good version (stale) until it parses again"
                    .to_string()
            };
            self.notice(
                &format!("syntax error in {}{stale}", files.join(", ")),
                true,
            );
        }
        self.advance = analysis.workspace.config.workbench.advance;
        self.index = ListIndex::of(&analysis, self.index.version + 1);
        self.analysis = Some(analysis);
        self.analysing = false;
        self.selected = None;
        if let (Some(fp), Some(analysis)) = (previous, &self.analysis) {
            self.selected = analysis
                .findings
                .iter()
                .position(|f| f.fingerprint(&analysis.workspace) == fp);
        }
        self.open_file = open_path.and_then(|p| self.file_id(&p));
        if self.selected.is_none() {
            let visible = self.visible();
            // On opening, resume where the review stands: the first pending finding.
            let pending = first
                .then(|| {
                    visible
                        .iter()
                        .copied()
                        .find(|&i| self.finding_status(i) == Some(Status::Pending))
                })
                .flatten();
            self.selected = pending.or_else(|| visible.first().copied());
        }
        if self.open_file.is_none() {
            self.open_file = self
                .selected_finding()
                .map(|f| f.file)
                .or_else(|| self.tree_files().first().copied());
        }
        self.sync_tree_to_open_file();
        if first {
            self.scroll_to_selected();
        } else {
            self.source_scroll = self
                .source_scroll
                .min(self.open_line_count().saturating_sub(1));
        }
        self.prepare_view();
    }

    /// Whether a finding appeared after an edit and has not been visited.
    pub fn is_new(&self, finding: &Finding) -> bool {
        match &self.analysis {
            Some(a) => self.new.contains(&finding.fingerprint(&a.workspace)),
            None => false,
        }
    }

    fn file_path(&self, id: FileId) -> Option<String> {
        self.analysis
            .as_ref()?
            .workspace
            .files
            .get(id)
            .map(|f| f.path.clone())
    }

    fn file_id(&self, path: &str) -> Option<FileId> {
        self.analysis
            .as_ref()?
            .workspace
            .files
            .iter()
            .position(|f| f.path == path)
    }

    pub fn selected_finding(&self) -> Option<&Finding> {
        self.analysis.as_ref()?.findings.get(self.selected?)
    }

    pub fn selected_fingerprint(&self) -> Option<String> {
        let analysis = self.analysis.as_ref()?;
        Some(self.selected_finding()?.fingerprint(&analysis.workspace))
    }

    /// Selects the finding with this fingerprint (the one a decision was undone on), when
    /// it is in the list.
    fn select_fingerprint(&mut self, fp: &str) {
        let found = self.analysis.as_ref().and_then(|a| {
            a.findings
                .iter()
                .position(|f| f.fingerprint(&a.workspace) == fp)
        });
        if let Some(i) = found.filter(|i| self.visible().contains(i)) {
            self.select(i);
        }
    }

    fn finding_status(&self, index: usize) -> Option<Status> {
        let f = self.analysis.as_ref()?.findings.get(index)?;
        Some(self.status_of(f))
    }

    pub fn status_of(&self, finding: &Finding) -> Status {
        match &self.analysis {
            Some(a) => self.review.status(finding.fingerprint_ref(&a.workspace)),
            None => Status::Pending,
        }
    }

    /// Decisions whose finding the analysis no longer reports ([`Review::resolved`]),
    /// from the fingerprints indexed once per analysis.
    pub fn resolved(&self) -> Vec<(&String, &crate::review::Decision)> {
        match &self.analysis {
            Some(a) => self
                .review
                .resolved_given(a, &|fp| self.index.fingerprints.contains_key(fp)),
            None => Vec::new(),
        }
    }

    /// How many findings are accepted, rejected and pending: from the decisions and the
    /// indexed fingerprints, not from a pass over every finding.
    pub fn status_counts(&self) -> (usize, usize, usize) {
        let (mut accepted, mut rejected) = (0, 0);
        for (fp, decision) in &self.review.decisions {
            let n = self.index.fingerprints.get(fp).copied().unwrap_or(0);
            match decision.status {
                Status::Accepted => accepted += n,
                Status::Rejected => rejected += n,
                Status::Pending => {}
            }
        }
        let total: usize = self.index.severity_counts.iter().sum();
        (accepted, rejected, total - accepted - rejected)
    }

    /// Files in the tree, in path order.
    pub fn tree_files(&self) -> Vec<FileId> {
        self.analysis
            .as_ref()
            .map(|a| (0..a.workspace.files.len()).collect())
            .unwrap_or_default()
    }

    /// Findings shown in the list, in list order: filtered, then sorted by the grouping.
    pub fn visible(&self) -> Vec<usize> {
        let key = self.visible_key();
        if let Some((k, v)) = self.visible_cache.borrow().as_ref()
            && *k == key
        {
            return v.clone();
        }
        let narrowed = self.narrowed_search(&key);
        let v = narrowed.unwrap_or_else(|| self.compute_visible());
        *self.visible_cache.borrow_mut() = Some((key, v.clone()));
        v
    }

    /// When only the search changed, and the new one holds the old (a letter typed), the
    /// list is the last one narrowed: every key of a search looks only at what the keys
    /// before it left.
    fn narrowed_search(&self, key: &VisibleKey) -> Option<Vec<usize>> {
        let cache = self.visible_cache.borrow();
        let (old, list) = cache.as_ref()?;
        let mut same = old.clone();
        same.filter.search = key.filter.search.clone();
        let (before, now) = (
            old.filter.search.to_lowercase(),
            key.filter.search.to_lowercase(),
        );
        if same != *key || !now.contains(&before) {
            return None;
        }
        Some(
            list.iter()
                .copied()
                .filter(|&i| {
                    self.index
                        .haystacks
                        .get(i)
                        .is_some_and(|h| h.contains(&now))
                })
                .collect(),
        )
    }

    /// What the list depends on: the analysis, the filter and grouping, the change, and
    /// (when a status is filtered out) the decisions.
    fn visible_key(&self) -> VisibleKey {
        let statuses_filtered =
            !(self.filter.pending && self.filter.accepted && self.filter.rejected);
        let decisions = if statuses_filtered {
            self.review
                .decisions
                .iter()
                .map(|(fp, d)| format!("{fp}{:?}", d.status))
                .collect::<Vec<_>>()
                .join(",")
        } else {
            String::new()
        };
        VisibleKey {
            analysis: self.index.version,
            filter: self.filter.clone(),
            grouping: self.grouping,
            changes: self
                .changes
                .as_ref()
                .map(|c| (c.rev.clone(), c.lines.clone(), c.before.len())),
            decisions,
        }
    }

    fn compute_visible(&self) -> Vec<usize> {
        let Some(analysis) = &self.analysis else {
            return Vec::new();
        };
        let search = self.filter.search.to_lowercase();
        let every_status = self.filter.pending && self.filter.accepted && self.filter.rejected;
        let order = match self.grouping {
            Grouping::Severity => &self.index.by_severity,
            Grouping::File => &self.index.by_file,
        };
        order
            .iter()
            .filter_map(|&i| analysis.findings.get(i).map(|f| (i, f)))
            .filter(|&(i, f)| {
                let sev = Severity::ALL_DESCENDING
                    .iter()
                    .position(|s| *s == f.severity)
                    .unwrap_or(0);
                // The decision is looked up only when a status is filtered out.
                let status_ok = every_status
                    || match self.status_of(f) {
                        Status::Pending => self.filter.pending,
                        Status::Accepted => self.filter.accepted,
                        Status::Rejected => self.filter.rejected,
                    };
                let search_ok = search.is_empty()
                    || self
                        .index
                        .haystacks
                        .get(i)
                        .is_some_and(|h| h.contains(&search));
                let change_ok = self
                    .changes
                    .as_ref()
                    .is_none_or(|c| c.introduced(analysis, f));
                self.filter.severities[sev] && status_ok && search_ok && change_ok
            })
            .map(|(i, _)| i)
            .collect()
    }

    pub fn areas(&self) -> Areas {
        if self.zoom {
            super::layout::zoomed(self.size, self.focus)
        } else {
            areas(self.size, self.focus)
        }
    }

    /// Handles one terminal event.
    pub fn handle(&mut self, event: Event) -> Command {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.handle_key(key),
            Event::Mouse(mouse) => {
                self.handle_mouse(mouse);
                Command::None
            }
            Event::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                self.prepare_view();
                Command::None
            }
            _ => Command::None,
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Command {
        let command = match &mut self.mode {
            Mode::Normal => match lookup(&self.keymap, &key) {
                Some(action) => self.act(action),
                None => Command::None,
            },
            Mode::Help => {
                self.help_key(key);
                Command::None
            }
            Mode::Messages => {
                self.mode = Mode::Normal;
                Command::None
            }
            Mode::ConfirmQuit => self.confirm_quit_key(key),
            Mode::ConfirmBulk { .. } => {
                self.confirm_bulk_key(key);
                Command::None
            }
            Mode::Filter => {
                self.filter_key(key);
                Command::None
            }
            Mode::Prompt { .. } => {
                self.prompt_key(key);
                Command::None
            }
            Mode::Editor { .. } => self.editor_key(key),
        };
        self.prepare_view();
        command
    }

    fn act(&mut self, action: Action) -> Command {
        let page = self.page_height();
        match action {
            Action::Quit => {
                if self.unsaved.is_some() {
                    self.mode = Mode::ConfirmQuit;
                    return Command::None;
                }
                return Command::Quit;
            }
            Action::Help => {
                self.help_scroll = 0;
                self.mode = Mode::Help;
            }
            Action::Messages => self.mode = Mode::Messages,
            Action::NextPending => self.step_pending(1),
            Action::PrevPending => self.step_pending(-1),
            Action::FocusFiles => self.focus = Pane::Files,
            Action::FocusSource => self.focus = Pane::Source,
            Action::FocusFindings => self.focus = Pane::Findings,
            Action::FocusDetail => self.focus = Pane::Detail,
            Action::Zoom => self.zoom = !self.zoom,
            Action::ScrollLeft => self.source_hscroll = self.source_hscroll.saturating_sub(8),
            Action::ScrollRight => {
                // As far as the widest line in view goes, measured no further than the
                // step needs (a line can be megabytes long).
                let target = self.source_hscroll + 8;
                let height = usize::from(self.areas().source.height.saturating_sub(2));
                let widest = self.open_file_ref().map_or(0, |f| {
                    let first = self.source_scroll + 1;
                    (first..first + height)
                        .take_while(|&n| n <= f.line_count())
                        .map(|n| {
                            let raw = f.slice(f.line_range(n));
                            super::highlight::display_column(raw, usize::MAX, target + 8)
                        })
                        .max()
                        .unwrap_or(0)
                });
                // Never back: the view may have scrolled onto shorter lines.
                self.source_hscroll = self
                    .source_hscroll
                    .max(target.min(widest.saturating_sub(8)));
            }
            Action::AcceptRule => self.ask_bulk(Status::Accepted),
            Action::RejectRule => self.ask_bulk(Status::Rejected),
            Action::ClearFilter => {
                if self.filter.is_default() {
                    self.notice("no search or filter to clear", false);
                } else {
                    self.filter = Filter::default();
                    self.keep_selection_visible();
                    self.notice("search and filter cleared", false);
                }
            }
            Action::Down => self.move_by(1),
            Action::Up => self.move_by(-1),
            Action::PageDown => self.move_by(page as isize),
            Action::PageUp => self.move_by(-(page as isize)),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::NextPane => self.cycle_pane(1),
            Action::PrevPane => self.cycle_pane(-1),
            Action::Open => self.open(),
            Action::NextFinding => self.step_finding(1),
            Action::PrevFinding => self.step_finding(-1),
            Action::Accept => {
                self.decide(Status::Accepted, None);
                self.advance_after_decision();
            }
            Action::Reject => {
                if let Some(fp) = self.selected_fingerprint() {
                    self.mode = editor(EditTarget::Reject(fp), "");
                }
            }
            Action::Annotate => {
                if let Some(fp) = self.selected_fingerprint() {
                    let note = self.review.note(&fp).unwrap_or("").to_string();
                    self.mode = editor(EditTarget::Annotate(fp), &note);
                }
            }
            Action::Undo => self.undo_last(),
            Action::ApplyFix => {
                if let Some(i) = self.selected {
                    self.apply_fixes(vec![i]);
                }
            }
            Action::ApplyAccepted => {
                let accepted: Vec<usize> = self
                    .analysis
                    .as_ref()
                    .map(|a| {
                        a.findings
                            .iter()
                            .enumerate()
                            .filter(|(_, f)| self.status_of(f) == Status::Accepted)
                            .map(|(i, _)| i)
                            .collect()
                    })
                    .unwrap_or_default();
                if accepted.is_empty() {
                    self.notice("no accepted finding to apply", true);
                } else {
                    self.apply_fixes(accepted);
                }
            }
            Action::ToggleDiff => self.show_diff = !self.show_diff,
            Action::ToggleMarkdown => self.toggle_markdown(),
            Action::Filter => self.mode = Mode::Filter,
            Action::Search => {
                // The current query, to refine or clear.
                let input = self.filter.search.clone();
                self.mode = Mode::Prompt {
                    kind: PromptKind::Search,
                    cursor: input.chars().count(),
                    replace: !input.is_empty(),
                    input,
                }
            }
            Action::ToggleGrouping => {
                self.grouping = match self.grouping {
                    Grouping::Severity => Grouping::File,
                    Grouping::File => Grouping::Severity,
                }
            }
            Action::EditStrengths => {
                let text = self.review.strengths.clone().unwrap_or_default();
                self.mode = editor(EditTarget::Strengths, &text);
            }
            Action::EditSummary => {
                let summary = self.review.summary.clone().unwrap_or_default();
                self.mode = editor(EditTarget::Summary, &summary);
            }
            Action::Export => {
                let input = self.export_path.clone().unwrap_or_else(|| {
                    self.root
                        .join(".tfreview")
                        .join("review.md")
                        .display()
                        .to_string()
                });
                self.mode = Mode::Prompt {
                    kind: PromptKind::Export,
                    cursor: input.chars().count(),
                    replace: false,
                    input,
                }
            }
        }
        Command::None
    }

    /// Between an extracted file and the Markdown it comes from, at the same place.
    fn toggle_markdown(&mut self) {
        if self.markdown.take().is_some() {
            // Back to the code: the line that came from the Markdown line on top.
            let md_top = self.source_scroll + 1;
            if let Some(file) = self.open_file_ref() {
                self.source_scroll = file
                    .origin_lines
                    .iter()
                    .position(|&l| l >= md_top)
                    .unwrap_or(0);
            }
            return;
        }
        let Some(file) = self.open_file_ref() else {
            return;
        };
        let Some(origin) = file.origin.clone() else {
            self.notice("this file is not taken from Markdown", false);
            return;
        };
        let md_line = file
            .origin_lines
            .get(self.source_scroll)
            .copied()
            .unwrap_or(origin.line);
        match crate::io::read_text(&self.root.join(&origin.path), crate::io::MAX_MARKDOWN_BYTES) {
            Ok(text) => {
                self.markdown = Some(MarkdownView {
                    path: origin.path,
                    text,
                });
                self.source_scroll = md_line.saturating_sub(1);
            }
            Err(e) => self.notice(&format!("{} {e}", origin.path), true),
        }
    }

    fn open_file_ref(&self) -> Option<&crate::workspace::SourceFile> {
        self.analysis.as_ref()?.workspace.files.get(self.open_file?)
    }

    fn page_height(&self) -> usize {
        usize::from(self.size.height.saturating_sub(6)).max(1)
    }

    fn move_by(&mut self, delta: isize) {
        match self.focus {
            Pane::Findings => {
                let visible = self.visible();
                if visible.is_empty() {
                    return;
                }
                let at = self
                    .selected
                    .and_then(|s| visible.iter().position(|&v| v == s))
                    .unwrap_or(0);
                let next = (at as isize + delta).clamp(0, visible.len() as isize - 1) as usize;
                self.select(visible[next]);
            }
            Pane::Files => {
                let files = self.tree_files();
                if files.is_empty() {
                    return;
                }
                let next = (self.tree_selected as isize + delta).clamp(0, files.len() as isize - 1)
                    as usize;
                self.tree_selected = next;
                self.open_file = Some(files[next]);
                self.source_scroll = 0;
            }
            Pane::Source => {
                // Scrolling stops when the last line is at the bottom of the pane.
                let lines = self.open_line_count();
                let height = usize::from(self.areas().source.height.saturating_sub(2)).max(1);
                let max = lines.saturating_sub(height) as isize;
                self.source_scroll =
                    (self.source_scroll as isize + delta).clamp(0, max.max(0)) as usize;
            }
            Pane::Detail => {
                // Scrolling stops when the detail's last row is at the bottom of the pane.
                let area = self.areas().detail;
                let height = usize::from(area.height.saturating_sub(2)).max(1);
                let max = super::draw::detail_rows(self, area).saturating_sub(height) as isize;
                self.detail_scroll =
                    (self.detail_scroll as isize + delta).clamp(0, max.max(0)) as usize;
            }
        }
    }

    fn open_line_count(&self) -> usize {
        if let Some(md) = &self.markdown {
            return md.text.lines().count();
        }
        match (&self.analysis, self.open_file) {
            (Some(a), Some(id)) => a.workspace.files.get(id).map_or(0, |f| f.line_count()),
            _ => 0,
        }
    }

    fn cycle_pane(&mut self, delta: isize) {
        let at = Pane::ORDER
            .iter()
            .position(|p| *p == self.focus)
            .unwrap_or(0) as isize;
        let next = (at + delta).rem_euclid(Pane::ORDER.len() as isize) as usize;
        self.focus = Pane::ORDER[next];
    }

    fn open(&mut self) {
        match self.focus {
            Pane::Files => {
                self.focus = Pane::Source;
            }
            Pane::Findings => {
                self.scroll_to_selected();
                self.focus = Pane::Detail;
            }
            Pane::Source | Pane::Detail => {}
        }
    }

    /// Selects a finding: its file opens and its span scrolls into view.
    pub fn select(&mut self, index: usize) {
        self.markdown = None;
        self.selected = Some(index);
        self.detail_scroll = 0;
        if let Some(fp) = self.selected_fingerprint() {
            self.new.remove(&fp);
        }
        if let Some(file) = self.selected_finding().map(|f| f.file) {
            self.open_file = Some(file);
            self.sync_tree_to_open_file();
        }
        self.scroll_to_selected();
    }

    fn sync_tree_to_open_file(&mut self) {
        if let Some(open) = self.open_file
            && let Some(i) = self.tree_files().iter().position(|&f| f == open)
        {
            self.tree_selected = i;
        }
    }

    fn scroll_to_selected(&mut self) {
        let Some(f) = self.selected_finding() else {
            return;
        };
        let Some(analysis) = &self.analysis else {
            return;
        };
        let ((line, col), (end_line, _)) = analysis.position(f);
        if Some(f.file) != self.open_file {
            return;
        }
        // The span's column in view: the source scrolls right when it starts past the
        // pane's width, and back when it is left of the view.
        if let Some(file) = analysis.workspace.files.get(f.file) {
            let raw = file.slice(file.line_range(line));
            let at = super::highlight::display_column(raw, col.saturating_sub(1), usize::MAX);
            let gutter = file.line_count().to_string().len() + 3;
            let room = usize::from(self.areas().source.width.saturating_sub(2))
                .saturating_sub(gutter)
                .max(8);
            if at < self.source_hscroll || at >= self.source_hscroll + room.saturating_sub(4) {
                self.source_hscroll = at.saturating_sub(room / 3);
            }
        }
        let height = usize::from(self.areas().source.height.saturating_sub(2)).max(1);
        let top = line.saturating_sub(1);
        let bottom = end_line.saturating_sub(1);
        if top < self.source_scroll || bottom >= self.source_scroll + height {
            self.source_scroll = top.saturating_sub(height / 3);
        }
    }

    /// `n`/`N`: the next or previous finding in the list, wrapping around at its ends
    /// with a message that says so.
    fn step_finding(&mut self, delta: isize) {
        self.step_where(delta, |_, _| true, "finding");
    }

    /// `]`/`[`: the next or previous pending finding, wrapping around.
    fn step_pending(&mut self, delta: isize) {
        self.step_where(
            delta,
            |app, i| app.finding_status(i) == Some(Status::Pending),
            "pending finding",
        );
    }

    fn step_where(&mut self, delta: isize, wanted: impl Fn(&App, usize) -> bool, what: &str) {
        let visible = self.visible();
        if visible.is_empty() {
            self.notice("no finding in the list", false);
            return;
        }
        let at = self
            .selected
            .and_then(|s| visible.iter().position(|&v| v == s));
        let n = visible.len() as isize;
        let start = at.map_or(if delta > 0 { -1 } else { n }, |a| a as isize);
        for step in 1..=n {
            let raw = start + delta.signum() * step;
            let i = raw.rem_euclid(n) as usize;
            if Some(i) == at {
                break;
            }
            if wanted(self, visible[i]) {
                self.select(visible[i]);
                if raw >= n {
                    self.notice(&format!("wrapped to the first {what}"), false);
                } else if raw < 0 {
                    self.notice(&format!("wrapped to the last {what}"), false);
                }
                return;
            }
        }
        if at.is_some_and(|a| wanted(self, visible[a])) {
            self.notice(&format!("this is the only {what}"), false);
        } else {
            self.notice(&format!("no {what} in the list"), false);
        }
    }

    /// After a decision: on to the next pending finding, when that is the setting and
    /// there is one; the message of the decision stays.
    fn advance_after_decision(&mut self) {
        if !self.advance || self.mode_is_not_normal() {
            return;
        }
        let kept = self.notice.clone();
        let visible = self.visible();
        let at = self
            .selected
            .and_then(|s| visible.iter().position(|&v| v == s));
        let n = visible.len();
        let next = (1..=n)
            .map(|step| visible[(at.unwrap_or(n - 1) + step) % n.max(1)])
            .find(|&i| Some(i) != self.selected && self.finding_status(i) == Some(Status::Pending));
        match next {
            Some(i) => {
                self.select(i);
                self.notice = kept;
            }
            None => {
                let (text, warning) = match kept {
                    Some(k) => (
                        format!("{} · every finding in the list is decided", k.text),
                        k.warning,
                    ),
                    None => ("every finding in the list is decided".to_string(), false),
                };
                self.notice(&text, warning);
            }
        }
    }

    fn mode_is_not_normal(&self) -> bool {
        !matches!(self.mode, Mode::Normal)
    }

    /// `A`/`X`: asks before deciding every pending finding of the selected one's rule.
    fn ask_bulk(&mut self, status: Status) {
        let (Some(analysis), Some(selected)) = (&self.analysis, self.selected_finding()) else {
            self.notice("no finding selected", false);
            return;
        };
        let rule = selected.rule;
        let fingerprints: Vec<String> = analysis
            .findings
            .iter()
            .filter(|f| f.rule == rule && self.status_of(f) == Status::Pending)
            .map(|f| f.fingerprint(&analysis.workspace))
            .collect();
        if fingerprints.is_empty() {
            self.notice(&format!("no pending finding of {rule}"), false);
            return;
        }
        self.mode = Mode::ConfirmBulk {
            status,
            rule,
            fingerprints,
        };
    }

    fn confirm_bulk_key(&mut self, key: KeyEvent) {
        let Mode::ConfirmBulk {
            status,
            rule,
            fingerprints,
        } = std::mem::replace(&mut self.mode, Mode::Normal)
        else {
            return;
        };
        if !matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
            self.notice("nothing decided", false);
            return;
        }
        let Some(analysis) = &self.analysis else {
            return;
        };
        let wanted: HashSet<&str> = fingerprints.iter().map(String::as_str).collect();
        let mut steps = Vec::new();
        for f in &analysis.findings {
            let fp = f.fingerprint(&analysis.workspace);
            if f.rule == rule && wanted.contains(fp.as_str()) {
                let previous = self.review.decide(analysis, f, status, None);
                steps.push((fp, previous));
            }
        }
        let count = steps.len();
        self.undo.push(UndoStep::Decisions(steps));
        self.save(format!(
            "{} {count} finding{} of {rule} (u undoes)",
            status.as_str(),
            if count == 1 { "" } else { "s" }
        ));
        if self.finding_status(self.selected.unwrap_or(usize::MAX)) != Some(Status::Pending) {
            self.advance_after_decision();
        }
    }

    fn help_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Char('j') | KeyCode::Down => self.help_scroll += 1,
            KeyCode::Char('k') | KeyCode::Up => {
                self.help_scroll = self.help_scroll.saturating_sub(1)
            }
            KeyCode::PageDown | KeyCode::Char(' ') => self.help_scroll += 10,
            KeyCode::PageUp => self.help_scroll = self.help_scroll.saturating_sub(10),
            _ => self.mode = Mode::Normal,
        }
    }

    fn decide(&mut self, status: Status, note: Option<Option<String>>) {
        let Some(analysis) = &self.analysis else {
            return;
        };
        let Some(finding) = self.selected.and_then(|i| analysis.findings.get(i)) else {
            return;
        };
        let fp = finding.fingerprint(&analysis.workspace);
        let previous = self.review.decide(analysis, finding, status, note);
        self.undo.push(UndoStep::Decision(fp, previous));
        self.save(format!("{} — {}", status.as_str(), finding.title));
    }

    fn undo_last(&mut self) {
        match self.undo.pop() {
            Some(UndoStep::Decision(fp, previous)) => {
                self.review.restore(&fp, previous);
                self.select_fingerprint(&fp);
                self.save("undone".into());
            }
            Some(UndoStep::Decisions(steps)) => {
                let count = steps.len();
                for (fp, previous) in steps {
                    self.review.restore(&fp, previous);
                }
                self.save(format!("undone: {count} decisions"));
            }
            Some(UndoStep::Apply(files)) => self.undo_apply(files),
            None => self.notice("nothing to undo", false),
        }
    }

    /// Writes the fix set of `findings` to disk (atomically, never through a link),
    /// refusing every file that changed since the analysis; `u` undoes it.
    fn apply_fixes(&mut self, findings: Vec<usize>) {
        let Some(analysis) = &self.analysis else {
            return;
        };
        if analysis.workspace.task {
            self.notice(
                "an answer is Markdown, which tfreview never rewrites: `tfreview fix PATH -o DIR` writes the fixed files to a folder",
                true,
            );
            return;
        }
        let set = crate::fixset::FixSet::build(analysis, &findings);
        if set.is_empty() {
            let why = set
                .skipped
                .first()
                .map_or("no fix to apply".to_string(), |s| {
                    format!("no fix applied: {}", s.reason)
                });
            self.notice(&why, true);
            return;
        }
        let root = self.root.clone();
        for (path, change) in &set.files {
            let now = crate::io::read_text_if_exists(&root.join(path), crate::io::MAX_SOURCE_BYTES);
            if !matches!(&now, Ok(text) if text.as_deref() == change.before.as_deref()) {
                self.notice(
                    &format!(
                        "not applied: {path} changed since the analysis; wait for the next one"
                    ),
                    true,
                );
                return;
            }
        }
        let mut written = Vec::new();
        for (path, change) in &set.files {
            match crate::io::write_within(
                &root,
                std::path::Path::new(path),
                change.after.as_bytes(),
            ) {
                Ok(_) => written.push((path.clone(), change.before.clone(), change.after.clone())),
                Err(e) => {
                    let done = written.len();
                    self.undo.push(UndoStep::Apply(written));
                    self.notice(
                        &format!("applied to {done} files, then failed on {path}: {e}; u undoes"),
                        true,
                    );
                    return;
                }
            }
        }
        let (fixes, files) = (set.applied.len(), written.len());
        self.undo.push(UndoStep::Apply(written));
        let left = if set.skipped.is_empty() {
            String::new()
        } else {
            format!(
                " ({} left out: {})",
                set.skipped.len(),
                set.skipped[0].reason
            )
        };
        self.notice(
            &format!(
                "applied {fixes} fix{} to {files} file{}{left} · u undoes",
                if fixes == 1 { "" } else { "es" },
                if files == 1 { "" } else { "s" }
            ),
            false,
        );
    }

    /// Puts back the files a fix wrote, byte for byte, unless they changed since.
    fn undo_apply(&mut self, files: Vec<(String, Option<String>, String)>) {
        let root = self.root.clone();
        for (path, _, after) in &files {
            let now = crate::io::read_text_if_exists(&root.join(path), crate::io::MAX_SOURCE_BYTES);
            if !matches!(&now, Ok(Some(text)) if text == after) {
                self.notice(
                    &format!("cannot undo: {path} changed after the fix was applied"),
                    true,
                );
                self.undo.push(UndoStep::Apply(files));
                return;
            }
        }
        for (path, before, _) in &files {
            let result = match before {
                Some(text) => {
                    crate::io::write_within(&root, std::path::Path::new(path), text.as_bytes())
                        .map(|_| ())
                }
                None => std::fs::remove_file(root.join(path)),
            };
            if let Err(e) = result {
                self.notice(&format!("undo failed on {path}: {e}"), true);
                return;
            }
        }
        self.notice(&format!("fix undone in {} file(s)", files.len()), false);
    }

    /// Saves what changed since the last save, merged with what another workbench
    /// saved meanwhile (whose decisions then show here too).
    fn save(&mut self, done: String) {
        match self.store.save_merged(&self.base, &self.review) {
            Ok(merged) => {
                let others = merged
                    .decisions
                    .iter()
                    .filter(|(fp, d)| self.review.decisions.get(*fp) != Some(d))
                    .count();
                self.review = merged.clone();
                self.base = merged;
                self.unsaved = None;
                self.review_stamp = self.store.stamp();
                if others > 0 {
                    self.notice(
                        &format!("{done} · {others} decisions from another workbench merged"),
                        false,
                    );
                } else if !done.is_empty() {
                    self.notice(&done, false);
                }
            }
            Err(e) => {
                let reason = e.to_string();
                self.notice(&format!("NOT SAVED: {reason}"), true);
                self.unsaved = Some(reason);
            }
        }
    }

    /// Picks up decisions another workbench saved to the same review file (checked at
    /// most every half second, by the file's time and size). Whether anything shown may
    /// have changed.
    pub fn poll_review(&mut self) -> bool {
        if self.last_poll.elapsed() < std::time::Duration::from_millis(500) {
            return false;
        }
        self.last_poll = std::time::Instant::now();
        let stamp = self.store.stamp();
        if stamp == self.review_stamp {
            return false;
        }
        self.review_stamp = stamp;
        if let Ok(Some((theirs, merged))) = self.store.refresh(&self.base, &self.review) {
            let changed = merged
                .decisions
                .iter()
                .filter(|(fp, d)| self.review.decisions.get(*fp) != Some(d))
                .count();
            self.review = merged;
            self.base = theirs;
            if changed > 0 {
                self.notice(
                    &format!("{changed} decisions from another workbench merged"),
                    false,
                );
            }
        }
        true
    }

    fn confirm_quit_key(&mut self, key: KeyEvent) -> Command {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Command::Quit,
            KeyCode::Char('w') => {
                self.mode = Mode::Normal;
                self.save("saved".into());
                if self.unsaved.is_none() {
                    Command::Quit
                } else {
                    self.mode = Mode::ConfirmQuit;
                    Command::None
                }
            }
            _ => {
                self.mode = Mode::Normal;
                Command::None
            }
        }
    }

    pub fn notice(&mut self, text: &str, warning: bool) {
        let notice = Notice {
            text: text.to_string(),
            warning,
        };
        if self.messages.len() >= MESSAGE_LOG {
            self.messages.remove(0);
        }
        self.messages.push(notice.clone());
        self.notice = Some(notice);
    }

    fn filter_key(&mut self, key: KeyEvent) {
        let f = &mut self.filter;
        // The keys are those of the help's table.
        let toggled = match key.code {
            KeyCode::Char(c) => super::keymap::FILTER_KEYS
                .iter()
                .find(|(k, _)| *k == c)
                .map(|(_, what)| *what),
            _ => None,
        };
        match (toggled, key.code) {
            (Some("critical"), _) => f.severities[0] = !f.severities[0],
            (Some("high"), _) => f.severities[1] = !f.severities[1],
            (Some("medium"), _) => f.severities[2] = !f.severities[2],
            (Some("low"), _) => f.severities[3] = !f.severities[3],
            (Some("pending"), _) => f.pending = !f.pending,
            (Some("accepted"), _) => f.accepted = !f.accepted,
            (Some("rejected"), _) => f.rejected = !f.rejected,
            // `0`: everything shown again, the search too.
            (Some(_), _) => *f = Filter::default(),
            (None, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('f') | KeyCode::Char('q')) => {
                self.mode = Mode::Normal
            }
            _ => {}
        }
        self.keep_selection_visible();
    }

    fn keep_selection_visible(&mut self) {
        let visible = self.visible();
        if self.selected.is_none_or(|s| !visible.contains(&s))
            && let Some(&first) = visible.first()
        {
            self.select(first);
        }
    }

    fn prompt_key(&mut self, key: KeyEvent) {
        let Mode::Prompt {
            kind,
            input,
            cursor,
            replace,
        } = &mut self.mode
        else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if std::mem::take(replace)
            && let KeyCode::Char(c) = key.code
            && !ctrl
        {
            // Typing over the current query starts a new one.
            *input = c.to_string();
            *cursor = 1;
        } else if edit_line(input, cursor, &key) {
            // Edited in place.
        } else if key.code == KeyCode::Tab && *kind == PromptKind::Export {
            complete_folder(input, cursor);
        } else if ctrl {
            // No other control key edits the line.
        } else {
            match key.code {
                KeyCode::Esc => {
                    if *kind == PromptKind::Search {
                        self.filter.search.clear();
                    }
                    self.mode = Mode::Normal;
                }
                KeyCode::Enter => {
                    let (kind, input) = (kind.clone(), input.clone());
                    self.mode = Mode::Normal;
                    match kind {
                        PromptKind::Search => self.filter.search = input,
                        PromptKind::Export => self.export_to(&input),
                    }
                    self.keep_selection_visible();
                }
                _ => {}
            }
        }
        if let Mode::Prompt {
            kind: PromptKind::Search,
            input,
            ..
        } = &self.mode
        {
            // Search as you type.
            self.filter.search = input.clone();
        }
    }

    pub fn export_to(&mut self, path: &str) {
        let Some(analysis) = &self.analysis else {
            return;
        };
        let text = markdown::render(
            analysis,
            &self.review,
            &self.name,
            &MarkdownOptions::default(),
        );
        let target = expand_home(path);
        let broken = analysis.syntax_errors();
        // The default place, `.tfreview/` (which git ignores), is made when missing.
        let review_dir = self.root.join(".tfreview");
        if target.parent() == Some(review_dir.as_path()) && !review_dir.is_dir() {
            let _ = std::fs::create_dir_all(&review_dir);
        }
        let path = &target.display().to_string();
        self.export_path = Some(path.clone());
        match write_atomically(&target, &text) {
            Ok(()) if broken.is_empty() => self.notice(&format!("exported to {path}"), false),
            Ok(()) => {
                let (file, line) = broken[0];
                self.notice(
                    &format!(
                        "exported to {path} — but {file}:{line} does not parse; its findings may be stale"
                    ),
                    true,
                )
            }
            Err(e) => self.notice(&format!("export failed: {e}"), true),
        }
    }

    fn editor_key(&mut self, key: KeyEvent) -> Command {
        let Mode::Editor { target, area } = &mut self.mode else {
            return Command::None;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                self.notice("cancelled", false);
            }
            KeyCode::Char('s') if ctrl => {
                let text = area.lines().join("\n");
                let target = target.clone();
                self.mode = Mode::Normal;
                self.finish_edit(target, text);
            }
            KeyCode::Char('e') if ctrl => {
                return Command::ExternalEdit(area.lines().join("\n"));
            }
            KeyCode::Up if ctrl && *target == EditTarget::Summary => {
                self.review.score = Some(self.review.score.map_or(5, |s| (s + 1).min(10)));
            }
            KeyCode::Down if ctrl && *target == EditTarget::Summary => {
                self.review.score = Some(self.review.score.map_or(5, |s| s.saturating_sub(1)));
            }
            _ => {
                area.input(key);
            }
        }
        Command::None
    }

    /// The text back from `$EDITOR` (or `None` when it failed).
    pub fn external_edit_done(&mut self, text: Option<String>) {
        match text {
            Some(text) => {
                if let Mode::Editor { area, .. } = &mut self.mode {
                    let lines: Vec<String> = text
                        .trim_end_matches('\n')
                        .lines()
                        .map(str::to_string)
                        .collect();
                    let mut new_area = TextArea::new(lines);
                    new_area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
                    new_area.set_block(area.block().cloned().unwrap_or_default());
                    **area = new_area;
                }
            }
            None => self.notice("the editor failed; the text is unchanged", true),
        }
    }

    fn finish_edit(&mut self, target: EditTarget, text: String) {
        let text = text.trim().to_string();
        match target {
            EditTarget::Summary => {
                self.review.summary = (!text.is_empty()).then_some(text);
                self.save("summary saved".into());
            }
            EditTarget::Strengths => {
                self.review.strengths = (!text.is_empty()).then_some(text);
                self.save("what went right saved".into());
            }
            EditTarget::Reject(fp) | EditTarget::Annotate(fp)
                if self.selected_fingerprint().as_deref() != Some(fp.as_str()) =>
            {
                self.notice("the finding is gone; nothing saved", true);
            }
            EditTarget::Reject(_) => {
                self.decide(Status::Rejected, Some(Some(text)));
                self.advance_after_decision();
            }
            EditTarget::Annotate(fp) => {
                let status = self.review.status(&fp);
                self.decide(status, Some(Some(text)));
                // A note on a pending finding comes before its decision (`c`, then `a`):
                // stay on it. A note on a decided one completes it: move on.
                if status != Status::Pending {
                    self.advance_after_decision();
                }
            }
        }
    }

    fn handle_mouse(&mut self, mouse: MouseEvent) {
        let at = Position::new(mouse.column, mouse.row);
        let areas = self.areas();
        // A click on a tab (narrow terminals) focuses its pane.
        if let Some(tabs) = areas.tabs
            && tabs.contains(at)
        {
            if mouse.kind == MouseEventKind::Down(MouseButton::Left) {
                let mut x = tabs.x;
                for pane in Pane::ORDER {
                    let w = u16::try_from(pane.title().chars().count() + 3).unwrap_or(u16::MAX);
                    if mouse.column >= x && mouse.column < x + w {
                        self.focus = pane;
                        break;
                    }
                    x = x.saturating_add(w);
                }
                self.prepare_view();
            }
            return;
        }
        let pane = [
            (areas.files, Pane::Files),
            (areas.source, Pane::Source),
            (areas.findings, Pane::Findings),
            (areas.detail, Pane::Detail),
        ]
        .into_iter()
        .find(|(r, _)| r.contains(at))
        .map(|(_, p)| p);
        let Some(pane) = pane else { return };
        match mouse.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let before = self.focus;
                self.focus = pane;
                let delta = if mouse.kind == MouseEventKind::ScrollDown {
                    3
                } else {
                    -3
                };
                if matches!(pane, Pane::Source | Pane::Detail) {
                    self.move_by(delta);
                }
                self.focus = before;
            }
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = pane;
                let rect = match pane {
                    Pane::Files => areas.files,
                    Pane::Findings => areas.findings,
                    _ => return,
                };
                let row = usize::from(mouse.row.saturating_sub(rect.y + 1));
                match pane {
                    Pane::Findings => {
                        if let Some(index) = super::draw::finding_at_row(self, row) {
                            self.select(index);
                        }
                    }
                    Pane::Files => {
                        if let Some(file) = super::draw::file_at_row(self, row) {
                            self.open_file = Some(file);
                            self.sync_tree_to_open_file();
                            self.source_scroll = 0;
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        self.prepare_view();
    }

    /// The selected finding's fix diff, when [`App::prepare_view`] made it for the
    /// analysis and selection on screen.
    pub fn selected_fix_diff(&self) -> Option<&Result<String, String>> {
        match &self.fix_diff {
            Some((version, i, diff))
                if *version == self.index.version && Some(*i) == self.selected =>
            {
                Some(diff)
            }
            _ => None,
        }
    }

    /// Highlights what the source pane is about to show and diffs the selected
    /// finding's fix (drawing never does work).
    pub fn prepare_view(&mut self) {
        if self.selected_fix_diff().is_none() {
            self.fix_diff = self.analysis.as_ref().and_then(|a| {
                let i = self.selected?;
                let fix = a.findings.get(i)?.fix.as_ref()?;
                let diff = fix.diff(&a.workspace).map_err(|e| e.to_string());
                Some((self.index.version, i, diff))
            });
        }
        let height = usize::from(self.areas().source.height);
        let Some(analysis) = &self.analysis else {
            return;
        };
        let Some(file) = self
            .open_file
            .and_then(|id| analysis.workspace.files.get(id))
        else {
            return;
        };
        let upto = self.source_scroll + height + 1;
        self.highlight.prepare(&file.path, &file.text, upto);
    }
}

fn editor(target: EditTarget, text: &str) -> Mode {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.lines().map(str::to_string).collect()
    };
    let mut area = TextArea::new(lines);
    // Long notes wrap at words (a word longer than the box, at the box).
    area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    area.move_cursor(ratatui_textarea::CursorMove::Bottom);
    area.move_cursor(ratatui_textarea::CursorMove::End);
    Mode::Editor {
        target,
        area: Box::new(area),
    }
}

/// `~` and `~/…` as the home folder (`$HOME`); any other path as it is.
pub fn expand_home(path: &str) -> PathBuf {
    let home = || std::env::var_os("HOME").map(PathBuf::from);
    if path == "~" {
        return home().unwrap_or_else(|| PathBuf::from(path));
    }
    match (path.strip_prefix("~/"), home()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// Line editing in a prompt: cursor keys, `home`/`end` (`ctrl-a`/`ctrl-e`), backspace
/// and delete, `ctrl-u` (to the start), `ctrl-k` (to the end), `ctrl-w` (the word before
/// the cursor), and typing. Returns whether the key was one of these.
pub fn edit_line(input: &mut String, cursor: &mut usize, key: &KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let len = input.chars().count();
    *cursor = (*cursor).min(len);
    let byte = |s: &str, c: usize| s.char_indices().nth(c).map_or(s.len(), |(i, _)| i);
    match key.code {
        KeyCode::Left if !ctrl => *cursor = cursor.saturating_sub(1),
        KeyCode::Right if !ctrl => *cursor = (*cursor + 1).min(len),
        KeyCode::Home => *cursor = 0,
        KeyCode::End => *cursor = len,
        KeyCode::Char('a') if ctrl => *cursor = 0,
        KeyCode::Char('e') if ctrl => *cursor = len,
        KeyCode::Char('u') if ctrl => {
            let at = byte(input, *cursor);
            input.replace_range(..at, "");
            *cursor = 0;
        }
        KeyCode::Char('k') if ctrl => {
            let at = byte(input, *cursor);
            input.truncate(at);
        }
        KeyCode::Char('w') if ctrl => {
            let chars: Vec<char> = input.chars().collect();
            let mut start = *cursor;
            while start > 0 && chars[start - 1].is_whitespace() {
                start -= 1;
            }
            while start > 0 && !chars[start - 1].is_whitespace() && chars[start - 1] != '/' {
                start -= 1;
            }
            if start == *cursor && start > 0 {
                // Only a separator before the cursor: it goes.
                start -= 1;
            }
            let (a, b) = (byte(input, start), byte(input, *cursor));
            input.replace_range(a..b, "");
            *cursor = start;
        }
        KeyCode::Backspace if *cursor > 0 => {
            let (a, b) = (byte(input, *cursor - 1), byte(input, *cursor));
            input.replace_range(a..b, "");
            *cursor -= 1;
        }
        KeyCode::Backspace => {}
        KeyCode::Delete if *cursor < len => {
            let (a, b) = (byte(input, *cursor), byte(input, *cursor + 1));
            input.replace_range(a..b, "");
        }
        KeyCode::Delete => {}
        KeyCode::Char(c) if !ctrl && !c.is_control() => {
            let at = byte(input, *cursor);
            input.insert(at, c);
            *cursor += 1;
        }
        _ => return false,
    }
    true
}

/// `tab` in the export prompt: completes the folder name being typed before the cursor
/// (as far as the folders that match agree), with `/` when only one matches.
pub fn complete_folder(input: &mut String, cursor: &mut usize) {
    let chars: Vec<char> = input.chars().collect();
    let typed: String = chars[..(*cursor).min(chars.len())].iter().collect();
    let rest: String = chars[(*cursor).min(chars.len())..].iter().collect();
    let (dir_part, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed.as_str()),
    };
    let dir = if dir_part.is_empty() {
        PathBuf::from(".")
    } else {
        expand_home(dir_part)
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with(prefix) && (prefix.starts_with('.') || !n.starts_with('.')))
        .take(1000)
        .collect();
    names.sort();
    let Some(first) = names.first() else {
        return;
    };
    let mut common = first.clone();
    for n in &names[1..] {
        let len = common
            .chars()
            .zip(n.chars())
            .take_while(|(a, b)| a == b)
            .count();
        common = common.chars().take(len).collect();
    }
    if names.len() == 1 {
        common.push('/');
    }
    let completed = format!("{dir_part}{common}");
    *cursor = completed.chars().count();
    *input = format!("{completed}{rest}");
}
