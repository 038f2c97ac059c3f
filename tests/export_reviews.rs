//! The draft reviews of the three samples and of the corpus task folder Pr6636 read like
//! the reviewers' own: snapshotted whole, and checked for what a reviewer would otherwise
//! fix by hand before sending. No HTML entity outside code blocks; extraction notes only
//! as notes at the end; sections and knowledge gaps by severity, then count; repeated
//! findings of a rule as one entry; the quoted code is the construct (in a task folder,
//! the lines of MODEL_RESPONSE.md it names); each summary once; "What went right" after
//! the failures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use tfreview::export::markdown::{MarkdownOptions, render};
use tfreview::review::Review;
use tfreview::{Analysis, Target, analyse};

const SAMPLES: &[&str] = &["zero-trust-iam-kms", "multi-account-security", "clean"];

fn draft() -> MarkdownOptions {
    MarkdownOptions {
        draft: true,
        ..MarkdownOptions::default()
    }
}

fn analysis_of(root: &Path) -> Analysis {
    analyse(root, &Target::Auto).unwrap()
}

fn sample(name: &str) -> std::path::PathBuf {
    common::manifest_dir().join("sample-workspaces").join(name)
}

/// The lines of `md` outside fenced code blocks, with their line numbers (0-based).
fn prose(md: &str) -> Vec<(usize, &str)> {
    let mut fence: Option<&str> = None;
    let mut out = Vec::new();
    for (i, line) in md.lines().enumerate() {
        let run = &line[..line.len() - line.trim_start_matches('`').len()];
        match fence {
            Some(open) if line == open => fence = None,
            Some(_) => {}
            None if run.len() >= 3 => fence = Some(run),
            None => out.push((i, line)),
        }
    }
    out
}

fn severity_rank(level: &str) -> usize {
    ["Critical", "High", "Medium", "Low"]
        .iter()
        .position(|s| level.starts_with(s))
        .unwrap_or_else(|| panic!("unknown severity {level}"))
}

/// What every exported review must hold to be sent as is.
fn assert_sendable(md: &str) {
    let prose = prose(md);
    // No HTML entity outside fenced code.
    for (i, line) in &prose {
        for entity in ["&gt;", "&lt;", "&amp;"] {
            assert!(
                !line.contains(entity),
                "{entity} on line {}: {line}\n{md}",
                i + 1
            );
        }
    }
    let sections: Vec<&str> = prose
        .iter()
        .filter_map(|(_, l)| l.strip_prefix("## "))
        .collect();
    // Failure sections in severity order, then "What went right", then the summary.
    let failures: Vec<&str> = sections
        .iter()
        .copied()
        .filter(|s| s.ends_with(" Failures"))
        .collect();
    let ranks: Vec<usize> = failures.iter().map(|s| severity_rank(s)).collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{sections:?}");
    let summary = sections.iter().position(|s| *s == "Summary").unwrap();
    assert!(sections[..failures.len()] == failures[..], "{sections:?}");
    if let Some(right) = sections.iter().position(|s| *s == "What Went Right") {
        assert_eq!(right, failures.len(), "{sections:?}");
        assert_eq!(summary, right + 1, "{sections:?}");
    } else {
        assert_eq!(summary, failures.len(), "{sections:?}");
    }
    // Failures are numbered across the document.
    let mut number = 0;
    for (_, line) in &prose {
        if let Some(heading) = line.strip_prefix("### ") {
            number += 1;
            assert!(heading.starts_with(&format!("{number}. ")), "{heading}");
        }
    }
    // The failures end where the summary begins; no extraction note among them.
    let failures_text: String = md.split("\n## Summary\n").next().unwrap().to_string();
    for needle in ["answer-extraction", "Check the extraction of"] {
        assert!(
            !failures_text.contains(needle),
            "an extraction note among the failures:\n{md}"
        );
    }
    if md.contains("Check the extraction of") {
        let notes = md.split("\n## Notes for the Reviewer\n").nth(1).unwrap();
        assert!(notes.contains("Check the extraction of"));
        assert!(!notes.contains("\n## "), "notes are not the last section");
    }
    // Knowledge gaps by severity, then count.
    let gap_lines: Vec<&str> = prose
        .iter()
        .map(|(_, l)| *l)
        .filter(|l| l.starts_with("  ") && l.ends_with(')'))
        .collect();
    let gaps: Vec<(usize, usize)> = gap_lines
        .iter()
        .map(|l| {
            let inside = l.rsplit_once("`: ").unwrap().1;
            let (level, count) = inside.split_once(", ").unwrap();
            let count: usize = count.split(' ').next().unwrap().parse().unwrap();
            (severity_rank(level), usize::MAX - count)
        })
        .collect();
    assert!(
        gaps.windows(2).all(|w| w[0] <= w[1]),
        "gaps out of order:\n{md}"
    );
}

