//! The corpus evaluation: what every rule reports on the deployed code (`lib/*.tf`) and on
//! the answers (`MODEL_RESPONSE.md`) of a folder of task folders, and — against failures
//! labelled by hand from the folders' `MODEL_FAILURES.md` — how many documented failures
//! the rules find (recall, per split, per rule and per failure group) and how many of
//! their findings are documented (precision).
//!
//! A label names a folder, the documented failure, its severity, the lines of
//! `MODEL_RESPONSE.md` where it is visible, the rule that should catch it and its failure
//! group (the groups of `docs/rule-catalogue.md`). A label is found when a finding of that
//! rule in that folder is within [`NEAR`] lines of one of the label's lines: the first
//! line of the finding's span, or of one of its related places, in the Markdown. Reviewers
//! cite lines, so a finding that points at the first line of a long block does not find a
//! failure in the middle of it.
//!
//! Labels come in splits, one file each (`tuned.tsv`, `dev.tsv`, `test.tsv`): the split's
//! name is the file's stem.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::analysis::{Analysis, Target, analyse_with};
use crate::finding::Finding;

/// The split drawn at random and never tuned on.
pub const TEST_SPLIT: &str = "test";

/// How many lines a finding may be from a label's line and still find it.
pub const NEAR: usize = 3;

/// One documented failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The split the label belongs to (the stem of its file).
    pub split: String,
    pub folder: String,
    pub failure: String,
    /// `critical`, `high`, `medium` or `low`; empty when the label file does not say.
    pub severity: String,
    /// The lines of `lib/MODEL_RESPONSE.md` where the failure is visible, most important
    /// first.
    pub lines: Vec<usize>,
    pub rule: String,
    /// A key of [`GROUPS`].
    pub group: String,
}

/// The rule column of a failure that no rule catches yet: it counts as missed.
pub const NO_RULE: &str = "-";

/// The failure groups of `docs/rule-catalogue.md`, largest first: key and title.
pub const GROUPS: &[(&str, &str)] = &[
    (
        "schema",
        "invalid or deprecated argument, block, resource type",
    ),
    ("backend", "backend block"),
    ("hardcoded", "hard-coded values and placeholders"),
    ("networking", "networking topology"),
    ("suffix", "names lack the environment suffix"),
    ("layout", "file layout: module source without files"),
    ("prerequisites", "external prerequisites, account quotas"),
    ("engine-version", "engine / add-on versions"),
    ("ordering", "depends_on and ordering"),
    ("observability", "observability gaps"),
    ("lambda-package", "Lambda package missing"),
    (
        "provider-block",
        "provider/terraform block duplicated or misplaced",
    ),
    ("s3-lifecycle", "S3 lifecycle rule without filter"),
    ("kms-principal", "KMS key policy lacks a service principal"),
    ("permissive", "over-permissive IAM / security groups"),
    ("undeclared", "undeclared references, required variables"),
    ("syntax", "invalid HCL or construct"),
    ("name-length", "name length / reserved names"),
    ("security-controls", "missing security controls"),
    ("iam-missing", "missing IAM permission / wrong principal"),
    (
        "condition-intent",
        "policy condition does not do what it says",
    ),
    ("lambda-config", "Lambda configuration"),
    ("version-constraints", "version constraints"),
    ("optional", "should be optional"),
    (
        "destroy",
        "prevent_destroy / deletion protection / final snapshot",
    ),
    ("incompatible", "incompatible settings"),
    ("outputs", "outputs missing or wrong"),
    ("formatting", "formatting (terraform fmt)"),
    ("required-providers", "required_providers entry missing"),
    ("provider-alias", "provider alias missing / dynamic"),
    ("db-password", "database password characters"),
    ("other", "anything else visible in the code"),
];

