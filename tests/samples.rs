//! The bundled sample workspaces: each reports what its seed review documents (and the
//! clean one nothing), every fix diff passes `git apply --check`, and applying the diffs
//! one at a time with `git apply` (analysing again in between) clears every fixable
//! finding.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{copy_to_temp, manifest_dir};
use tfreview::analyse_path;
use tfreview::export::json;

fn sample(name: &str) -> std::path::PathBuf {
    manifest_dir().join("sample-workspaces").join(name)
}

/// `(rule, severity) → number of findings`.
fn counts(name: &str) -> BTreeMap<(String, String), usize> {
    let analysis = analyse_path(&sample(name)).unwrap();
    let report = json::report(&analysis, name);
    let mut out = BTreeMap::new();
    for f in report.findings {
        *out.entry((f.rule.to_string(), f.severity.as_str().to_string()))
            .or_default() += 1;
    }
    out
}

fn expect(list: &[(&str, &str, usize)]) -> BTreeMap<(String, String), usize> {
    list.iter()
        .map(|(r, s, n)| ((r.to_string(), s.to_string()), *n))
        .collect()
}

#[test]
fn seed_000_sample_reports_the_documented_failures() {
    assert_eq!(
        counts("multi-account-security"),
        expect(&[
            // One finding for `aws.secondary`, which two replica keys use.
            ("provider-alias-undefined", "high", 1),
            ("variable-undeclared", "medium", 8),
            ("organizations-management-account", "low", 1),
            ("provider-version-unbounded", "low", 2),
            ("backend-s3-unencrypted", "low", 1),
        ])
    );
}

#[test]
fn seed_004_sample_reports_the_documented_failures() {
    assert_eq!(
        counts("zero-trust-iam-kms"),
        expect(&[
            ("policy-condition-contradicts-intent", "critical", 2),
            ("declaration-unused", "low", 1),
            ("kms-key-policy-missing-service-principal", "critical", 1),
            ("kms-key-policy-dependency-missing", "critical", 5),
            ("log-group-name-inconsistent", "medium", 1),
            ("provider-configuration-missing", "medium", 1),
            // Beyond the seed review: `kms:*` and `iam:UpdateRole` on every resource.
            ("iam-policy-wildcard", "medium", 1),
        ])
    );
    let analysis = analyse_path(&sample("zero-trust-iam-kms")).unwrap();
    let unused: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.rule == "declaration-unused")
        .map(|f| f.address.clone().unwrap_or_default())
        .collect();
    assert_eq!(unused, vec!["local.business_hours_condition"]);
    let renamed: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.rule == "log-group-name-inconsistent")
        .map(|f| f.address.clone().unwrap_or_default())
        .collect();
    assert_eq!(renamed, vec!["aws_cloudwatch_log_group.kms_activity"]);
}

#[test]
fn clean_sample_reports_nothing() {
    let analysis = analyse_path(&sample("clean")).unwrap();
    assert!(
        analysis.findings.is_empty(),
        "{}",
        common::render(&analysis, None)
    );
}

fn git_apply(dir: &Path, patch: &str, check: bool) -> Result<(), String> {
    let file = dir.join(".fix.patch");
    std::fs::write(&file, patch).unwrap();
    let mut cmd = Command::new("git");
    cmd.current_dir(dir).arg("apply");
    if check {
        cmd.arg("--check");
    }
    let out = cmd.arg(".fix.patch").output().map_err(|e| e.to_string())?;
    std::fs::remove_file(&file).unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn fixes_apply_with_git(name: &str) {
    let dir = copy_to_temp(&sample(name));
    let before = analyse_path(dir.path()).unwrap();
    for f in &before.findings {
        if let Some(fix) = &f.fix {
            let diff = fix.diff(&before.workspace).unwrap();
            git_apply(dir.path(), &diff, true).unwrap_or_else(|e| {
                panic!(
                    "{name}: `git apply --check` rejects the fix of {}:\n{diff}\n{e}",
                    f.rule
                )
            });
        }
    }
    let mut rounds = 0;
    loop {
        let analysis = analyse_path(dir.path()).unwrap();
        let Some(fix) = analysis.findings.iter().find_map(|f| f.fix.as_ref()) else {
            break;
        };
        let diff = fix.diff(&analysis.workspace).unwrap();
        git_apply(dir.path(), &diff, false).unwrap_or_else(|e| panic!("{name}: {e}\n{diff}"));
        rounds += 1;
        assert!(rounds < 50, "{name}: fixes do not converge");
    }
    let after = analyse_path(dir.path()).unwrap();
    let fixable: Vec<_> = before.findings.iter().filter(|f| f.fix.is_some()).collect();
    for f in fixable {
        let fp = f.fingerprint(&before.workspace);
        assert!(
            !after
                .findings
                .iter()
                .any(|g| g.fingerprint(&after.workspace) == fp),
            "{name}: `{}` on {:?} is still reported after its fix",
            f.rule,
            f.address
        );
    }
    // What is left has no mechanical fix (AWS Organizations needs a management account;
    // which actions the security team needs is a decision; IAM cannot express business
    // hours).
    for f in &after.findings {
        assert!(
            f.fix.is_none()
                && [
                    "organizations-management-account",
                    "iam-policy-wildcard",
                    "policy-condition-contradicts-intent",
                ]
                .contains(&f.rule),
            "{name}: left over: {} {}",
            f.rule,
            f.message
        );
    }
}

#[test]
fn seed_000_fixes_apply_with_git_one_at_a_time() {
    fixes_apply_with_git("multi-account-security");
}

#[test]
fn seed_004_fixes_apply_with_git_one_at_a_time() {
    fixes_apply_with_git("zero-trust-iam-kms");
}
