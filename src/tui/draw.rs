//! Drawing: a pure function of the [`App`] state. No IO, no analysis; highlighting comes
//! from the cache that `update` filled.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use crate::review::Status;
use crate::rules;
use crate::sanitize::for_terminal;
use crate::workspace::FileId;

use super::app::{App, EditTarget, Grouping, Mode, Pane, PromptKind};
use super::highlight::{display_column, display_line, display_prefix};
use super::keymap::help_sections;
use super::theme::Theme;

pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let areas = if app.zoom {
        super::layout::zoomed(frame.area(), app.focus)
    } else {
        super::layout::areas(frame.area(), app.focus)
    };
    if let Some(tabs) = areas.tabs {
        draw_tabs(frame, app, tabs);
    }
    for (pane, rect) in [
        (Pane::Files, areas.files),
        (Pane::Source, areas.source),
        (Pane::Findings, areas.findings),
        (Pane::Detail, areas.detail),
    ] {
        if rect.width == 0 || rect.height == 0 {
            continue;
        }
        match pane {
            Pane::Files => draw_files(frame, app, rect),
            Pane::Source => draw_source(frame, app, rect),
            Pane::Findings => draw_findings(frame, app, rect),
            Pane::Detail => draw_detail(frame, app, rect),
        }
    }
    draw_status(frame, app, areas.status);
    match &app.mode {
        Mode::Normal => {}
        Mode::Help => draw_help(frame, app),
        Mode::ConfirmQuit => draw_confirm_quit(frame, app),
        Mode::ConfirmBulk {
            status,
            rule,
            fingerprints,
        } => draw_confirm_bulk(frame, app, *status, rule, fingerprints.len()),
        Mode::Messages => draw_messages(frame, app),
        Mode::Filter => draw_filter(frame, app),
        Mode::Prompt {
            kind,
            input,
            cursor,
            replace,
        } => draw_prompt(frame, app, kind, input, *cursor, *replace),
        Mode::Editor { target, area } => {
            let rect = centered(frame.area(), 70, 14);
            frame.render_widget(Clear, rect);
            let title = match target {
                EditTarget::Annotate(_) => {
                    " Note (root cause) — ctrl-s save · esc cancel · ctrl-e $EDITOR ".to_string()
                }
                EditTarget::Reject(_) => {
                    " Reason for rejecting (optional) — ctrl-s save · esc cancel · ctrl-e $EDITOR "
                        .to_string()
                }
                EditTarget::Strengths => {
                    " What went right — ctrl-s save · esc cancel · ctrl-e $EDITOR ".to_string()
                }
                EditTarget::Summary => format!(
                    " Review summary · score {} (ctrl-↑/↓) — ctrl-s save · esc cancel ",
                    app.review
                        .score
                        .map_or("–".to_string(), |s| format!("{s}/10"))
                ),
            };
            let block = pane_block(&app.theme, &title, true);
            let inner = block.inner(rect);
            frame.render_widget(block, rect);
            frame.render_widget(&**area, inner);
        }
    }
    super::colors::degrade(frame.buffer_mut(), app.color_depth);
}

fn pane_block<'a>(theme: &Theme, title: &str, focused: bool) -> Block<'a> {
    let border = if focused {
        theme.fg("border.focused")
    } else {
        theme.fg("border")
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(Span::styled(
            title.to_string(),
            theme.fg("title").add_modifier(Modifier::BOLD),
        ))
}

fn severity_key(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "finding.critical",
        Severity::High => "finding.high",
        Severity::Medium => "finding.medium",
        Severity::Low => "finding.low",
    }
}

/// One letter per severity: visible without colour.
fn severity_letter(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "C",
        Severity::High => "H",
        Severity::Medium => "M",
        Severity::Low => "L",
    }
}

fn status_icon(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::Pending => ("·", "status.pending"),
        Status::Accepted => ("✓", "status.accepted"),
        Status::Rejected => ("✗", "status.rejected"),
    }
}

fn draw_tabs(frame: &mut Frame<'_>, app: &App, rect: Rect) {
    let mut spans = Vec::new();
    for pane in Pane::ORDER {
        let style = if pane == app.focus {
            app.theme
                .fg("border.focused")
                .add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            app.theme.fg("muted")
        };
        spans.push(Span::styled(format!(" {} ", pane.title()), style));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(
        "1-4 or tab: pane · z zoom",
        app.theme.fg("muted"),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), rect);
}

/// Rows of the file list: folder headings and files.
enum TreeRow {
    Dir(String),
    File(FileId),
}

fn tree_rows(app: &App) -> Vec<TreeRow> {
    let Some(analysis) = &app.analysis else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    let mut last_dir: Option<&str> = None;
    for id in app.tree_files() {
        let file = &analysis.workspace.files[id];
        let dir = file.dir();
        if last_dir != Some(dir) && !dir.is_empty() {
            rows.push(TreeRow::Dir(dir.to_string()));
        }
        last_dir = Some(dir);
        rows.push(TreeRow::File(id));
    }
    rows
}

/// The file shown at `row` (0-based, inside the border) of the file list.
pub fn file_at_row(app: &App, row: usize) -> Option<FileId> {
    let rows = tree_rows(app);
    let skip = list_offset(
        app.tree_row_of_selection(&rows),
        rows.len(),
        app.areas().files.height,
    );
    match rows.get(row + skip)? {
        TreeRow::File(id) => Some(*id),
        TreeRow::Dir(_) => None,
    }
}

impl App {
    fn tree_row_of_selection(&self, rows: &[TreeRow]) -> usize {
        rows.iter()
            .position(|r| matches!(r, TreeRow::File(id) if Some(*id) == self.open_file))
            .unwrap_or(0)
    }
}

/// First row to show so that `selected` stays in a pane of `height` (with borders).
fn list_offset(selected: usize, len: usize, height: u16) -> usize {
    let inner = usize::from(height.saturating_sub(2)).max(1);
    if len <= inner || selected < inner / 2 {
        0
    } else {
        (selected - inner / 2).min(len - inner)
    }
}

