//! Every rule against its fixtures: `tests/fixtures/rules/<id>/fires` must produce exactly
//! the snapshotted findings and fix diffs, `quiet` must produce none, and applying the
//! fixes one at a time must leave no fixable finding of the rule and valid HCL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use common::{
    analyse_path, apply_fixes_one_at_a_time, copy_to_temp, in_answer, manifest_dir, render,
    terraform_accepts,
};
use tfreview::rules;

fn fixture(rule: &str, case: &str) -> std::path::PathBuf {
    manifest_dir()
        .join("tests/fixtures/rules")
        .join(rule)
        .join(case)
}

#[test]
fn every_rule_has_documentation_sections_and_fixtures() {
    for rule in rules::all() {
        let id = rule.id();
        let doc = rules::doc(id).unwrap_or_else(|| panic!("{id} has no documentation"));
        for section in rules::DOC_SECTIONS {
            assert!(
                rules::doc_section(id, section).is_some(),
                "{id}: documentation lacks `## {section}`:\n{doc}"
            );
        }
        for case in ["fires", "quiet"] {
            assert!(fixture(id, case).is_dir(), "{id} has no `{case}` fixture");
        }
    }
}

#[test]
fn fixtures_fire_with_the_snapshotted_findings_and_fixes() {
    for rule in rules::all() {
        let id = rule.id();
        let analysis = analyse_path(&fixture(id, "fires"));
        let text = render(&analysis, Some(id));
        assert!(!text.is_empty(), "{id} does not fire on its fixture");
        insta::assert_snapshot!(id, text);
    }
}

#[test]
fn quiet_fixtures_produce_no_finding_of_their_rule() {
    for rule in rules::all() {
        let id = rule.id();
        let analysis = analyse_path(&fixture(id, "quiet"));
        let text = render(&analysis, Some(id));
        assert!(text.is_empty(), "{id} fires on its quiet fixture:\n{text}");
    }
}

#[test]
fn applying_the_fixes_one_at_a_time_silences_the_rule_and_keeps_valid_hcl() {
    let mut oracle_missing = false;
    for rule in rules::all() {
        let id = rule.id();
        let dir = copy_to_temp(&fixture(id, "fires"));
        let (written, after) = apply_fixes_one_at_a_time(dir.path(), Some(id));
        for f in after
            .findings
            .iter()
            .filter(|f| f.rule == id && !in_answer(&after, f))
        {
            assert!(
                f.fix.is_none(),
                "{id}: a fixable finding remains: {}",
                f.message
            );
        }
        let syntax_errors = |a: &tfreview::Analysis| -> Vec<String> {
            a.findings
                .iter()
                .filter(|f| f.rule == "hcl-syntax-error")
                .map(|f| format!("{}: {}", a.path(f), f.message))
                .collect()
        };
        let before = syntax_errors(&analyse_path(&fixture(id, "fires")));
        let syntax: Vec<_> = syntax_errors(&after)
            .into_iter()
            .filter(|e| !before.contains(e))
            .collect();
        assert!(
            syntax.is_empty(),
            "{id}: the fixes broke the syntax: {syntax:?}"
        );
        for path in written.iter().collect::<BTreeSet<_>>() {
            match terraform_accepts(&dir.path().join(path)) {
                Some(ok) => assert!(ok, "{id}: terraform rejects the fixed {path}"),
                None => oracle_missing = true,
            }
        }
    }
    if oracle_missing {
        eprintln!("NOTE: terraform is not on the PATH; fixed files were checked by hcl-edit only");
    }
}

