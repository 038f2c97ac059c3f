//! The SARIF 2.1.0 report of `tfreview check --format sarif`, for code-scanning
//! dashboards: every rule with its documentation, every finding with its region, a
//! partial fingerprint that survives edits, its fix as replacements, its related places,
//! and a suppression for findings that an ignore comment silenced or that the reviewer
//! rejected.
//!
//! The types are those of `serde-sarif` (generated from the official schema). Columns
//! count Unicode code points (`columnKind`), as everywhere in tfreview. A finding in a
//! Markdown answer's extracted file is located at its lines of the Markdown, the file
//! that exists; its fix, which edits the extracted file, is left out.

use std::collections::BTreeMap;

use serde_sarif::sarif as s;

use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use crate::review::{Review, Status};
use crate::workspace::Workspace;

/// The key of tfreview's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "tfreview/v1";
/// The URI base that every location is relative to: the folder `check` was given.
pub const SRCROOT: &str = "%SRCROOT%";

/// Where the artifact URIs start: [`SRCROOT`] (the folder `check` ran in, as a `file:`
/// URI) and the analysed folder's path below it, so that a dashboard that knows the
/// repository finds `infra/main.tf` when `check infra` ran at its top.
#[derive(Debug, Clone, Default)]
pub struct Base {
    /// The analysed folder relative to [`SRCROOT`], `/`-separated, empty or ending in `/`.
    pub prefix: String,
    /// The absolute `file:` URI of [`SRCROOT`], ending in `/`.
    pub srcroot: Option<String>,
}

impl Base {
    /// The base for `root` as given on the command line, seen from the folder `cwd`.
    pub fn for_root(root: &std::path::Path, cwd: Option<&std::path::Path>) -> Base {
        let (prefix, srcroot) = if root.is_absolute() {
            match cwd.and_then(|c| root.strip_prefix(c).ok()) {
                Some(rel) => (rel.to_path_buf(), cwd.map(folder_uri)),
                None => (std::path::PathBuf::new(), Some(folder_uri(root))),
            }
        } else {
            (root.to_path_buf(), cwd.map(folder_uri))
        };
        let mut prefix: String = prefix
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        if !prefix.is_empty() {
            prefix.push('/');
        }
        Base { prefix, srcroot }
    }
}

/// The SARIF log of `analysis`, with the reviewer's rejections from `review` as
/// suppressions, its URIs relative to `base`.
pub fn report(analysis: &Analysis, review: &Review, base: &Base) -> s::Sarif {
    let rules: Vec<&'static dyn crate::rules::Rule> = crate::rules::all().to_vec();
    let index: BTreeMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.id(), i)).collect();
    let ws = &analysis.workspace;
    let mut results: Vec<s::Result> = analysis
        .findings
        .iter()
        .map(|f| {
            let mut r = result(analysis, base, f, index.get(f.rule).copied());
            let fp = f.fingerprint(ws);
            if review.status(&fp) == Status::Rejected {
                r.suppressions = Some(vec![suppression(
                    "external",
                    review
                        .note(&fp)
                        .map_or("Rejected in the tfreview review".to_string(), |n| {
                            format!("Rejected in the tfreview review: {n}")
                        }),
                )]);
            }
            r
        })
        .collect();
    for sup in &analysis.suppressed {
        let mut r = result(
            analysis,
            base,
            &sup.finding,
            index.get(sup.finding.rule).copied(),
        );
        r.suppressions = Some(vec![suppression(
            "inSource",
            sup.reason
                .clone()
                .unwrap_or_else(|| "Suppressed by a `tfreview:ignore` comment".to_string()),
        )]);
        results.push(r);
    }
    // The types with required fields have builders only: build, then set the rest.
    let mut driver = s::ToolComponent::builder().name("tfreview").build();
    driver.full_name = Some(format!("tfreview {}", env!("CARGO_PKG_VERSION")));
    driver.version = Some(env!("CARGO_PKG_VERSION").to_string());
    driver.semantic_version = Some(env!("CARGO_PKG_VERSION").to_string());
    driver.information_uri = option_env!("CARGO_PKG_REPOSITORY")
        .filter(|u| !u.is_empty())
        .map(str::to_string);
    driver.rules = Some(rules.iter().map(|r| descriptor(*r)).collect());
    let base_ids = base.srcroot.as_ref().map(|uri| {
        let mut m = BTreeMap::new();
        m.insert(
            SRCROOT.to_string(),
            s::ArtifactLocation {
                uri: Some(uri.clone()),
                ..Default::default()
            },
        );
        m
    });
    let mut run = s::Run::builder()
        .tool(s::Tool::builder().driver(driver).build())
        .build();
    run.results = Some(results);
    run.column_kind = Some(serde_json::Value::String("unicodeCodePoints".into()));
    run.original_uri_base_ids = base_ids;
    let mut log = s::Sarif::builder()
        .version(serde_json::Value::String("2.1.0".into()))
        .runs(vec![run])
        .build();
    log.schema = Some(
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
            .to_string(),
    );
    log
}