fn draw_files(frame: &mut Frame<'_>, app: &App, rect: Rect) {
    let theme = &app.theme;
    let block = pane_block(theme, " Files ", app.focus == Pane::Files);
    let Some(analysis) = &app.analysis else {
        frame.render_widget(Paragraph::new("analysing…").block(block), rect);
        return;
    };
    let rows = tree_rows(app);
    let selected_row = app.tree_row_of_selection(&rows);
    let skip = list_offset(selected_row, rows.len(), rect.height);
    // Findings per file and severity, counted once.
    let mut per_file = vec![[0usize; 4]; analysis.workspace.files.len()];
    for f in &analysis.findings {
        if let Some(counts) = per_file.get_mut(f.file) {
            let sev = Severity::ALL_DESCENDING
                .iter()
                .position(|s| *s == f.severity)
                .unwrap_or(0);
            counts[sev] += 1;
        }
    }
    let mut lines = Vec::new();
    // Only the rows on screen are built.
    let shown = usize::from(rect.height.saturating_sub(2));
    for (i, row) in rows.iter().enumerate().skip(skip).take(shown) {
        match row {
            TreeRow::Dir(dir) => lines.push(Line::from(Span::styled(
                format!("{}/", for_terminal(dir)),
                theme.fg("muted").add_modifier(Modifier::BOLD),
            ))),
            TreeRow::File(id) => {
                let file = &analysis.workspace.files[*id];
                let name = file.path.rsplit('/').next().unwrap_or(&file.path);
                let indent = if file.dir().is_empty() { "" } else { "  " };
                let mut counts = Vec::new();
                for (k, sev) in Severity::ALL_DESCENDING.into_iter().enumerate() {
                    let n = per_file.get(*id).map_or(0, |c| c[k]);
                    if n > 0 {
                        counts.push(Span::styled(
                            format!(" {n}{}", severity_letter(sev)),
                            theme.fg(severity_key(sev)),
                        ));
                    }
                }
                // The counts always show; a long name gives way.
                let counts_width: usize = counts.iter().map(|c| c.content.chars().count()).sum();
                let room = usize::from(rect.width.saturating_sub(2))
                    .saturating_sub(counts_width + indent.len());
                let shown = for_terminal(name);
                let shown: String = if shown.chars().count() > room {
                    let keep: String = shown.chars().take(room.saturating_sub(1)).collect();
                    format!("{keep}…")
                } else {
                    shown.into_owned()
                };
                let mut spans = vec![Span::styled(format!("{indent}{shown}"), theme.fg("text"))];
                spans.extend(counts);
                let mut line = Line::from(spans);
                if i == selected_row {
                    line = line.style(theme.selection());
                }
                lines.push(line);
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

fn draw_source(frame: &mut Frame<'_>, app: &App, rect: Rect) {
    let theme = &app.theme;
    let Some(analysis) = &app.analysis else {
        frame.render_widget(
            Paragraph::new("analysing…").block(pane_block(theme, " Source ", false)),
            rect,
        );
        return;
    };
    if let Some(md) = &app.markdown {
        let title = format!(
            " {} (Markdown) · m: back to the code ",
            for_terminal(&md.path)
        );
        let height = usize::from(rect.height.saturating_sub(2));
        let width = md.text.lines().count().to_string().len();
        // The severity letters of the findings, at their lines of the Markdown.
        let mut marks: std::collections::HashMap<usize, Severity> = Default::default();
        for f in &analysis.findings {
            let Some(file) = analysis.workspace.files.get(f.file) else {
                continue;
            };
            let line = analysis.position(f).0.0;
            if let Some(origin) = file.origin_at(line).filter(|o| o.path == md.path) {
                let e = marks.entry(origin.line).or_insert(f.severity);
                *e = (*e).max(f.severity);
            }
        }
        let lines: Vec<Line<'_>> = md
            .text
            .lines()
            .enumerate()
            .skip(app.source_scroll)
            .take(height)
            .map(|(i, l)| {
                let mark = match marks.get(&(i + 1)) {
                    Some(&sev) => Span::styled(
                        severity_letter(sev),
                        theme.fg(severity_key(sev)).add_modifier(Modifier::BOLD),
                    ),
                    None => Span::raw(" "),
                };
                Line::from(vec![
                    Span::styled(format!("{:>width$} ", i + 1), theme.fg("gutter")),
                    mark,
                    Span::raw(" "),
                    Span::styled(display_line(l), theme.fg("text")),
                ])
            })
            .collect();
        frame.render_widget(
            Paragraph::new(lines).block(pane_block(theme, &title, app.focus == Pane::Source)),
            rect,
        );
        return;
    }
    let Some(file) = app
        .open_file
        .and_then(|id| analysis.workspace.files.get(id))
    else {
        frame.render_widget(
            Paragraph::new("no file").block(pane_block(theme, " Source ", false)),
            rect,
        );
        return;
    };
    let title = format!(" {} ", for_terminal(&file.path));
    let block = pane_block(theme, &title, app.focus == Pane::Source);
    if let Some(problem) = &file.problem {
        let text = format!("This file was not analysed: it {problem}.");
        frame.render_widget(
            Paragraph::new(text).style(theme.fg("warning")).block(block),
            rect,
        );
        return;
    }
    let id = app.open_file.unwrap_or(0);
    let selected = app.selected_finding().filter(|f| f.file == id);
    let span_lines = selected.map(|f| {
        let ((l, c), (el, ec)) = analysis.position(f);
        ((l, c), (el, ec))
    });
    let height = usize::from(rect.height.saturating_sub(2));
    let width = file.line_count().to_string().len();
    let shown = app.source_scroll + 1..=(app.source_scroll + height).min(file.line_count());
    let marks = gutter_marks(app, analysis, id, &shown);
    let mut lines = Vec::with_capacity(height);
    let room = usize::from(rect.width.saturating_sub(2)).saturating_sub(width + 3);
    // Only the columns that can be shown are built: a 5 MB line costs what 200 columns do.
    let limit = app.source_hscroll + room + 1;
    let highlighted = app.highlight.lines(&file.path, &file.text);
    for n in app.source_scroll..(app.source_scroll + height).min(file.line_count()) {
        let number = n + 1;
        let raw = file.slice(file.line_range(number));
        let mark = marks.get(n - app.source_scroll).copied().flatten();
        // A line the change (`--changed-since`) added or modified: `+` beside its number.
        let changed = app
            .changes
            .as_ref()
            .is_some_and(|c| c.changed_in(file, number));
        let mut spans = vec![
            Span::styled(format!("{number:>width$}"), theme.fg("gutter")),
            if changed {
                Span::styled("+", theme.fg("diff.added").add_modifier(Modifier::BOLD))
            } else {
                Span::raw(" ")
            },
            match mark {
                Some(sev) => Span::styled(
                    severity_letter(sev),
                    theme.fg(severity_key(sev)).add_modifier(Modifier::BOLD),
                ),
                None => Span::raw(" "),
            },
            Span::raw(" "),
        ];
        let (pieces, more) = match highlighted.and_then(|h| h.get(n)) {
            Some(p) if !theme.mono && !p.is_empty() => first_columns(p, limit),
            _ => {
                let (shown, more) = display_prefix(raw, limit);
                (vec![(theme.fg("text"), shown)], more)
            }
        };
        let emphasis = span_lines.and_then(|((l, c), (el, ec))| {
            if number < l || number > el {
                return None;
            }
            let from = if number == l {
                display_column(raw, c.saturating_sub(1), limit)
            } else {
                0
            };
            let to = if number == el {
                display_column(raw, ec.saturating_sub(1), limit).max(from + 1)
            } else {
                display_column(raw, usize::MAX, limit).max(from + 1)
            };
            Some((from, to))
        });
        spans.extend(clip(
            apply_emphasis(pieces, emphasis, theme.span()),
            app.source_hscroll,
            room,
            more,
            theme.fg("muted").add_modifier(Modifier::BOLD),
        ));
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The highlighted pieces of a line cut to its first `limit` display columns, and whether
/// any were cut off.
fn first_columns(pieces: &[(Style, String)], limit: usize) -> (Vec<(Style, String)>, bool) {
    let mut out = Vec::new();
    let mut col = 0;
    for (i, (style, text)) in pieces.iter().enumerate() {
        if col >= limit {
            return (out, pieces[i..].iter().any(|(_, t)| !t.is_empty()));
        }
        let len = text.chars().take(limit - col + 1).count();
        if col + len > limit {
            out.push((*style, text.chars().take(limit - col).collect()));
            return (out, true);
        }
        out.push((*style, text.clone()));
        col += len;
    }
    (out, false)
}

/// The columns `skip..skip + room` of a line's spans: `‹` in the first column when text
/// is scrolled off to the left, `›` in the last when more follows on the right (or
/// `more` says the spans were cut).
fn clip(
    spans: Vec<Span<'static>>,
    skip: usize,
    room: usize,
    more: bool,
    marker: Style,
) -> Vec<Span<'static>> {
    let total: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    if skip == 0 && total <= room && !more {
        return spans;
    }
    let mut out = Vec::new();
    let mut at = 0;
    let end = skip + room;
    for span in spans {
        let len = span.content.chars().count();
        let (from, to) = (at.max(skip), (at + len).min(end));
        if from < to {
            let text: String = span
                .content
                .chars()
                .skip(from - at)
                .take(to - from)
                .collect();
            out.push(Span::styled(text, span.style));
        }
        at += len;
        if at >= end {
            break;
        }
    }
    let shown: usize = out.iter().map(|s| s.content.chars().count()).sum();
    let replace_end = |out: &mut Vec<Span<'static>>, first: bool, mark: &'static str| {
        let i = if first {
            0
        } else {
            out.len().saturating_sub(1)
        };
        if let Some(span) = out.get_mut(i) {
            let mut chars: Vec<char> = span.content.chars().collect();
            if chars.is_empty() {
                return;
            }
            if first {
                chars.remove(0);
            } else {
                chars.pop();
            }
            let rest: String = chars.into_iter().collect();
            let style = span.style;
            if first {
                *span = Span::styled(rest, style);
                out.insert(0, Span::styled(mark, marker));
            } else {
                *span = Span::styled(rest, style);
                out.push(Span::styled(mark, marker));
            }
        }
    };
    if skip > 0 && shown > 0 {
        replace_end(&mut out, true, "‹");
    }
    if (total > end || more) && shown > 0 {
        replace_end(&mut out, false, "›");
    }
    out
}

/// Splits the pieces so that display columns `from..to` carry the emphasis style.
fn apply_emphasis(
    pieces: Vec<(Style, String)>,
    range: Option<(usize, usize)>,
    emphasis: Style,
) -> Vec<Span<'static>> {
    let Some((from, to)) = range else {
        return pieces
            .into_iter()
            .map(|(s, t)| Span::styled(t, s))
            .collect();
    };
    let mut out = Vec::new();
    let mut col = 0;
    for (style, text) in pieces {
        let mut current = String::new();
        let mut current_in = None;
        for ch in text.chars() {
            let inside = col >= from && col < to;
            if current_in != Some(inside) && !current.is_empty() {
                let s = if current_in == Some(true) {
                    style.patch(emphasis)
                } else {
                    style
                };
                out.push(Span::styled(std::mem::take(&mut current), s));
            }
            current_in = Some(inside);
            current.push(ch);
            col += 1;
        }
        if !current.is_empty() {
            let s = if current_in == Some(true) {
                style.patch(emphasis)
            } else {
                style
            };
            out.push(Span::styled(current, s));
        }
    }
    if col < to {
        // The span reaches past the end of the line: show it.
        out.push(Span::styled(" ", emphasis));
    }
    out
}

/// The most severe finding on each of the lines `shown` (1-based) of `file`: from the
/// file's findings in the list index (sorted by where they start), only those that start
/// before the last line shown.
fn gutter_marks(
    app: &App,
    analysis: &Analysis,
    file: FileId,
    shown: &std::ops::RangeInclusive<usize>,
) -> Vec<Option<Severity>> {
    let mut marks = vec![None; shown.clone().count()];
    let Some(source) = analysis.workspace.files.get(file) else {
        return marks;
    };
    let before_end = if *shown.end() < source.line_count() {
        source.line_range(shown.end() + 1).start
    } else {
        usize::MAX
    };
    let by_file = &app.index.by_file;
    let first = by_file.partition_point(|&i| analysis.findings[i].file < file);
    for &i in &by_file[first..] {
        let f = &analysis.findings[i];
        if f.file != file || f.span.start >= before_end {
            break;
        }
        let ((l, _), (el, _)) = analysis.position(f);
        for line in l.max(*shown.start())..=el.min(*shown.end()) {
            let mark = &mut marks[line - shown.start()];
            *mark = (*mark).max(Some(f.severity));
        }
    }
    marks
}

/// Rows of the findings list: group headings and findings.
enum ListRow {
    Heading(String, Severity),
    Finding(usize),
    /// A decision whose finding an edit made disappear (its fingerprint).
    Resolved(String),
}

fn list_rows(app: &App) -> Vec<ListRow> {
    let Some(analysis) = &app.analysis else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    // What an edit just resolved comes first, where the reviewer is looking.
    let resolved = app.resolved();
    if !resolved.is_empty() {
        rows.push(ListRow::Heading(
            format!("RESOLVED ({})", resolved.len()),
            Severity::Low,
        ));
        rows.extend(
            resolved
                .into_iter()
                .map(|(fp, _)| ListRow::Resolved(fp.clone())),
        );
    }
    // A heading where the group changes; its text is made only there.
    let mut last: Option<(Severity, FileId)> = None;
    for i in app.visible() {
        let f = &analysis.findings[i];
        let group = match app.grouping {
            Grouping::Severity => (f.severity, 0),
            Grouping::File => (Severity::Low, f.file),
        };
        if last != Some(group) {
            let heading = match app.grouping {
                Grouping::Severity => f.severity.title().to_uppercase(),
                Grouping::File => analysis.path(f).to_string(),
            };
            rows.push(ListRow::Heading(heading, f.severity));
            last = Some(group);
        }
        rows.push(ListRow::Finding(i));
    }
    rows
}

/// The finding shown at `row` (0-based, inside the border) of the findings list.
pub fn finding_at_row(app: &App, row: usize) -> Option<usize> {
    let rows = list_rows(app);
    let selected = selected_list_row(app, &rows);
    let skip = list_offset(selected, rows.len(), app.areas().findings.height);
    match rows.get(row + skip)? {
        ListRow::Finding(i) => Some(*i),
        ListRow::Heading(..) | ListRow::Resolved(_) => None,
    }
}

fn selected_list_row(app: &App, rows: &[ListRow]) -> usize {
    rows.iter()
        .position(|r| matches!(r, ListRow::Finding(i) if Some(*i) == app.selected))
        .unwrap_or(0)
}

fn draw_findings(frame: &mut Frame<'_>, app: &App, rect: Rect) {
    let theme = &app.theme;
    let Some(analysis) = &app.analysis else {
        frame.render_widget(
            Paragraph::new("analysing…").block(pane_block(theme, " Findings ", false)),
            rect,
        );
        return;
    };
    let visible = app.visible().len();
    let mut title = format!(" Findings {visible}/{} ", analysis.findings.len());
    if !app.filter.is_default() {
        title.push_str("(filtered) ");
    }
    if let Some(changes) = &app.changes {
        title.push_str(&format!("since {} ", for_terminal(&changes.rev)));
    }
    let rows = list_rows(app);
    // Findings an edit resolved are listed first; scrolled out of view, the title says
    // they are there.
    let resolved_rows = rows
        .iter()
        .take_while(|r| !matches!(r, ListRow::Finding(_)))
        .filter(|r| matches!(r, ListRow::Resolved(_)))
        .count();
    let first_skip = if rows.is_empty() {
        0
    } else {
        list_offset(selected_list_row(app, &rows), rows.len(), rect.height)
    };
    if resolved_rows > 0 && first_skip > 0 {
        title.push_str(&format!("↑ {resolved_rows} resolved (g) "));
    }
    let block = pane_block(theme, &title, app.focus == Pane::Findings);
    if rows.is_empty() {
        let text = if analysis.findings.is_empty() {
            "No findings."
        } else {
            "No finding matches the filter (f, /)."
        };
        frame.render_widget(
            Paragraph::new(text).style(theme.fg("muted")).block(block),
            rect,
        );
        return;
    }
    let selected = selected_list_row(app, &rows);
    let skip = list_offset(selected, rows.len(), rect.height);
    let mut lines = Vec::new();
    // Only the rows on screen are built.
    let on_screen = usize::from(rect.height.saturating_sub(2));
    for (r, row) in rows.iter().enumerate().skip(skip).take(on_screen) {
        match row {
            ListRow::Resolved(fp) => {
                let Some(d) = app.review.decisions.get(fp) else {
                    continue;
                };
                let (icon, icon_key) = status_icon(d.status);
                lines.push(Line::from(vec![
                    Span::styled(format!(" {icon} "), theme.fg(icon_key)),
                    Span::styled(
                        "R ",
                        theme.fg("status.resolved").add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(
                        for_terminal(&d.finding.title).into_owned(),
                        theme.fg("muted").add_modifier(Modifier::CROSSED_OUT),
                    ),
                    Span::styled("  resolved", theme.fg("status.resolved")),
                ]));
            }
            ListRow::Heading(text, sev) => {
                let style = match app.grouping {
                    Grouping::Severity if text.starts_with("RESOLVED") => {
                        theme.fg("status.resolved")
                    }
                    Grouping::Severity => theme.fg(severity_key(*sev)),
                    Grouping::File => theme.fg("muted"),
                }
                .add_modifier(Modifier::BOLD);
                lines.push(Line::from(Span::styled(
                    for_terminal(text).into_owned(),
                    style,
                )));
            }
            ListRow::Finding(i) => {
                let f = &analysis.findings[*i];
                let (icon, icon_key) = status_icon(app.status_of(f));
                let new_mark = if analysis.is_stale(f) {
                    Span::styled("STALE ", theme.fg("muted").add_modifier(Modifier::BOLD))
                } else if app.is_new(f) {
                    Span::styled("NEW ", theme.fg("status.new").add_modifier(Modifier::BOLD))
                } else {
                    Span::raw("")
                };
                let mut line = Line::from(vec![
                    new_mark,
                    Span::styled(format!(" {icon} "), theme.fg(icon_key)),
                    Span::styled(
                        format!("{} ", severity_letter(f.severity)),
                        theme
                            .fg(severity_key(f.severity))
                            .add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(for_terminal(&f.title).into_owned(), theme.fg("text")),
                    Span::styled(format!("  {}", f.rule), theme.fg("muted")),
                ]);
                if r == selected {
                    line = line.style(theme.selection());
                }
                lines.push(line);
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// Prose wrapped at word boundaries to `width` columns; a word longer than a line (a
/// URL) gets a line of its own and is broken only where it cannot fit at all.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let (lw, ww) = (line.chars().count(), word.chars().count());
        if lw > 0 && lw + 1 + ww > width {
            out.push(std::mem::take(&mut line));
        }
        if ww > width {
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            let chars: Vec<char> = word.chars().collect();
            for chunk in chars.chunks(width) {
                out.push(chunk.iter().collect());
            }
            continue;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// A diff line cut into pieces of `width` columns, each continuation starting with the
/// line's own `+`, `-` or space, so that no piece loses what it is.
pub fn wrap_diff(line: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= width {
        return vec![line.to_string()];
    }
    let mark = match chars.first() {
        Some(c @ ('+' | '-' | ' ')) if !line.starts_with("+++") && !line.starts_with("---") => *c,
        _ => ' ',
    };
    let mut out = vec![chars[..width].iter().collect::<String>()];
    for chunk in chars[width..].chunks(width - 1) {
        let mut piece = String::with_capacity(width);
        piece.push(mark);
        piece.extend(chunk);
        out.push(piece);
    }
    out
}

/// At most this many rows of one diff line are shown in the detail pane.
const DIFF_ROWS: usize = 8;

/// How many rows the detail of the selected finding takes in a pane of `area` (borders
/// included), wrapped as it is drawn: what its scrolling stops at.
pub fn detail_rows(app: &App, area: ratatui::layout::Rect) -> usize {
    let (Some(analysis), Some(f)) = (&app.analysis, app.selected_finding()) else {
        return 0;
    };
    let width = area.width.saturating_sub(2).max(1);
    Paragraph::new(detail_text(app, f, analysis, usize::from(width)))
        .wrap(Wrap { trim: false })
        .line_count(width)
}

fn detail_text(app: &App, f: &Finding, analysis: &Analysis, width: usize) -> Text<'static> {
    let prose = |text: &str, style: Style| -> Vec<Line<'static>> {
        text.lines()
            .flat_map(|l| wrap_words(&for_terminal(l), width))
            .map(|l| Line::from(Span::styled(l, style)))
            .collect()
    };
    let theme = &app.theme;
    let fp = f.fingerprint(&analysis.workspace);
    let ((line, col), _) = analysis.position(f);
    let status = app.review.status(&fp);
    let (icon, icon_key) = status_icon(status);
    let mut lines = vec![
        Line::from(Span::styled(
            for_terminal(&f.title).into_owned(),
            theme.fg("title").add_modifier(Modifier::BOLD),
        )),
        Line::from(vec![
            Span::styled(
                f.severity.title().to_string(),
                theme
                    .fg(severity_key(f.severity))
                    .add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!(
                    " · {} ({}) · {}:{line}:{col} ",
                    f.rule,
                    rules::find(f.rule).map_or("", |r| r.class().as_str()),
                    for_terminal(analysis.path(f))
                ),
                theme.fg("muted"),
            ),
            Span::styled(
                format!("[{icon} {}]", status.as_str().to_uppercase()),
                theme.fg(icon_key),
            ),
        ]),
        Line::default(),
    ];
    lines.extend(prose(&f.message, theme.fg("text")));
    if !f.valid_names.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "Valid here (required first)",
            theme.fg("title").add_modifier(Modifier::BOLD),
        )));
        lines.extend(prose(&f.valid_names.join(", "), theme.fg("muted")));
    }
    let related = analysis.related_places(f);
    if !related.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "Related places",
            theme.fg("title").add_modifier(Modifier::BOLD),
        )));
        for (path, line, what) in related {
            lines.extend(prose(&format!("{path}:{line} {what}"), theme.fg("muted")));
        }
    }
    if let Some(note) = app.review.note(&fp) {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "Note",
            theme.fg("title").add_modifier(Modifier::BOLD),
        )));
        lines.extend(prose(note, theme.fg("text")));
    }
    lines.push(Line::default());
    match &f.fix {
        None => lines.push(Line::from(Span::styled(
            "No automatic fix.",
            theme.fg("muted"),
        ))),
        Some(fix) => {
            let safety = match fix.applicability {
                crate::finding::Applicability::Safe => "safe",
                crate::finding::Applicability::Unsafe => "unsafe: read before applying",
            };
            lines.push(Line::from(vec![
                Span::styled("Ideal fix ", theme.fg("title").add_modifier(Modifier::BOLD)),
                Span::styled(format!("({safety}): "), theme.fg("muted")),
                Span::styled(for_terminal(&fix.title).into_owned(), theme.fg("text")),
            ]));
            if app.show_diff {
                let made;
                let prepared = app
                    .selected_fix_diff()
                    .filter(|_| app.selected_finding().is_some_and(|s| std::ptr::eq(s, f)));
                let diff = match prepared {
                    Some(diff) => diff,
                    None => {
                        made = fix.diff(&analysis.workspace).map_err(|e| e.to_string());
                        &made
                    }
                };
                match diff {
                    Ok(diff) => {
                        for l in diff.lines() {
                            let key = if l.starts_with("+++")
                                || l.starts_with("---")
                                || l.starts_with("@@")
                            {
                                "diff.header"
                            } else if l.starts_with('+') {
                                "diff.added"
                            } else if l.starts_with('-') {
                                "diff.removed"
                            } else {
                                "text"
                            };
                            // A line of a generated file can be megabytes long: a few
                            // rows of it are shown, and how long it is.
                            let (shown, cut) = display_prefix(l, width * DIFF_ROWS);
                            for piece in wrap_diff(&shown, width) {
                                lines.push(Line::from(Span::styled(piece, theme.fg(key))));
                            }
                            if cut {
                                lines.push(Line::from(Span::styled(
                                    format!(
                                        " … the line goes on ({} in all)",
                                        crate::io::human_size(l.len() as u64)
                                    ),
                                    theme.fg("muted"),
                                )));
                            }
                        }
                    }
                    Err(e) => lines.push(Line::from(Span::styled(
                        format!("(cannot show the diff: {e})"),
                        theme.fg("warning"),
                    ))),
                }
            } else {
                lines.push(Line::from(Span::styled(
                    "d: show the diff",
                    theme.fg("muted"),
                )));
            }
        }
    }
    for (heading, section) in [
        ("Root cause", "Root cause"),
        ("Impact", "Impact"),
        ("Reference", "References"),
    ] {
        if let Some(text) = rules::doc_section(f.rule, section) {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                heading,
                theme.fg("title").add_modifier(Modifier::BOLD),
            )));
            if section == "References" {
                // One reference a line, without the list's bullets.
                for reference in text.lines().map(|l| l.trim().trim_start_matches("- ")) {
                    if !reference.is_empty() {
                        lines.extend(prose(reference, theme.fg("text")));
                    }
                }
            } else {
                lines.extend(prose(&text.replace('\n', " "), theme.fg("text")));
            }
        }
    }
    Text::from(lines)
}

