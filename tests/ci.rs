//! `check` in pipelines: SARIF that validates against the official SARIF 2.1.0 schema
//! (the samples, a corpus task folder, the whole corpus), GitHub annotations, JUnit XML,
//! baselines that hide what was already known, and `--changed-since` on a real git
//! repository.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::manifest_dir;

fn tfreview_in(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tfreview"));
    command.args(args);
    // In the project folder: decisions a user left in a sample are not read.
    if dir == manifest_dir() {
        command.arg("--review-file").arg(common::no_review());
    }
    command.current_dir(dir).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn sarif_schema() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(manifest_dir().join("tests/data/sarif-schema-2.1.0.json")).unwrap();
    let mut schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The one known erratum of the published schema: the pattern of `language` has a
    // stray `]`, which a draft-07 validator refuses as a regular expression before
    // validating anything. It is corrected here, in memory (tfreview never writes
    // `language`); the fixture stays the published file.
    let mut corrected = 0;
    for definition in schema["definitions"].as_object_mut().unwrap().values_mut() {
        if let Some(pattern) = definition.pointer_mut("/properties/language/pattern")
            && pattern == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"
        {
            *pattern = serde_json::json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
            corrected += 1;
        }
    }
    assert!(corrected > 0, "the erratum is gone: remove this correction");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// The SARIF of `check PATH` (run from the project folder), validated against the schema.
fn valid_sarif(validator: &jsonschema::Validator, path: &str) -> serde_json::Value {
    let out = tfreview_in(
        &manifest_dir(),
        &["check", path, "--format", "sarif", "--fail-on", "none"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF of {path} is not valid:\n{}",
        errors.join("\n")
    );
    log
}

fn results(log: &serde_json::Value) -> &Vec<serde_json::Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

#[test]
fn sarif_of_the_samples_validates_and_says_everything() {
    let validator = sarif_schema();
    // The schema does reject what is wrong: a result without a message.
    let mut broken = valid_sarif(&validator, "sample-workspaces/clean");
    broken["runs"][0]["results"] = serde_json::json!([{ "ruleId": "x" }]);
    assert!(!validator.is_valid(&broken));

    let log = valid_sarif(&validator, "sample-workspaces/zero-trust-iam-kms");
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), tfreview::rules::all().len());
    let json = stdout(&tfreview_in(
        &manifest_dir(),
        &[
            "check",
            "sample-workspaces/zero-trust-iam-kms",
            "--format",
            "json",
        ],
    ));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let results = results(&log);
    assert_eq!(results.len(), findings.len());
    for (r, f) in results.iter().zip(findings) {
        assert_eq!(r["ruleId"], f["rule"]);
        assert_eq!(r["partialFingerprints"]["tfreview/v1"], f["fingerprint"]);
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], f["rule"],
            "ruleIndex points at the rule"
        );
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            format!(
                "sample-workspaces/zero-trust-iam-kms/{}",
                f["path"].as_str().unwrap()
            )
        );
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(loc["region"]["startLine"], f["line"]);
        assert_eq!(loc["region"]["startColumn"], f["column"]);
        assert_eq!(loc["region"]["endLine"], f["end_line"]);
        assert_eq!(loc["region"]["endColumn"], f["end_column"]);
        let level = match f["severity"].as_str().unwrap() {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], level);
        assert_eq!(r["fixes"].is_array(), !f["fix"].is_null(), "{}", f["rule"]);
    }
    // The KMS key policy that lacks the CloudWatch Logs principal names the log groups
    // that use the key as related locations.
    let kms = results
        .iter()
        .find(|r| r["ruleId"] == "kms-key-policy-missing-service-principal")
        .unwrap();
    let related = kms["relatedLocations"].as_array().unwrap();
    assert!(!related.is_empty());
    for place in related {
        assert!(
            place["message"]["text"]
                .as_str()
                .unwrap()
                .contains("uses the key")
        );
        assert_eq!(
            place["physicalLocation"]["artifactLocation"]["uri"],
            "sample-workspaces/zero-trust-iam-kms/cloudwatch_logs.tf"
        );
    }
    // A rule's documentation is its help; a security rule has a security-severity.
    let wildcard = rules
        .iter()
        .find(|r| r["id"] == "iam-policy-wildcard")
        .unwrap();
    assert!(
        wildcard["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## ")
    );
    assert_eq!(wildcard["name"], "IamPolicyWildcard");
    valid_sarif(&validator, "sample-workspaces/multi-account-security");
}

