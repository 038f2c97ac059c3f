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
        assert!(s.contains(row.1), "help lacks `{}`", row.1);
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
        status.contains("tfreview · ") && status.contains("│ syntax error in kms.tf:"),
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
