//! The corpus evaluation (`tfreview::evaluate`): findings per rule on the deployed code and
//! the answers of every folder of `../shared/corpus`, and recall per split against the
//! failures labelled by hand in `tests/labels/` (including visible failures no rule covers
//! yet, which count as missed). `tuned.tsv` holds the failures the rules were written from,
//! `dev.tsv` the failures rules may be widened on, and `test.tsv` a split drawn at random
//! (`tools/draw-label-folders.py`) and never tuned on. Prints the tables; fails when a
//! split's recall is below its floor.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use tfreview::evaluate::{evaluate, read_labels};

/// The floor of each split's recall: what the rules reach today, so that no change loses
/// a found failure unnoticed. The goal is 90% on dev and 80% on test (docs/evaluation.md).
const FLOORS: &[(&str, f64)] = &[("tuned", 0.91), ("dev", 0.85), ("test", 0.54)];

#[test]
fn labelled_failures_are_found() {
    let labels = read_labels(&common::manifest_dir().join("tests/labels")).unwrap();
    let folders = |split: &str| -> BTreeSet<&str> {
        labels
            .iter()
            .filter(|l| l.split == split)
            .map(|l| l.folder.as_str())
            .collect()
    };
    let count = |split: &str| labels.iter().filter(|l| l.split == split).count();
    // The tuned split's folders are never drawn again.
    let tuned = folders("tuned");
    for split in ["dev", "test"] {
        assert!(
            folders(split).is_disjoint(&tuned),
            "{split} shares folders with tuned"
        );
    }
    assert!(folders("dev").is_disjoint(&folders("test")));
    assert!(count("test") >= 100 && folders("test").len() >= 50);
    assert!(count("dev") + count("test") >= 250);
    assert!(folders("dev").len() + folders("test").len() >= 120);

    let Some(corpus) = common::corpus() else {
        return;
    };
    // Every label points at a line of its answer.
    for l in &labels {
        let md =
            std::fs::read_to_string(corpus.join(&l.folder).join("lib/MODEL_RESPONSE.md")).unwrap();
        for line in &l.lines {
            assert!(
                (1..=md.lines().count()).contains(line),
                "{} line {line} is outside MODEL_RESPONSE.md",
                l.folder
            );
        }
    }
    let evaluation = evaluate(&corpus, &labels).unwrap();
    eprintln!("{}", evaluation.table(false));
    assert!(evaluation.folders >= 590, "{} folders", evaluation.folders);
    for (split, floor) in FLOORS {
        let recall = evaluation.split(split).recall();
        assert!(
            recall >= *floor,
            "{split}: recall {:.1}% is below {:.0}%",
            100.0 * recall,
            100.0 * floor
        );
    }
}

#[test]
fn label_files_with_errors_name_the_line() {
    assert_eq!(
        tfreview::evaluate::parse_labels("dev", "# c\nPr1\tx\t12\tno-such-rule\n").unwrap_err(),
        "line 2: no rule `no-such-rule`"
    );
    assert_eq!(
        tfreview::evaluate::parse_labels("dev", "Pr1\tx\ttwelve\tname-too-long\n").unwrap_err(),
        "line 1: `twelve` is not a line number or a list of them"
    );
    assert!(
        tfreview::evaluate::parse_labels("dev", "Pr1\tx\n")
            .unwrap_err()
            .starts_with("line 1: expected 6 tab-separated columns")
    );
    // `-`: a documented failure that no rule covers yet.
    assert_eq!(
        tfreview::evaluate::parse_labels("dev", "Pr1\tx\t3\t-\n").unwrap()[0].rule,
        "-"
    );
}