/// The group a rule's failures belong to, for label files written before labels named
/// their group.
fn group_of_rule(rule: &str) -> &'static str {
    match rule {
        "resource-type-unknown"
        | "data-source-type-unknown"
        | "argument-unsupported"
        | "argument-removed-in-provider"
        | "block-unsupported"
        | "attribute-written-as-block"
        | "block-written-as-attribute"
        | "block-count-exceeded"
        | "argument-required-missing"
        | "reference-attribute-unknown"
        | "argument-deprecated"
        | "argument-value-invalid"
        | "database-name-invalid" => "schema",
        "backend-uses-variables"
        | "backend-s3-unencrypted"
        | "backend-argument-unsupported"
        | "backend-config-hardcoded" => "backend",
        "hardcoded-account-id"
        | "placeholder-value"
        | "environment-value-hardcoded"
        | "secret-hardcoded"
        | "ami-id-hardcoded"
        | "availability-zone-hardcoded" => "hardcoded",
        "acm-certificate-not-validatable" | "lambda-reserved-concurrency" => "prerequisites",
        "engine-version-unavailable" => "engine-version",
        "s3-lifecycle-transition-invalid"
        | "arguments-conflicting"
        | "s3-replication-delete-marker-missing"
        | "firehose-buffer-too-small"
        | "settings-incompatible"
        | "cross-region-reference" => "incompatible",
        "rds-replica-kms-key-missing" => "security-controls",
        "s3-acl-disabled" => "incompatible",
        "conditional-type-mismatch" => "syntax",
        "external-resource-required" | "ecr-image-not-pushed" => "prerequisites",
        "backend-missing" => "backend",
        "security-group-rule-duplicated" => "other",
        "iam-managed-policy-unknown"
        | "log-bucket-policy-missing"
        | "lambda-vpc-permissions-missing"
        | "service-role-permission-missing"
        | "role-trust-service-missing"
        | "execution-role-permissions-missing"
        | "lambda-invoke-permission-missing"
        | "queue-policy-missing"
        | "s3-action-resource-mismatch"
        | "kms-replica-key-permission-missing" => "iam-missing",
        "resource-name-missing-suffix" | "required-variable-missing" => "suffix",
        "module-source-missing" | "template-file-missing" => "layout",
        "config-recorder-ordering"
        | "kms-key-policy-dependency-missing"
        | "replication-versioning-missing"
        | "reference-cycle" => "ordering",
        "nat-gateway-unrouted" | "subnet-egress-missing" => "networking",
        "resource-unattached" => "other",
        "log-group-retention-missing"
        | "log-group-kms-missing"
        | "log-group-name-inconsistent"
        | "waf-log-destination-name-invalid"
        | "log-filter-pattern-invalid"
        | "vpc-flow-logs-missing"
        | "dashboard-metric-invalid"
        | "metric-dimension-wrong-attribute"
        | "alarm-actions-missing" => "observability",
        "lambda-package-missing" | "lambda-source-hash-missing" => "lambda-package",
        "provider-duplicated" | "provider-block-misplaced" | "provider-configuration-missing" => {
            "provider-block"
        }
        "s3-lifecycle-rule-missing-filter" => "s3-lifecycle",
        "kms-key-policy-missing-service-principal" | "sns-topic-managed-key-unpublishable" => {
            "kms-principal"
        }
        "iam-policy-wildcard"
        | "security-group-open-ingress"
        | "security-group-open-egress"
        | "audit-role-not-read-only" => "permissive",
        "variable-undeclared"
        | "reference-undeclared"
        | "reference-invalid"
        | "template-variable-missing" => "undeclared",
        "hcl-syntax-error"
        | "dynamic-meta-argument"
        | "self-reference-outside-provisioner"
        | "object-key-duplicated"
        | "block-labels-invalid"
        | "block-duplicated" => "syntax",
        "name-too-long"
        | "security-group-name-reserved-prefix"
        | "name-random-characters"
        | "name-characters-invalid"
        | "name-duplicated" => "name-length",
        "s3-public-access-block-missing"
        | "s3-encryption-missing"
        | "queue-topic-encryption-missing"
        | "kms-key-rotation-disabled"
        | "mfa-condition-missing"
        | "storage-encryption-missing"
        | "http-not-redirected" => "security-controls",
        "policy-condition-contradicts-intent" => "condition-intent",
        "lambda-reserved-environment-variable" | "lambda-runtime-deprecated" => "lambda-config",
        "provider-version-unbounded" => "version-constraints",
        "prevent-destroy-enabled"
        | "deletion-protection-enabled"
        | "final-snapshot-required"
        | "kms-deletion-window-too-long" => "destroy",
        "output-description-missing" => "outputs",
        "format-differs" => "formatting",
        "required-provider-missing" => "required-providers",
        "provider-alias-undefined" | "provider-block-invalid" | "us-east-1-required" => {
            "provider-alias"
        }
        "db-password-invalid-characters" => "db-password",
        "internet-route-missing" | "nat-gateway-per-zone" => "networking",
        _ => "other",
    }
}

