//! The deployed code of the corpus (`../shared/corpus/*/lib`, or `$TFREVIEW_CORPUS`):
//! one analysis of every folder must not panic, and the critical and high findings of the
//! `error`-class rules (Terraform or AWS would reject the code), with every finding of
//! `hcl-syntax-error` and `variable-undeclared`, must each be listed, with the reason, in
//! `tests/data/corpus-known-findings.tsv`. A new one fails the test; so does a listed one
//! that no longer occurs (the list stays current and short).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use tfreview::analyse_path;

const ALWAYS_STRICT: &[&str] = &["hcl-syntax-error", "variable-undeclared"];

fn strict(f: &tfreview::Finding) -> bool {
    let error =
        tfreview::rules::find(f.rule).is_some_and(|r| r.class() == tfreview::rules::Class::Error);
    ALWAYS_STRICT.contains(&f.rule) || (error && f.severity >= tfreview::Severity::High)
}

#[test]
fn deployed_corpus_code_has_only_listed_true_problems() {
    let Some(root) = common::corpus() else { return };
    let analysis = analyse_path(&root).unwrap();
    assert!(
        analysis.workspace.files.len() > 3000,
        "expected the whole corpus, read {} files",
        analysis.workspace.files.len()
    );
    let known_text = std::fs::read_to_string(
        common::manifest_dir().join("tests/data/corpus-known-findings.tsv"),
    )
    .unwrap();
    let known: Vec<(String, String, String)> = known_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(
                cols.len() == 4 && !cols[3].is_empty(),
                "malformed line: {l}"
            );
            (
                cols[0].to_string(),
                cols[1].to_string(),
                cols[2].to_string(),
            )
        })
        .collect();
    let mut used = BTreeSet::new();
    let mut unexpected = Vec::new();
    let mut folders = BTreeSet::new();
    let mut counted = 0;
    for f in analysis.findings.iter().filter(|f| strict(f)) {
        let path = analysis.path(f);
        if f.severity >= tfreview::Severity::High {
            counted += 1;
            folders.insert(path.split('/').next().unwrap_or("").to_string());
        }
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let matched = known.iter().position(|(rule, folder, key)| {
            rule == f.rule && folder == dir && (key == "*" || *key == f.key)
        });
        match matched {
            Some(i) => {
                used.insert(i);
            }
            None => {
                let ((line, col), _) = analysis.position(f);
                unexpected.push(format!("{path}:{line}:{col}: [{}] {}", f.rule, f.message));
            }
        }
    }
    let total = std::fs::read_dir(&root)
        .unwrap()
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_dir()))
        .count();
    eprintln!(
        "deployed corpus code: {counted} critical/high error-class findings, all listed true problems, in {} of {total} folders ({:.3} per folder; {:.3} folders affected)",
        folders.len(),
        counted as f64 / total as f64,
        folders.len() as f64 / total as f64
    );
    assert!(
        unexpected.is_empty(),
        "new findings on deployed corpus code; fix the rule or list them with a reason:\n{}",
        unexpected.join("\n")
    );
    let stale: Vec<_> = known
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, k)| format!("{k:?}"))
        .collect();
    assert!(
        stale.is_empty(),
        "listed findings no longer occur: {stale:?}"
    );
}
