//! The formatter against `terraform fmt`: golden outputs of fixtures written here (always;
//! and, with `terraform` on the PATH, checked to be what it writes), every deployed file
//! and every file extracted from the answers of the corpus (with `terraform` and the
//! corpus), idempotence and indifference to the blanks of the input (property tests),
//! `format-differs` on exactly the files `terraform fmt` changes, and `tfreview fmt`'s
//! exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use tfreview::format::{format, lexer};

fn fixtures() -> Vec<(PathBuf, String, String)> {
    let dir = common::manifest_dir().join("tests/fixtures/format");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.to_string_lossy().into_owned();
        if name.ends_with(".golden") {
            continue;
        }
        let input = std::fs::read_to_string(&path).unwrap();
        let golden = std::fs::read_to_string(format!("{name}.golden")).unwrap();
        out.push((path, input, golden));
    }
    out.sort();
    assert!(out.len() >= 8, "{} fixtures", out.len());
    out
}

fn terraform() -> bool {
    let found = Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!(
            "\n*** SKIPPED: terraform is not on the PATH; tfreview's formatting was not compared with terraform fmt ***\n"
        );
    }
    found
}

/// Runs `terraform fmt -recursive` on `dir`; returns the files (relative) it could not
/// format.
fn terraform_fmt(dir: &Path) -> BTreeSet<String> {
    let out = Command::new("terraform")
        .args(["fmt", "-recursive", "-no-color", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .lines()
        .filter_map(|l| l.split(" on ").nth(1))
        .filter_map(|l| l.split(" line ").next())
        .map(|p| p.trim().to_string())
        .collect()
}

#[test]
fn fixtures_give_their_golden_output() {
    for (path, input, golden) in fixtures() {
        assert_eq!(
            format(&input).as_deref(),
            Ok(golden.as_str()),
            "{}",
            path.display()
        );
        assert_eq!(format(&golden).as_deref(), Ok(golden.as_str()));
    }
    if !terraform() {
        return;
    }
    // The goldens are what terraform fmt writes.
    let dir = tempfile::tempdir().unwrap();
    for (path, input, _) in fixtures() {
        std::fs::write(dir.path().join(path.file_name().unwrap()), input).unwrap();
    }
    assert!(terraform_fmt(dir.path()).is_empty());
    for (path, _, golden) in fixtures() {
        let theirs = std::fs::read_to_string(dir.path().join(path.file_name().unwrap())).unwrap();
        assert_eq!(theirs, golden, "{}", path.display());
    }
}

/// Every `.tf` and `.tfvars` file of the corpus's deployed code, and every file extracted
/// from its MODEL_RESPONSE.md and IDEAL_RESPONSE.md: tfreview's output is terraform
/// fmt's, byte for byte, and the files it refuses are those terraform fmt refuses. Then
/// `format-differs` reports exactly the deployed files terraform fmt changes.
#[test]
fn the_corpus_formats_as_terraform_fmt_formats_it() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    if !terraform() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut originals: BTreeMap<String, String> = BTreeMap::new();
    let mut deployed: BTreeSet<String> = BTreeSet::new();
    for task in common::task_folders(&corpus) {
        let name = task.file_name().unwrap().to_string_lossy().into_owned();
        for entry in walkdir(&task) {
            let rel = entry
                .strip_prefix(&corpus)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if rel.ends_with(".tf") || rel.ends_with(".tfvars") {
                let text = std::fs::read_to_string(&entry).unwrap();
                deployed.insert(rel.clone());
                originals.insert(rel, text);
            }
        }
        for md in ["MODEL_RESPONSE", "IDEAL_RESPONSE"] {
            let Ok(text) = std::fs::read_to_string(task.join("lib").join(format!("{md}.md")))
            else {
                continue;
            };
            for f in tfreview::workspace::markdown::extract(&text).files {
                // What terraform fmt formats (not `terraform.tfvars.example`).
                let kind = f.path.ends_with(".tf") || f.path.ends_with(".tfvars");
                if !kind || f.path.split('/').any(|c| c == ".." || c.is_empty()) {
                    continue;
                }
                originals.insert(format!("answers/{name}/{md}/{}", f.path), f.text);
            }
        }
    }
    for (rel, text) in &originals {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let refused = terraform_fmt(dir.path());
    let mut differ = Vec::new();
    let mut changed = 0;
    let mut changed_deployed = BTreeSet::new();
    for (rel, text) in &originals {
        let theirs = std::fs::read_to_string(dir.path().join(rel)).unwrap();
        let ours = format(text);
        match (&ours, refused.contains(rel)) {
            (Err(_), true) => {}
            (Ok(ours), false) if *ours == theirs => {
                if theirs != *text {
                    changed += 1;
                    if deployed.contains(rel) {
                        changed_deployed.insert(rel.clone());
                    }
                }
            }
            _ => differ.push(rel.clone()),
        }
    }
    eprintln!(
        "{} files ({} deployed), {changed} changed by terraform fmt, {} refused, {} different",
        originals.len(),
        deployed.len(),
        refused.len(),
        differ.len()
    );
    assert!(originals.len() > 9000, "{}", originals.len());
    assert!(
        differ.is_empty(),
        "tfreview and terraform fmt differ on {} files: {:?}",
        differ.len(),
        &differ[..differ.len().min(10)]
    );
    // format-differs: the deployed files terraform fmt changes, no more, no fewer.
    let mut reported = BTreeSet::new();
    for task in common::task_folders(&corpus) {
        let analysis = tfreview::analyse(&task, &tfreview::Target::Plain).unwrap();
        for f in analysis
            .findings
            .iter()
            .filter(|f| f.rule == "format-differs")
        {
            let name = task.file_name().unwrap().to_string_lossy();
            reported.insert(format!("{name}/{}", analysis.path(f)));
        }
    }
    assert_eq!(reported, changed_deployed);
    assert_eq!(reported.len(), 255);
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                out.push(e.path());
            }
        }
    }
    out
}

