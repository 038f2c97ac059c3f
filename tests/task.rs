//! Task folders: extraction of every trap seen in the corpus, on fixtures written here
//! (snapshots of the files with their Markdown lines, and the notes), and the review of a
//! real answer (corpus Pr6636, reviewed in seed 004) with its comparison to the ideal.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fmt::Write as _;
use std::process::Command;

use tfreview::workspace::markdown::extract;

fn render(md: &str) -> String {
    let ex = extract(md);
    let mut out = String::new();
    for f in &ex.files {
        let _ = writeln!(
            out,
            "== {} ({:?}), Markdown lines {:?}",
            f.path, f.naming, f.lines
        );
        out.push_str(&f.text);
    }
    for n in &ex.notes {
        let _ = writeln!(out, "note at line {} ({:?}): {}", n.line, n.file, n.message);
    }
    out
}

#[test]
fn extraction_traps() {
    let dir = common::manifest_dir().join("tests/fixtures/extraction");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    assert!(names.len() >= 9);
    for path in names {
        let md = std::fs::read_to_string(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(format!("extraction__{name}"), render(&md));
    }
}

#[test]
fn every_extracted_line_maps_to_the_same_text_in_the_markdown() {
    let dir = common::manifest_dir().join("tests/fixtures/extraction");
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let md = std::fs::read_to_string(entry.path()).unwrap();
        let md_lines: Vec<&str> = md.lines().collect();
        for f in extract(&md).files {
            for (text, line) in f.text.lines().zip(&f.lines) {
                assert_eq!(
                    md_lines[line - 1].trim(),
                    text.trim(),
                    "{:?} {}",
                    entry.path(),
                    f.path
                );
            }
        }
    }
}

#[test]
fn extract_writes_the_files_of_an_answer() {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_tfreview"))
        .arg("extract")
        .arg(common::manifest_dir().join("tests/fixtures/extraction/modules.md"))
        .arg("-o")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(out.path().join("main.tf").is_file());
    assert_eq!(
        std::fs::read_to_string(out.path().join("modules/vpc/main.tf")).unwrap(),
        "resource \"aws_vpc\" \"this\" {}\n"
    );
}

#[test]
fn the_seed_004_answer_is_reviewed_in_its_markdown() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_tfreview"))
        .args(["check", "--format", "json", "--fail-on", "none"])
        .arg(corpus.join("Pr6636"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let md = std::fs::read_to_string(corpus.join("Pr6636/lib/MODEL_RESPONSE.md")).unwrap();
    let md_lines: Vec<&str> = md.lines().collect();
    let findings = report["findings"].as_array().unwrap();
    // (rule, text that the Markdown line at origin.line holds)
    let expected = [
        ("policy-condition-contradicts-intent", "Condition = {"),
        (
            "kms-key-policy-missing-service-principal",
            "resource \"aws_kms_key_policy\" \"infrastructure_secrets\"",
        ),
        (
            "kms-key-policy-dependency-missing",
            "kms_key_id        = aws_kms_key.infrastructure_secrets.arn",
        ),
        (
            "log-group-name-inconsistent",
            "name              = \"/aws/kms/activity-${var.environment_suffix}\"",
        ),
        (
            "provider-configuration-missing",
            "resource \"aws_cloudwatch_log_group\" \"iam_activity\"",
        ),
    ];
    for (rule, text) in expected {
        let hits: Vec<&serde_json::Value> = findings.iter().filter(|f| f["rule"] == rule).collect();
        assert!(!hits.is_empty(), "no {rule} finding");
        for f in hits {
            assert_eq!(f["origin"]["path"], "lib/MODEL_RESPONSE.md");
            let line = f["origin"]["line"].as_u64().unwrap() as usize;
            assert!(
                md_lines[line - 1].contains(text),
                "{rule}: Markdown line {line} is `{}`",
                md_lines[line - 1]
            );
        }
    }
    assert_eq!(
        findings
            .iter()
            .filter(|f| f["rule"] == "kms-key-policy-dependency-missing")
            .count(),
        5
    );
    assert_eq!(
        findings
            .iter()
            .filter(|f| f["rule"] == "policy-condition-contradicts-intent")
            .count(),
        2
    );

    // The comparison: the ideal's provider.tf content is missing; with the rule that
    // finds the missing provider configuration it is one finding, with both rule ids
    // and the ideal's blocks as its fix.
    let provider: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["rule"] == "provider-configuration-missing")
        .collect();
    assert_eq!(provider.len(), 1);
    assert_eq!(
        provider[0]["also"],
        serde_json::json!(["ideal-block-missing"])
    );
    assert_eq!(provider[0]["severity"], "high");
    let diff = provider[0]["fix"]["diff"].as_str().unwrap();
    assert!(
        diff.starts_with("--- /dev/null\n+++ b/lib/provider.tf\n")
            && diff.contains("+terraform {")
            && diff.contains("+provider \"aws\" {"),
        "{diff}"
    );
    assert!(!findings.iter().any(|f| f["rule"] == "ideal-block-missing"
        && (f["address"] == "terraform" || f["address"] == "provider.aws")));
    let renamed = findings
        .iter()
        .find(|f| f["rule"] == "log-group-name-inconsistent")
        .unwrap();
    let ideal_diff = renamed["ideal"]["diff"].as_str().unwrap();
    assert!(
        ideal_diff
            .contains("+  name              = \"/aws/iam/kms/activity-${var.environment_suffix}\""),
        "{ideal_diff}"
    );
    assert!(
        !findings.iter().any(|f| f["rule"] == "ideal-block-differs"
            && f["address"] == "aws_cloudwatch_log_group.kms_activity"),
        "one entry per block, not two"
    );
}