const SEVERITIES: &[&str] = &["critical", "high", "medium", "low"];

/// Reads a labels file of split `split`. Lines are tab-separated, `#` starts a comment
/// line, and a line has either 6 columns — `folder`, `failure`, `severity`, `lines`
/// (`120` or `120,245`), `rule` (or `-` for a failure no rule covers), `group` — or the
/// 4 of the first label file: `folder`, `failure`, `line`, `rule` (the group is then the
/// rule's). Errors name the line.
pub fn parse_labels(split: &str, text: &str) -> Result<Vec<Label>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        let (folder, failure, severity, lines, rule, group) = match cols.as_slice() {
            [folder, failure, severity, lines, rule, group] => {
                (*folder, *failure, *severity, *lines, *rule, Some(*group))
            }
            [folder, failure, lines, rule] => (*folder, *failure, "", *lines, *rule, None),
            _ => {
                return Err(format!(
                    "line {n}: expected 6 tab-separated columns (folder, failure, severity, lines, rule, group) or the older 4 (folder, failure, line, rule)"
                ));
            }
        };
        let lines = lines
            .split(',')
            .map(|l| l.trim().parse::<usize>().ok().filter(|&l| l > 0))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| format!("line {n}: `{lines}` is not a line number or a list of them"))?;
        if rule != NO_RULE && crate::rules::find(rule).is_none() {
            return Err(format!("line {n}: no rule `{rule}`"));
        }
        if !severity.is_empty() && !SEVERITIES.contains(&severity) {
            return Err(format!(
                "line {n}: severity `{severity}` is none of critical, high, medium, low"
            ));
        }
        let group = match group {
            Some(g) if GROUPS.iter().any(|(k, _)| *k == g) => g.to_string(),
            Some(g) => return Err(format!("line {n}: no failure group `{g}`")),
            None => group_of_rule(rule).to_string(),
        };
        out.push(Label {
            split: split.to_string(),
            folder: folder.to_string(),
            failure: failure.to_string(),
            severity: severity.to_string(),
            lines,
            rule: rule.to_string(),
            group,
        });
    }
    Ok(out)
}

/// Reads every `*.tsv` of a folder (or one file) as a split named after the file's stem.
pub fn read_labels(path: &Path) -> Result<Vec<Label>, String> {
    let files: Vec<std::path::PathBuf> = if path.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
            .collect();
        files.sort();
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut labels = Vec::new();
    for file in files {
        let text = crate::io::read_text(&file, crate::io::MAX_DATA_BYTES)
            .map_err(|e| format!("{} {e}", file.display()))?;
        let split = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        labels.extend(parse_labels(&split, &text).map_err(|e| format!("{}: {e}", file.display()))?);
    }
    Ok(labels)
}

/// Found and all, for one row of a recall table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub found: usize,
    pub labels: usize,
}

impl Count {
    fn add(&mut self, found: bool) {
        self.labels += 1;
        self.found += usize::from(found);
    }

    pub fn recall(&self) -> f64 {
        ratio(self.found, self.labels)
    }

    fn cell(&self) -> String {
        if self.labels == 0 {
            String::new()
        } else {
            format!(
                "{}/{} ({:.0}%)",
                self.found,
                self.labels,
                100.0 * self.recall()
            )
        }
    }
}

/// The figures of one rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleRow {
    pub rule: String,
    /// Findings on the deployed code of every folder.
    pub deployed: usize,
    /// Findings on every answer.
    pub answers: usize,
    /// The labels that name the rule, by split.
    pub by_split: BTreeMap<String, Count>,
    /// The rule's findings in the labelled folders, and how many are near a label of the
    /// rule.
    pub labelled_folder_findings: usize,
    pub matched_findings: usize,
}

/// A label no finding of its rule is near, with where the rule did report in the folder.
#[derive(Debug, Clone)]
pub struct Miss {
    pub label: Label,
    /// The Markdown lines of the rule's findings in the folder (empty: the rule reported
    /// nothing there).
    pub rule_lines: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Evaluation {
    pub folders: usize,
    /// The split names, in the order `tuned`, `dev`, `test`, then any other.
    pub splits: Vec<String>,
    pub rows: Vec<RuleRow>,
    /// Per split: all labels; per split and group.
    pub by_split: BTreeMap<String, Count>,
    pub by_group: BTreeMap<String, BTreeMap<String, Count>>,
    /// Per split: labelled folders.
    pub folders_by_split: BTreeMap<String, usize>,
    pub missed: Vec<Miss>,
    pub deployed_time: Duration,
    pub answers_time: Duration,
}

impl Evaluation {
    /// All labels of a split.
    pub fn split(&self, split: &str) -> Count {
        self.by_split.get(split).copied().unwrap_or_default()
    }

