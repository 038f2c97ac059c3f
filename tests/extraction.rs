//! Extraction of the Terraform in model answers: every trap of the corpus, on fixtures
//! written here (snapshots), and the share of real corpus answers whose every block gets
//! a file name.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use tfreview::workspace::markdown::{Extraction, Naming, extract};

#[test]
fn corpus_answers_get_file_names() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut with_terraform = 0;
    let mut named = 0;
    let mut by_evidence = 0;
    let mut rest = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let Ok(md) = std::fs::read_to_string(dir.join("lib/MODEL_RESPONSE.md")) else {
            continue;
        };
        let ex: Extraction = extract(&md);
        if ex.files.is_empty() {
            continue;
        }
        with_terraform += 1;
        if ex.continued_blocks == 0 {
            by_evidence += 1;
        }
        if ex.files.iter().all(|f| f.naming != Naming::Unnamed) {
            named += 1;
        } else {
            let unnamed: Vec<usize> = ex
                .files
                .iter()
                .filter(|f| f.naming == Naming::Unnamed)
                .map(|f| f.lines[0])
                .collect();
            rest.push(format!(
                "{} (unnamed blocks at lines {unnamed:?})",
                dir.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    let share = named as f64 / with_terraform as f64 * 100.0;
    println!(
        "{named} of {with_terraform} answers with Terraform have every block named: {share:.1}%"
    );
    println!(
        "  of which {by_evidence} ({:.1}%) name every block from the text alone; the others join an unnamed block to the file before it",
        by_evidence as f64 / with_terraform as f64 * 100.0
    );
    for r in &rest {
        println!("  {r}");
    }
    assert!(
        share >= 95.0,
        "only {share:.1}% named:\n{}",
        rest.join("\n")
    );
}
