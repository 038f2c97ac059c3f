//! Watch mode through the library, without a terminal: the real watcher and worker feed
//! an `App` while the test edits files the way editors and people do. Decisions follow
//! their findings; what disappears is resolved (its decision and note kept), what
//! appears is new; deletions, renames, new folders and write-temp-and-rename saves are
//! all seen; only changed files are re-parsed; a burst of 1,000 writes ends on the final
//! content; a file made unreadable or deleted while selected is no panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tfreview::review::{ReviewStore, Status};
use tfreview::tui::app::App;
use tfreview::tui::theme::Theme;
use tfreview::watch::{Live, LiveEvent, Watch, WatchMode};

/// Whether the app's analysis has a finding of `rule` (false before the first one).
fn reports(app: &App, rule: &str) -> bool {
    app.analysis
        .as_ref()
        .is_some_and(|a| a.findings.iter().any(|f| f.rule == rule))
}

struct Harness {
    app: App,
    live: Live,
    rx: Receiver<LiveEvent>,
    dir: tempfile::TempDir,
    /// Files parsed by the analyses applied since it was last reset.
    last_parsed: usize,
}

impl Harness {
    fn start(sample: &str, watch: Watch) -> Harness {
        let dir = common::copy_to_temp(
            &common::manifest_dir()
                .join("sample-workspaces")
                .join(sample),
        );
        let store = ReviewStore::for_workspace(dir.path());
        let app = App::new(
            dir.path().to_path_buf(),
            store,
            Theme::load("dark").unwrap(),
        )
        .unwrap();
        let (tx, rx) = channel();
        let live = Live::start(dir.path(), tfreview::Target::Auto, watch, move |e| {
            let _ = tx.send(e);
        });
        let mut h = Harness {
            app,
            live,
            rx,
            dir,
            last_parsed: 0,
        };
        h.settle(|app| app.analysis.is_some(), "the first analysis");
        h
    }

    fn path(&self, rel: &str) -> std::path::PathBuf {
        self.dir.path().join(rel)
    }

    /// Applies live results until `done` holds (and the worker is quiet), or fails.
    fn settle(&mut self, done: impl Fn(&App) -> bool, what: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(LiveEvent::Analysis {
                generation,
                result,
                parsed,
                elapsed,
                ..
            }) = self.rx.recv_timeout(Duration::from_millis(50))
            {
                if self
                    .app
                    .apply_live(generation, result.unwrap(), elapsed.as_millis(), parsed)
                {
                    self.last_parsed += parsed;
                }
            } else if done(&self.app) {
                return;
            }
        }
        panic!("{what} did not happen within 10 s");
    }

    fn rules(&self) -> Vec<(String, String)> {
        let a = self.app.analysis.as_ref().unwrap();
        a.findings
            .iter()
            .map(|f| (f.rule.to_string(), f.address.clone().unwrap_or_default()))
            .collect()
    }

    fn has(&self, rule: &str, address: &str) -> bool {
        self.rules().iter().any(|(r, a)| r == rule && a == address)
    }

    fn select(&mut self, rule: &str, address: &str) {
        let a = self.app.analysis.as_ref().unwrap();
        let i = a
            .findings
            .iter()
            .position(|f| f.rule == rule && f.address.as_deref() == Some(address))
            .unwrap();
        self.app.select(i);
    }

    fn key(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        self.app.handle(Event::Key(KeyEvent::new(code, modifiers)));
    }

    fn draw(&self) -> String {
        let mut t = Terminal::new(TestBackend::new(140, 40)).unwrap();
        t.draw(|f| tfreview::tui::draw::draw(f, &self.app)).unwrap();
        t.backend().to_string()
    }
}

const SECONDARY: &str =
    "\nprovider \"aws\" {\n  alias  = \"secondary\"\n  region = var.secondary_region\n}\n";

#[test]
fn a_fixed_finding_becomes_resolved_with_its_decision_and_note() {
    let mut h = Harness::start("multi-account-security", Watch::Auto);
    assert_eq!(h.live.mode, WatchMode::Native);
    h.select("provider-alias-undefined", "aws_kms_replica_key.secondary");
    let fp = h.app.selected_fingerprint().unwrap();
    // A note on a pending finding stays on it; accepting then moves on.
    h.key(KeyCode::Char('c'), KeyModifiers::NONE);
    for c in "alias missing".chars() {
        h.key(KeyCode::Char(c), KeyModifiers::NONE);
    }
    h.key(KeyCode::Char('s'), KeyModifiers::CONTROL);
    h.key(KeyCode::Char('a'), KeyModifiers::NONE);

    h.last_parsed = 0;
    let provider = h.path("provider.tf");
    let text = std::fs::read_to_string(&provider).unwrap();
    std::fs::write(&provider, text + SECONDARY).unwrap();
    h.settle(|app| !reports(app, "provider-alias-undefined"), "the fix");
    assert_eq!(
        h.last_parsed, 1,
        "only provider.tf should be parsed again, once"
    );

    let decision = &h.app.review.decisions[&fp];
    assert_eq!(decision.status, Status::Accepted);
    assert_eq!(decision.note.as_deref(), Some("alias missing"));
    assert!(decision.resolved.is_some());
    let (on_disk, _) = h.app.store.load().unwrap();
    assert_eq!(on_disk.decisions[&fp], *decision);
    let screen = h.draw();
    assert!(screen.contains("RESOLVED (1)"), "{screen}");
    // The count is beside the decisions, once the message of the decision is gone.
    h.app.notice = None;
    let screen = h.draw();
    assert!(screen.contains("−1 resolved"), "{screen}");
    let md = tfreview::export::markdown::render(
        h.app.analysis.as_ref().unwrap(),
        &h.app.review,
        "ws",
        &Default::default(),
    );
    let resolved = md.split("## Resolved During Review").nth(1).unwrap();
    assert!(resolved.contains("Provider configuration `aws.secondary` is not defined"));
    assert!(resolved.contains("accepted. Note: alias missing"));
}