#[test]
fn fingerprints_survive_a_line_added_inside_every_block() {
    for rule in rules::all() {
        let id = rule.id();
        let fingerprints = |a: &tfreview::Analysis| -> BTreeSet<String> {
            a.findings
                .iter()
                .filter(|f| f.rule == id)
                .map(|f| f.fingerprint(&a.workspace))
                .collect()
        };
        let dir = copy_to_temp(&fixture(id, "fires"));
        let before = fingerprints(&analyse_path(dir.path()));
        for entry in walk(dir.path()) {
            // (file-unreadable's fixture holds a file that is not UTF-8 on purpose.)
            let Ok(text) = std::fs::read_to_string(&entry) else {
                continue;
            };
            if entry.extension().is_some_and(|e| e == "tf") {
                let edited: String = text
                    .split_inclusive('\n')
                    .map(|l| {
                        let top = ["resource ", "data ", "provider ", "variable ", "output "]
                            .iter()
                            .any(|k| l.starts_with(k))
                            && l.trim_end().ends_with('{');
                        if top {
                            format!("{l}  # a comment that moves everything below\n")
                        } else {
                            l.to_string()
                        }
                    })
                    .collect();
                std::fs::write(&entry, edited).unwrap();
            }
        }
        let after = fingerprints(&analyse_path(dir.path()));
        assert_eq!(before, after, "{id}: fingerprints changed with an edit");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn the_schema_rules_list_names_rules_that_exist() {
    for id in rules::SCHEMA_RULES {
        assert!(rules::find(id).is_some(), "{id} is not a rule");
    }
}

/// Terraform itself refuses what `block-labels-invalid`, `provider-block-invalid` and
/// `backend-argument-unsupported` report, at `terraform init`, before it fetches anything or reaches AWS; their quiet
/// fixtures pass that stage (they stop later, at the provider download or at the missing
/// credentials, which this machine does not have).
#[test]
fn terraform_init_agrees_with_the_configuration_rules() {
    let cases: [(&str, &[&str], &[&str]); 4] = [
        (
            "block-duplicated",
            &["-backend=false"],
            &[
                "Duplicate resource \"terraform_data\" configuration",
                "Duplicate data \"terraform_remote_state\" configuration",
                "Duplicate local value definition",
                "Duplicate output definition",
                "Duplicate variable declaration",
            ],
        ),
        (
            "block-labels-invalid",
            &["-backend=false"],
            &[
                "Missing name for resource",
                "Extraneous label for variable",
                "Extraneous label for locals",
            ],
        ),
        (
            "provider-block-invalid",
            &["-backend=false"],
            &[
                "Reserved argument name in provider block",
                "Invalid provider configuration alias",
            ],
        ),
        (
            "backend-argument-unsupported",
            &[],
            &["Unsupported argument", "Unsupported block type"],
        ),
    ];
    for (id, args, errors) in cases {
        for (case, fires) in [("fires", true), ("quiet", false)] {
            let dir = copy_to_temp(&fixture(id, case));
            let Ok(out) = std::process::Command::new("terraform")
                .args(["init", "-input=false", "-no-color"])
                .args(args)
                .current_dir(dir.path())
                .env("TF_CLI_CONFIG_FILE", "/dev/null")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env_remove("AWS_PROFILE")
                .env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_SECRET_ACCESS_KEY")
                .output()
            else {
                eprintln!("NOTE: terraform is not on the PATH; {id} was not checked against it");
                return;
            };
            let text = String::from_utf8_lossy(&out.stderr).to_string()
                + &String::from_utf8_lossy(&out.stdout);
            for error in errors {
                assert_eq!(
                    text.contains(error),
                    fires,
                    "{id}/{case}: terraform init {} say {error:?}:\n{text}",
                    if fires { "does not" } else { "does" }
                );
            }
        }
    }
}

/// `terraform validate` (offline: `terraform_data` is built into Terraform, so `init`
/// fetches nothing) reports "Invalid reference" on exactly the lines `reference-invalid`
/// reports: names alone, interpolated or not, and not the words Terraform allows (a
/// variable's `type`, `ignore_changes`, `for` and template `for` variables, `$${…}`).
#[test]
fn terraform_validate_agrees_with_reference_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"variable "names" {
  type    = list(object({ name = string, size = optional(number, 1) }))
  default = []
}

resource "terraform_data" "script" {
  input = <<-EOT
    echo "${environment}" "$${HOME}"
    %{for n in var.names~}
    echo "${n.name}" "${HOSTNAME}"
    %{endfor~}
  EOT
  triggers_replace = [for k, v in var.names : "${k}-${v.name}" if v.size > 0]
  lifecycle {
    ignore_changes = [input]
  }
}

locals {
  a = environment
  b = var
  c = "ok ${var.names[0].name}"
  d = { for n in var.names : n.name => n }
  e = each
}
"#;
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    let terraform = |args: &[&str]| terraform_in(dir.path(), args);
    if !terraform_init(
        dir.path(),
        "reference-invalid",
        &["init", "-input=false", "-no-color", "-backend=false"],
    ) {
        return;
    }
    let out = terraform(&["validate", "-no-color"]).unwrap();
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    let terraform_lines = error_lines(&said, "Error: Invalid reference", "");
    let ours = rule_lines(dir.path(), "reference-invalid");
    assert_eq!(ours, [8, 10, 20, 21, 24], "ours");
    assert_eq!(terraform_lines, ours, "terraform validate said:\n{said}");
}

