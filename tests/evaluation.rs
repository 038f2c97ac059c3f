//! The corpus evaluation (`tfreview::evaluate`): findings per rule on the deployed code and
//! the answers of every folder of `../shared/corpus`, and recall and precision against the
//! failures labelled by hand in `tests/corpus-labels.tsv` (including visible failures no
//! rule covers yet, which count as missed). Prints the per-rule table; fails when fewer
//! than 85% of the labelled failures are found.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use tfreview::evaluate::{evaluate, parse_labels};

#[test]
fn labelled_failures_are_found() {
    let text =
        std::fs::read_to_string(common::manifest_dir().join("tests/corpus-labels.tsv")).unwrap();
    let labels = parse_labels(&text).unwrap();
    let folders: BTreeSet<&str> = labels.iter().map(|l| l.folder.as_str()).collect();
    assert!(
        folders.len() >= 30,
        "labels come from {} folders; at least 30 are needed",
        folders.len()
    );
    let Some(corpus) = common::corpus() else {
        return;
    };
    // Every label points at a line of its answer.
    for l in &labels {
        let md =
            std::fs::read_to_string(corpus.join(&l.folder).join("lib/MODEL_RESPONSE.md")).unwrap();
        assert!(
            (1..=md.lines().count()).contains(&l.line),
            "{} line {} is outside MODEL_RESPONSE.md",
            l.folder,
            l.line
        );
    }
    let evaluation = evaluate(&corpus, &labels).unwrap();
    eprintln!("{}", evaluation.table());
    assert!(evaluation.folders >= 590, "{} folders", evaluation.folders);
    assert!(
        evaluation.recall() >= 0.85,
        "recall {:.1}% is below 85%:\n{}",
        100.0 * evaluation.recall(),
        evaluation.table()
    );
}

#[test]
fn label_files_with_errors_name_the_line() {
    assert_eq!(
        parse_labels("# c\nPr1\tx\t12\tno-such-rule\n").unwrap_err(),
        "line 2: no rule `no-such-rule`"
    );
    assert_eq!(
        parse_labels("Pr1\tx\ttwelve\tname-too-long\n").unwrap_err(),
        "line 1: `twelve` is not a line number"
    );
    assert_eq!(
        parse_labels("Pr1\tx\n").unwrap_err(),
        "line 1: expected 4 tab-separated columns"
    );
    // `-`: a documented failure that no rule covers yet.
    assert_eq!(parse_labels("Pr1\tx\t3\t-\n").unwrap()[0].rule, "-");
}