#[test]
fn new_files_and_folders_bring_new_findings_marked_new_until_visited() {
    let mut h = Harness::start("clean", Watch::Auto);
    assert!(h.rules().is_empty());
    std::fs::write(
        h.path("extra.tf"),
        "variable \"unused\" {\n  type = string\n}\n",
    )
    .unwrap();
    h.settle(
        |app| !app.analysis.as_ref().unwrap().findings.is_empty(),
        "the new file's finding",
    );
    let a = h.app.analysis.as_ref().unwrap();
    assert!(h.app.is_new(&a.findings[0]));
    h.app.select(0);
    let a = h.app.analysis.as_ref().unwrap();
    assert!(!h.app.is_new(&a.findings[0]), "visiting clears the mark");

    std::fs::create_dir_all(h.path("modules/queue")).unwrap();
    std::fs::write(
        h.path("modules/queue/main.tf"),
        "output \"name\" {\n  value = var.queue_name\n}\n",
    )
    .unwrap();
    h.settle(
        |app| reports(app, "variable-undeclared"),
        "the new folder's finding",
    );
    // A file added to the new folder later is seen too (the folder is now watched).
    std::fs::write(
        h.path("modules/queue/variables.tf"),
        "variable \"queue_name\" {\n  type = string\n}\n",
    )
    .unwrap();
    h.settle(
        |app| !reports(app, "variable-undeclared"),
        "the declaration",
    );
}

#[test]
fn deletions_renames_and_write_temp_then_rename_saves_are_seen() {
    let mut h = Harness::start("multi-account-security", Watch::Auto);
    assert!(h.has("variable-undeclared", "var.cloudwatch_log_retention_days"));
    h.select("variable-undeclared", "var.kms_deletion_window");
    let rejected = h.app.selected_fingerprint().unwrap();
    h.key(KeyCode::Char('x'), KeyModifiers::NONE);
    h.key(KeyCode::Char('s'), KeyModifiers::CONTROL);
    // Rejecting moved on to the next pending finding; back to the rejected one.
    h.select("variable-undeclared", "var.kms_deletion_window");

    std::fs::remove_file(h.path("logging.tf")).unwrap();
    h.settle(
        |app| {
            !app.analysis
                .as_ref()
                .unwrap()
                .findings
                .iter()
                .any(|f| f.address.as_deref() == Some("var.cloudwatch_log_retention_days"))
        },
        "the deletion",
    );

    std::fs::rename(h.path("kms.tf"), h.path("keys.tf")).unwrap();
    h.settle(
        |app| {
            app.analysis
                .as_ref()
                .unwrap()
                .workspace
                .files
                .iter()
                .any(|f| f.path == "keys.tf")
        },
        "the rename",
    );
    // The finding moved file but is the same finding: its decision follows.
    let a = h.app.analysis.as_ref().unwrap();
    let moved = a
        .findings
        .iter()
        .find(|f| f.address.as_deref() == Some("var.kms_deletion_window"))
        .unwrap();
    assert_eq!(a.path(moved), "keys.tf");
    assert_eq!(h.app.review.status(&rejected), Status::Rejected);
    assert!(h.app.review.decisions[&rejected].resolved.is_none());
    assert_eq!(
        h.app.selected_fingerprint().as_deref(),
        Some(rejected.as_str()),
        "the selection stays"
    );

    // An editor's save: write a temporary file, then rename it over the original.
    let text = std::fs::read_to_string(h.path("provider.tf")).unwrap();
    std::fs::write(h.path(".provider.tf.swp"), text + SECONDARY).unwrap();
    std::fs::rename(h.path(".provider.tf.swp"), h.path("provider.tf")).unwrap();
    h.settle(|app| !reports(app, "provider-alias-undefined"), "the save");
}