#[test]
fn sarif_fix_replacements_rebuild_the_fixed_file() {
    // Applying a result's replacements to the file gives what `tfreview fix` writes.
    let dir = common::copy_to_temp(&manifest_dir().join("sample-workspaces/zero-trust-iam-kms"));
    let log: serde_json::Value = serde_json::from_slice(
        &tfreview_in(dir.path(), &["check", ".", "--format", "sarif"]).stdout,
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_slice(
        &tfreview_in(dir.path(), &["check", ".", "--format", "json"]).stdout,
    )
    .unwrap();
    let mut checked = 0;
    for (r, f) in results(&log)
        .iter()
        .zip(json["findings"].as_array().unwrap())
    {
        let Some(change) = r["fixes"][0]["artifactChanges"].as_array() else {
            continue;
        };
        for change in change {
            let path = change["artifactLocation"]["uri"].as_str().unwrap();
            let old = std::fs::read_to_string(dir.path().join(path)).unwrap_or_default();
            let mut new = old.clone();
            let offset = |text: &str, line: u64, col: u64| -> usize {
                let start: usize = text
                    .split_inclusive('\n')
                    .take(line as usize - 1)
                    .map(str::len)
                    .sum();
                start
                    + text[start..]
                        .chars()
                        .take(col as usize - 1)
                        .map(char::len_utf8)
                        .sum::<usize>()
            };
            let mut reps: Vec<&serde_json::Value> =
                change["replacements"].as_array().unwrap().iter().collect();
            reps.reverse();
            for rep in reps {
                let d = &rep["deletedRegion"];
                let a = offset(
                    &old,
                    d["startLine"].as_u64().unwrap(),
                    d["startColumn"].as_u64().unwrap(),
                );
                let b = offset(
                    &old,
                    d["endLine"].as_u64().unwrap(),
                    d["endColumn"].as_u64().unwrap(),
                );
                new.replace_range(a..b, rep["insertedContent"]["text"].as_str().unwrap_or(""));
            }
            // The JSON report's diff of the same fix shows the same new lines.
            let diff = f["fix"]["diff"].as_str().unwrap();
            for added in diff
                .lines()
                .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
            {
                assert!(
                    new.contains(&added[1..]),
                    "{path}: `{added}` missing after the replacements"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} fixes checked");
}

#[test]
fn sarif_records_ignore_comments_and_rejections_as_suppressions() {
    let dir = common::copy_to_temp(&manifest_dir().join("sample-workspaces/zero-trust-iam-kms"));
    let kms = dir.path().join("kms.tf");
    let text = std::fs::read_to_string(&kms).unwrap();
    let text = text.replacen(
        "resource \"aws_kms_key_policy\"",
        "# tfreview:ignore kms-key-policy-missing-service-principal the log groups use another key in prod\nresource \"aws_kms_key_policy\"",
        1,
    );
    std::fs::write(&kms, text).unwrap();
    // The reviewer rejects one finding in the workbench's review file.
    let analysis = tfreview::analyse(dir.path(), &tfreview::Target::Auto).unwrap();
    let rejected = analysis
        .findings
        .iter()
        .find(|f| f.rule == "log-group-name-inconsistent" || f.rule == "iam-policy-wildcard")
        .unwrap();
    let store = tfreview::review::ReviewStore::for_workspace(dir.path());
    let mut review = tfreview::review::Review::default();
    review.decide(
        &analysis,
        rejected,
        tfreview::review::Status::Rejected,
        Some(Some("intended for the break-glass role".into())),
    );
    store.save(&review).unwrap();

    let validator = sarif_schema();
    let out = tfreview_in(dir.path(), &["check", ".", "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(validator.is_valid(&log));
    let suppressed: Vec<(&str, &str, &str)> = results(&log)
        .iter()
        .filter_map(|r| {
            let s = &r["suppressions"][0];
            Some((
                r["ruleId"].as_str()?,
                s["kind"].as_str()?,
                s["justification"].as_str()?,
            ))
        })
        .collect();
    assert_eq!(
        suppressed,
        vec![
            (
                rejected.rule,
                "external",
                "Rejected in the tfreview review: intended for the break-glass role"
            ),
            (
                "kms-key-policy-missing-service-principal",
                "inSource",
                "the log groups use another key in prod"
            ),
        ]
    );
    // The JSON report says the decision; a rejected finding does not fail the check.
    let json: serde_json::Value = serde_json::from_slice(
        &tfreview_in(dir.path(), &["check", ".", "--format", "json"]).stdout,
    )
    .unwrap();
    let statuses: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "pending")
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["rejected"]);
    // GitHub annotations and JUnit failures leave the rejected finding out.
    let gh = stdout(&tfreview_in(
        dir.path(),
        &["check", ".", "--format", "github"],
    ));
    assert_eq!(
        gh.lines().count(),
        json["findings"].as_array().unwrap().len() - 1
    );
}

#[test]
fn sarif_of_a_task_folder_points_into_the_markdown_answer() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let validator = sarif_schema();
    let task = corpus.join("Pr6636");
    let log = valid_sarif(&validator, task.to_str().unwrap());
    let results = results(&log);
    assert!(results.len() > 5);
    for r in results {
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        // Every location is a file that exists, at a line it has.
        let path = manifest_dir().join(uri);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{uri} does not exist"));
        let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
        assert!(
            line >= 1 && line <= text.lines().count() + 1,
            "{uri}:{line}"
        );
        if uri.ends_with(".md") {
            assert!(r["fixes"].is_null(), "no replacements into the Markdown");
            assert!(
                r["locations"][0]["message"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("extracted")
            );
        }
    }
}

#[test]
fn sarif_of_the_whole_corpus_validates() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let validator = sarif_schema();
    let log = valid_sarif(&validator, corpus.to_str().unwrap());
    assert!(results(&log).len() > 10_000, "{}", results(&log).len());
}

#[test]
fn github_annotations_one_per_finding() {
    let out = tfreview_in(
        &manifest_dir(),
        &[
            "check",
            "sample-workspaces/multi-account-security",
            "--format",
            "github",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let json: serde_json::Value = serde_json::from_slice(
        &tfreview_in(
            &manifest_dir(),
            &[
                "check",
                "sample-workspaces/multi-account-security",
                "--format",
                "json",
            ],
        )
        .stdout,
    )
    .unwrap();
    let findings = json["findings"].as_array().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), findings.len());
    for (line, f) in lines.iter().zip(findings) {
        let command = match f["severity"].as_str().unwrap() {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "notice",
        };
        let expected = format!(
            "::{command} file=sample-workspaces/multi-account-security/{},line={},col={},endLine={},endColumn={},title=",
            f["path"].as_str().unwrap(),
            f["line"],
            f["column"],
            f["end_line"],
            f["end_column"]
        );
        assert!(line.starts_with(&expected), "{line}\nwanted {expected}");
        assert!(line.contains(&format!("[{}]::", f["rule"].as_str().unwrap())));
    }
}

#[test]
fn junit_has_a_case_per_rule_and_a_failure_per_finding() {
    let out = tfreview_in(
        &manifest_dir(),
        &[
            "check",
            "sample-workspaces/zero-trust-iam-kms",
            "--format",
            "junit",
        ],
    );
    let xml = stdout(&out);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    let cases: Vec<roxmltree::Node> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(suite.attribute("tests").unwrap(), cases.len().to_string());
    let failures: usize = cases
        .iter()
        .map(|c| c.children().filter(|n| n.has_tag_name("failure")).count())
        .sum();
    let failed_cases = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    assert_eq!(
        suite.attribute("failures").unwrap(),
        failed_cases.to_string()
    );
    let json: serde_json::Value = serde_json::from_slice(
        &tfreview_in(
            &manifest_dir(),
            &[
                "check",
                "sample-workspaces/zero-trust-iam-kms",
                "--format",
                "json",
            ],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(failures, json["findings"].as_array().unwrap().len());
    // The clean sample: every case passes.
    let xml = stdout(&tfreview_in(
        &manifest_dir(),
        &["check", "sample-workspaces/clean", "--format", "junit"],
    ));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert!(!doc.descendants().any(|n| n.has_tag_name("failure")));
}

/// A workspace with one problem-free module, written here.
const MAIN_TF: &str = r#"terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "Region to deploy into"
  type        = string
  default     = "us-east-1"
}

variable "retention_days" {
  description = "How long logs are kept"
  type        = number
  default     = 30
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/app/service"
  retention_in_days = var.retention_days
}
"#;

const KMS_TF: &str = r#"resource "aws_kms_key" "logs" {
  description             = "Encrypts the application logs"
  deletion_window_in_days = 30
  enable_key_rotation     = false
}
"#;

/// `kms` with a comment above it (every line moves) and a second key without rotation.
fn grown(kms: &str) -> String {
    format!(
        "# Keys of the logging stack.\n\n{kms}\nresource \"aws_kms_key\" \"audit\" {{\n  description             = \"Encrypts audit records\"\n  deletion_window_in_days = 30\n  enable_key_rotation     = false\n}}\n"
    )
}

fn rules_and_lines(json: &serde_json::Value) -> Vec<(String, String, u64)> {
    let mut out: Vec<(String, String, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_baseline_hides_what_was_known_and_shows_what_is_new() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), MAIN_TF).unwrap();
    std::fs::write(dir.path().join("kms.tf"), KMS_TF).unwrap();
    let out = tfreview_in(
        dir.path(),
        &[
            "check",
            ".",
            "--format",
            "json",
            "--write-baseline",
            "baseline.json",
            "--fail-on",
            "none",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let known = rules_and_lines(&all);
    assert!(
        known.iter().any(|(r, ..)| r == "kms-key-rotation-disabled"),
        "{known:?}"
    );
    // Unchanged code against its baseline: nothing to report, exit 0 even at --fail-on low.
    let out = tfreview_in(
        dir.path(),
        &[
            "check",
            ".",
            "--format",
            "json",
            "--baseline",
            "baseline.json",
            "--fail-on",
            "low",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules_and_lines(&json), vec![]);
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!(
        "{} findings already in the baseline baseline.json are not reported",
        known.len()
    )));
    // Lines move above the known findings and a new problem appears: only it is reported.
    std::fs::write(dir.path().join("kms.tf"), grown(KMS_TF)).unwrap();
    for baseline in ["baseline.json", "report.sarif"] {
        if baseline == "report.sarif" {
            // A SARIF report of the first version serves as well.
            std::fs::write(dir.path().join("kms.tf"), KMS_TF).unwrap();
            let sarif = tfreview_in(dir.path(), &["check", ".", "--format", "sarif"]);
            std::fs::write(dir.path().join(baseline), &sarif.stdout).unwrap();
            std::fs::write(dir.path().join("kms.tf"), grown(KMS_TF)).unwrap();
        }
        let out = tfreview_in(
            dir.path(),
            &[
                "check",
                ".",
                "--format",
                "json",
                "--baseline",
                baseline,
                "--fail-on",
                "none",
            ],
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let new = rules_and_lines(&json);
        assert_eq!(
            new,
            vec![(
                "kms-key-rotation-disabled".to_string(),
                "kms.tf".to_string(),
                12
            )],
            "with {baseline}"
        );
    }
    // A file that is no report is an error, said plainly.
    std::fs::write(dir.path().join("bad.json"), "{\"x\": 1}").unwrap();
    let out = tfreview_in(dir.path(), &["check", ".", "--baseline", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("neither a tfreview JSON report nor SARIF")
    );
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn changed_since_reports_the_changed_lines_and_what_the_change_broke_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("infra")).unwrap();
    let infra = root.join("infra");
    std::fs::write(infra.join("main.tf"), MAIN_TF).unwrap();
    std::fs::write(infra.join("kms.tf"), KMS_TF).unwrap();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "first"]);
    // The second commit: a new key without rotation (a finding on an added line), and
    // `retention_days` removed from main.tf, which breaks the untouched logs.tf.
    std::fs::write(
        infra.join("logs.tf"),
        "resource \"aws_cloudwatch_log_group\" \"audit\" {\n  name              = \"/app/audit\"\n  retention_in_days = var.retention_days\n}\n",
    )
    .unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "second"]);
    let before = tfreview_in(
        &infra,
        &["check", ".", "--format", "json", "--fail-on", "none"],
    );
    let before: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    let main = MAIN_TF.replace(
        "variable \"retention_days\" {\n  description = \"How long logs are kept\"\n  type        = number\n  default     = 30\n}\n\n",
        "",
    );
    std::fs::write(infra.join("main.tf"), &main).unwrap();
    std::fs::write(
        infra.join("kms.tf"),
        format!("{KMS_TF}\nresource \"aws_kms_key\" \"audit\" {{\n  description             = \"Encrypts audit records\"\n  deletion_window_in_days = 30\n  enable_key_rotation     = false\n}}\n"),
    )
    .unwrap();
    git(root, &["commit", "-q", "-am", "third"]);
    let all = tfreview_in(
        &infra,
        &["check", ".", "--format", "json", "--fail-on", "none"],
    );
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    let out = tfreview_in(
        &infra,
        &[
            "check",
            ".",
            "--format",
            "json",
            "--changed-since",
            "HEAD~1",
            "--fail-on",
            "none",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let changed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changed = rules_and_lines(&changed);
    // The rotation finding of the new key (line 10 of kms.tf, added), and the undeclared
    // variable in logs.tf, which the change did not touch.
    let mut expected = vec![
        (
            "kms-key-rotation-disabled".to_string(),
            "kms.tf".to_string(),
            10,
        ),
        ("variable-undeclared".to_string(), "logs.tf".to_string(), 3),
    ];
    expected.sort();
    assert_eq!(
        changed,
        expected,
        "all findings: {:?}",
        rules_and_lines(&all)
    );
    // The first key's rotation finding is old and on an untouched line: not reported.
    assert!(rules_and_lines(&before).contains(&(
        "kms-key-rotation-disabled".to_string(),
        "kms.tf".to_string(),
        4
    )));
    // Uncommitted edits count too, and so does a new untracked file.
    std::fs::write(
        infra.join("extra.tf"),
        "resource \"aws_kms_key\" \"extra\" {\n  description = \"x\"\n}\n",
    )
    .unwrap();
    let out = tfreview_in(
        &infra,
        &[
            "check",
            ".",
            "--format",
            "json",
            "--changed-since",
            "HEAD",
            "--fail-on",
            "none",
        ],
    );
    let changed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<String> = rules_and_lines(&changed)
        .into_iter()
        .map(|(_, p, _)| p)
        .collect();
    assert!(
        !paths.is_empty() && paths.iter().all(|p| p == "extra.tf"),
        "{paths:?}"
    );
    // A revision that does not exist is an error that names it.
    let out = tfreview_in(&infra, &["check", ".", "--changed-since", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`nope` is not a commit"));
}
