//! Screens of the workbench on ratatui's `TestBackend`, driven by the same key events a
//! user types: the opening screen, a finding with its diff, the annotation editor, the
//! help overlay, the 80×24 layout, and a file full of escape sequences.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use tfreview::review::{ReviewStore, Status};
use tfreview::tui::app::App;
use tfreview::tui::draw::draw;
use tfreview::tui::theme::Theme;

struct Bench {
    app: App,
    _review_dir: tempfile::TempDir,
}

fn open(path: &std::path::Path, width: u16, height: u16) -> Bench {
    let review_dir = tempfile::tempdir().unwrap();
    let store = ReviewStore::at(review_dir.path().join("review.json"));
    let mut app = App::new(path.to_path_buf(), store, Theme::load("dark").unwrap()).unwrap();
    app.size = Rect::new(0, 0, width, height);
    app.set_analysis(tfreview::analyse(path, &tfreview::Target::Auto).unwrap());
    Bench {
        app,
        _review_dir: review_dir,
    }
}

fn sample(name: &str, width: u16, height: u16) -> Bench {
    open(
        &common::manifest_dir().join("sample-workspaces").join(name),
        width,
        height,
    )
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    terminal.draw(|f| draw(f, app)).unwrap();
    terminal.backend().to_string()
}

fn key(app: &mut App, code: KeyCode) {
    app.handle(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn ctrl(app: &mut App, c: char) {
    app.handle(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

#[test]
fn opening_screen_of_the_seed_004_sample() {
    let b = sample("zero-trust-iam-kms", 140, 40);
    insta::assert_snapshot!(screen(&b.app));
}

#[test]
fn a_selected_finding_shows_its_span_and_diff() {
    let mut b = sample("zero-trust-iam-kms", 140, 40);
    key(&mut b.app, KeyCode::Char('/'));
    keys(&mut b.app, "prefix");
    key(&mut b.app, KeyCode::Enter);
    let f = b.app.selected_finding().unwrap();
    assert_eq!(f.rule, "log-group-name-inconsistent");
    let s = screen(&b.app);
    assert!(
        s.contains("--- a/cloudwatch_logs.tf") && s.contains("@@ -27,7 +27,7 @@"),
        "{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn annotation_editor_saves_the_note_and_decisions_can_be_undone() {
    let mut b = sample("zero-trust-iam-kms", 140, 40);
    key(&mut b.app, KeyCode::Char('c'));
    keys(&mut b.app, "Ordering bug: ");
    key(&mut b.app, KeyCode::Enter);
    keys(&mut b.app, "the key policy is separate.");
    insta::assert_snapshot!(screen(&b.app));
    ctrl(&mut b.app, 's');
    let fp = b.app.selected_fingerprint().unwrap();
    assert_eq!(
        b.app.review.note(&fp),
        Some("Ordering bug: \nthe key policy is separate.")
    );
    key(&mut b.app, KeyCode::Char('a'));
    assert_eq!(b.app.review.status(&fp), Status::Accepted);
    key(&mut b.app, KeyCode::Char('u'));
    assert_eq!(b.app.review.status(&fp), Status::Pending);
    assert!(
        b.app.review.note(&fp).is_some(),
        "undoing the accept keeps the note"
    );
    // Saved to disk after every change.
    let (saved, _) = b.app.store.load().unwrap();
    assert_eq!(saved, b.app.review);
}

#[test]
fn help_overlay_is_generated_from_the_keymap() {
    let mut b = sample("zero-trust-iam-kms", 140, 40);
    key(&mut b.app, KeyCode::Char('?'));
    let s = screen(&b.app);
    for row in tfreview::tui::keymap::help_rows(&b.app.keymap) {
        assert!(s.contains(row.1), "help lacks `{}`:\n{s}", row.1);
    }
    insta::assert_snapshot!(s);
}

#[test]
fn small_terminals_get_tabs() {
    let mut b = sample("multi-account-security", 80, 24);
    insta::assert_snapshot!("80x24_findings", screen(&b.app));
    key(&mut b.app, KeyCode::Tab);
    insta::assert_snapshot!("80x24_detail", screen(&b.app));
}

#[test]
fn file_contents_with_escape_sequences_are_shown_as_visible_escapes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "# \u{1b}]0;owned\u{7} title \u{1b}[2J clear \u{202e}reversed\nvariable \"unused\" {\n  default = \"\u{1b}[31mred\u{1b}[0m\"\n}\n",
    )
    .unwrap();
    let b = open(dir.path(), 120, 20);
    let s = screen(&b.app);
    assert!(!s.contains('\u{1b}') && !s.contains('\u{7}') && !s.contains('\u{202e}'));
    assert!(s.contains("\\x1b]0;owned\\x07"), "{s}");
    let s = s.replace(&b.app.name, "WORKSPACE");
    insta::assert_snapshot!(s);
}

#[test]
fn an_answer_file_toggles_to_its_markdown_at_the_same_place() {
    let mut b = open(
        &common::manifest_dir().join("tests/fixtures/rules/ideal-block-differs/fires"),
        120,
        30,
    );
    let f = b.app.selected_finding().unwrap();
    assert_eq!(
        b.app.analysis.as_ref().unwrap().path(f),
        "lib/MODEL_RESPONSE.md/main.tf",
        "answer files live under the Markdown file's name"
    );
    let before = screen(&b.app);
    assert!(before.contains("lib/MODEL_RESPONSE.md/"), "{before}");
    key(&mut b.app, KeyCode::Char('m'));
    let s = screen(&b.app);
    assert!(s.contains("lib/MODEL_RESPONSE.md (Markdown)"), "{s}");
    assert!(s.contains("```hcl"), "{s}");
    // The finding's severity letter is in the Markdown's gutter too, at its line.
    let (f, origin) = {
        let a = b.app.analysis.as_ref().unwrap();
        let f = b.app.selected_finding().unwrap();
        let line = a.position(f).0.0;
        (
            f.severity,
            a.workspace.files[f.file].origin_at(line).unwrap().line,
        )
    };
    let letter = &f.as_str()[..1].to_uppercase();
    assert!(
        s.lines()
            .any(|l| l.contains(&format!("{origin:>2} {letter} "))),
        "{origin} {letter}:\n{s}"
    );
    key(&mut b.app, KeyCode::Char('m'));
    assert_eq!(screen(&b.app), before, "back at the same place");
}

#[test]
fn the_mouse_selects_findings_and_files_and_the_wheel_scrolls() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut b = sample("zero-trust-iam-kms", 140, 40);
    let click = |column, row| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let areas = b.app.areas();
    // The findings list: a heading on the first row, then findings.
    let (x, y) = (areas.findings.x + 5, areas.findings.y + 3);
    b.app.handle(click(x, y));
    let second = b.app.selected_finding().unwrap().address.clone();
    b.app.handle(click(x, y + 1));
    assert_ne!(
        b.app.selected_finding().unwrap().address,
        second,
        "a click selects the row under it"
    );
    // A file in the file list opens it.
    b.app.handle(click(areas.files.x + 3, areas.files.y + 3));
    let open = b.app.open_file.unwrap();
    assert_eq!(
        b.app.analysis.as_ref().unwrap().workspace.files[open].path,
        "iam_roles.tf"
    );
    // The wheel over the source scrolls it.
    let before = b.app.source_scroll;
    b.app.handle(Event::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: areas.source.x + 10,
        row: areas.source.y + 5,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(b.app.source_scroll, before + 3);
}

#[test]
fn searching_a_class_name_lists_that_class() {
    let mut b = open(
        &common::manifest_dir().join("tests/fixtures/rules/resource-name-missing-suffix/fires"),
        120,
        40,
    );
    let all = b.app.visible().len();
    key(&mut b.app, KeyCode::Char('/'));
    keys(&mut b.app, "contract");
    let shown = b.app.visible();
    let analysis = b.app.analysis.as_ref().unwrap();
    assert!(
        !shown.is_empty() && shown.len() < all,
        "{} of {all}",
        shown.len()
    );
    for i in shown {
        let rule = tfreview::rules::find(analysis.findings[i].rule).unwrap();
        assert_eq!(rule.class().as_str(), "contract");
    }
}

/// A file that stops parsing at 80×24: the status line names it first, its findings
/// are marked STALE; quitting with a failed save asks before losing decisions.
#[test]
fn a_broken_file_and_an_unsaved_quit_at_80_by_24() {
    let dir =
        common::copy_to_temp(&common::manifest_dir().join("sample-workspaces/zero-trust-iam-kms"));
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let store = ReviewStore::at(blocker.path().join("review.json"));
    let mut app = App::new(
        dir.path().to_path_buf(),
        store,
        Theme::load("dark").unwrap(),
    )
    .unwrap();
    app.size = Rect::new(0, 0, 80, 24);
    let mut analyzer = tfreview::analysis::Analyzer::default();
    app.set_analysis(
        analyzer
            .analyse(dir.path(), &tfreview::Target::Plain)
            .unwrap(),
    );
    let kms = dir.path().join("kms.tf");
    let text = std::fs::read_to_string(&kms).unwrap();
    std::fs::write(
        &kms,
        format!("{text}\nresource \"aws_s3_bucket\" \"b\" {{\n"),
    )
    .unwrap();
    app.set_analysis(
        analyzer
            .analyse(dir.path(), &tfreview::Target::Plain)
            .unwrap(),
    );
    let s = screen(&app);
    let status = s.lines().last().unwrap();
    assert!(
        status.starts_with("\" NORMAL ") && status.contains("│ syntax error in kms.tf:"),
        "{s}"
    );
    // The stale finding, in the list (full width: the findings pane is the only one).
    key(&mut app, KeyCode::Char('/'));
    keys(&mut app, "principal");
    key(&mut app, KeyCode::Enter);
    assert!(screen(&app).contains("STALE"), "{}", screen(&app));

    // A decision that cannot be saved, then q: the question, not the exit.
    key(&mut app, KeyCode::Char('a'));
    key(&mut app, KeyCode::Char('q'));
    let s = screen(&app);
    assert!(
        s.contains("Quit without saving?") && s.contains("NOT SAVED"),
        "{s}"
    );
    // Temporary names vary from run to run.
    let tmp = |p: &std::path::Path| p.to_string_lossy().into_owned();
    let name = dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let s = s
        .replace(&tmp(blocker.path()), "/tmp/BLOCKER.")
        .replace(&name, "WORKSPACE.");
    insta::assert_snapshot!(s);
}

/// `tfreview PATH --changed-since REV`: the list holds only what the change introduced,
/// its title names the revision, and the changed lines carry `+` beside their numbers.
#[test]
fn a_change_shows_its_findings_and_marks_its_lines() {
    let mut b = sample("zero-trust-iam-kms", 140, 40);
    let analysis = b.app.analysis.as_ref().unwrap();
    let all = analysis.findings.len();
    // The change: lines 3–8 of kms.tf, and every finding but one known before it.
    let inside = analysis
        .findings
        .iter()
        .find(|f| analysis.path(f) == "kms.tf" && (3..=8).contains(&analysis.position(f).0.0));
    let new_elsewhere = analysis
        .findings
        .iter()
        .find(|f| analysis.path(f) == "cloudwatch_logs.tf")
        .unwrap();
    let before = analysis
        .findings
        .iter()
        .filter(|f| !std::ptr::eq(*f, new_elsewhere))
        .map(|f| f.fingerprint(&analysis.workspace))
        .collect();
    let mut lines = std::collections::BTreeMap::new();
    lines.insert("kms.tf".to_string(), vec![3..=8]);
    let expected = 1 + usize::from(inside.is_some());
    b.app.changes = Some(tfreview::changes::Changes {
        rev: "HEAD~1".into(),
        commit: String::new(),
        lines,
        before,
    });
    assert_eq!(b.app.visible().len(), expected, "of {all}");
    let s = screen(&b.app);
    assert!(
        s.contains(&format!("Findings {expected}/{all} since HEAD~1")),
        "{s}"
    );
    // Open kms.tf: lines 3 to 8 are marked, 2 and 9 are not.
    b.app.changes.as_mut().unwrap().before.clear();
    keys(&mut b.app, "/");
    keys(&mut b.app, "kms-key-policy-missing");
    key(&mut b.app, KeyCode::Enter);
    let s = screen(&b.app);
    assert!(s.contains(" kms.tf "), "{s}");
    for (n, marked) in [(2, false), (3, true), (8, true), (9, false)] {
        let row = s
            .lines()
            .find(|l| l.contains(&format!("│{n:>2}")))
            .unwrap_or_else(|| panic!("line {n} not on screen:\n{s}"));
        assert_eq!(
            row.contains(&format!("│{n:>2}+")),
            marked,
            "line {n}: {row}"
        );
    }
}

fn status_line(app: &App) -> String {
    screen(app)
        .lines()
        .last()
        .unwrap()
        .trim_matches('"')
        .to_string()
}

fn pending(app: &App) -> usize {
    let a = app.analysis.as_ref().unwrap();
    a.findings
        .iter()
        .filter(|f| app.status_of(f) == Status::Pending)
        .count()
}

/// The status line at every size says the mode, where the selection is in the list and
/// how many are pending, the search (and how to clear it), file:line, and `? help`.
#[test]
fn the_status_line_says_where_you_are_at_every_width() {
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        let mut b = sample("zero-trust-iam-kms", w, h);
        keys(&mut b.app, "/");
        keys(&mut b.app, "kms");
        key(&mut b.app, KeyCode::Enter);
        key(&mut b.app, KeyCode::Char('n'));
        let status = status_line(&b.app);
        let shown = b.app.visible().len();
        assert!(status.starts_with(" NORMAL │ 2/"), "{w}: {status}");
        assert!(
            status.contains(&format!("2/{shown} · 12 pending")),
            "{w}: {status}"
        );
        assert!(status.ends_with(" ? help "), "{w}: {status}");
        assert_eq!(status.chars().count(), usize::from(w));
        if w >= 120 {
            assert!(status.contains("/kms (esc clears)"), "{w}: {status}");
            let f = b.app.selected_finding().unwrap();
            let a = b.app.analysis.as_ref().unwrap();
            let place = format!("{}:{}", a.path(f), a.position(f).0.0);
            assert!(status.contains(&place), "{w}: {status}");
        }
        insta::assert_snapshot!(format!("status_{w}x{h}"), status);
    }
}

/// `a` accepts and moves on to the next pending finding; `]`/`[` step through pending
/// findings and say when they wrap; `esc` clears the search; `/` opens with the query.
#[test]
fn one_key_per_finding_and_pending_navigation() {
    let mut b = sample("zero-trust-iam-kms", 140, 40);
    let visible = b.app.visible();
    assert_eq!(b.app.selected, Some(visible[0]));
    key(&mut b.app, KeyCode::Char('a'));
    assert_eq!(b.app.selected, Some(visible[1]), "accepting moved on");
    key(&mut b.app, KeyCode::Char('a'));
    assert_eq!(b.app.selected, Some(visible[2]));
    assert_eq!(pending(&b.app), visible.len() - 2);
    // Undo goes back to the finding it undid, and its decision is gone.
    key(&mut b.app, KeyCode::Char('u'));
    assert_eq!(b.app.selected, Some(visible[1]));
    assert_eq!(pending(&b.app), visible.len() - 1);
    key(&mut b.app, KeyCode::Char('a'));
    assert_eq!(b.app.selected, Some(visible[2]));
    // `[` goes back to the previous pending one: before the two decided, so it wraps.
    key(&mut b.app, KeyCode::Char('['));
    assert_eq!(b.app.selected, Some(*visible.last().unwrap()));
    assert!(status_line(&b.app).contains("wrapped to the last pending finding"));
    key(&mut b.app, KeyCode::Char(']'));
    assert_eq!(b.app.selected, Some(visible[2]));
    assert!(status_line(&b.app).contains("wrapped to the first pending finding"));
    // `n` on the last finding wraps too, and says so.
    key(&mut b.app, KeyCode::Char('G'));
    key(&mut b.app, KeyCode::Char('n'));
    assert_eq!(b.app.selected, Some(visible[0]));
    assert!(status_line(&b.app).contains("wrapped to the first finding"));
    // A search, left with enter; `/` shows it again; esc in normal mode clears it.
    keys(&mut b.app, "/prefix");
    key(&mut b.app, KeyCode::Enter);
    assert_eq!(b.app.visible().len(), 1);
    keys(&mut b.app, "/");
    assert!(
        screen(&b.app).contains("prefix"),
        "the prompt holds the query"
    );
    key(&mut b.app, KeyCode::Enter);
    // Typing over the query replaces it; a cursor key first edits it.
    keys(&mut b.app, "/kms");
    key(&mut b.app, KeyCode::Enter);
    assert_eq!(b.app.filter.search, "kms");
    keys(&mut b.app, "/");
    key(&mut b.app, KeyCode::End);
    keys(&mut b.app, "_key");
    key(&mut b.app, KeyCode::Enter);
    assert_eq!(b.app.filter.search, "kms_key");
    key(&mut b.app, KeyCode::Esc);
    assert_eq!(b.app.visible().len(), visible.len());
    assert!(status_line(&b.app).contains("search and filter cleared"));
    // The setting off: a decision stays where it is.
    b.app.advance = false;
    let here = b.app.selected;
    key(&mut b.app, KeyCode::Char('x'));
    ctrl(&mut b.app, 's');
    assert_eq!(b.app.selected, here);
}

/// `A` asks, then accepts every pending finding of the selected rule; `u` undoes all of
/// them; undo after a reject with a reason restores the decision before it, note and all.
#[test]
fn a_whole_rule_at_once_and_undo_restores_whole_decisions() {
    let mut b = sample("zero-trust-iam-kms", 140, 40);
    let rule = b.app.selected_finding().unwrap().rule;
    let of_rule = |app: &App| {
        let a = app.analysis.as_ref().unwrap();
        a.findings
            .iter()
            .filter(|f| f.rule == rule && app.status_of(f) == Status::Accepted)
            .count()
    };
    let total = {
        let a = b.app.analysis.as_ref().unwrap();
        a.findings.iter().filter(|f| f.rule == rule).count()
    };
    assert!(total >= 3, "{rule}: {total}");
    key(&mut b.app, KeyCode::Char('A'));
    let s = screen(&b.app);
    assert!(
        s.contains("Decide every finding of a rule")
            && s.contains(&format!("Accept the {total} pending")),
        "{s}"
    );
    key(&mut b.app, KeyCode::Char('n'));
    assert_eq!(of_rule(&b.app), 0, "no without y");
    key(&mut b.app, KeyCode::Char('A'));
    key(&mut b.app, KeyCode::Char('y'));
    assert_eq!(of_rule(&b.app), total);
    assert!(status_line(&b.app).contains(&format!("accepted {total} findings of {rule}")));
    key(&mut b.app, KeyCode::Char('u'));
    assert_eq!(of_rule(&b.app), 0);
    // Annotated and accepted, then rejected with a reason, then undone: the note and the
    // acceptance are back.
    b.app.advance = false;
    key(&mut b.app, KeyCode::Char('c'));
    keys(&mut b.app, "the root cause");
    ctrl(&mut b.app, 's');
    key(&mut b.app, KeyCode::Char('a'));
    key(&mut b.app, KeyCode::Char('x'));
    keys(&mut b.app, "not a problem here");
    ctrl(&mut b.app, 's');
    let fp = b.app.selected_fingerprint().unwrap();
    assert_eq!(b.app.review.note(&fp), Some("not a problem here"));
    key(&mut b.app, KeyCode::Char('u'));
    assert_eq!(b.app.review.status(&fp), Status::Accepted);
    assert_eq!(b.app.review.note(&fp), Some("the root cause"));
}

/// The workbench opens on the first pending finding of a review in progress.
#[test]
fn a_restart_resumes_at_the_first_pending_finding() {
    let dir =
        common::copy_to_temp(&common::manifest_dir().join("sample-workspaces/zero-trust-iam-kms"));
    let open = || {
        let mut app = App::new(
            dir.path().to_path_buf(),
            ReviewStore::for_workspace(dir.path()),
            Theme::load("dark").unwrap(),
        )
        .unwrap();
        app.size = Rect::new(0, 0, 140, 40);
        app.set_analysis(tfreview::analyse(dir.path(), &tfreview::Target::Auto).unwrap());
        app
    };
    let mut app = open();
    let visible = app.visible();
    for _ in 0..3 {
        key(&mut app, KeyCode::Char('a'));
    }
    drop(app);
    let app = open();
    assert_eq!(app.selected, Some(visible[3]));
    assert!(status_line(&app).contains(&format!("4/{}", visible.len())));
}

/// `ctrl-c` quits like `q`; `1`–`4` focus panes, `z` zooms, a click on a tab focuses it;
/// `G` in the source stops with the last line at the bottom.
#[test]
fn quitting_panes_zoom_tabs_and_the_end_of_the_source() {
    use tfreview::tui::app::{Command, Pane};
    // 20 rows: the 35 lines of the file do not fit.
    let mut b = sample("zero-trust-iam-kms", 140, 20);
    key(&mut b.app, KeyCode::Char('2'));
    assert_eq!(b.app.focus, Pane::Source);
    key(&mut b.app, KeyCode::Char('G'));
    let lines = {
        let a = b.app.analysis.as_ref().unwrap();
        a.workspace.files[b.app.open_file.unwrap()].line_count()
    };
    let s = screen(&b.app);
    let rows: Vec<&str> = s.lines().collect();
    // The row above the pane's bottom border holds the last line.
    let last_row = rows[rows.len() - 3];
    assert!(
        last_row.contains(&format!("┃{lines:>2} ")),
        "the last line at the bottom:\n{s}"
    );
    key(&mut b.app, KeyCode::Char('z'));
    let s = screen(&b.app);
    assert!(
        s.starts_with("\"┏ cloudwatch_logs.tf") || s.starts_with("\"┏ "),
        "{s}"
    );
    assert!(
        !s.contains("Findings 12/12"),
        "zoomed: only the source\n{s}"
    );
    assert!(status_line(&b.app).starts_with(" ZOOM "));
    key(&mut b.app, KeyCode::Char('z'));
    key(&mut b.app, KeyCode::Char('4'));
    assert_eq!(b.app.focus, Pane::Detail);
    key(&mut b.app, KeyCode::Char('1'));
    assert_eq!(b.app.focus, Pane::Files);
    // Tabs at 80 columns: " Files " " Source " " Findings " " Detail ".
    let mut small = sample("zero-trust-iam-kms", 80, 24);
    let click = |app: &mut App, column: u16| {
        app.handle(Event::Mouse(crossterm::event::MouseEvent {
            kind: crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
            column,
            row: 0,
            modifiers: KeyModifiers::NONE,
        }));
    };
    click(&mut small.app, 3);
    assert_eq!(small.app.focus, Pane::Files);
    click(&mut small.app, 20);
    assert_eq!(small.app.focus, Pane::Findings);
    let quit = small.app.handle(Event::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(quit, Command::Quit);
}

/// The help at 80×24 scrolls, and every key of the keymap, the filter and the editors is
/// in it.
#[test]
fn the_help_is_complete_at_80_by_24() {
    let mut b = sample("zero-trust-iam-kms", 80, 24);
    key(&mut b.app, KeyCode::Char('?'));
    let mut seen = String::new();
    for _ in 0..80 {
        seen.push_str(&screen(&b.app));
        key(&mut b.app, KeyCode::Char('j'));
    }
    for (section, rows) in tfreview::tui::keymap::help_sections(&b.app.keymap) {
        assert!(seen.contains(section), "{section}");
        for (keys, what) in rows {
            assert!(seen.contains(&what), "help lacks `{what}`");
            assert!(
                seen.contains(&format!("{keys} {what}")),
                "`{keys}` beside `{what}`"
            );
        }
    }
    key(&mut b.app, KeyCode::Char('q'));
    assert!(matches!(b.app.mode, tfreview::tui::app::Mode::Normal));
}

/// The export prompt: `.tfreview/review.md` by default, line editing, `~` expanded.
#[test]
fn the_export_prompt_edits_like_a_shell_line() {
    use tfreview::tui::app::{edit_line, expand_home};
    let mut b = sample("zero-trust-iam-kms", 140, 40);
    key(&mut b.app, KeyCode::Char('e'));
    let s = screen(&b.app);
    assert!(s.contains(".tfreview/review.md"), "{s}");
    let ev = |code, m| KeyEvent::new(code, m);
    let mut line = String::from("/tmp/some dir/review.md");
    let mut cursor = line.chars().count();
    assert!(edit_line(
        &mut line,
        &mut cursor,
        &ev(KeyCode::Char('w'), KeyModifiers::CONTROL)
    ));
    assert_eq!(line, "/tmp/some dir/");
    edit_line(
        &mut line,
        &mut cursor,
        &ev(KeyCode::Left, KeyModifiers::NONE),
    );
    edit_line(
        &mut line,
        &mut cursor,
        &ev(KeyCode::Char('X'), KeyModifiers::NONE),
    );
    assert_eq!(line, "/tmp/some dirX/");
    edit_line(
        &mut line,
        &mut cursor,
        &ev(KeyCode::Char('u'), KeyModifiers::CONTROL),
    );
    assert_eq!((line.as_str(), cursor), ("/", 0));
    edit_line(
        &mut line,
        &mut cursor,
        &ev(KeyCode::Delete, KeyModifiers::NONE),
    );
    assert_eq!(line, "");
    if let Some(home) = std::env::var_os("HOME") {
        assert_eq!(
            expand_home("~/x.md"),
            std::path::PathBuf::from(home).join("x.md")
        );
    }
    assert_eq!(expand_home("a/~/b"), std::path::PathBuf::from("a/~/b"));
    // Enter writes to the default place, creating `.tfreview/`.
    key(&mut b.app, KeyCode::Enter);
    assert!(
        status_line(&b.app).contains("exported to"),
        "{}",
        status_line(&b.app)
    );
}

/// At 80 columns a span far to the right is scrolled into view when its finding is
/// selected, with `‹` where text is cut on the left and `›` on the right; `h`/`l` scroll.
#[test]
fn long_lines_scroll_sideways_with_markers() {
    let mut b = sample("multi-account-security", 80, 24);
    let index = {
        let a = b.app.analysis.as_ref().unwrap();
        a.findings
            .iter()
            .position(|f| a.path(f) == "kms.tf" && a.position(f).0 == (45, 73))
            .unwrap()
    };
    b.app.select(index);
    key(&mut b.app, KeyCode::Char('2'));
    let s = screen(&b.app);
    let row = s
        .lines()
        .find(|l| l.contains("45 "))
        .unwrap_or_else(|| panic!("line 45 not shown:\n{s}"));
    assert!(row.contains('‹'), "{row}");
    assert!(
        row.contains("var.secondary_region"),
        "the span is in view: {row}"
    );
    // Back to the start of the lines.
    for _ in 0..20 {
        key(&mut b.app, KeyCode::Char('h'));
    }
    assert_eq!(b.app.source_hscroll, 0);
    let s = screen(&b.app);
    let row = s.lines().find(|l| l.contains("45 ")).unwrap();
    assert!(!row.contains('‹') && row.contains('›'), "{row}");
    key(&mut b.app, KeyCode::Char('l'));
    assert_eq!(b.app.source_hscroll, 8);
}

/// A line of 300,000 characters (a generated string, with a tab and an escape at its
/// start) is shown as its first columns with `›`, scrolls sideways as far as it goes,
/// and its fix's diff shows a few rows of it and how long it is.
#[test]
fn a_line_of_300_000_characters_is_shown_cut() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("\t\u{1b}[2J{}", "abcdefghij".repeat(30_000));
    std::fs::write(
        dir.path().join("main.tf"),
        format!("locals {{\n  s = \"{long}\"\n}}\n"),
    )
    .unwrap();
    let mut b = open(dir.path(), 160, 60);
    let s = screen(&b.app);
    let row = s
        .lines()
        .find(|l| l.contains("2 ") && l.contains("s = "))
        .unwrap_or_else(|| panic!("line 2 not shown:\n{s}"));
    // The tab is four columns and the escape is visible, as on a short line.
    assert!(row.contains("s = \"    \\x1b[2Jabcdefghij"), "{row}");
    assert!(row.contains('›') && !row.contains('‹'), "{row}");
    assert!(s.contains("the line goes on (293.0 KB in all)"), "{s}");
    assert!(!s.contains('\u{1b}'), "{s}");
    key(&mut b.app, KeyCode::Char('2'));
    for _ in 0..3 {
        key(&mut b.app, KeyCode::Char('l'));
    }
    assert_eq!(b.app.source_hscroll, 24);
    let s = screen(&b.app);
    let row = s.lines().find(|l| l.contains("2 L")).unwrap();
    assert!(row.contains('‹') && row.contains('›'), "{row}");
    // Sideways as far as the widest line in view goes, and no further.
    b.app.source_hscroll = 299_990;
    for _ in 0..5 {
        key(&mut b.app, KeyCode::Char('l'));
    }
    // `  s = "`, the tab, `\x1b`, `[2J`, the letters and the closing quote.
    let widest = 7 + 4 + 4 + 3 + 300_000 + 1;
    assert_eq!(b.app.source_hscroll, widest - 8);
    let s = screen(&b.app);
    let row = s.lines().find(|l| l.contains("2 L")).unwrap();
    assert!(
        row.contains('‹') && !row.contains('›') && row.contains("ghij\""),
        "{row}"
    );
}

/// A long note wraps inside the editor instead of running off its right edge.
#[test]
fn the_note_editor_wraps_long_lines() {
    let mut b = sample("zero-trust-iam-kms", 120, 40);
    key(&mut b.app, KeyCode::Char('c'));
    keys(
        &mut b.app,
        "The model wrote the key policy before it knew which services would use the key, so the log groups were left out",
    );
    let s = screen(&b.app);
    assert!(s.contains("The model wrote the key policy"), "{s}");
    assert!(
        s.contains("were left out"),
        "the end of the note is on screen:\n{s}"
    );
}

/// What the workbench keeps between keys (the list narrowed letter by letter, the
/// status counts from the decisions and the indexed fingerprints) is what a fresh
/// computation gives: after each letter, a backspace, a decision and a clear.
#[test]
fn the_list_and_counts_kept_between_keys_agree_with_a_fresh_computation() {
    let mut b = sample("multi-account-security", 140, 40);
    let fresh = |app: &App| -> Vec<usize> {
        let a = app.analysis.as_ref().unwrap();
        let search = app.filter.search.to_lowercase();
        app.index
            .by_severity
            .iter()
            .copied()
            .filter(|&i| {
                let f = &a.findings[i];
                search.is_empty()
                    || format!(
                        "{}\n{}\n{}\n{}\n{}",
                        f.title,
                        f.message,
                        f.rule,
                        tfreview::rules::find(f.rule).unwrap().class().as_str(),
                        a.path(f)
                    )
                    .to_lowercase()
                    .contains(&search)
            })
            .collect()
    };
    let counts = |app: &App| {
        let a = app.analysis.as_ref().unwrap();
        let of = |s: Status| a.findings.iter().filter(|f| app.status_of(f) == s).count();
        (
            of(Status::Accepted),
            of(Status::Rejected),
            of(Status::Pending),
        )
    };
    key(&mut b.app, KeyCode::Char('a'));
    key(&mut b.app, KeyCode::Char('j'));
    key(&mut b.app, KeyCode::Char('r'));
    assert_eq!(b.app.status_counts(), counts(&b.app));
    assert_ne!(b.app.status_counts().2, b.app.visible().len());
    key(&mut b.app, KeyCode::Char('/'));
    let mut sizes = Vec::new();
    for c in "varia".chars() {
        key(&mut b.app, KeyCode::Char(c));
        assert_eq!(
            b.app.visible(),
            fresh(&b.app),
            "after {:?}",
            b.app.filter.search
        );
        sizes.push(b.app.visible().len());
    }
    key(&mut b.app, KeyCode::Backspace);
    assert_eq!(b.app.visible(), fresh(&b.app), "after a backspace");
    key(&mut b.app, KeyCode::Enter);
    key(&mut b.app, KeyCode::Esc);
    assert_eq!(b.app.visible(), fresh(&b.app), "after clearing");
    assert!(
        sizes[0] > *sizes.last().unwrap() && *sizes.last().unwrap() > 0,
        "the search narrows: {sizes:?}"
    );
    assert_eq!(b.app.status_counts(), counts(&b.app));
}

/// The rows of a screen without their quotes, pane borders and padding.
fn rows_of(s: &str) -> Vec<&str> {
    s.lines()
        .map(|l| l.trim_matches(|c| c == '"' || c == '┃' || c == '│').trim())
        .collect()
}

#[test]
fn a_rules_references_are_listed_one_a_line_in_the_detail() {
    let dir =
        common::manifest_dir().join("tests/fixtures/rules/launch-template-user-data-plain/fires");
    let mut b = open(&dir, 120, 80);
    key(&mut b.app, KeyCode::Char('/'));
    keys(&mut b.app, "not base64");
    key(&mut b.app, KeyCode::Enter);
    key(&mut b.app, KeyCode::Char('4'));
    key(&mut b.app, KeyCode::Char('z'));
    let s = screen(&b.app);
    let rows = rows_of(&s);
    let reference = rows
        .iter()
        .position(|r| *r == "Reference")
        .unwrap_or_else(|| panic!("{s}"));
    assert!(
        rows[reference + 1].starts_with(
            "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/launch_template"
        ),
        "{s}"
    );
    assert!(
        rows[reference + 2].starts_with("https://docs.aws.amazon.com/AWSEC2/"),
        "{s}"
    );
    assert!(!rows.contains(&"-"), "no bullet of its own:\n{s}");
    // In a short pane, scrolling stops with the last row at the bottom.
    b.app.size = Rect::new(0, 0, 120, 14);
    for _ in 0..300 {
        key(&mut b.app, KeyCode::Char('j'));
    }
    let s = screen(&b.app);
    let rows = rows_of(&s);
    assert!(
        rows[rows.len() - 3].starts_with("https://docs.aws.amazon.com/AWSEC2/"),
        "the last row at the bottom:\n{s}"
    );
    for _ in 0..300 {
        key(&mut b.app, KeyCode::Char('k'));
    }
    assert_eq!(b.app.detail_scroll, 0);
}