fn fingerprints(path: &Path) -> Vec<String> {
    let a = tfreview::analyse_path(path).unwrap();
    let mut v: Vec<String> = a
        .findings
        .iter()
        .map(|f| f.fingerprint(&a.workspace))
        .collect();
    v.sort();
    v
}

#[test]
fn a_thousand_writes_in_quick_succession_end_on_the_final_content() {
    let mut h = Harness::start("clean", Watch::Auto);
    let file = h.path("burst.tf");
    for i in 0..1000 {
        // Odd rounds reference an undeclared variable; the last round (999) does.
        let text = if i % 2 == 1 {
            format!("output \"o\" {{\n  value = var.missing_{i}\n}}\n")
        } else {
            format!("output \"o\" {{\n  value = \"{i}\"\n}}\n")
        };
        std::fs::write(&file, text).unwrap();
    }
    h.settle(
        |app| {
            app.analysis
                .as_ref()
                .unwrap()
                .findings
                .iter()
                .any(|f| f.address.as_deref() == Some("var.missing_999"))
        },
        "the final content",
    );
    let a = h.app.analysis.as_ref().unwrap();
    let mut shown: Vec<String> = a
        .findings
        .iter()
        .map(|f| f.fingerprint(&a.workspace))
        .collect();
    shown.sort();
    assert_eq!(shown, fingerprints(h.dir.path()));
}

#[test]
fn a_selected_file_made_unreadable_or_deleted_is_a_finding_not_a_panic() {
    let mut h = Harness::start("multi-account-security", Watch::Auto);
    h.select("variable-undeclared", "var.cloudwatch_log_retention_days");
    std::fs::write(h.path("logging.tf"), [0xff, 0xfe, 0x00, b'x']).unwrap();
    h.settle(|app| reports(app, "file-unreadable"), "the unreadable file");
    let screen = h.draw();
    assert!(screen.contains("logging.tf"), "{screen}");
    std::fs::remove_file(h.path("logging.tf")).unwrap();
    h.settle(
        |app| {
            !app.analysis
                .as_ref()
                .unwrap()
                .workspace
                .files
                .iter()
                .any(|f| f.path == "logging.tf")
        },
        "the deletion",
    );
    let screen = h.draw();
    assert!(screen.contains("Findings"), "{screen}");
    for _ in 0..5 {
        h.key(KeyCode::Char('n'), KeyModifiers::NONE);
        h.draw();
    }
}

#[test]
fn polling_sees_changes_when_asked_for() {
    let mut h = Harness::start("clean", Watch::Poll);
    assert!(matches!(h.live.mode, WatchMode::Polling { .. }));
    std::fs::write(h.path("extra.tf"), "variable \"unused\" {}\n").unwrap();
    h.settle(
        |app| !app.analysis.as_ref().unwrap().findings.is_empty(),
        "the polled change",
    );
}

#[test]
fn editing_the_configuration_re_analyses_with_it() {
    let mut h = Harness::start("multi-account-security", Watch::Auto);
    h.settle(
        |app| reports(app, "variable-undeclared"),
        "the first analysis",
    );
    std::fs::write(
        h.path(".tfreview.toml"),
        "[rules]\ndisable = [\"variable-undeclared\"]\n",
    )
    .unwrap();
    h.settle(
        |app| app.analysis.is_some() && !reports(app, "variable-undeclared"),
        "the configuration to apply",
    );
}

/// The README's first command gives the workspace as a relative path; the watcher reports
/// absolute ones. An edit is still seen (it was not, whatever the watcher).
#[test]
fn a_workspace_given_as_a_relative_path_is_watched() {
    for watch in [Watch::Auto, Watch::Poll] {
        let dir = common::copy_to_temp(&common::manifest_dir().join("sample-workspaces/clean"));
        // The same folder, relative to the test's working folder.
        let cwd = std::env::current_dir().unwrap();
        let ups = cwd.components().count() - 1;
        let rel =
            std::path::PathBuf::from("../".repeat(ups)).join(dir.path().strip_prefix("/").unwrap());
        assert!(rel.is_relative() && rel.join("network.tf").is_file());
        let (tx, rx) = channel();
        let _live = Live::start(&rel, tfreview::Target::Auto, watch, move |e| {
            let _ = tx.send(e);
        });
        let first = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        let LiveEvent::Analysis { result, .. } = first;
        assert!(result.unwrap().findings.is_empty());
        // Give the watcher its start, then edit.
        std::thread::sleep(Duration::from_millis(300));
        std::fs::write(
            dir.path().join("kms.tf"),
            "resource \"aws_kms_key\" \"k\" {\n  description         = \"k\"\n  enable_key_rotation = false\n}\n",
        )
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = false;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(LiveEvent::Analysis { result, .. }) = rx.recv_timeout(left) else {
                break;
            };
            if result
                .unwrap()
                .findings
                .iter()
                .any(|f| f.rule == "kms-key-rotation-disabled")
            {
                seen = true;
                break;
            }
        }
        assert!(seen, "{watch:?}: the edit was not seen");
    }
}
