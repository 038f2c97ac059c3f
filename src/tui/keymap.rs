//! Key bindings as data: every [`Action`] with its description, the default table, and
//! the help text generated from them. Views never match on key codes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key does in the normal mode of the workbench.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Move down in the focused pane.
    Down,
    /// Move up in the focused pane.
    Up,
    /// Move down by a page.
    PageDown,
    /// Move up by a page.
    PageUp,
    /// Go to the first item.
    Top,
    /// Go to the last item.
    Bottom,
    /// Focus the next pane.
    NextPane,
    /// Focus the previous pane.
    PrevPane,
    /// Open: a file in the source pane, a finding in the detail pane.
    Open,
    /// Select the next finding, across files.
    NextFinding,
    /// Select the previous finding, across files.
    PrevFinding,
    /// Select the next pending finding (wrapping around).
    NextPending,
    /// Select the previous pending finding (wrapping around).
    PrevPending,
    /// Focus a pane by its number.
    FocusFiles,
    FocusSource,
    FocusFindings,
    FocusDetail,
    /// Give the focused pane the whole screen (and back).
    Zoom,
    /// Scroll the source left or right (long lines).
    ScrollLeft,
    ScrollRight,
    /// Accept the selected finding as a failure.
    Accept,
    /// Reject the selected finding, with an optional reason.
    Reject,
    /// Write a note on the selected finding (its root cause in the export).
    Annotate,
    /// Accept every pending finding of the selected finding's rule (asks first).
    AcceptRule,
    /// Reject every pending finding of the selected finding's rule (asks first).
    RejectRule,
    /// Undo the last decision.
    Undo,
    ApplyFix,
    ApplyAccepted,
    /// Show or hide the fix diff in the detail pane.
    ToggleDiff,
    /// Show the Markdown an extracted file comes from, at the same place (and back).
    ToggleMarkdown,
    /// Filter the findings by severity and status.
    Filter,
    /// Search the findings.
    Search,
    /// Clear the search and the filter.
    ClearFilter,
    /// Group the findings by severity or by file.
    ToggleGrouping,
    /// Edit the review summary and quality score.
    EditSummary,
    EditStrengths,
    /// Export the review as Markdown.
    Export,
    /// Show or hide this help.
    Help,
    /// Show the messages of this session.
    Messages,
    /// Quit (every decision is already saved).
    Quit,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Down,
        Action::Up,
        Action::PageDown,
        Action::PageUp,
        Action::Top,
        Action::Bottom,
        Action::NextPane,
        Action::PrevPane,
        Action::Open,
        Action::NextFinding,
        Action::PrevFinding,
        Action::NextPending,
        Action::PrevPending,
        Action::FocusFiles,
        Action::FocusSource,
        Action::FocusFindings,
        Action::FocusDetail,
        Action::Zoom,
        Action::ScrollLeft,
        Action::ScrollRight,
        Action::Accept,
        Action::Reject,
        Action::Annotate,
        Action::AcceptRule,
        Action::RejectRule,
        Action::Undo,
        Action::ApplyFix,
        Action::ApplyAccepted,
        Action::ToggleDiff,
        Action::ToggleMarkdown,
        Action::Filter,
        Action::Search,
        Action::ClearFilter,
        Action::ToggleGrouping,
        Action::EditSummary,
        Action::EditStrengths,
        Action::Export,
        Action::Help,
        Action::Messages,
        Action::Quit,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Action::Down => "move down",
            Action::Up => "move up",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::Top => "first item",
            Action::Bottom => "last item",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::Open => "open file / finding",
            Action::NextFinding => "next finding (wraps)",
            Action::PrevFinding => "previous finding (wraps)",
            Action::NextPending => "next pending finding",
            Action::PrevPending => "previous pending finding",
            Action::FocusFiles => "focus files",
            Action::FocusSource => "focus source",
            Action::FocusFindings => "focus findings",
            Action::FocusDetail => "focus detail",
            Action::Zoom => "zoom the focused pane",
            Action::ScrollLeft => "source: scroll left",
            Action::ScrollRight => "source: scroll right",
            Action::Accept => "accept, then next pending",
            Action::Reject => "reject (reason), then next",
            Action::Annotate => "note (root cause)",
            Action::AcceptRule => "accept all pending of this rule",
            Action::RejectRule => "reject all pending of this rule",
            Action::Undo => "undo the last decision or fix",
            Action::ApplyFix => "write the selected fix to disk",
            Action::ApplyAccepted => "write all accepted fixes to disk",
            Action::ToggleDiff => "show / hide the fix diff",
            Action::ToggleMarkdown => "answer file / its Markdown",
            Action::Filter => "filter by severity and status",
            Action::Search => "search findings",
            Action::ClearFilter => "clear search and filter",
            Action::ToggleGrouping => "group by severity / file",
            Action::EditSummary => "edit summary and score",
            Action::EditStrengths => "edit what went right",
            Action::Export => "export the review (Markdown)",
            Action::Help => "help",
            Action::Messages => "messages of this session",
            Action::Quit => "quit",
        }
    }
}