/// An answer file with a broken block: the other blocks are recovered, and names used but
/// declared nowhere are still reported, unless the broken piece may declare them.
#[test]
fn a_broken_answer_still_reports_what_no_piece_of_it_declares() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("lib")).unwrap();
    let md = r#"## main.tf

```hcl
resource "aws_sns_topic" "alerts" {
  name = "alerts-${var.suffix}"
}

variable "retention" {
  type    = number
  default =
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name    = "errors-${var.suffix}"
  alarm_actions = [aws_sns_topic.pager.arn, aws_sns_topic.alerts.arn]
  threshold     = var.retention
}

resource "aws_cloudwatch_metric_alarm" "latency" {
  alarm_name    = "latency"
  alarm_actions = [aws_sns_topic.pager.arn]
}
```
"#;
    std::fs::write(dir.path().join("lib/MODEL_RESPONSE.md"), md).unwrap();
    let analysis = tfreview::analyse(dir.path(), &tfreview::Target::Auto).unwrap();
    let of = |rule: &str| -> Vec<String> {
        analysis
            .findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| f.key.clone())
            .collect()
    };
    assert_eq!(of("hcl-syntax-error").len(), 1);
    // `var.retention` is declared by the broken block: not reported.
    assert_eq!(of("variable-undeclared"), ["suffix"]);
    assert_eq!(of("reference-undeclared"), ["aws_sns_topic.pager"]);
    let pager = analysis
        .findings
        .iter()
        .find(|f| f.rule == "reference-undeclared")
        .unwrap();
    let places: Vec<usize> = analysis
        .related_places(pager)
        .into_iter()
        .map(|(_, line, _)| line)
        .collect();
    // Its other use, in the extracted main.tf (the finding's own is line 13).
    assert_eq!(places, [18]);
}

/// A file the answer reads (`templatefile`, `file`) counts as present when the answer
/// shows it in a code block of its own, named by its heading or the prose before it;
/// otherwise `template-file-missing` reports it (high in a task folder), at the call.
#[test]
fn a_file_the_answer_reads_must_be_shown_by_the_answer() {
    let answer = |extra: &str| {
        format!(
            r#"## main.tf

```hcl
resource "aws_instance" "web" {{
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  user_data     = templatefile("${{path.module}}/user_data.sh", {{ port = 8080 }})
}}

resource "aws_iam_policy" "app" {{
  name   = "app"
  policy = file("${{path.module}}/policies/app.json")
}}
```
{extra}"#
        )
    };
    let missing = |md: &str| -> Vec<(String, usize, String)> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("lib")).unwrap();
        std::fs::write(dir.path().join("lib/MODEL_RESPONSE.md"), md).unwrap();
        let analysis = tfreview::analyse(dir.path(), &tfreview::Target::Auto).unwrap();
        analysis
            .findings
            .iter()
            .filter(|f| f.rule == "template-file-missing")
            .map(|f| {
                let origin = analysis
                    .workspace
                    .files
                    .get(f.file)
                    .and_then(|file| file.origin_at(analysis.position(f).0.0))
                    .unwrap();
                (f.key.clone(), origin.line, f.severity.as_str().to_string())
            })
            .collect()
    };
    assert_eq!(
        missing(&answer("")),
        [
            ("user_data.sh".to_string(), 7, "high".to_string()),
            ("policies/app.json".to_string(), 12, "high".to_string()),
        ]
    );
    let shown = "\n## user_data.sh\n\n```bash\n#!/bin/bash\necho ${port}\n```\n\nThe policy, `policies/app.json`:\n\n```json\n{}\n```\n";
    assert_eq!(missing(&answer(shown)), []);
}

/// An answer cut off in the middle of a block: the syntax error names the end of the
/// text as a related place, with how much is left open there.
#[test]
fn a_cut_off_answer_names_where_its_text_ends() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("lib")).unwrap();
    let md = "## main.tf\n\n```hcl\nresource \"aws_iam_role\" \"ec2\" {\n  name = \"ec2\"\n\n  assume_role_policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [\n      {\n        Action = \"sts:AssumeRole\"\n        Effect = \"Allow\"\n        Principal = {\n          Service = \"ec2.amazonaws";
    std::fs::write(dir.path().join("lib/MODEL_RESPONSE.md"), md).unwrap();
    let analysis = tfreview::analyse(dir.path(), &tfreview::Target::Auto).unwrap();
    let syntax = analysis
        .findings
        .iter()
        .find(|f| f.rule == "hcl-syntax-error")
        .unwrap();
    let places: Vec<(usize, String)> = analysis
        .related_places(syntax)
        .into_iter()
        .map(|(_, line, message)| (line, message))
        .collect();
    assert_eq!(places.len(), 1, "{places:?}");
    // Line 14 of the Markdown is the last line of the answer.
    let (line, message) = places[0].clone();
    assert!(
        message.contains("7 brackets, strings or heredocs still open"),
        "{message}"
    );
    let origin = analysis.workspace.files[syntax.file].origin_at(line);
    assert_eq!(origin.map(|o| o.line), Some(14));
}
