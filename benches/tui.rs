//! `cargo bench --bench tui`: how fast the workbench answers.
//! - start to first frame with the findings, on each sample workspace: in process
//!   (App, analysis, first draw on a TestBackend) and for the real binary in a
//!   pseudo-terminal (spawn until the findings are on its screen);
//! - handling a key and redrawing, on a 5,000-line file with highlighting on;
//! - the same on a 5 MB file of one line;
//! - the workbench on the whole corpus (`-- corpus` runs this part alone).
//!
//! Figures are medians.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// The allocator of the real binary (`src/main.rs`), so that the in-process figures are
/// the workbench's own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/common/pty.rs"]
mod pty;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use tfreview::review::ReviewStore;
use tfreview::tui::app::{App, Pane};
use tfreview::tui::highlight::SyntaxAssets;
use tfreview::tui::theme::Theme;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn app_for(path: &Path, review: &Path) -> App {
    let store = ReviewStore::at(review.join("review.json"));
    let mut app = App::new(path.to_path_buf(), store, Theme::load("dark").unwrap()).unwrap();
    app.size = Rect::new(0, 0, 140, 40);
    app
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let review = tempfile::tempdir().unwrap();
    let mut terminal = Terminal::new(TestBackend::new(140, 40)).unwrap();
    // `cargo bench --bench tui -- corpus`: the corpus part alone.
    if std::env::args().skip(1).any(|a| a == "corpus") {
        corpus_scale(&mut terminal, review.path());
        return;
    }

    println!("start to first frame with findings (median):");
    for sample in ["multi-account-security", "zero-trust-iam-kms", "clean"] {
        let path = root.join("sample-workspaces").join(sample);
        let mut runs = Vec::new();
        for _ in 0..20 {
            let start = Instant::now();
            let mut app = app_for(&path, review.path());
            app.set_analysis(tfreview::analyse_path(&path).unwrap());
            terminal
                .draw(|f| tfreview::tui::draw::draw(f, &app))
                .unwrap();
            runs.push(start.elapsed());
        }
        let mut binary = Vec::new();
        for _ in 0..7 {
            let copy = tempfile::tempdir().unwrap();
            let start = Instant::now();
            let mut tui = pty::Tui::start(
                &[
                    path.to_str().unwrap(),
                    "--review-file",
                    copy.path().join("r.json").to_str().unwrap(),
                ],
                &root,
                140,
                40,
            );
            // The title reads "Findings N/M" once the analysis is on screen.
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                let c = tui.contents();
                if c.lines()
                    .any(|l| l.contains("Findings ") && l.contains('/'))
                {
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            binary.push(start.elapsed());
            tui.send(b"q");
            tui.wait_exit(10);
        }
        println!(
            "  {sample:<24} in process {:>6.1} ms   real binary in a pty {:>6.1} ms",
            ms(median(runs)),
            ms(median(binary))
        );
    }

    let big = tempfile::tempdir().unwrap();
    let mut text = String::new();
    text.push_str("resource \"aws_kms_key\" \"k\" {}\n\nresource \"aws_kms_key_policy\" \"k\" {\n  key_id = aws_kms_key.k.id\n  policy = \"{}\"\n}\n\n");
    for i in 0..497 {
        // Every tenth group encrypts with the key without waiting for its policy: 50
        // findings spread over the file.
        let kms = if i % 10 == 0 {
            "aws_kms_key.k.arn"
        } else {
            "null"
        };
        text.push_str(&format!(
            "resource \"aws_cloudwatch_log_group\" \"g{i}\" {{\n  name              = \"/app/{i}/${{var.suffix}}\"\n  retention_in_days = 30\n  kms_key_id        = {kms}\n  tags = {{\n    Index = \"{i}\"\n    Team  = \"platform\"\n  }}\n}}\n\n"
        ));
    }
    text.push_str("variable \"suffix\" {\n  type = string\n}\n");
    std::fs::write(big.path().join("main.tf"), &text).unwrap();
    let lines = text.lines().count();
    let mut app = app_for(big.path(), review.path());
    let load = Instant::now();
    let assets = Arc::new(SyntaxAssets::load("Monokai Extended").unwrap());
    let load = load.elapsed();
    app.set_analysis(tfreview::analyse_path(big.path()).unwrap());
    app.set_syntax(assets);
    app.focus = Pane::Source;
    let key = |code| Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    // (median, p95, max) of handling `event` and redrawing, `n` times.
    let mut measure = |app: &mut App, event: Event, n: usize| {
        let mut v = Vec::new();
        for _ in 0..n {
            let start = Instant::now();
            app.handle(event.clone());
            terminal
                .draw(|f| tfreview::tui::draw::draw(f, app))
                .unwrap();
            v.push(start.elapsed());
        }
        v.sort();
        (v[v.len() / 2], v[v.len() * 95 / 100], v[v.len() - 1])
    };
    let down = measure(&mut app, key(KeyCode::Char('j')), 400);
    let page = measure(&mut app, key(KeyCode::PageDown), 100);
    app.focus = Pane::Findings;
    let findings = app.analysis.as_ref().map_or(0, |a| a.findings.len());
    let next = measure(&mut app, key(KeyCode::Char('n')), findings);
    let pending = measure(&mut app, key(KeyCode::Char(']')), findings);
    // Accept and move on: the decision is saved (atomically) before the frame.
    let accept = measure(&mut app, key(KeyCode::Char('a')), findings);
    println!("syntax assets load (background thread): {:.1} ms", ms(load));
    println!("key + redraw on a {lines}-line file with {findings} findings, highlighting on:");
    for (what, (p50, p95, max)) in [
        ("j (scroll one line) ", down),
        ("pgdn (scroll a page)", page),
        ("n (next finding)    ", next),
        ("] (next pending)    ", pending),
        ("a (accept, save, on)", accept),
    ] {
        println!(
            "  {what}  median {:>5.2} ms   p95 {:>5.2} ms   max {:>5.2} ms",
            ms(p50),
            ms(p95),
            ms(max)
        );
    }

    long_line(&mut terminal, review.path());
    corpus_scale(&mut terminal, review.path());
}

/// A 5 MB file on one line (a local holding a generated string), highlighting on: each
/// key (`l` and `h` scroll sideways, `j`, `n`, `d` shows and hides the fix's diff) with
/// its frame, and one frame alone (what a redraw costs; an idle workbench draws none).
fn long_line(terminal: &mut Terminal<TestBackend>, review: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "locals {{\n  s = \"{}\"\n}}\n",
        "abcdefghij".repeat(500_000)
    );
    std::fs::write(dir.path().join("main.tf"), &text).unwrap();
    let mut app = app_for(dir.path(), review);
    app.set_syntax(Arc::new(SyntaxAssets::load("Monokai Extended").unwrap()));
    let start = Instant::now();
    app.set_analysis(tfreview::analyse_path(dir.path()).unwrap());
    terminal
        .draw(|f| tfreview::tui::draw::draw(f, &app))
        .unwrap();
    let opened = start.elapsed();
    app.focus = Pane::Source;
    let key = |c: KeyCode| Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let mut measure = |app: &mut App, event: Option<Event>, n: usize| {
        let mut v = Vec::new();
        for _ in 0..n {
            let start = Instant::now();
            if let Some(e) = &event {
                app.handle(e.clone());
            }
            terminal
                .draw(|f| tfreview::tui::draw::draw(f, app))
                .unwrap();
            v.push(start.elapsed());
        }
        v.sort();
        (v[v.len() / 2], v[v.len() - 1])
    };
    let right = measure(&mut app, Some(key(KeyCode::Char('l'))), 100);
    let left = measure(&mut app, Some(key(KeyCode::Char('h'))), 100);
    let down = measure(&mut app, Some(key(KeyCode::Char('j'))), 50);
    let frame = measure(&mut app, None, 50);
    app.focus = Pane::Findings;
    let next = measure(&mut app, Some(key(KeyCode::Char('n'))), 50);
    let diff = measure(&mut app, Some(key(KeyCode::Char('d'))), 50);
    println!(
        "a {:.1} MB single-line file: analysed and first frame {:.0} ms; key + redraw:",
        text.len() as f64 / 1_048_576.0,
        ms(opened)
    );
    for (what, (p50, max)) in [
        ("l (scroll right)", right),
        ("h (scroll left) ", left),
        ("j (down)        ", down),
        ("n (next finding)", next),
        ("d (diff on/off) ", diff),
        ("a frame alone   ", frame),
    ] {
        println!(
            "  {what}  median {:>5.2} ms   max {:>5.2} ms",
            ms(p50),
            ms(max)
        );
    }
}