/// The input with extra blanks before the tokens where blanks mean nothing (not inside
/// a literal, not in front of the end of a template), as `picks` says.
fn with_blanks(src: &str, picks: &[u8]) -> String {
    let tokens = lexer::lex(src);
    let mut out = String::new();
    let mut previous = None;
    for (i, t) in tokens.iter().enumerate() {
        out.push_str(t.blanks);
        use lexer::Kind::*;
        let inside_literal = i == 0
            || matches!(
                previous,
                // Blanks after a heredoc's closing marker are kept, as terraform fmt
                // keeps them.
                Some(OQuote | QuotedLit | StringLit | OHeredoc | CHeredoc | Invalid)
            )
            || matches!(
                t.kind,
                QuotedLit
                    | StringLit
                    | CQuote
                    | CHeredoc
                    | Eof
                    | TemplateInterp
                    | TemplateControl
                    | Invalid
            );
        if !inside_literal {
            match picks.get(i % picks.len().max(1)).copied().unwrap_or(0) % 4 {
                1 => out.push(' '),
                2 => out.push_str("  \t"),
                _ => {}
            }
        }
        out.push_str(t.text);
        previous = Some(t.kind);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Formatting is idempotent, and blanks added between tokens change nothing of the
    /// result.
    #[test]
    fn formatting_is_idempotent_and_ignores_blanks(
        which in 0usize..64,
        picks in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        let all = fixtures();
        let (path, input, golden) = &all[which % all.len()];
        let noisy = with_blanks(input, &picks);
        let once = format(&noisy).unwrap();
        prop_assert_eq!(&format(&once).unwrap(), &once, "{}", path.display());
        prop_assert_eq!(&once, golden, "{}", path.display());
    }
}

#[test]
fn fmt_exits_as_terraform_fmt_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.tf"), "a = 1\n").unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tfreview"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    assert_eq!(run(&["fmt", "--check", "."]).status.code(), Some(0));
    std::fs::write(dir.path().join("bad.tf"), "b=2\n").unwrap();
    let out = run(&["fmt", "--check", "--diff", "."]);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("bad.tf") && text.contains("+b = 2"), "{text}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bad.tf")).unwrap(),
        "b=2\n"
    );
    assert_eq!(run(&["fmt", "."]).status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bad.tf")).unwrap(),
        "b = 2\n"
    );
    std::fs::write(dir.path().join("broken.tf"), "c = {\n").unwrap();
    let out = run(&["fmt", "--check", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.tf does not parse"));
}
