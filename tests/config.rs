//! `.tfreview.toml` and inline suppressions, through the real binary: rules disabled and
//! re-severitied, paths ignored, the contract profile on in task folders only unless
//! chosen, `--config`, errors that name the line, and `# tfreview:ignore`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn check(dir: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tfreview"))
        .args(["check", "--format", "json"])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap()
}

/// `(rule, severity)` of every finding.
fn findings(o: &Output) -> Vec<(String, String)> {
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const MAIN: &str = r#"resource "aws_kms_key" "data" {
  description = "data"
}

output "key" {
  value = aws_kms_key.data.arn
}
"#;

#[test]
fn rules_are_disabled_or_given_new_severities_and_paths_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.tf", MAIN);
    write(
        dir.path(),
        "vendor/x/main.tf",
        "output \"v\" {\n  value = 1\n}\n",
    );
    let before = findings(&check(dir.path(), &[]));
    assert!(before.contains(&("kms-key-rotation-disabled".into(), "medium".into())));
    assert!(before.contains(&("output-description-missing".into(), "low".into())));
    assert_eq!(
        before
            .iter()
            .filter(|(r, _)| r == "output-description-missing")
            .count(),
        2
    );
    write(
        dir.path(),
        ".tfreview.toml",
        "ignore = [\"vendor/\"]\n\n[rules]\ndisable = [\"output-description-missing\"]\nseverity = { kms-key-rotation-disabled = \"critical\" }\n",
    );
    let after = findings(&check(dir.path(), &[]));
    assert!(!after.iter().any(|(r, _)| r == "output-description-missing"));
    assert!(after.contains(&("kms-key-rotation-disabled".into(), "critical".into())));
    // The contract is off in a plain workspace, on when chosen.
    assert!(
        !after
            .iter()
            .any(|(r, _)| r == "kms-deletion-window-too-long")
    );
    let other = tempfile::tempdir().unwrap();
    write(other.path(), "strict.toml", "profiles = [\"contract\"]\n");
    let chosen = findings(&check(
        dir.path(),
        &[
            "--config",
            other.path().join("strict.toml").to_str().unwrap(),
        ],
    ));
    assert!(
        chosen
            .iter()
            .any(|(r, _)| r == "kms-deletion-window-too-long")
    );
    // `--config` replaces the workspace's file: the disabled rule is back, vendor too.
    assert_eq!(
        chosen
            .iter()
            .filter(|(r, _)| r == "output-description-missing")
            .count(),
        2
    );
}

#[test]
fn the_contract_is_on_in_task_folders_unless_turned_off() {
    let task = common::copy_to_temp(
        &common::manifest_dir().join("tests/fixtures/rules/ideal-block-missing/fires"),
    );
    let on = findings(&check(task.path(), &[]));
    assert!(
        on.iter().any(|(r, _)| r == "required-variable-missing"
            || r == "resource-name-missing-suffix"
            || r == "provider-block-misplaced"),
        "{on:?}"
    );
    let text = Command::new(env!("CARGO_BIN_EXE_tfreview"))
        .arg("check")
        .arg(task.path())
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.trim_end().ends_with("analysed; profile contract)"),
        "{text}"
    );
    write(task.path(), ".tfreview.toml", "profiles = []\n");
    let off = findings(&check(task.path(), &[]));
    for (rule, _) in &off {
        let profile = tfreview::rules::find(rule).unwrap().profile();
        assert_eq!(profile, None, "{rule} runs with the contract off");
    }
}

#[test]
fn configuration_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.tf", MAIN);
    write(
        dir.path(),
        ".tfreview.toml",
        "[rules]\ndisable = [\n  \"kms-key-rotation-disabled\",\n  \"no-such-rule\",\n]\n",
    );
    let o = check(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(".tfreview.toml:4: unknown rule `no-such-rule`"),
        "{err}"
    );
    write(
        dir.path(),
        ".tfreview.toml",
        "[contract]\nsufix-variable = \"x\"\n",
    );
    let err = String::from_utf8_lossy(&check(dir.path(), &[]).stderr).to_string();
    assert!(
        err.contains(".tfreview.toml:2: unknown field `sufix-variable`"),
        "{err}"
    );
}

#[test]
fn inline_suppressions_silence_a_rule_in_their_block_and_need_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        r#"# tfreview:ignore kms-key-rotation-disabled imported key, rotated by the HSM team
resource "aws_kms_key" "imported" {
  description = "imported"
}

resource "aws_kms_key" "data" {
  description = "data"
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
  # tfreview:ignore queue-topic-encryption-missing
  sqs_managed_sse_enabled = false
}
"#,
    );
    let f = findings(&check(dir.path(), &[]));
    let rotation = f
        .iter()
        .filter(|(r, _)| r == "kms-key-rotation-disabled")
        .count();
    assert_eq!(rotation, 1, "only the unsuppressed key is reported: {f:?}");
    // The queue's finding sits on its header, outside the suppressed attribute.
    assert!(f.iter().any(|(r, _)| r == "queue-topic-encryption-missing"));
    assert!(f.contains(&("suppression-invalid".into(), "low".into())));
}