fn draw_detail(frame: &mut Frame<'_>, app: &App, rect: Rect) {
    let theme = &app.theme;
    let block = pane_block(theme, " Detail ", app.focus == Pane::Detail);
    let (Some(analysis), Some(f)) = (&app.analysis, app.selected_finding()) else {
        frame.render_widget(
            Paragraph::new("Select a finding.")
                .style(theme.fg("muted"))
                .block(block),
            rect,
        );
        return;
    };
    let text = detail_text(app, f, analysis, usize::from(rect.width.saturating_sub(2)));
    let scroll = u16::try_from(app.detail_scroll).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        rect,
    );
}

/// One part of the status line, with how much it matters: where the line is too short,
/// the least important parts go first, and the message is cut (with `…`) to what is left.
struct Segment {
    /// Pieces in their own styles (the severity counts in their colours).
    parts: Vec<(String, Style)>,
    /// 0 matters most.
    priority: u8,
    /// A message: shortened rather than dropped.
    shrinks: bool,
}

impl Segment {
    fn new(text: String, style: Style, priority: u8) -> Segment {
        Segment {
            parts: vec![(text, style)],
            priority,
            shrinks: false,
        }
    }

    fn message(text: String, style: Style, priority: u8) -> Segment {
        Segment {
            shrinks: true,
            ..Segment::new(text, style, priority)
        }
    }