pub fn to_string(log: &s::Sarif) -> String {
    // Serialising plain data to a String cannot fail; an empty object is the fallback.
    let mut out = serde_json::to_string_pretty(log).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
}

/// The SARIF level of a severity: what a dashboard shows as an error, a warning or a note.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn level_of(severity: Severity) -> s::ResultLevel {
    match severity {
        Severity::Critical | Severity::High => s::ResultLevel::Error,
        Severity::Medium => s::ResultLevel::Warning,
        Severity::Low => s::ResultLevel::Note,
    }
}

/// GitHub code scanning's `security-severity` (0–10) for a rule of the security class.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn descriptor(rule: &dyn crate::rules::Rule) -> s::ReportingDescriptor {
    let id = rule.id();
    let doc = crate::rules::doc(id).unwrap_or("");
    let summary = crate::rules::summary(id);
    let full = crate::rules::doc_section(id, "What it does")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| summary.clone());
    let class = rule.class().as_str();
    let mut tags = vec!["terraform".to_string(), class.to_string()];
    if let Some(profile) = rule.profile() {
        tags.push(format!("profile:{profile}"));
    }
    let mut extra = BTreeMap::new();
    if class == "security" {
        tags.push("security".to_string());
        extra.insert(
            "security-severity".to_string(),
            serde_json::Value::String(security_severity(rule.severity()).into()),
        );
    }
    tags.dedup();
    extra.insert(
        "severity".to_string(),
        serde_json::Value::String(rule.severity().as_str().into()),
    );
    let mut d = s::ReportingDescriptor::builder().id(id).build();
    d.name = Some(pascal_case(id));
    d.short_description = Some(text(if summary.is_empty() { id } else { &summary }));
    d.full_description = Some(text(&full));
    let mut help = text(doc);
    help.markdown = Some(doc.to_string());
    d.help = Some(help);
    d.default_configuration = Some(s::ReportingConfiguration {
        level: Some(serde_json::Value::String(level(rule.severity()).into())),
        ..Default::default()
    });
    d.properties = Some(s::PropertyBag {
        tags: Some(tags),
        additional_properties: extra,
    });
    d
}

fn text(t: &str) -> s::MultiformatMessageString {
    s::MultiformatMessageString::builder().text(t).build()
}

fn message(t: &str) -> s::Message {
    s::Message {
        text: Some(t.to_string()),
        ..Default::default()
    }
}

/// `kms-key-rotation-disabled` → `KmsKeyRotationDisabled`.
fn pascal_case(id: &str) -> String {
    id.split('-').map(crate::rules::capitalise).collect()
}

fn suppression(kind: &str, justification: String) -> s::Suppression {
    let mut sup = s::Suppression::builder()
        .kind(serde_json::Value::String(kind.into()))
        .build();
    sup.status = Some(serde_json::Value::String("accepted".into()));
    sup.justification = Some(justification);
    sup
}

