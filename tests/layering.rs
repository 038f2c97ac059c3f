//! The engine (`workspace`, `model`, `rules`, `review`, `export` and the files beside
//! them) never imports the terminal front end or its crates.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

const FORBIDDEN: &[&str] = &["ratatui", "crossterm", "crate::tui", "syntect", "notify"];

fn engine_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "tui") {
                continue;
            }
            engine_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && !path.ends_with("main.rs")
            && !path.ends_with("watch.rs")
        {
            out.push(path);
        }
    }
}

#[test]
fn engine_modules_do_not_import_the_tui() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    engine_files(&src, &mut files);
    assert!(
        files.len() > 10,
        "engine files not found under {}",
        src.display()
    );
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN {
                assert!(
                    !code.contains(word),
                    "{}:{}: the engine must not use `{word}`: {line}",
                    file.display(),
                    n + 1
                );
            }
        }
    }
}