/// The workbench on the whole corpus (every answer, task mode): the first frame, the
/// analysis applied, and each key of a five-letter search, clearing it, `j`, `n`, page
/// down and `]`, as medians (and max) of handling the key and drawing the frame.
fn corpus_scale(terminal: &mut Terminal<TestBackend>, review: &Path) {
    let corpus = std::env::var_os("TFREVIEW_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if !corpus.is_dir() {
        println!("SKIPPED: the corpus is not at {}", corpus.display());
        return;
    }
    // The start, as medians of five: one run on this noisy machine says little.
    const STARTS: usize = 5;
    let mut first_frames = Vec::new();
    let mut analyses = Vec::new();
    let mut shown = Vec::new();
    let mut findings = 0;
    let mut started = None;
    for _ in 0..STARTS {
        // The last run's workbench goes before the next starts: one in memory at a time.
        drop(started.take());
        let start = Instant::now();
        let mut app = app_for(&corpus, review);
        terminal
            .draw(|f| tfreview::tui::draw::draw(f, &app))
            .unwrap();
        first_frames.push(start.elapsed());
        // As the workbench's watcher analyses: with the analyzer that keeps parses.
        let analysis = tfreview::analysis::Analyzer::default()
            .analyse(&corpus, &tfreview::Target::Auto)
            .unwrap();
        analyses.push(start.elapsed());
        findings = analysis.findings.len();
        app.set_analysis(analysis);
        terminal
            .draw(|f| tfreview::tui::draw::draw(f, &app))
            .unwrap();
        shown.push(start.elapsed());
        started = Some(app);
    }
    let mut app = started.unwrap();
    println!(
        "corpus ({findings} findings), medians of {STARTS} starts: first frame {:.1} ms, analysis {:.0} ms, all findings shown {:.0} ms (fastest {:.0}, slowest {:.0})",
        ms(median(first_frames)),
        ms(median(analyses)),
        ms(median(shown.clone())),
        ms(*shown.iter().min().unwrap()),
        ms(*shown.iter().max().unwrap()),
    );
    // The peak of this process: one workbench at a time, as the real one holds.
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or("unknown".to_string(), |kb| format!("{:.0} MB", kb / 1024.0));
    println!("  peak memory {peak}");
    let key = |c: KeyCode| Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let mut time = |app: &mut App, event: Event| {
        let start = Instant::now();
        app.handle(event);
        terminal
            .draw(|f| tfreview::tui::draw::draw(f, app))
            .unwrap();
        start.elapsed()
    };
    let mut search = Vec::new();
    let mut clear = Vec::new();
    for _ in 0..5 {
        time(&mut app, key(KeyCode::Char('/')));
        for c in "kms_k".chars() {
            search.push(time(&mut app, key(KeyCode::Char(c))));
        }
        time(&mut app, key(KeyCode::Enter));
        clear.push(time(&mut app, key(KeyCode::Esc)));
    }
    let mut nav: Vec<(&str, Vec<Duration>)> = Vec::new();
    for (name, code) in [
        ("j", KeyCode::Char('j')),
        ("n", KeyCode::Char('n')),
        ("pgdn", KeyCode::PageDown),
        ("]", KeyCode::Char(']')),
    ] {
        let v: Vec<Duration> = (0..50).map(|_| time(&mut app, key(code))).collect();
        nav.push((name, v));
    }
    let show = |name: &str, v: Vec<Duration>| {
        let max = v.iter().max().copied().unwrap_or_default();
        println!(
            "  {name:<26} median {:>6.2} ms   max {:>6.2} ms",
            ms(median(v)),
            ms(max)
        );
    };
    show("search, each key", search);
    show("esc (clear the search)", clear);
    for (name, v) in nav {
        show(name, v);
    }
}