/// `terraform plan` (offline: the fixture has only variables and locals) stops with
/// "end index must not be greater than the length of the list" on exactly the lines
/// `slice-out-of-range` reports in its fires fixture.
#[test]
fn terraform_plan_agrees_with_slice_out_of_range() {
    let dir = copy_to_temp(&fixture("slice-out-of-range", "fires"));
    let terraform = |args: &[&str]| terraform_in(dir.path(), args);
    if !terraform_init(
        dir.path(),
        "slice-out-of-range",
        &["init", "-input=false", "-no-color"],
    ) {
        return;
    }
    let out = terraform(&["plan", "-input=false", "-no-color"]).unwrap();
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    let lines = error_lines(
        &said,
        "Error: Invalid function argument",
        "end index must not be greater than",
    );
    let ours = rule_lines(dir.path(), "slice-out-of-range");
    assert_eq!(ours, [12, 14]);
    assert_eq!(lines, ours, "terraform plan said:\n{said}");
}

/// `terraform plan` (offline: outputs only) stops with "vars map does not contain key"
/// on exactly the lines `template-variable-missing` reports in its fires fixture, and
/// renders every template of the quiet one.
#[test]
fn terraform_plan_agrees_with_template_variable_missing() {
    for case in ["fires", "quiet"] {
        let dir = copy_to_temp(&fixture("template-variable-missing", case));
        if !terraform_init(
            dir.path(),
            "template-variable-missing",
            &["init", "-input=false", "-no-color"],
        ) {
            return;
        }
        let out = terraform_in(dir.path(), &["plan", "-input=false", "-no-color"]).unwrap();
        let said = String::from_utf8_lossy(&out.stderr).to_string();
        let lines = error_lines(
            &said,
            "Error: Invalid function argument",
            "vars map does not contain key",
        );
        let ours = rule_lines(dir.path(), "template-variable-missing");
        if case == "fires" {
            assert_eq!(ours, [8, 15, 22]);
        } else {
            assert!(out.status.success(), "terraform plan said:\n{said}");
        }
        assert_eq!(lines, ours, "terraform plan said:\n{said}");
    }
}

#[test]
fn terraform_validate_agrees_with_conditional_type_mismatch() {
    for case in ["fires", "quiet"] {
        let dir = copy_to_temp(&fixture("conditional-type-mismatch", case));
        let terraform = |args: &[&str]| terraform_in(dir.path(), args);
        if !terraform_init(
            dir.path(),
            "conditional-type-mismatch",
            &["init", "-input=false", "-no-color", "-backend=false"],
        ) {
            return;
        }
        let out = terraform(&["validate", "-no-color"]).unwrap();
        let said = String::from_utf8_lossy(&out.stderr).to_string();
        let lines = error_lines(
            &said,
            "Error: Inconsistent conditional result types",
            "consistent types",
        );
        let ours = rule_lines(dir.path(), "conditional-type-mismatch");
        if case == "fires" {
            assert_eq!(ours, [17, 18, 19, 20, 21, 29, 36]);
        } else {
            assert!(out.status.success(), "terraform validate said:\n{said}");
        }
        assert_eq!(lines, ours, "terraform validate said:\n{said}");
    }
}

