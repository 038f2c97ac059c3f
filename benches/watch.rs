//! `cargo bench --bench watch`: over 100 edits, the time from a file write to the updated
//! findings being available to the UI (the watcher's debounce, the worker's analysis and
//! the channel included), as p50/p95, on each sample workspace and on the largest folder
//! of the corpus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use tfreview::watch::{Live, LiveEvent, Watch};

#[path = "../tests/common/mod.rs"]
mod common;
use common::copy_tree;

const EDITS: usize = 100;

fn tf_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            total += tf_bytes(&path);
        } else if path.extension().is_some_and(|e| e == "tf") {
            total += entry.metadata().map_or(0, |m| m.len());
        }
    }
    total
}

/// `(p50, p95)` of write-to-findings over `EDITS` edits of a copy of `source`.
fn measure(source: &Path) -> (Duration, Duration, usize) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(source, dir.path());
    let (tx, rx) = channel();
    // The deployed .tf files are what is edited, also in a corpus folder (which holds
    // a MODEL_RESPONSE.md that task mode would review instead).
    let live = Live::start(dir.path(), tfreview::Target::Plain, Watch::Auto, move |e| {
        let _ = tx.send(e);
    });
    let LiveEvent::Analysis { result, .. } = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    let files = result.unwrap().workspace.files.len();
    let mut times = Vec::new();
    for i in 0..EDITS {
        let marker = format!("var.bench_{i}");
        let start = Instant::now();
        std::fs::write(
            dir.path().join("zz_bench.tf"),
            format!("output \"bench\" {{\n  value = {marker}\n}}\n"),
        )
        .unwrap();
        loop {
            let LiveEvent::Analysis { result, .. } = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("no analysis after an edit");
            let analysis = result.unwrap();
            if analysis
                .findings
                .iter()
                .any(|f| f.address.as_deref() == Some(marker.as_str()))
            {
                times.push(start.elapsed());
                break;
            }
        }
        // Let the watcher go quiet so that the next edit is measured on its own.
        std::thread::sleep(Duration::from_millis(60));
        while rx.try_recv().is_ok() {}
    }
    drop(live);
    times.sort();
    (times[times.len() / 2], times[times.len() * 95 / 100], files)
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    println!(
        "write to updated findings, {EDITS} edits each (debounce {} ms included):",
        tfreview::watch::DEBOUNCE.as_millis()
    );
    let mut targets: Vec<(String, PathBuf)> =
        ["multi-account-security", "zero-trust-iam-kms", "clean"]
            .iter()
            .map(|s| (s.to_string(), root.join("sample-workspaces").join(s)))
            .collect();
    let corpus = std::env::var_os("TFREVIEW_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus"));
    if corpus.is_dir() {
        let largest = std::fs::read_dir(&corpus)
            .unwrap()
            .flatten()
            .map(|e| e.path().join("lib"))
            .filter(|p| p.is_dir())
            .max_by_key(|p| tf_bytes(p))
            .unwrap();
        let name = format!(
            "corpus {} ({} KB of .tf)",
            largest
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy(),
            tf_bytes(&largest) / 1024
        );
        targets.push((name, largest));
    } else {
        println!(
            "  (no corpus at {}: the largest corpus folder is skipped)",
            corpus.display()
        );
    }
    for (name, path) in targets {
        let (p50, p95, files) = measure(&path);
        println!(
            "  {name:<44} {files:>3} files   p50 {:>6.1} ms   p95 {:>6.1} ms",
            p50.as_secs_f64() * 1000.0,
            p95.as_secs_f64() * 1000.0
        );
    }
}
