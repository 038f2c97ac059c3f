//! The `tfreview` binary as a user runs it: exit codes, the text and JSON reports, the
//! rule listing, and what happens on bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::{Command, Output};

use common::manifest_dir;

fn tfreview(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tfreview"));
    command.args(args);
    // Decisions a user left in a sample (the README's first command) are not read.
    if matches!(args.first(), Some(&"check") | Some(&"export")) {
        command.arg("--review-file").arg(common::no_review());
    }
    command.current_dir(manifest_dir()).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn exit_status_follows_fail_on() {
    let seed4 = "sample-workspaces/zero-trust-iam-kms";
    let seed0 = "sample-workspaces/multi-account-security";
    assert_eq!(
        tfreview(&["check", "sample-workspaces/clean"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(tfreview(&["check", seed4]).status.code(), Some(1));
    assert_eq!(
        tfreview(&["check", seed4, "--fail-on", "none"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        tfreview(&["check", seed0, "--fail-on", "critical"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        tfreview(&["check", seed0, "--fail-on", "high"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        tfreview(&["check", seed0, "--fail-on", "low"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn usage_and_io_errors_exit_2_with_a_message() {
    let o = tfreview(&["check", "no/such/folder"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no/such/folder"));
    assert_eq!(
        tfreview(&["check", ".", "--format", "xml"]).status.code(),
        Some(2)
    );
    let o = tfreview(&["check", "Cargo.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a folder"));
}

#[test]
fn text_report_has_diagnostics_frames_diffs_and_a_summary() {
    let out = stdout(&tfreview(&[
        "check",
        "sample-workspaces/multi-account-security",
    ]));
    assert!(out.contains(
        "kms.tf:43:14: high[provider-alias-undefined] `aws_kms_replica_key.secondary` uses `aws.secondary`"
    ));
    assert!(out.contains("43 |   provider = aws.secondary\n   |              ^^^^^^^^^^^^^\n"));
    assert!(out.contains("fix (unsafe): Add `provider \"aws\"` with `alias = \"secondary\"`\n--- a/provider.tf\n+++ b/provider.tf\n"));
    assert!(out.ends_with("13 findings: 0 critical, 1 high, 8 medium, 4 low (6 files analysed)\n"));
}

#[test]
fn json_report_has_the_documented_shape() {
    let o = tfreview(&[
        "check",
        "sample-workspaces/multi-account-security",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec!["tool", "version", "root", "files", "findings", "summary"]
    );
    assert_eq!(v["root"], "sample-workspaces/multi-account-security");
    assert_eq!(
        v["files"][0],
        serde_json::json!({"path": "kms.tf", "origin": null})
    );
    assert_eq!(
        v["summary"],
        serde_json::json!({"critical": 0, "high": 1, "medium": 8, "low": 4})
    );
    let alias = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "provider-alias-undefined")
        .unwrap();
    let keys: Vec<&str> = alias
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        vec![
            "fingerprint",
            "rule",
            "also",
            "severity",
            "class",
            "title",
            "message",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "origin",
            "address",
            "fix",
            "status",
            "note",
            "ideal"
        ]
    );
    assert_eq!(alias["path"], "kms.tf");
    assert_eq!(alias["class"], "error");
    assert_eq!(
        (alias["line"].as_u64(), alias["column"].as_u64()),
        (Some(43), Some(14))
    );
    assert_eq!(
        (alias["end_line"].as_u64(), alias["end_column"].as_u64()),
        (Some(43), Some(27))
    );
    assert_eq!(alias["address"], "aws_kms_replica_key.secondary");
    assert_eq!(alias["status"], "pending");
    assert_eq!(alias["also"], serde_json::json!([]));
    assert!(matches!(
        alias["fix"]["applicability"].as_str(),
        Some("safe" | "unsafe")
    ));
    assert!(
        alias["fix"]["diff"]
            .as_str()
            .unwrap()
            .starts_with("--- a/provider.tf\n+++ b/provider.tf\n@@")
    );
    assert_eq!(alias["fingerprint"].as_str().unwrap().len(), 16);
}

#[test]
fn fingerprints_survive_moving_lines() {
    let dir =
        common::copy_to_temp(&manifest_dir().join("sample-workspaces/multi-account-security"));
    let run = |d: &std::path::Path| -> Vec<String> {
        let o = tfreview(&["check", d.to_str().unwrap(), "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let mut fps: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect();
        fps.sort();
        fps
    };
    let before = run(dir.path());
    let kms = dir.path().join("kms.tf");
    let text = std::fs::read_to_string(&kms).unwrap();
    std::fs::write(&kms, format!("# moved down\n\n\n{text}")).unwrap();
    assert_eq!(run(dir.path()), before);
}

#[test]
fn rules_are_listed_and_documented() {
    let list = stdout(&tfreview(&["rules"]));
    for id in [
        "provider-alias-undefined",
        "kms-key-policy-dependency-missing",
        "hcl-syntax-error",
    ] {
        assert!(list.contains(id), "{id} missing from:\n{list}");
    }
    assert_eq!(list.lines().count(), tfreview::rules::all().len() + 1);
    for rule in tfreview::rules::all() {
        let line = list
            .lines()
            .find(|l| l.split_whitespace().next() == Some(rule.id()))
            .unwrap();
        let columns: Vec<&str> = line.split_whitespace().take(4).collect();
        assert_eq!(
            columns[1..],
            [
                rule.severity().as_str(),
                rule.class().as_str(),
                rule.profile().unwrap_or("core")
            ]
        );
    }
    let doc = stdout(&tfreview(&["rules", "provider-alias-undefined"]));
    assert!(
        doc.starts_with("# provider-alias-undefined (severity high, class error, profile core)\n")
    );
    assert!(doc.contains("## Why is this bad?"));
    assert_eq!(tfreview(&["rules", "no-such-rule"]).status.code(), Some(2));
}

#[test]
fn file_contents_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}\" = \n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("bad.tf"), [0xff, 0xfe, b'x']).unwrap();
    let o = tfreview(&["check", dir.path().to_str().unwrap()]);
    let out = stdout(&o);
    assert!(out.contains("critical[hcl-syntax-error]"), "{out}");
    assert!(
        out.contains("high[file-unreadable] `bad.tf` is not valid UTF-8"),
        "{out}"
    );
    assert!(out.contains("\\x1b]0;pwned\\x07\\x1b[2J\\u{202e}"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'));
}

#[test]
fn evaluate_reports_a_bad_labels_file_by_line() {
    let o = tfreview(&["evaluate", "sample-workspaces", "--labels", "Cargo.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("Cargo.toml: line 1: expected 6 tab-separated columns")
    );
}

/// A constraint older than every bundled schema checks nothing against the schema, and the
/// summary (text and JSON) says so once; the same code under `~> 5.0` is checked.
#[test]
fn an_older_provider_constraint_is_said_once_and_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let code = |version: &str| {
        format!(
            "terraform {{\n  required_providers {{\n    aws = {{\n      source  = \"hashicorp/aws\"\n      version = \"{version}\"\n    }}\n  }}\n}}\n\nresource \"aws_flow_log\" \"vpc\" {{\n  vpc_id              = \"vpc-0123456789abcdef0\"\n  traffic_type        = \"ALL\"\n  log_destination_arn = \"arn:aws:s3:::logs\"\n}}\n"
        )
    };
    let main = dir.path().join("main.tf");
    std::fs::write(&main, code("~> 4.0")).unwrap();
    let path = dir.path().to_str().unwrap();
    let text = stdout(&tfreview(&["check", "--fail-on", "none", path]));
    assert!(!text.contains("argument-unsupported"), "{text}");
    let notes: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("not checked against a provider schema"))
        .collect();
    assert_eq!(notes.len(), 1, "{text}");
    assert!(
        notes[0].contains("`.` (aws `~> 4.0`; bundled 5.99.1"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&tfreview(&[
        "check",
        "--format",
        "json",
        "--fail-on",
        "none",
        path,
    ])))
    .unwrap();
    assert_eq!(json["unchecked"].as_array().map(Vec::len), Some(1));

    std::fs::write(&main, code("~> 5.0")).unwrap();
    let text = stdout(&tfreview(&["check", "--fail-on", "none", path]));
    assert!(text.contains("[argument-unsupported]"), "{text}");
    assert!(!text.contains("not checked against"), "{text}");
}

/// The README's first command leaves `.tfreview/review.json` in a sample; the tests that
/// copy samples leave it behind, and those that run on a sample in place name a review
/// file that does not exist, so a user's decisions never change what a test sees.
#[test]
fn review_state_left_in_a_sample_is_never_a_tests_input() {
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("main.tf"), "variable \"a\" {}\n").unwrap();
    std::fs::create_dir(src.path().join(common::REVIEW_DIR)).unwrap();
    std::fs::write(
        src.path().join(common::REVIEW_DIR).join("review.json"),
        "{\"version\":1,\"decisions\":{}}",
    )
    .unwrap();
    let copy = common::copy_to_temp(src.path());
    assert!(copy.path().join("main.tf").is_file());
    assert!(!copy.path().join(common::REVIEW_DIR).exists());
    assert!(!common::no_review().exists());
}

/// `tfreview rules`: the columns line up after the longest id; a rule id is found in any
/// case and with `_` for `-`, and an unknown one gets the closest as a suggestion.
#[test]
fn rules_line_up_and_ids_are_forgiving() {
    let out = stdout(&tfreview(&["rules"]));
    let lines: Vec<&str> = out.lines().collect();
    let col = lines[0].find("SEVERITY").unwrap();
    for line in &lines[1..] {
        let (id, rest) = line.split_at(col);
        assert!(id.ends_with(' ') && !rest.starts_with(' '), "{line}");
    }
    let o = tfreview(&["rules", "KMS_Key_Rotation_Disabled"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("# kms-key-rotation-disabled "));
    let o = tfreview(&["rules", "kms-rotation"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("did you mean `kms-key-rotation-disabled`?"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