    /// Over the rules that have labels: findings in labelled folders that are near a label,
    /// over all their findings there. A lower bound: true problems nobody labelled count
    /// as false.
    pub fn precision(&self) -> f64 {
        let (matched, all) = self
            .rows
            .iter()
            .filter(|r| r.by_split.values().any(|c| c.labels > 0))
            .fold((0, 0), |(m, a), r| {
                (m + r.matched_findings, a + r.labelled_folder_findings)
            });
        ratio(matched, all)
    }

    fn split_header(&self, first: &str) -> String {
        let mut out = format!("| {first} |");
        let mut rule = String::from("|---|");
        for s in &self.splits {
            out.push_str(&format!(" {s} |"));
            rule.push_str("---:|");
        }
        format!("{out}\n{rule}\n")
    }

    /// The evaluation as Markdown: recall per split, per failure group and per rule, and
    /// the misses — those of the `test` split only when `test_misses` is set: it is the
    /// split no rule may be tuned on, so its misses are counted, not listed, by default.
    pub fn table(&self, test_misses: bool) -> String {
        let mut out = format!(
            "Corpus evaluation: {} folders; deployed code analysed in {} ms, answers in {} ms. A label is found when a finding of its rule is within {NEAR} lines of it.\n\n",
            self.folders,
            self.deployed_time.as_millis(),
            self.answers_time.as_millis()
        );
        out.push_str("### Recall per split\n\n| split | folders | labels | found | recall |\n|---|---:|---:|---:|---:|\n");
        for s in &self.splits {
            let c = self.split(s);
            out.push_str(&format!(
                "| {s} | {} | {} | {} | {:.1}% |\n",
                self.folders_by_split.get(s).copied().unwrap_or(0),
                c.labels,
                c.found,
                100.0 * c.recall()
            ));
        }
        out.push_str(&format!(
            "\nPrecision on the labelled folders (rules with labels): {:.1}% (a lower bound: problems nobody labelled count as false)\n\n",
            100.0 * self.precision()
        ));

        out.push_str("### Recall per failure group\n\n");
        out.push_str(&self.split_header("group"));
        for (key, title) in GROUPS {
            let Some(by) = self.by_group.get(*key) else {
                continue;
            };
            out.push_str(&format!("| {title} (`{key}`) |"));
            for s in &self.splits {
                out.push_str(&format!(
                    " {} |",
                    by.get(s).map(Count::cell).unwrap_or_default()
                ));
            }
            out.push('\n');
        }

        out.push_str("\n### Per rule\n\nFindings on the deployed code and on the answers of every folder; recall of the labels that name the rule, per split; precision on the labelled folders.\n\n");
        let mut header = String::from("| rule | deployed | answers |");
        let mut line = String::from("|---|---:|---:|");
        for s in &self.splits {
            header.push_str(&format!(" {s} |"));
            line.push_str("---:|");
        }
        out.push_str(&format!("{header} precision |\n{line}---:|\n"));
        for r in &self.rows {
            out.push_str(&format!("| {} | {} | {} |", r.rule, r.deployed, r.answers));
            for s in &self.splits {
                out.push_str(&format!(
                    " {} |",
                    r.by_split.get(s).map(Count::cell).unwrap_or_default()
                ));
            }
            let precision = if r.labelled_folder_findings > 0 {
                format!("{}/{}", r.matched_findings, r.labelled_folder_findings)
            } else {
                String::new()
            };
            out.push_str(&format!(" {precision} |\n"));
        }

        out.push_str("\n### Misses\n\n");
        for s in &self.splits {
            let misses: Vec<&Miss> = self.missed.iter().filter(|m| &m.label.split == s).collect();
            if misses.is_empty() {
                continue;
            }
            if s == TEST_SPLIT && !test_misses {
                out.push_str(&format!(
                    "{s}: {} misses, not listed (`--test-misses` lists them; no rule may be tuned on them)\n\n",
                    misses.len()
                ));
                continue;
            }
            out.push_str(&format!("{s}:\n\n"));
            for m in misses {
                let l = &m.label;
                let lines: Vec<String> = l.lines.iter().map(usize::to_string).collect();
                let why = if l.rule == NO_RULE {
                    "no rule".to_string()
                } else if m.rule_lines.is_empty() {
                    "the rule reports nothing in the folder".to_string()
                } else {
                    let at: Vec<String> =
                        m.rule_lines.iter().take(6).map(usize::to_string).collect();
                    format!("the rule reports at {}", at.join(", "))
                };
                out.push_str(&format!(
                    "- {} line {} [{}, {}] {} — {why}\n",
                    l.folder,
                    lines.join(","),
                    l.rule,
                    l.group,
                    l.failure.replace('|', "\\|")
                ));
            }
            out.push('\n');
        }
        out
    }
}

/// The markers between which `tfreview evaluate --doc` writes the tables.
pub const DOC_START: &str = "<!-- evaluation -->";
pub const DOC_END: &str = "<!-- /evaluation -->";

/// `text` with what stands between [`DOC_START`] and [`DOC_END`] replaced by `table`.
pub fn replace_generated(text: &str, table: &str) -> Result<String, String> {
    let (Some(start), Some(end)) = (text.find(DOC_START), text.find(DOC_END)) else {
        return Err(format!(
            "no `{DOC_START}` … `{DOC_END}` section to write into"
        ));
    };
    if end < start {
        return Err(format!("`{DOC_END}` comes before `{DOC_START}`"));
    }
    Ok(format!(
        "{}{DOC_START}\n\n{}\n{}",
        &text[..start],
        table.trim_end(),
        &text[end..]
    ))
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Evaluates every rule on the task folders under `corpus`.
pub fn evaluate(corpus: &Path, labels: &[Label]) -> Result<Evaluation, crate::Error> {
    let start = Instant::now();
    let deployed = analyse_with(corpus, &Target::Plain, None)?;
    let deployed_time = start.elapsed();
    let start = Instant::now();
    let answers = analyse_with(corpus, &Target::Auto, None)?;
    let answers_time = start.elapsed();

    let mut rows: BTreeMap<&str, RuleRow> = crate::rules::all()
        .iter()
        .map(|r| r.id())
        .chain([NO_RULE])
        .map(|id| {
            (
                id,
                RuleRow {
                    rule: if id == NO_RULE {
                        "(no rule)".into()
                    } else {
                        id.to_string()
                    },
                    ..RuleRow::default()
                },
            )
        })
        .collect();
    for f in &deployed.findings {
        if let Some(row) = rows.get_mut(f.rule) {
            row.deployed += 1;
        }
    }
    for f in &answers.findings {
        if let Some(row) = rows.get_mut(f.rule) {
            row.answers += 1;
        }
    }

    // The Markdown lines of the answers' findings (and their related places), by folder.
    let mut by_folder: BTreeMap<&str, Vec<(&Finding, Vec<usize>)>> = BTreeMap::new();
    for f in &answers.findings {
        let path = answers.path(f);
        let folder = path.split('/').next().unwrap_or("");
        let lines = markdown_lines(&answers, f);
        if !lines.is_empty() {
            by_folder.entry(folder).or_default().push((f, lines));
        }
    }
    let near = |label: &Label, lines: &[usize]| {
        label
            .lines
            .iter()
            .any(|l| lines.iter().any(|m| l.abs_diff(*m) <= NEAR))
    };

    let mut splits: Vec<String> = Vec::new();
    for name in ["tuned", "dev", "test"]
        .into_iter()
        .map(String::from)
        .chain(labels.iter().map(|l| l.split.clone()))
    {
        if labels.iter().any(|l| l.split == name) && !splits.contains(&name) {
            splits.push(name);
        }
    }
    let mut by_split: BTreeMap<String, Count> = BTreeMap::new();
    let mut by_group: BTreeMap<String, BTreeMap<String, Count>> = BTreeMap::new();
    let mut missed = Vec::new();
    for label in labels {
        let findings = by_folder.get(label.folder.as_str());
        let of_rule = || {
            findings
                .into_iter()
                .flatten()
                .filter(|(f, _)| f.rule == label.rule)
        };
        let found = of_rule().any(|(_, lines)| near(label, lines));
        if let Some(row) = rows.get_mut(label.rule.as_str()) {
            row.by_split
                .entry(label.split.clone())
                .or_default()
                .add(found);
        }
        by_split.entry(label.split.clone()).or_default().add(found);
        by_group
            .entry(label.group.clone())
            .or_default()
            .entry(label.split.clone())
            .or_default()
            .add(found);
        if !found {
            let mut rule_lines: Vec<usize> =
                of_rule().filter_map(|(_, l)| l.first().copied()).collect();
            rule_lines.sort_unstable();
            rule_lines.dedup();
            missed.push(Miss {
                label: label.clone(),
                rule_lines,
            });
        }
    }
    let mut folders_by_split: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for l in labels {
        folders_by_split
            .entry(l.split.clone())
            .or_default()
            .insert(l.folder.as_str());
    }
    let labelled: BTreeSet<&str> = labels.iter().map(|l| l.folder.as_str()).collect();
    for folder in &labelled {
        for (f, lines) in by_folder.get(folder).into_iter().flatten() {
            let Some(row) = rows.get_mut(f.rule) else {
                continue;
            };
            row.labelled_folder_findings += 1;
            if labels
                .iter()
                .any(|l| l.folder == *folder && l.rule == f.rule && near(l, lines))
            {
                row.matched_findings += 1;
            }
        }
    }
    let folders = crate::task::detect_all(corpus).len();
    Ok(Evaluation {
        folders,
        splits,
        rows: rows.into_values().collect(),
        by_split,
        by_group,
        folders_by_split: folders_by_split
            .into_iter()
            .map(|(s, f)| (s, f.len()))
            .collect(),
        missed,
        deployed_time,
        answers_time,
    })
}

/// The Markdown lines where a finding is: the first line of its span, then the first line
/// of each related place in the same answer.
fn markdown_lines(analysis: &Analysis, f: &Finding) -> Vec<usize> {
    let at = |file: usize, offset: usize| {
        let file = analysis.workspace.files.get(file)?;
        file.origin.as_ref()?;
        let (line, _) = file.line_col(offset);
        Some(file.origin_at(line)?.line)
    };
    std::iter::once(at(f.file, f.span.start))
        .chain(f.related.iter().map(|r| at(r.file, r.span.start)))
        .flatten()
        .chain(
            f.asset_places
                .iter()
                .filter_map(|a| a.origin.as_ref().map(|o| o.line)),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_section_is_replaced_and_nothing_else() {
        let doc = "# T\n\nprose\n<!-- evaluation -->\nold\n<!-- /evaluation -->\nafter\n";
        assert_eq!(
            replace_generated(doc, "new\n").unwrap(),
            "# T\n\nprose\n<!-- evaluation -->\n\nnew\n<!-- /evaluation -->\nafter\n"
        );
        assert!(replace_generated("# T\n", "x").is_err());
    }

    #[test]
    fn labels_have_lines_severities_and_groups() {
        let l = parse_labels(
            "dev",
            "Pr1\tWildcard\thigh\t12,40\tiam-policy-wildcard\tpermissive\n",
        )
        .unwrap();
        assert_eq!(l[0].lines, [12, 40]);
        assert_eq!(
            (l[0].split.as_str(), l[0].group.as_str()),
            ("dev", "permissive")
        );
        // The older four columns: the group is the rule's.
        let l = parse_labels("tuned", "# c\nPr1\tx\t7\tname-too-long\n").unwrap();
        assert_eq!(
            (l[0].lines.as_slice(), l[0].group.as_str()),
            (&[7][..], "name-length")
        );
        assert_eq!(
            parse_labels("d", "Pr1\tx\tbad\t1\t-\tother\n").unwrap_err(),
            "line 1: severity `bad` is none of critical, high, medium, low"
        );
        assert_eq!(
            parse_labels("d", "Pr1\tx\thigh\t1\t-\tnope\n").unwrap_err(),
            "line 1: no failure group `nope`"
        );
        assert_eq!(
            parse_labels("d", "Pr1\tx\thigh\t1,x\t-\tother\n").unwrap_err(),
            "line 1: `1,x` is not a line number or a list of them"
        );
    }

    #[test]
    fn every_rule_has_a_known_group() {
        for rule in crate::rules::all() {
            let g = group_of_rule(rule.id());
            assert!(GROUPS.iter().any(|(k, _)| *k == g), "{}", rule.id());
        }
    }
}