    fn width(&self) -> usize {
        self.parts.iter().map(|(t, _)| t.chars().count()).sum()
    }
}

/// The status line: mode, finding i/N and pending count, the search or filter (and how to
/// clear it), file:line, the message, counts and the watcher, and always `? help`.
fn draw_status(frame: &mut Frame<'_>, app: &App, rect: Rect) {
    let theme = &app.theme;
    let base = theme.statusline();
    let bold = base.add_modifier(Modifier::BOLD);
    let mode = match &app.mode {
        Mode::Normal if app.zoom => "ZOOM",
        Mode::Normal => "NORMAL",
        Mode::Help => "HELP",
        Mode::Filter => "FILTER",
        Mode::ConfirmQuit | Mode::ConfirmBulk { .. } => "CONFIRM",
        Mode::Messages => "MESSAGES",
        Mode::Prompt {
            kind: PromptKind::Search,
            ..
        } => "SEARCH",
        Mode::Prompt { .. } => "EXPORT",
        Mode::Editor { .. } => "EDIT",
    };
    let mut segs = vec![Segment::new(
        format!(" {mode} "),
        bold.add_modifier(Modifier::REVERSED),
        0,
    )];
    match &app.analysis {
        None => segs.push(Segment::new(" analysing… ".into(), base, 1)),
        Some(analysis) => status_segments(app, analysis, &mut segs),
    }
    if let Some(n) = app.notice.as_ref().filter(|n| !n.warning) {
        segs.push(Segment::message(
            format!(" {} ", for_terminal(&n.text)),
            base,
            4,
        ));
    }
    let help = " ? help ";
    let room = usize::from(rect.width).saturating_sub(help.chars().count());
    fit(&mut segs, room);
    let mut spans: Vec<Span<'_>> = Vec::new();
    for s in segs {
        spans.extend(s.parts.into_iter().map(|(t, style)| Span::styled(t, style)));
        spans.push(Span::styled("│", base));
    }
    spans.pop();
    frame.render_widget(Paragraph::new(Line::from(spans)).style(base), rect);
    let w = u16::try_from(help.chars().count()).unwrap_or(0);
    if rect.width >= w {
        frame.render_widget(
            Paragraph::new(Span::styled(help, bold)),
            Rect::new(rect.x + rect.width - w, rect.y, w, 1),
        );
    }
}