/// One key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    pub fn label(self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Down => "↓".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageDown => "pgdn".into(),
            KeyCode::PageUp => "pgup".into(),
            KeyCode::Home => "home".into(),
            KeyCode::End => "end".into(),
            KeyCode::Tab => "tab".into(),
            KeyCode::BackTab => "shift-tab".into(),
            KeyCode::Enter => "enter".into(),
            KeyCode::Esc => "esc".into(),
            other => format!("{other:?}").to_lowercase(),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("ctrl-{name}")
        } else {
            name
        }
    }
}

/// The default bindings, in the order the help shows them.
pub fn default_keymap() -> Vec<(Key, Action)> {
    use KeyCode::*;
    let ch = |c| Key::plain(Char(c));
    vec![
        (ch('j'), Action::Down),
        (Key::plain(Down), Action::Down),
        (ch('k'), Action::Up),
        (Key::plain(Up), Action::Up),
        (Key::plain(PageDown), Action::PageDown),
        (
            Key {
                code: Char('d'),
                modifiers: KeyModifiers::CONTROL,
            },
            Action::PageDown,
        ),
        (Key::plain(PageUp), Action::PageUp),
        (
            Key {
                code: Char('u'),
                modifiers: KeyModifiers::CONTROL,
            },
            Action::PageUp,
        ),
        (ch('g'), Action::Top),
        (Key::plain(Home), Action::Top),
        (ch('G'), Action::Bottom),
        (Key::plain(End), Action::Bottom),
        (Key::plain(Tab), Action::NextPane),
        (Key::plain(BackTab), Action::PrevPane),
        (Key::plain(Enter), Action::Open),
        (ch('n'), Action::NextFinding),
        (ch('N'), Action::PrevFinding),
        (ch(']'), Action::NextPending),
        (ch('['), Action::PrevPending),
        (ch('1'), Action::FocusFiles),
        (ch('2'), Action::FocusSource),
        (ch('3'), Action::FocusFindings),
        (ch('4'), Action::FocusDetail),
        (ch('z'), Action::Zoom),
        (ch('h'), Action::ScrollLeft),
        (Key::plain(Left), Action::ScrollLeft),
        (ch('l'), Action::ScrollRight),
        (Key::plain(Right), Action::ScrollRight),
        (ch('a'), Action::Accept),
        (ch('x'), Action::Reject),
        (ch('c'), Action::Annotate),
        (ch('A'), Action::AcceptRule),
        (ch('X'), Action::RejectRule),
        (ch('u'), Action::Undo),
        (ch('F'), Action::ApplyFix),
        (ch('P'), Action::ApplyAccepted),
        (ch('d'), Action::ToggleDiff),
        (ch('m'), Action::ToggleMarkdown),
        (ch('f'), Action::Filter),
        (ch('/'), Action::Search),
        (Key::plain(Esc), Action::ClearFilter),
        (ch('s'), Action::ToggleGrouping),
        (ch('S'), Action::EditSummary),
        (ch('W'), Action::EditStrengths),
        (ch('e'), Action::Export),
        (ch('?'), Action::Help),
        (ch('L'), Action::Messages),
        (ch('q'), Action::Quit),
        (
            Key {
                code: Char('c'),
                modifiers: KeyModifiers::CONTROL,
            },
            Action::Quit,
        ),
    ]
}

/// The action bound to a key event, if any. Shift is folded into the character.
pub fn lookup(keymap: &[(Key, Action)], event: &KeyEvent) -> Option<Action> {
    let modifiers = event.modifiers - KeyModifiers::SHIFT;
    keymap
        .iter()
        .find(|(k, _)| k.code == event.code && k.modifiers == modifiers)
        .map(|(_, a)| *a)
}

/// The groups of the help, each with its actions, in order.
pub const GROUPS: &[(&str, &[Action])] = &[
    (
        "Move",
        &[
            Action::Down,
            Action::Up,
            Action::PageDown,
            Action::PageUp,
            Action::Top,
            Action::Bottom,
            Action::NextPane,
            Action::PrevPane,
            Action::FocusFiles,
            Action::FocusSource,
            Action::FocusFindings,
            Action::FocusDetail,
            Action::Zoom,
            Action::ScrollLeft,
            Action::ScrollRight,
            Action::Open,
        ],
    ),
    (
        "Findings",
        &[
            Action::NextFinding,
            Action::PrevFinding,
            Action::NextPending,
            Action::PrevPending,
            Action::Search,
            Action::Filter,
            Action::ClearFilter,
            Action::ToggleGrouping,
            Action::ToggleDiff,
            Action::ToggleMarkdown,
        ],
    ),
    (
        "Decide",
        &[
            Action::Accept,
            Action::Reject,
            Action::Annotate,
            Action::AcceptRule,
            Action::RejectRule,
            Action::Undo,
            Action::ApplyFix,
            Action::ApplyAccepted,
        ],
    ),
    (
        "Review",
        &[
            Action::EditSummary,
            Action::EditStrengths,
            Action::Export,
            Action::Messages,
            Action::Help,
            Action::Quit,
        ],
    ),
];

