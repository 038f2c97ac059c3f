//! `tfreview export`: the draft of the seed-004 sample has the failures, severities and
//! sections of seed 004's review, each diff in it applies with `git apply`, the same
//! review exports to the same bytes, and decisions land in the right sections.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

use tfreview::analyse_path;
use tfreview::export::markdown::{MarkdownOptions, render};
use tfreview::review::{Review, Status};

fn export_draft(out: &std::path::Path) -> String {
    let status = Command::new(env!("CARGO_BIN_EXE_tfreview"))
        .args([
            "export",
            "sample-workspaces/zero-trust-iam-kms",
            "--format",
            "md",
            "--draft",
            "--review-file",
        ])
        .arg(common::no_review())
        .arg("-o")
        .arg(out)
        .current_dir(common::manifest_dir())
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read_to_string(out).unwrap()
}

/// `(section, [(number, impact level)])` in document order.
fn structure(md: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in md.lines() {
        if let Some(section) = line.strip_prefix("## ") {
            out.push((section.to_string(), Vec::new()));
        } else if let Some(level) = line.strip_prefix("**Impact Level**: ") {
            out.last_mut().unwrap().1.push(level.to_string());
        }
    }
    out
}

#[test]
fn draft_of_the_seed_004_sample_matches_the_seed_review() {
    let dir = tempfile::tempdir().unwrap();
    let md = export_draft(&dir.path().join("r.md"));
    assert!(md.starts_with("# Model Response Failures Analysis\n"));
    // Seed 004: three critical failures (time-based access, KMS principal, depends_on)
    // and two medium ones (log group naming, missing provider configuration); tfreview
    // adds a third medium one the human review missed (write actions on `*`).
    assert_eq!(
        structure(&md),
        vec![
            (
                "Critical Failures".to_string(),
                vec!["Critical".to_string(); 3]
            ),
            ("Medium Failures".to_string(), vec!["Medium".to_string(); 3]),
            ("Summary".to_string(), vec![]),
        ]
    );
    for needle in [
        "Policy conditions that do not test what they say",
        "KMS key policy does not allow the CloudWatch Logs service",
        "Missing dependencies on the KMS key policy (5 occurrences)",
        "breaks the shared name prefix",
        "Provider configuration is missing",
        "`local.business_hours_condition` is defined, but nothing in this module references it",
        "IAM policy allows write actions on every resource",
        "- **Total failures**: 3 Critical, 0 High, 3 Medium, 0 Low",
    ] {
        assert!(md.contains(needle), "missing `{needle}` in:\n{md}");
    }
    // The same review gives the same bytes.
    assert_eq!(md, export_draft(&dir.path().join("again.md")));
}

#[test]
fn every_diff_in_the_draft_applies_with_git() {
    let dir = tempfile::tempdir().unwrap();
    let md = export_draft(&dir.path().join("r.md"));
    let diffs: Vec<String> = md
        .split("```diff\n")
        .skip(1)
        .map(|rest| rest.split("\n```\n").next().unwrap().to_string() + "\n")
        .collect();
    // The business-hours statements have no fix: IAM cannot express a daily window.
    assert_eq!(diffs.len(), 4);
    for diff in diffs {
        let ws = common::copy_to_temp(
            &common::manifest_dir().join("sample-workspaces/zero-trust-iam-kms"),
        );
        std::fs::write(ws.path().join("fix.patch"), &diff).unwrap();
        let out = Command::new("git")
            .current_dir(ws.path())
            .args(["apply", "fix.patch"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git apply failed: {}\n{diff}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn decisions_choose_the_sections_and_reviewer_text_stays_text() {
    let analysis =
        analyse_path(&common::manifest_dir().join("sample-workspaces/multi-account-security"))
            .unwrap();
    let mut review = Review {
        summary: Some("Strong answer <b>overall</b>; ```fences``` stay inside.".into()),
        score: Some(8),
        ..Review::default()
    };
    let alias = analysis
        .findings
        .iter()
        .find(|f| f.rule == "provider-alias-undefined")
        .unwrap();
    let org = analysis
        .findings
        .iter()
        .find(|f| f.rule == "organizations-management-account")
        .unwrap();
    review.decide(
        &analysis,
        alias,
        Status::Accepted,
        Some(Some("Forgot the alias ``` block".into())),
    );
    review.decide(
        &analysis,
        org,
        Status::Rejected,
        Some(Some("We deploy from the management account".into())),
    );
    let md = render(
        &analysis,
        &review,
        "multi-account-security",
        &MarkdownOptions::default(),
    );
    insta::assert_snapshot!(md);
    assert!(md.contains("## High Failures"));
    assert!(!md.contains("## Low Failures"));
    // Reviewer text is text: `<b>` is escaped the CommonMark way, not as an entity.
    assert!(md.contains("Strong answer \\<b>overall\\</b>; `fences` stay inside."));
    assert!(md.contains("**Root Cause**: Forgot the alias \\`\\`\\` block"));
    for entity in ["&gt;", "&lt;", "&amp;", "&quot;"] {
        assert!(!md.contains(entity), "{entity} in:\n{md}");
    }
    assert!(md.contains("**Training Quality Score**: 8/10"));
    assert!(md.contains("## Dismissed Findings\n\n- **AWS Organizations can only be created from a management account**"));
    assert!(md.contains("## Not Yet Reviewed"));
    let without = render(
        &analysis,
        &review,
        "multi-account-security",
        &MarkdownOptions {
            draft: false,
            include_dismissed: false,
            include_pending: false,
        },
    );
    assert!(!without.contains("## Dismissed Findings") && !without.contains("## Not Yet Reviewed"));
}