/// The status segments of an analysis: position, warning, search or filter, change,
/// file:line, then the workspace, counts and watcher.
fn status_segments(app: &App, analysis: &Analysis, segs: &mut Vec<Segment>) {
    let theme = &app.theme;
    let base = theme.statusline();
    let bold = base.add_modifier(Modifier::BOLD);
    let visible = app.visible();
    let at = app
        .selected
        .and_then(|s| visible.iter().position(|&v| v == s))
        .map_or("–".to_string(), |i| (i + 1).to_string());
    let counts = app.index.severity_counts;
    let (accepted, rejected, pending) = app.status_counts();
    segs.push(Segment::new(
        format!(" {at}/{} · {pending} pending ", visible.len()),
        bold,
        1,
    ));
    if let Some(w) = app.notice.as_ref().filter(|n| n.warning) {
        // Cut only when the position would otherwise go.
        segs.push(Segment::message(
            format!(" {} ", for_terminal(&w.text)),
            base.patch(theme.fg("warning")).add_modifier(Modifier::BOLD),
            2,
        ));
    }
    let accent = base.patch(theme.fg("title"));
    if !app.filter.search.is_empty() {
        segs.push(Segment::new(
            format!(" /{} (esc clears) ", for_terminal(&app.filter.search)),
            accent,
            2,
        ));
    } else if !app.filter.is_default() {
        segs.push(Segment::new(" filtered (esc clears) ".into(), accent, 2));
    }
    if let Some(changes) = &app.changes {
        segs.push(Segment::new(
            format!(" since {} ", for_terminal(&changes.rev)),
            base,
            2,
        ));
    }
    if let Some(f) = app.selected_finding() {
        let ((line, _), _) = analysis.position(f);
        segs.push(Segment::new(
            format!(" {}:{line} ", for_terminal(analysis.path(f))),
            base,
            3,
        ));
    }
    segs.push(Segment::new(
        format!(" {} ", for_terminal(&app.name)),
        bold,
        6,
    ));
    let mut parts: Vec<(String, Style)> = Severity::ALL_DESCENDING
        .iter()
        .enumerate()
        .map(|(i, sev)| {
            (
                format!(" {}{}", severity_letter(*sev), counts[i]),
                base.patch(theme.fg(severity_key(*sev)))
                    .add_modifier(Modifier::BOLD),
            )
        })
        .collect();
    let mut decisions = format!(" ✓{accepted} ✗{rejected} ·{pending} ");
    // What the last edits changed, beside the decisions.
    let resolved = app.resolved().len();
    if !app.new.is_empty() {
        decisions.push_str(&format!("+{} new ", app.new.len()));
    }
    if resolved > 0 {
        decisions.push_str(&format!("−{resolved} resolved "));
    }
    parts.push((decisions, base));
    segs.push(Segment {
        parts,
        priority: 5,
        shrinks: false,
    });
    let mut watch = format!(" {} ", app.watch_state);
    if let Some(last) = &app.last {
        watch.push_str(&format!(
            "· {} files ({} parsed) {} ms ",
            last.files, last.parsed, last.millis
        ));
    }
    segs.push(Segment::new(watch, base, 7));
}