/// `(severity rank, number of places)` of each failure, in document order.
fn failure_order(md: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut count = 1;
    for (_, line) in prose(md) {
        if let Some(heading) = line.strip_prefix("### ") {
            count = heading
                .rsplit_once(" (")
                .and_then(|(_, n)| n.strip_suffix(" occurrences)"))
                .map_or(1, |n| n.parse().unwrap());
        }
        if let Some(level) = line.strip_prefix("**Impact Level**: ") {
            out.push((severity_rank(level), count));
        }
    }
    out
}

#[test]
fn drafts_of_the_samples_can_be_sent_as_they_are() {
    for name in SAMPLES {
        let md = render(
            &analysis_of(&sample(name)),
            &Review::default(),
            name,
            &draft(),
        );
        assert_sendable(&md);
        let order = failure_order(&md);
        assert!(
            order
                .windows(2)
                .all(|w| w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 >= w[1].1)),
            "{name}: failures out of order {order:?}"
        );
        insta::assert_snapshot!(format!("sample-{name}"), md);
    }
}

#[test]
fn repeated_findings_of_a_rule_are_one_sentence_with_their_places() {
    let md = render(
        &analysis_of(&sample("zero-trust-iam-kms")),
        &Review::default(),
        "zero-trust-iam-kms",
        &draft(),
    );
    let headings: Vec<&str> = md
        .lines()
        .filter(|l| l.contains("Missing dependencies on the KMS key policy"))
        .filter(|l| l.starts_with("### "))
        .collect();
    assert_eq!(
        headings,
        ["### 1. Missing dependencies on the KMS key policy (5 occurrences)"]
    );
    assert!(md.contains(
        "**MODEL_RESPONSE Issue**:\nEach of `aws_cloudwatch_log_group.iam_activity` (`cloudwatch_logs.tf:4`), `aws_cloudwatch_log_group.security_admin` (`cloudwatch_logs.tf:11`), `aws_cloudwatch_log_group.auditor` (`cloudwatch_logs.tf:18`), `aws_cloudwatch_log_group.service_roles` (`cloudwatch_logs.tf:25`) and `aws_cloudwatch_log_group.kms_activity` (`cloudwatch_logs.tf:32`) encrypts with `aws_kms_key.infrastructure_secrets`, whose policy is the separate `aws_kms_key_policy.infrastructure_secrets`, but does not depend on it: Terraform may create it before the policy allows its service to use the key.\n\n"
    ));
    // One diff, each file header once.
    let entry = md.split("### 2. ").next().unwrap();
    assert_eq!(entry.matches("--- a/cloudwatch_logs.tf\n").count(), 1);
    assert_eq!(entry.matches("depends_on = [").count(), 5);

    // Messages that differ in more than a name: the places, and the clause they share.
    let md = render(
        &analysis_of(&sample("multi-account-security")),
        &Review::default(),
        "multi-account-security",
        &draft(),
    );
    assert!(md.contains(
        "Undeclared variables in 8 places: `var.primary_region` (`kms.tf:4`), `var.kms_deletion_window` (`kms.tf:7`), "
    ));
    assert!(md.contains(
        "and `var.development_ou_name` (`organizations.tf:28`); Terraform fails with \"Reference to undeclared input variable\".\n"
    ));
}

#[test]
fn the_quoted_code_is_the_construct_the_finding_is_about() {
    let md = render(
        &analysis_of(&sample("multi-account-security")),
        &Review::default(),
        "multi-account-security",
        &draft(),
    );
    // The use of an undeclared variable with a few lines around it, not its whole block.
    assert!(md.contains(
        "```hcl\n# kms.tf, lines 3-6 (the first of 8 places)\nresource \"aws_kms_key\" \"primary\" {\n  description             = \"Multi-region key for security framework data in ${var.primary_region}\"\n"
    ), "{md}");
    let md = render(
        &analysis_of(&sample("zero-trust-iam-kms")),
        &Review::default(),
        "zero-trust-iam-kms",
        &draft(),
    );
    // The statement whose condition is wrong, whole.
    assert!(md.contains(
        "```hcl\n# iam_policies.tf, lines 47-62 (the first of 2 places)\n      {\n        Sid    = \"DenySensitiveOperationsOutsideBusinessHours\"\n"
    ), "{md}");
    // A missing provider configuration has no neighbour here: nothing is quoted, and
    // certainly not the first resource of `cloudwatch_logs.tf`.
    let entry = md
        .split("Provider configuration is missing\n")
        .nth(1)
        .unwrap()
        .split("\n---\n")
        .next()
        .unwrap();
    assert!(!entry.contains("```hcl"), "{entry}");
    assert!(!entry.contains("aws_cloudwatch_log_group"), "{entry}");
}

