//! Where each pane goes for a terminal size: three columns from 110 columns up (files,
//! source, findings over detail), tabs with one pane at a time below that. Both `draw`
//! and mouse handling use this one function.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

use super::app::Pane;

/// Narrower terminals show one pane at a time, as tabs.
pub const WIDE: u16 = 110;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    /// The tab bar, in the narrow layout.
    pub tabs: Option<Rect>,
    pub files: Rect,
    pub source: Rect,
    pub findings: Rect,
    pub detail: Rect,
    pub status: Rect,
}

/// `z`: the focused pane over the whole screen but the status line.
pub fn zoomed(size: Rect, focus: Pane) -> Areas {
    let [main, status] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(1), Constraint::Length(1)])
        .areas(size);
    one_pane(None, main, status, focus)
}

/// The areas when one pane (the focused one) has the screen: zoomed, or tabs.
fn one_pane(tabs: Option<Rect>, pane: Rect, status: Rect, focus: Pane) -> Areas {
    let mut a = Areas {
        tabs,
        status,
        ..Areas::default()
    };
    match focus {
        Pane::Files => a.files = pane,
        Pane::Source => a.source = pane,
        Pane::Findings => a.findings = pane,
        Pane::Detail => a.detail = pane,
    }
    a
}

pub fn areas(size: Rect, focus: Pane) -> Areas {
    let [main, status] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(1), Constraint::Length(1)])
        .areas(size);
    if size.width >= WIDE {
        let files_width = (size.width * 18 / 100).clamp(20, 36);
        let [files, source, right] = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([
                Constraint::Length(files_width),
                Constraint::Fill(1),
                Constraint::Percentage(40),
            ])
            .areas(main);
        let [findings, detail] = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Percentage(45), Constraint::Percentage(55)])
            .areas(right);
        Areas {
            tabs: None,
            files,
            source,
            findings,
            detail,
            status,
        }
    } else {
        let [tabs, pane] = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Length(1), Constraint::Min(1)])
            .areas(main);
        one_pane(Some(tabs), pane, status, focus)
    }
}