/// Drops the least important segments (and cuts messages) until the line fits `room`.
fn fit(segs: &mut Vec<Segment>, room: usize) {
    let width = |segs: &[Segment]| -> usize { segs.iter().map(|s| s.width() + 1).sum() };
    loop {
        let total = width(segs);
        if total <= room {
            return;
        }
        let over = total - room;
        // The least important part that can go; a message less important than it is
        // cut first.
        let least = segs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.priority > 0)
            .max_by_key(|(i, s)| (s.priority, !s.shrinks, *i))
            .map(|(i, _)| i);
        let Some(i) = least else { return };
        if segs[i].shrinks {
            let len = segs[i].width();
            if len > over + 4 {
                let text = cut(&segs[i].parts[0].0, len - over);
                segs[i].parts[0].0 = text;
                continue;
            }
        }
        segs.remove(i);
    }
}

/// `text` cut to `max` characters, ending in `…`.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(2)).collect();
    out.push_str("… ");
    out
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(10);
    let h = height.min(area.height.saturating_sub(2)).max(3);
    Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w,
        h,
    )
}

fn draw_help(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    let key_style = app.theme.fg("title").add_modifier(Modifier::BOLD);
    let heading = app
        .theme
        .fg("text")
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    // Each section a block of lines, kept whole in one column.
    let mut blocks: Vec<Vec<Line<'_>>> = help_sections(&app.keymap)
        .into_iter()
        .map(|(name, rows)| {
            let mut lines = vec![Line::from(Span::styled(name, heading))];
            lines.extend(rows.into_iter().map(|(keys, what)| {
                Line::from(vec![
                    Span::styled(format!("{keys:>12} "), key_style),
                    Span::styled(what, app.theme.fg("text")),
                ])
            }));
            lines.push(Line::from(""));
            lines
        })
        .collect();
    blocks.push(vec![Line::from(Span::styled(
        "Mouse: click a row, pane or tab; the wheel scrolls.",
        app.theme.fg("muted"),
    ))]);
    const COLUMN: u16 = 46;
    let columns = usize::from((area.width.saturating_sub(2) / COLUMN).clamp(1, 3));
    // The cut of the sections into at most `columns` runs whose longest is shortest.
    let sizes: Vec<usize> = blocks.iter().map(Vec::len).collect();
    let n = sizes.len();
    let run = |a: usize, b: usize| -> usize { sizes[a..b].iter().sum() };
    let mut best: (usize, Vec<usize>) = (run(0, n), vec![n]);
    for i in 1..n {
        if columns >= 2 {
            let h = run(0, i).max(run(i, n));
            if h < best.0 {
                best = (h, vec![i, n]);
            }
        }
        for j in i + 1..n {
            if columns >= 3 {
                let h = run(0, i).max(run(i, j)).max(run(j, n));
                if h < best.0 {
                    best = (h, vec![i, j, n]);
                }
            }
        }
    }
    let mut cols: Vec<Vec<Line<'_>>> = Vec::new();
    let mut blocks = blocks.into_iter();
    let mut at = 0;
    for end in best.1 {
        cols.push(blocks.by_ref().take(end - at).flatten().collect());
        at = end;
    }
    let width = (COLUMN * u16::try_from(cols.len()).unwrap_or(1) + 2).min(area.width);
    let longest = cols.iter().map(Vec::len).max().unwrap_or(0);
    let height = u16::try_from(longest + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = pane_block(
        &app.theme,
        " Keys — j/k scroll · any other key closes ",
        true,
    );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let shown = usize::from(inner.height);
    let scroll = app.help_scroll.min(longest.saturating_sub(shown));
    for (c, col) in cols.iter().enumerate() {
        let lines: Vec<Line<'_>> = col.iter().skip(scroll).take(shown).cloned().collect();
        let x = inner.x + COLUMN * u16::try_from(c).unwrap_or(0);
        let w = COLUMN.min(inner.width.saturating_sub(x - inner.x));
        frame.render_widget(
            Paragraph::new(lines),
            Rect::new(x, inner.y, w, inner.height),
        );
    }
    if longest > shown {
        let more = if scroll + shown < longest {
            " ↓ more: j "
        } else {
            " ↑ k "
        };
        let w = u16::try_from(more.chars().count()).unwrap_or(0);
        frame.render_widget(
            Paragraph::new(more).style(app.theme.fg("muted")),
            Rect::new(
                rect.x + rect.width.saturating_sub(w + 2),
                rect.y + rect.height.saturating_sub(1),
                w,
                1,
            ),
        );
    }
}

fn draw_filter(frame: &mut Frame<'_>, app: &App) {
    let rect = centered(frame.area(), 44, 12);
    frame.render_widget(Clear, rect);
    let f = &app.filter;
    let check = |on: bool| if on { "[x]" } else { "[ ]" };
    let mut lines = Vec::new();
    for (i, (key, sev)) in ["c", "h", "m", "l"]
        .iter()
        .zip(Severity::ALL_DESCENDING)
        .enumerate()
    {
        lines.push(Line::from(vec![
            Span::raw(format!(" {key}  {} ", check(f.severities[i]))),
            Span::styled(sev.title(), app.theme.fg(severity_key(sev))),
        ]));
    }
    for (key, on, label) in [
        ("p", f.pending, "pending"),
        ("a", f.accepted, "accepted"),
        ("r", f.rejected, "rejected"),
    ] {
        lines.push(Line::from(format!(" {key}  {} {label}", check(on))));
    }
    lines.push(Line::from(Span::styled(
        " 0 reset · esc close",
        app.theme.fg("muted"),
    )));
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(&app.theme, " Filter ", true)),
        rect,
    );
}