#[test]
fn each_summary_once_and_what_went_right_after_the_failures() {
    let analysis = analysis_of(&sample("zero-trust-iam-kms"));
    let review = Review {
        summary: Some("A strong answer with four deployment blockers.".into()),
        strengths: Some(
            "The model got the role structure right:\n- MFA on every role\n* rotation on every key\n## not a heading"
                .into(),
        ),
        score: Some(5),
        ..Review::default()
    };
    let md = render(&analysis, &review, "zero-trust-iam-kms", &draft());
    assert_sendable(&md);
    assert_eq!(
        md.matches("A strong answer with four deployment blockers.")
            .count(),
        1
    );
    assert_eq!(md.matches("5/10").count(), 1);
    assert!(md.contains("\n**Training Quality Score**: 5/10\n"));
    assert!(md.contains(
        "## What Went Right\n\nThe model got the role structure right:\n- MFA on every role\n- rotation on every key\n\\## not a heading\n\n## Summary\n"
    ), "{md}");
}

#[test]
fn the_error_terraform_or_aws_prints_is_quoted_under_the_issue() {
    let md = render(
        &analysis_of(&sample("multi-account-security")),
        &Review::default(),
        "multi-account-security",
        &draft(),
    );
    let entry = md.split("### 2. ").next().unwrap();
    let error = entry
        .find("**Error**:\n```text\nError: Provider configuration not present\n```\n")
        .unwrap();
    assert!(entry.find("**MODEL_RESPONSE Issue**").unwrap() < error);
    assert!(error < entry.find("**IDEAL_RESPONSE Fix**").unwrap());
    let md = render(
        &analysis_of(&sample("zero-trust-iam-kms")),
        &Review::default(),
        "zero-trust-iam-kms",
        &draft(),
    );
    assert!(md.contains("**Error**: Creating a CloudWatch log group with the key fails with:\n```text\napi error AccessDeniedException: The specified KMS key does not exist or is not allowed to be used\n```\n"));
    // A rule without a documented message has no error.
    let naming = md.split("breaks the shared name prefix").nth(1).unwrap();
    let naming = naming.split("\n---\n").next().unwrap();
    assert!(!naming.contains("**Error**"));
}

#[test]
fn draft_of_the_corpus_task_pr6636() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let root = corpus.join("Pr6636");
    let analysis = analysis_of(&root);
    let md = render(&analysis, &Review::default(), "Pr6636", &draft());
    assert_sendable(&md);
    // The five missing dependencies are one entry.
    let entries: Vec<&str> = md
        .lines()
        .filter(|l| {
            l.starts_with("### ") && l.contains("Missing dependencies on the KMS key policy")
        })
        .collect();
    assert_eq!(
        entries,
        ["### 1. Missing dependencies on the KMS key policy (5 occurrences)"]
    );
    assert_eq!(md.matches("does not depend on it").count(), 1);
    assert!(md.contains("(`kms-key-policy-dependency-missing`: Critical, 5 findings)"));
    // The extraction note is a note.
    assert!(
        md.contains(
            "\n## Notes for the Reviewer\n\n- Check the extraction of `terraform.tfvars`: "
        )
    );
    // Quoted code names the lines of MODEL_RESPONSE.md it was taken from, and they hold it.
    let answer = std::fs::read_to_string(root.join("lib/MODEL_RESPONSE.md")).unwrap();
    let answer: Vec<&str> = answer.lines().collect();
    let mut quotes = 0;
    for block in md.split("```hcl\n").skip(1) {
        let block = block.split("\n```\n").next().unwrap();
        let mut lines = block.lines();
        let first = lines.next().unwrap();
        let Some(rest) = first.strip_prefix("# lib/MODEL_RESPONSE.md, lines ") else {
            continue;
        };
        let range = rest.split(' ').next().unwrap();
        let (from, to) = range.split_once('-').unwrap();
        let (from, to): (usize, usize) = (from.parse().unwrap(), to.parse().unwrap());
        let quoted: Vec<&str> = lines.collect();
        assert_eq!(quoted, answer[from - 1..to], "{first}");
        quotes += 1;
    }
    assert!(quotes >= 5, "{md}");
    // The missing provider configuration once, with both rules; diffs name lib/ paths.
    assert_eq!(
        md.lines()
            .filter(|l| l.starts_with("### ") && l.contains("Provider configuration is missing"))
            .count(),
        1,
        "{md}"
    );
    assert!(!md.contains("`terraform` is missing from the answer"));
    assert!(!md.contains("+++ b/lib/MODEL_RESPONSE.md/"));
    assert!(md.contains("+++ b/lib/provider.tf"));
    // The outline only: the corpus's code is not copied into this repository.
    let mut outline = String::new();
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let ticks: String = line.chars().take_while(|&c| c == '`').collect();
        match &fence {
            Some(open) if ticks.len() >= open.len() && line.trim() == ticks => fence = None,
            Some(_) => {}
            None if ticks.len() >= 3 => fence = Some(ticks),
            None if line.starts_with('#') || line.starts_with("- **") => {
                outline.push_str(line);
                outline.push('\n');
            }
            None => {}
        }
    }
    insta::assert_snapshot!("corpus-Pr6636-outline", outline);
}
