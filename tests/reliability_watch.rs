//! Defect 6 of the adversarial review (issue 10): a link to a big folder created inside a
//! watched workspace must not make the watcher leave the root. In a test binary of its
//! own, so that the inotify watches counted are this test's alone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use tfreview::Target;
use tfreview::watch::{Live, LiveEvent, Watch, WatchMode};

/// The inotify watches this process holds (one `inotify wd:` line per watch).
fn inotify_watches() -> usize {
    std::fs::read_dir("/proc/self/fdinfo")
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .map(|info| info.matches("inotify wd:").count())
        .sum()
}

#[test]
fn a_link_to_a_folder_outside_is_never_watched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("main.tf"), "variable \"x\" {}\n").unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let live = Live::start(dir.path(), Target::Plain, Watch::Auto, move |e| {
        let _ = tx.send(e);
    });
    if live.mode != WatchMode::Native {
        eprintln!(
            "\n*** SKIPPED: no native watcher here ({}); this test checked nothing ***\n",
            live.mode.describe()
        );
        return;
    }
    let LiveEvent::Analysis { generation, .. } = rx.recv_timeout(Duration::from_secs(20)).unwrap();
    assert_eq!(generation, 1);
    let before = inotify_watches();
    assert_eq!(before, 2, "the root and sub/ are watched");

    std::os::unix::fs::symlink("/usr", dir.path().join("usr")).unwrap();
    std::fs::create_dir(dir.path().join("new")).unwrap();
    std::fs::write(dir.path().join("new/x.tf"), "variable \"y\" {}\n").unwrap();
    // The change is seen (the new folder's file is analysed)...
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = false;
    while Instant::now() < deadline && !seen {
        if let Ok(LiveEvent::Analysis {
            result: Ok(analysis),
            ..
        }) = rx.recv_timeout(Duration::from_millis(200))
        {
            seen = analysis
                .workspace
                .files
                .iter()
                .any(|f| f.path == "new/x.tf");
        }
    }
    assert!(seen, "the new folder's file was not analysed");
    // ...and only the new real folder was added: /usr was not entered.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(inotify_watches(), 3);
    drop(live);
}