fn draw_confirm_quit(frame: &mut Frame<'_>, app: &App) {
    let rect = centered(frame.area(), 70, 7);
    frame.render_widget(Clear, rect);
    let reason = app.unsaved.as_deref().unwrap_or("");
    let text = vec![
        Line::from(Span::styled(
            "Your last decisions are NOT SAVED:",
            app.theme.fg("text").add_modifier(Modifier::BOLD),
        )),
        Line::from(Span::styled(
            for_terminal(reason).into_owned(),
            app.theme.fg("muted"),
        )),
        Line::from(""),
        Line::from(" w try saving again · y quit and lose them · esc stay"),
    ];
    frame.render_widget(
        Paragraph::new(text)
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(pane_block(&app.theme, " Quit without saving? ", true)),
        rect,
    );
}

fn draw_prompt(
    frame: &mut Frame<'_>,
    app: &App,
    kind: &PromptKind,
    input: &str,
    cursor: usize,
    replace: bool,
) {
    let rect = centered(frame.area(), 70, 3);
    frame.render_widget(Clear, rect);
    let title = match kind {
        PromptKind::Search if replace => {
            " Search findings — type to replace · ← edit · enter keep · esc clear "
        }
        PromptKind::Search => " Search findings — enter keep · esc clear ",
        PromptKind::Export => {
            " Export the review as Markdown to — enter write · tab complete · esc cancel "
        }
    };
    let chars: Vec<char> = input.chars().collect();
    let at = cursor.min(chars.len());
    let before: String = chars[..at].iter().collect();
    let under: String = chars.get(at).map_or(" ".to_string(), char::to_string);
    let after: String = chars
        .get(at + 1..)
        .map_or(String::new(), |c| c.iter().collect());
    // The end of a long input stays in view.
    let room = usize::from(rect.width.saturating_sub(3));
    let before = for_terminal(&before).into_owned();
    let before: String = {
        let n = before.chars().count();
        if n > room {
            format!("…{}", before.chars().skip(n - room + 1).collect::<String>())
        } else {
            before
        }
    };
    // The current query, selected: what typing replaces.
    let before_style = if replace {
        app.theme.fg("title").add_modifier(Modifier::REVERSED)
    } else {
        Style::new()
    };
    let line = Line::from(vec![
        Span::styled(before, before_style),
        Span::styled(
            for_terminal(&under).into_owned(),
            Style::new().add_modifier(Modifier::REVERSED),
        ),
        Span::raw(for_terminal(&after).into_owned()),
    ]);
    frame.render_widget(
        Paragraph::new(line).block(pane_block(&app.theme, title, true)),
        rect,
    );
}