/// The keys of the filter (`f`): `(key, what it toggles)`. The filter's handler matches
/// on this table, so the help cannot drift from it.
pub const FILTER_KEYS: &[(char, &str)] = &[
    ('c', "critical"),
    ('h', "high"),
    ('m', "medium"),
    ('l', "low"),
    ('p', "pending"),
    ('a', "accepted"),
    ('r', "rejected"),
    ('0', "show everything"),
];

/// The help: for each group, `(keys, description)` of its actions, generated from the
/// keymap; then the filter's keys and the editors' keys.
pub fn help_sections(keymap: &[(Key, Action)]) -> Vec<(&'static str, Vec<(String, String)>)> {
    let rows = help_rows(keymap);
    let mut out: Vec<(&'static str, Vec<(String, String)>)> = GROUPS
        .iter()
        .map(|(name, actions)| {
            let items = actions
                .iter()
                .filter_map(|a| {
                    let i = Action::ALL.iter().position(|x| x == a)?;
                    let (keys, what) = &rows[i];
                    Some((keys.clone(), (*what).to_string()))
                })
                .collect();
            (*name, items)
        })
        .collect();
    let filter_key = keymap
        .iter()
        .find(|(_, a)| *a == Action::Filter)
        .map_or("f".to_string(), |(k, _)| k.label());
    out.push((
        "In the filter",
        FILTER_KEYS
            .iter()
            .map(|(k, what)| (format!("{filter_key} {k}"), format!("toggle {what}")))
            .chain(std::iter::once((
                "esc enter".to_string(),
                "close the filter".to_string(),
            )))
            .collect(),
    ));
    out.push((
        "In editors and prompts",
        vec![
            ("ctrl-s".into(), "save the text".into()),
            ("esc".into(), "cancel".into()),
            ("ctrl-e".into(), "edit in $EDITOR".into()),
            ("ctrl-u".into(), "delete to the start (prompts)".into()),
            ("ctrl-w".into(), "delete a word (prompts)".into()),
            ("← → home end".into(), "move the cursor (prompts)".into()),
            ("tab".into(), "complete a folder (export)".into()),
        ],
    ));
    out
}

/// `(keys, description)` for every action, generated from the keymap.
pub fn help_rows(keymap: &[(Key, Action)]) -> Vec<(String, &'static str)> {
    Action::ALL
        .iter()
        .map(|action| {
            let keys: Vec<String> = keymap
                .iter()
                .filter(|(_, a)| a == action)
                .map(|(k, _)| k.label())
                .collect();
            (keys.join(" "), action.describe())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_key_and_keys_are_unique() {
        let map = default_keymap();
        for action in Action::ALL {
            assert!(
                map.iter().any(|(_, a)| a == action),
                "{action:?} has no key"
            );
        }
        for (i, (k, _)) in map.iter().enumerate() {
            assert!(
                !map[i + 1..].iter().any(|(k2, _)| k2 == k),
                "{k:?} bound twice"
            );
        }
    }

    #[test]
    fn the_help_groups_hold_every_action_once() {
        let grouped: Vec<Action> = GROUPS.iter().flat_map(|(_, a)| a.iter().copied()).collect();
        for action in Action::ALL {
            assert_eq!(
                grouped.iter().filter(|a| *a == action).count(),
                1,
                "{action:?}"
            );
        }
        assert_eq!(grouped.len(), Action::ALL.len());
    }

    #[test]
    fn shifted_letters_and_control_keys_are_found() {
        let map = default_keymap();
        let ev = |code, m| KeyEvent::new(code, m);
        assert_eq!(
            lookup(&map, &ev(KeyCode::Char('N'), KeyModifiers::SHIFT)),
            Some(Action::PrevFinding)
        );
        assert_eq!(
            lookup(&map, &ev(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::PageDown)
        );
        assert_eq!(
            lookup(&map, &ev(KeyCode::Char('d'), KeyModifiers::NONE)),
            Some(Action::ToggleDiff)
        );
        assert_eq!(
            lookup(&map, &ev(KeyCode::Char('y'), KeyModifiers::NONE)),
            None
        );
    }
}
