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

/// A template the answer shows under its name is what `templatefile()` renders: a name
/// it uses and the call does not pass is reported at the call, with the template's
/// line in the answer as a related place (which the evaluation counts).
#[test]
fn a_shown_template_is_checked_and_cited_in_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    let md = "# Answer\n\n## main.tf\n```hcl\nvariable \"project\" {\n  type = string\n}\n\nresource \"aws_instance\" \"web\" {\n  ami           = \"ami-0123456789abcdef0\"\n  instance_type = \"t3.micro\"\n  user_data = templatefile(\"${path.module}/user_data.sh\", {\n    bucket = \"logs\"\n  })\n}\n```\n\n## user_data.sh\n```bash\n#!/bin/bash\naws s3 cp /var/log/app s3://${bucket}/\necho \"${project}\" > /etc/project\n```\n";
    std::fs::write(lib.join("MODEL_RESPONSE.md"), md).unwrap();
    let analysis = tfreview::analyse(dir.path(), &tfreview::Target::Auto).unwrap();
    let found: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.rule == "template-variable-missing")
        .collect();
    assert_eq!(found.len(), 1, "{:#?}", analysis.findings);
    let f = found[0];
    assert!(f.message.contains("`project`"), "{}", f.message);
    assert!(
        f.message.contains("line 22 of `lib/MODEL_RESPONSE.md`"),
        "{}",
        f.message
    );
    let place = &f.asset_places[0];
    assert_eq!(place.path, "lib/MODEL_RESPONSE.md/user_data.sh");
    assert_eq!(place.line, 3);
    let origin = place.origin.as_ref().unwrap();
    assert_eq!(
        (origin.path.as_str(), origin.line),
        ("lib/MODEL_RESPONSE.md", 22)
    );
    // The call's line in the answer is where the finding is.
    let (line, _) = analysis.position(f).0;
    let file = &analysis.workspace.files[f.file];
    assert_eq!(file.origin_at(line).unwrap().line, 12);
}