fn draw_confirm_bulk(frame: &mut Frame<'_>, app: &App, status: Status, rule: &str, count: usize) {
    let rect = centered(frame.area(), 64, 6);
    frame.render_widget(Clear, rect);
    let verb = match status {
        Status::Accepted => "Accept",
        Status::Rejected => "Reject",
        Status::Pending => "Reset",
    };
    let text = vec![
        Line::from(format!(
            "{verb} the {count} pending finding{} of {rule}?",
            if count == 1 { "" } else { "s" }
        )),
        Line::from(""),
        Line::from(" y yes · any other key no · u undoes it afterwards"),
    ];
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .block(pane_block(
                &app.theme,
                " Decide every finding of a rule ",
                true,
            )),
        rect,
    );
}

fn draw_messages(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    let rect = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(4),
    );
    frame.render_widget(Clear, rect);
    let inner_height = usize::from(rect.height.saturating_sub(2));
    let lines: Vec<Line<'_>> = if app.messages.is_empty() {
        vec![Line::from("No message yet.")]
    } else {
        // The newest, at the bottom.
        let skip = app.messages.len().saturating_sub(inner_height);
        app.messages[skip..]
            .iter()
            .map(|m| {
                let style = if m.warning {
                    app.theme.fg("warning")
                } else {
                    app.theme.fg("text")
                };
                Line::from(Span::styled(for_terminal(&m.text).into_owned(), style))
            })
            .collect()
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane_block(&app.theme, " Messages — any key closes ", true)),
        rect,
    );
}

#[cfg(test)]
mod wrap_tests {
    use super::*;

    #[test]
    fn diff_lines_keep_their_sign_on_every_piece() {
        let line = format!("+{}", "a".repeat(25));
        assert_eq!(
            wrap_diff(&line, 10),
            vec![
                "+aaaaaaaaa".to_string(),
                "+aaaaaaaaa".into(),
                "+aaaaaaa".into()
            ]
        );
        assert_eq!(wrap_diff("-short", 10), vec!["-short".to_string()]);
        assert_eq!(wrap_diff(&format!(" {}", "b".repeat(12)), 10)[1], " bbb");
    }

    #[test]
    fn prose_wraps_at_words_and_a_url_keeps_a_line_of_its_own() {
        let text = "see https://registry.terraform.io/providers/hashicorp/aws/latest for it";
        let lines = wrap_words(text, 30);
        assert_eq!(lines[0], "see");
        assert!(lines[1].starts_with("https://registry.terraform.io/"));
        assert_eq!(wrap_words("one two three", 8), vec!["one two", "three"]);
    }
}