/// `terraform init` in `dir` with `args`, which must succeed; `false`, after saying so,
/// when terraform is not on the PATH and `rule` is not checked against it.
fn terraform_init(dir: &std::path::Path, rule: &str, args: &[&str]) -> bool {
    let Ok(init) = terraform_in(dir, args) else {
        eprintln!("NOTE: terraform is not on the PATH; {rule} was not checked against it");
        return false;
    };
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    true
}

/// Runs terraform in `dir`, offline and without a CLI configuration.
fn terraform_in(dir: &std::path::Path, args: &[&str]) -> std::io::Result<std::process::Output> {
    std::process::Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
}

/// The lines of `main.tf` of terraform's `error` diagnostics whose text holds `detail`
/// ("Error: Invalid reference\n\n  on main.tf line 8, in …"), sorted, once each.
fn error_lines(said: &str, error: &str, detail: &str) -> Vec<usize> {
    let mut lines: Vec<usize> = said
        .split(error)
        .skip(1)
        .filter(|e| e.contains(detail))
        .filter_map(|e| {
            let at = e.find("main.tf line ")? + "main.tf line ".len();
            e[at..]
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

/// The lines where `rule` reports in the workspace at `dir`, sorted, once each.
fn rule_lines(dir: &std::path::Path, rule: &str) -> Vec<usize> {
    let analysis = tfreview::analyse_path(dir).unwrap();
    let mut lines: Vec<usize> = analysis
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| analysis.position(f).0.0)
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

/// In an answer, `block-duplicated` reports a block declared twice in one code block, and
/// not the same block in a draft and its rewrite that the extraction joined into one
/// file (the reasoning's version, then the answer's).
#[test]
fn block_duplicated_in_answers_reports_one_code_block_only() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    let md = r#"### Reasoning Trace

Here is `main.tf`:

```hcl
variable "region" {
  type = string
}
```

### Answer

```hcl
variable "region" {
  type    = string
  default = "us-east-1"
}

resource "terraform_data" "a" {
  input = var.region
}

resource "terraform_data" "a" {
  input = "again"
}
```
"#;
    std::fs::write(lib.join("MODEL_RESPONSE.md"), md).unwrap();
    let analysis = tfreview::analyse(dir.path(), &tfreview::Target::Auto).unwrap();
    let found: Vec<(String, usize)> = analysis
        .findings
        .iter()
        .filter(|f| f.rule == "block-duplicated")
        .map(|f| {
            (
                f.address.clone().unwrap_or_default(),
                analysis.position(f).0.0,
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![("terraform_data.a".to_string(), 13)],
        "{found:?}"
    );
}

/// `terraform validate` finds a cycle in `reference-cycle`'s fires fixture for each
/// cycle the rule reports between blocks or module calls, and the quiet fixture valid.
#[test]
fn terraform_validate_agrees_with_reference_cycle() {
    for (case, cycles) in [("fires", 3), ("quiet", 0)] {
        let dir = copy_to_temp(&fixture("reference-cycle", case));
        if !terraform_init(dir.path(), "reference-cycle", &["init", "-backend=false"]) {
            return;
        }
        let out = terraform_in(dir.path(), &["validate", "-no-color"]).unwrap();
        let said = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            said.matches("Error: Cycle: ").count(),
            cycles,
            "{case}: {said}"
        );
        let between_blocks = tfreview::analyse_path(dir.path())
            .unwrap()
            .findings
            .iter()
            .filter(|f| {
                f.rule == "reference-cycle"
                    && (f.message.contains("reach each other")
                        || f.message.contains("depends on all of"))
            })
            .count();
        assert_eq!(between_blocks, cycles, "{case}");
    }
}
