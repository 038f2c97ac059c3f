//! Helpers shared by the integration tests: copying fixtures, rendering findings, and
//! applying fixes the way a user would (one at a time, analysing again in between).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tfreview::{Analysis, Applicability, Finding, Target, analyse};

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder in which the workbench keeps a workspace's review.
pub const REVIEW_DIR: &str = ".tfreview";

/// A review file that does not exist: for `check` and `export` run on a sample in place,
/// so that decisions a user made there (the README's first command) are not read.
pub fn no_review() -> PathBuf {
    std::env::temp_dir().join(format!(
        "tfreview-test-no-review-{}/review.json",
        std::process::id()
    ))
}

/// Copies a folder tree into a fresh temporary folder.
pub fn copy_to_temp(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(from, dir.path());
    dir
}

/// Copies a folder tree, leaving out `.tfreview/`: the review state that running the
/// workbench on a sample leaves in the repository is never a test's input.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == REVIEW_DIR {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// One block of text per finding of `rule` (all rules when `None`): position, severity,
/// title, message, and the fix with its diff.
pub fn render(analysis: &Analysis, rule: Option<&str>) -> String {
    let mut out = String::new();
    for f in analysis
        .findings
        .iter()
        .filter(|f| rule.is_none_or(|r| f.rule == r || f.also.contains(&r)))
    {
        let ((l, c), (el, ec)) = analysis.position(f);
        let _ = writeln!(
            out,
            "{}:{l}:{c}-{el}:{ec} {} [{}] {}",
            analysis.path(f),
            f.severity.as_str(),
            std::iter::once(f.rule)
                .chain(f.also.iter().copied())
                .collect::<Vec<_>>()
                .join(", "),
            f.title
        );
        let _ = writeln!(out, "  address: {}", f.address.as_deref().unwrap_or("-"));
        let _ = writeln!(out, "  {}", f.message);
        if let Some(valid) = f.valid_summary(12) {
            let _ = writeln!(out, "  valid here: {valid}");
        }
        for r in &f.related {
            let file = &analysis.workspace.files[r.file];
            let (l, c) = file.line_col(r.span.start);
            let _ = writeln!(out, "  related: {}:{l}:{c} {}", file.path, r.message);
        }
        for a in &f.asset_places {
            let _ = writeln!(out, "  related: {}:{} {}", a.path, a.line, a.message);
        }
        match &f.fix {
            Some(fix) => {
                let safety = match fix.applicability {
                    Applicability::Safe => "safe",
                    Applicability::Unsafe => "unsafe",
                };
                let _ = writeln!(out, "  fix ({safety}): {}", fix.title);
                out.push_str(&fix.diff(&analysis.workspace).unwrap());
            }
            None => out.push_str("  no fix\n"),
        }
        out.push('\n');
    }
    out
}

/// The analysis a user gets at `root` (a task folder's answer, or the plain files).
pub fn analyse_path(root: &Path) -> Analysis {
    analyse(root, &Target::Auto).unwrap()
}

/// Whether a finding's fix would edit an answer's virtual files (taken from Markdown):
/// such fixes are shown as diffs, not written.
pub fn in_answer(analysis: &Analysis, f: &Finding) -> bool {
    let virtual_dirs: Vec<String> = analysis
        .workspace
        .files
        .iter()
        .filter_map(|file| file.origin.as_ref().map(|o| format!("{}/", o.path)))
        .collect();
    f.fix.as_ref().is_some_and(|fix| {
        fix.edits
            .iter()
            .any(|e| virtual_dirs.iter().any(|d| e.path.starts_with(d.as_str())))
    })
}

/// Applies the first fix of `rule` that is offered, analyses again, and repeats until no
/// finding of `rule` has a fix. Returns the paths written, and the final analysis.
pub fn apply_fixes_one_at_a_time(root: &Path, rule: Option<&str>) -> (Vec<String>, Analysis) {
    let mut written = Vec::new();
    for _ in 0..100 {
        let analysis = analyse_path(root);
        let Some(fix) = analysis
            .findings
            .iter()
            .filter(|f| rule.is_none_or(|r| f.rule == r) && !in_answer(&analysis, f))
            .find_map(|f| f.fix.clone())
        else {
            return (written, analysis);
        };
        for (path, (_, new)) in fix.apply(&analysis.workspace).unwrap() {
            let target = root.join(&path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, new).unwrap();
            written.push(path);
        }
    }
    panic!("fixes did not converge after 100 rounds");
}

/// `terraform fmt` as an independent oracle of HCL syntax: `Some(true)` when the file
/// parses, `None` when terraform is not installed.
pub fn terraform_accepts(path: &Path) -> Option<bool> {
    // `terraform fmt` reads only `.tf` and `.tfvars`: a backend configuration file
    // (`*.tfbackend`, attributes only, as a tfvars file) is checked as a copy.
    let copy;
    let path = match path.extension().and_then(|e| e.to_str()) {
        Some("tf" | "tfvars") => path,
        _ => {
            copy = tempfile::Builder::new().suffix(".tfvars").tempfile().ok()?;
            std::fs::copy(path, copy.path()).ok()?;
            copy.path()
        }
    };
    let out = std::process::Command::new("terraform")
        .args(["fmt", "-list=false", "-write=false"])
        .arg(path)
        .output()
        .ok()?;
    Some(out.status.success())
}

/// The corpus, or `None` (with a loud message) when it is absent outside CI.
pub fn corpus() -> Option<PathBuf> {
    let path = std::env::var_os("TFREVIEW_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../shared/corpus"));
    if path.is_dir() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the corpus is required in CI but {} does not exist",
        path.display()
    );
    eprintln!(
        "\n*** SKIPPED: the corpus is not at {} (set TFREVIEW_CORPUS); this test checked nothing ***\n",
        path.display()
    );
    None
}

/// The task folders of a corpus (those with `lib/MODEL_RESPONSE.md`), sorted.
pub fn task_folders(corpus: &Path) -> Vec<PathBuf> {
    let mut tasks: Vec<PathBuf> = std::fs::read_dir(corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("lib/MODEL_RESPONSE.md").is_file())
        .collect();
    tasks.sort();
    tasks
}
