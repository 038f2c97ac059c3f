//! The diffs of a draft export, all of them together, apply with `git apply` from the
//! workspace root: the three samples, and 20 corpus task folders (whose answer is
//! written out beside its Markdown first, where the diffs' paths point).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

use tfreview::Target;
use tfreview::export::markdown::{MarkdownOptions, render};
use tfreview::review::Review;

/// Every ```diff block of a Markdown document, concatenated.
fn diffs(md: &str) -> String {
    let mut out = String::new();
    for block in md.split("```diff\n").skip(1) {
        out.push_str(block.split("\n```\n").next().unwrap());
        out.push('\n');
    }
    out
}

fn git_apply_check(root: &Path, patch: &str) -> Result<(), String> {
    std::fs::write(root.join(".tfreview-fixes.patch"), patch).unwrap();
    let out = Command::new("git")
        .current_dir(root)
        .args(["apply", "--check", "--verbose", ".tfreview-fixes.patch"])
        .output()
        .unwrap();
    std::fs::remove_file(root.join(".tfreview-fixes.patch")).unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn draft(root: &Path) -> String {
    let analysis = tfreview::analyse(root, &Target::Auto).unwrap();
    render(
        &analysis,
        &Review::default(),
        "x",
        &MarkdownOptions {
            draft: true,
            ..MarkdownOptions::default()
        },
    )
}

#[test]
fn every_draft_export_of_the_samples_applies_whole() {
    for sample in ["zero-trust-iam-kms", "multi-account-security", "clean"] {
        let dir = common::copy_to_temp(
            &common::manifest_dir()
                .join("sample-workspaces")
                .join(sample),
        );
        let patch = diffs(&draft(dir.path()));
        if sample != "clean" {
            assert!(!patch.is_empty(), "{sample}: no diff");
        }
        if !patch.is_empty() {
            git_apply_check(dir.path(), &patch)
                .unwrap_or_else(|e| panic!("{sample}: {e}\n{patch}"));
        }
    }
}

#[test]
fn every_draft_export_of_20_corpus_answers_applies_whole() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let tasks = common::task_folders(&corpus);
    let mut checked = 0;
    let mut failures = Vec::new();
    for task in tasks.iter().take(20) {
        let dir = common::copy_to_temp(task);
        let lib = dir.path().join("lib");
        // The answer's files where the diffs name them: beside the Markdown, in place of
        // the deployed code.
        for entry in tfreview::workspace::walker(&lib).flatten() {
            if entry
                .path()
                .extension()
                .is_some_and(|x| x == "tf" || x == "tfvars")
            {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
        let md = std::fs::read_to_string(lib.join("MODEL_RESPONSE.md")).unwrap();
        for f in tfreview::workspace::markdown::extract(&md).files {
            let target = lib.join(&f.path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, &f.text).unwrap();
        }
        let patch = diffs(&draft(dir.path()));
        if patch.is_empty() {
            continue;
        }
        checked += 1;
        if let Err(e) = git_apply_check(dir.path(), &patch) {
            failures.push(format!("{}: {e}", task.display()));
        }
    }
    eprintln!("{checked} draft exports checked with git apply --check");
    assert!(checked >= 15, "only {checked} of 20 drafts had diffs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