fn result(analysis: &Analysis, base: &Base, f: &Finding, rule_index: Option<usize>) -> s::Result {
    let ws = &analysis.workspace;
    let mut props = BTreeMap::new();
    props.insert(
        "severity".to_string(),
        serde_json::Value::String(f.severity.as_str().into()),
    );
    props.insert(
        "title".to_string(),
        serde_json::Value::String(f.title.clone()),
    );
    if let Some(address) = &f.address {
        props.insert(
            "address".to_string(),
            serde_json::Value::String(address.clone()),
        );
    }
    if !f.also.is_empty() {
        props.insert(
            "alsoReportedBy".to_string(),
            serde_json::Value::Array(
                f.also
                    .iter()
                    .map(|r| serde_json::Value::String((*r).into()))
                    .collect(),
            ),
        );
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), f.fingerprint(ws));
    let related: Vec<s::Location> = f
        .related
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let mut loc = location(analysis, base, r.file, &r.span)?;
            loc.id = i64::try_from(i).ok();
            loc.message = Some(message(&r.message));
            Some(loc)
        })
        .chain(f.asset_places.iter().enumerate().map(|(i, a)| {
            // An answer's file is cited in its Markdown, as the answer's code is.
            let (uri, line) = a
                .origin
                .as_ref()
                .map_or((a.path.clone(), a.line), |o| (o.path.clone(), o.line));
            s::Location {
                id: i64::try_from(f.related.len() + i).ok(),
                physical_location: Some(s::PhysicalLocation {
                    artifact_location: Some(artifact(base, &uri)),
                    region: Some(s::Region {
                        start_line: i64::try_from(line).ok(),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                message: Some(message(&a.message)),
                ..Default::default()
            }
        }))
        .collect();
    let mut r = s::Result::builder().message(message(&f.message)).build();
    r.rule_id = Some(f.rule.to_string());
    r.rule_index = rule_index.and_then(|i| i64::try_from(i).ok());
    r.level = Some(level_of(f.severity));
    r.locations = location(analysis, base, f.file, &f.span).map(|l| vec![l]);
    r.related_locations = (!related.is_empty()).then_some(related);
    r.partial_fingerprints = Some(fingerprints);
    r.fixes = f
        .fix
        .as_ref()
        .and_then(|fix| sarif_fix(ws, base, fix))
        .map(|fix| vec![fix]);
    r.properties = Some(s::PropertyBag {
        tags: None,
        additional_properties: props,
    });
    r
}

/// Where `span` of `file` is: its region in the file, or for a file extracted from a
/// Markdown answer, its lines in the Markdown (named in the location's message).
fn location(
    analysis: &Analysis,
    base: &Base,
    file: crate::workspace::FileId,
    span: &std::ops::Range<usize>,
) -> Option<s::Location> {
    let source = analysis.workspace.files.get(file)?;
    let (line, col) = source.line_col(span.start);
    let (end_line, end_col) = source.line_col(span.end);
    let (uri, region, note) = match source.origin_at(line) {
        Some(origin) => {
            let end = source.origin_at(end_line).map_or(origin.line, |o| o.line);
            (
                origin.path.clone(),
                s::Region {
                    start_line: i64::try_from(origin.line).ok(),
                    end_line: i64::try_from(end.max(origin.line)).ok(),
                    ..Default::default()
                },
                Some(message(&format!(
                    "{}:{line}:{col} (extracted from the answer)",
                    source.path
                ))),
            )
        }
        None => (
            source.path.clone(),
            region((line, col), (end_line, end_col)),
            None,
        ),
    };
    Some(s::Location {
        physical_location: Some(s::PhysicalLocation {
            artifact_location: Some(artifact(base, &uri)),
            region: Some(region),
            ..Default::default()
        }),
        message: note,
        ..Default::default()
    })
}

fn region(start: (usize, usize), end: (usize, usize)) -> s::Region {
    let n = |v: usize| i64::try_from(v).ok();
    s::Region {
        start_line: n(start.0),
        start_column: n(start.1),
        end_line: n(end.0),
        end_column: n(end.1),
        ..Default::default()
    }
}

fn artifact(base: &Base, path: &str) -> s::ArtifactLocation {
    s::ArtifactLocation {
        uri: Some(uri_path(&format!("{}{path}", base.prefix))),
        uri_base_id: Some(SRCROOT.to_string()),
        ..Default::default()
    }
}

/// A fix as SARIF replacements: only for fixes whose every edit is in a file on disk.
fn sarif_fix(ws: &Workspace, base: &Base, fix: &crate::finding::Fix) -> Option<s::Fix> {
    let mut by_path: BTreeMap<&str, Vec<&crate::finding::Edit>> = BTreeMap::new();
    for e in &fix.edits {
        by_path.entry(e.path.as_str()).or_default().push(e);
    }
    let mut changes = Vec::new();
    for (path, mut edits) in by_path {
        if ws.answer_of(path).is_some() {
            return None;
        }
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        let file = ws.file_by_path(path);
        let pos = |at: usize| file.map_or((1, 1), |f| f.line_col(at));
        let replacements = edits
            .iter()
            .map(|e| s::Replacement {
                deleted_region: region(pos(e.range.start), pos(e.range.end)),
                inserted_content: (!e.text.is_empty()).then(|| s::ArtifactContent {
                    text: Some(e.text.clone()),
                    ..Default::default()
                }),
                properties: None,
            })
            .collect();
        changes.push(s::ArtifactChange {
            artifact_location: artifact(base, path),
            replacements,
            properties: None,
        });
    }
    Some(s::Fix {
        description: Some(message(&fix.title)),
        artifact_changes: changes,
        properties: None,
    })
}

/// A relative path as a URI reference: every byte outside the unreserved set and `/`
/// percent-encoded (a space, `#`, `%`, a non-ASCII letter).
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `file:` URI of an absolute folder, ending in `/` (as `originalUriBaseIds` wants).
pub fn folder_uri(abs: &std::path::Path) -> String {
    let mut path = abs.to_string_lossy().replace('\\', "/");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{}", uri_path(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri_path("a b/c#d.tf"), "a%20b/c%23d.tf");
        assert_eq!(uri_path("café.tf"), "caf%C3%A9.tf");
        assert_eq!(
            folder_uri(std::path::Path::new("/w/my repo")),
            "file:///w/my%20repo/"
        );
    }

    #[test]
    fn uris_start_at_the_folder_check_ran_in() {
        let p = std::path::Path::new;
        let b = Base::for_root(p("./infra/prod"), Some(p("/repo")));
        assert_eq!(b.prefix, "infra/prod/");
        assert_eq!(b.srcroot.as_deref(), Some("file:///repo/"));
        assert_eq!(Base::for_root(p("."), Some(p("/repo"))).prefix, "");
        let b = Base::for_root(p("/repo/infra"), Some(p("/repo")));
        assert_eq!(b.prefix, "infra/");
        let b = Base::for_root(p("/elsewhere/x"), Some(p("/repo")));
        assert_eq!(b.prefix, "");
        assert_eq!(b.srcroot.as_deref(), Some("file:///elsewhere/x/"));
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(
            pascal_case("kms-key-rotation-disabled"),
            "KmsKeyRotationDisabled"
        );
    }
}
