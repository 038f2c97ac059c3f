//! The review: the reviewer's decisions (accepted, rejected, pending, with a note) keyed
//! by finding fingerprint, and the review-level summary and score. Persisted in
//! `.tfreview/review.json` with an atomic write after every change; a file that cannot be
//! read is moved aside, never overwritten.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

/// The version of `review.json` this build writes; newer files are not overwritten.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Pending,
    Accepted,
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
        }
    }
}

/// What the finding was when it was decided, so that a decision whose finding later
/// disappears can still be shown and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub path: String,
    pub address: Option<String>,
}

impl FindingRecord {
    pub fn of(analysis: &Analysis, finding: &Finding) -> FindingRecord {
        FindingRecord {
            rule: finding.rule.to_string(),
            severity: finding.severity,
            title: finding.title.clone(),
            path: analysis.path(finding).to_string(),
            address: finding.address.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When the decision was last changed (RFC 3339, UTC).
    pub time: String,
    pub finding: FindingRecord,
    /// When the finding disappeared after an edit (absent while it is reported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// What the answer or change got right, as the reviewer writes it ("What went
    /// right" in the export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strengths: Option<String>,
    /// Training quality score, 0 to 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    #[serde(default)]
    pub decisions: BTreeMap<String, Decision>,
}

impl Default for Review {
    fn default() -> Self {
        Review {
            version: FORMAT_VERSION,
            summary: None,
            strengths: None,
            score: None,
            decisions: BTreeMap::new(),
        }
    }
}

impl Review {
    pub fn status(&self, fingerprint: &str) -> Status {
        self.decisions
            .get(fingerprint)
            .map_or(Status::Pending, |d| d.status)
    }

    pub fn note(&self, fingerprint: &str) -> Option<&str> {
        self.decisions
            .get(fingerprint)
            .and_then(|d| d.note.as_deref())
    }

    /// Sets the status (and, when given, the note) of a finding; returns the previous
    /// decision so that it can be undone.
    pub fn decide(
        &mut self,
        analysis: &Analysis,
        finding: &Finding,
        status: Status,
        note: Option<Option<String>>,
    ) -> Option<Decision> {
        let fingerprint = finding.fingerprint(&analysis.workspace);
        let previous = self.decisions.get(&fingerprint).cloned();
        let note = match note {
            Some(n) => n.filter(|n| !n.trim().is_empty()),
            None => previous.as_ref().and_then(|d| d.note.clone()),
        };
        self.decisions.insert(
            fingerprint,
            Decision {
                status,
                note,
                time: now(),
                finding: FindingRecord::of(analysis, finding),
                resolved: None,
            },
        );
        previous
    }

    /// After a new analysis of the same workspace: every finding of `before` that is gone
    /// from `after` is recorded as resolved (keeping its decision, or as pending when it
    /// had none), and a resolved finding that is back is open again. Returns whether the
    /// review changed.
    pub fn reconcile(&mut self, before: &Analysis, after: &Analysis) -> bool {
        let now_fps: std::collections::HashSet<String> = after
            .findings
            .iter()
            .map(|f| f.fingerprint(&after.workspace))
            .collect();
        let unsettled = after.unsettled_dirs();
        let mut changed = false;
        for f in &before.findings {
            let fp = f.fingerprint(&before.workspace);
            if now_fps.contains(&fp) {
                continue;
            }
            // A syntax error that was fixed is no review finding to remember, unless
            // the reviewer decided it.
            if f.rule == crate::analysis::SYNTAX_RULE && !self.decisions.contains_key(&fp) {
                continue;
            }
            // Gone because a file of its module stopped parsing: not resolved.
            if before
                .workspace
                .files
                .get(f.file)
                .is_some_and(|file| unsettled.contains(file.dir()))
            {
                continue;
            }
            let decision = self.decisions.entry(fp).or_insert_with(|| Decision {
                status: Status::Pending,
                note: None,
                time: now(),
                finding: FindingRecord::of(before, f),
                resolved: None,
            });
            if decision.resolved.is_none() {
                decision.resolved = Some(now());
                changed = true;
            }
        }
        for (fp, decision) in &mut self.decisions {
            if decision.resolved.is_some() && now_fps.contains(fp) {
                decision.resolved = None;
                changed = true;
            }
        }
        changed
    }

    /// Decisions whose finding the analysis no longer reports, in a stable order
    /// (without those of modules in which a file does not parse: see
    /// [`Review::unconfirmed`]).
    pub fn resolved<'r>(&'r self, analysis: &Analysis) -> Vec<(&'r String, &'r Decision)> {
        self.gone(analysis, false, None)
    }

    /// [`Review::resolved`], told which fingerprints the analysis reports (the workbench
    /// keeps them from one analysis to the next, and asks every frame).
    pub fn resolved_given<'r>(
        &'r self,
        analysis: &Analysis,
        reported: &dyn Fn(&str) -> bool,
    ) -> Vec<(&'r String, &'r Decision)> {
        self.gone(analysis, false, Some(reported))
    }

    /// Decisions whose finding is not reported while a file of its module does not
    /// parse: neither open nor resolved until the syntax error is fixed.
    pub fn unconfirmed<'r>(&'r self, analysis: &Analysis) -> Vec<(&'r String, &'r Decision)> {
        self.gone(analysis, true, None)
    }

    fn gone<'r>(
        &'r self,
        analysis: &Analysis,
        unsettled: bool,
        reported: Option<&dyn Fn(&str) -> bool>,
    ) -> Vec<(&'r String, &'r Decision)> {
        if self.decisions.is_empty() {
            return Vec::new();
        }
        let now_fps: std::collections::HashSet<&str> = match reported {
            Some(_) => std::collections::HashSet::new(),
            None => analysis
                .findings
                .iter()
                .map(|f| f.fingerprint_ref(&analysis.workspace))
                .collect(),
        };
        let is_reported = |fp: &str| reported.map_or_else(|| now_fps.contains(fp), |r| r(fp));
        let dirs = analysis.unsettled_dirs();
        let mut out: Vec<(&String, &Decision)> = self
            .decisions
            .iter()
            .filter(|(fp, _)| !is_reported(fp))
            .filter(|(_, d)| {
                let dir = d.finding.path.rsplit_once('/').map_or("", |(dir, _)| dir);
                dirs.contains(dir) == unsettled
            })
            .collect();
        out.sort_by(|a, b| {
            (
                std::cmp::Reverse(a.1.finding.severity),
                &a.1.finding.path,
                &a.1.finding.rule,
                a.0,
            )
                .cmp(&(
                    std::cmp::Reverse(b.1.finding.severity),
                    &b.1.finding.path,
                    &b.1.finding.rule,
                    b.0,
                ))
        });
        out
    }

    /// Puts back a decision taken earlier (`None`: the finding had none).
    pub fn restore(&mut self, fingerprint: &str, previous: Option<Decision>) {
        match previous {
            Some(d) => {
                self.decisions.insert(fingerprint.to_string(), d);
            }
            None => {
                self.decisions.remove(fingerprint);
            }
        }
    }
}

pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} {problem}", path.display())]
    Read {
        path: PathBuf,
        problem: crate::io::ReadError,
    },
    #[error("{} cannot be used ({reason}) and could not be moved aside: {source}", path.display())]
    MoveAside {
        path: PathBuf,
        reason: String,
        source: std::io::Error,
    },
    /// For readers that must not change anything (`export`): the file is unusable.
    #[error("{} cannot be used: {reason}; move it aside (the workbench does so) or name another with --review-file", path.display())]
    Unusable { path: PathBuf, reason: String },
}

/// Where a review lives: `PATH/.tfreview/review.json` unless told otherwise.
#[derive(Debug, Clone)]
pub struct ReviewStore {
    pub path: PathBuf,
    /// The workspace the default file lives in: no folder between it and the file may
    /// be a link (the review never lands outside the workspace).
    pub root: Option<PathBuf>,
}

/// What reading `review.json` found.
enum Loaded {
    Missing,
    Review(Review),
    /// Corrupt, or of a newer format: the reason.
    Unusable(String),
}

impl ReviewStore {
    pub fn for_workspace(root: &Path) -> ReviewStore {
        ReviewStore {
            path: root.join(".tfreview").join("review.json"),
            root: Some(root.to_path_buf()),
        }
    }

    /// A review file named explicitly (`--review-file`).
    pub fn at(path: PathBuf) -> ReviewStore {
        ReviewStore { path, root: None }
    }

    fn read(&self) -> Result<Loaded, ReviewError> {
        if let Some(root) = &self.root {
            // A `.tfreview` that is a link would send reads and writes elsewhere.
            let dir = root.join(".tfreview");
            if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(ReviewError::Read {
                    path: dir,
                    problem: crate::io::ReadError::Unusable(
                        "is a symbolic link; tfreview keeps the review only in a real folder"
                            .into(),
                    ),
                });
            }
        }
        let text = match crate::io::read_text(&self.path, crate::io::MAX_REVIEW_BYTES) {
            Ok(text) => text,
            Err(crate::io::ReadError::NotFound) => return Ok(Loaded::Missing),
            Err(crate::io::ReadError::NotUtf8 { .. }) => {
                return Ok(Loaded::Unusable("it is not UTF-8".into()));
            }
            Err(problem) => {
                return Err(ReviewError::Read {
                    path: self.path.clone(),
                    problem,
                });
            }
        };
        // One parse: the version first (a newer format is not ours to read), then the
        // review from the same value.
        let value = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(value) => value,
            Err(e) => return Ok(Loaded::Unusable(format!("it is not a valid review: {e}"))),
        };
        drop(text);
        let version = value.get("version").and_then(|v| v.as_u64());
        Ok(match version {
            Some(v) if v > u64::from(FORMAT_VERSION) => {
                Loaded::Unusable(format!("it was written by a newer tfreview (format {v})"))
            }
            _ => match serde_json::from_value::<Review>(value) {
                Ok(review) => Loaded::Review(review),
                Err(e) => Loaded::Unusable(format!("it is not a valid review: {e}")),
            },
        })
    }

    /// Loads the review. A missing file is an empty review. A file that is corrupt or of
    /// a newer format is renamed to `review.json.bad-<timestamp>` and an empty review is
    /// returned with a warning that says so.
    pub fn load(&self) -> Result<(Review, Option<String>), ReviewError> {
        // A workspace where the lock cannot be taken (read-only) is still reviewed; saving
        // will then say why it fails.
        let exists = self.path.parent().is_some_and(|d| d.is_dir());
        let _lock = if exists { self.lock().ok() } else { None };
        match self.read()? {
            Loaded::Missing => Ok((Review::default(), None)),
            Loaded::Review(review) => Ok((review, None)),
            Loaded::Unusable(reason) => self.move_aside(reason),
        }
    }

    /// Loads the review without changing anything on disk: an unusable file is an error
    /// (for `export`, which must not write a review without the decisions).
    pub fn load_strict(&self) -> Result<Review, ReviewError> {
        match self.read()? {
            Loaded::Missing => Ok(Review::default()),
            Loaded::Review(review) => Ok(review),
            Loaded::Unusable(reason) => Err(ReviewError::Unusable {
                path: self.path.clone(),
                reason,
            }),
        }
    }

    fn move_aside(&self, reason: String) -> Result<(Review, Option<String>), ReviewError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let stamp = format!("{}.{:09}", now.as_secs(), now.subsec_nanos());
        let err = |source| ReviewError::MoveAside {
            path: self.path.clone(),
            reason: reason.clone(),
            source,
        };
        let mut aside = None;
        for n in 0..1000 {
            let mut name = self.path.clone().into_os_string();
            name.push(format!(".bad-{stamp}"));
            if n > 0 {
                name.push(format!("-{n}"));
            }
            let candidate = PathBuf::from(name);
            // A hard link never replaces an existing file, so an earlier copy is never
            // overwritten; the original name is then removed.
            match std::fs::hard_link(&self.path, &candidate) {
                Ok(()) => {
                    std::fs::remove_file(&self.path).map_err(err)?;
                    aside = Some(candidate);
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(err(e)),
            }
        }
        let Some(aside) = aside else {
            return Err(err(std::io::Error::other("no free name to move it to")));
        };
        Ok((
            Review::default(),
            Some(format!(
                "{} could not be used ({reason}); it was moved to {} and a new review was started",
                self.path.display(),
                aside.display()
            )),
        ))
    }

    /// The exclusive lock that every read-modify-write of the review holds: a lock on
    /// the review file's folder (created when missing).
    fn lock(&self) -> Result<crate::io::Lock, ReviewError> {
        let err = |source| ReviewError::Write {
            path: self.path.clone(),
            source,
        };
        let dir = self.parent_dir().map_err(err)?;
        crate::io::Lock::exclusive(&dir).map_err(err)
    }

    /// The folder of the review file, created (safely, below the workspace) when
    /// missing.
    fn parent_dir(&self) -> std::io::Result<PathBuf> {
        let file = self
            .path
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("review.json"));
        match &self.root {
            Some(root) => {
                let rel = self.path.strip_prefix(root).unwrap_or(&file).to_path_buf();
                crate::io::safe_parent(root, &rel)
            }
            None => {
                let dir = match self.path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                std::fs::create_dir_all(&dir)?;
                Ok(dir)
            }
        }
    }

    /// Writes the review atomically, as it is (no merge): for a review no one else
    /// writes. The workbench uses [`ReviewStore::save_merged`].
    pub fn save(&self, review: &Review) -> Result<(), ReviewError> {
        let _lock = self.lock()?;
        self.write(review)
    }

    fn write(&self, review: &Review) -> Result<(), ReviewError> {
        let err = |source| ReviewError::Write {
            path: self.path.clone(),
            source,
        };
        let mut text =
            serde_json::to_string_pretty(review).map_err(|e| err(std::io::Error::other(e)))?;
        text.push('\n');
        crate::io::write_atomic(&self.path, text.as_bytes()).map_err(err)
    }

    /// Saves what changed from `base` (the review as last read or written) to `ours`
    /// on top of what is on disk now, under the lock: decisions another workbench took
    /// meanwhile are kept, ours win where both changed the same finding. Returns the
    /// merged review, which both `base` and `ours` should become.
    pub fn save_merged(&self, base: &Review, ours: &Review) -> Result<Review, ReviewError> {
        let _lock = self.lock()?;
        let theirs = match self.read()? {
            Loaded::Missing => Review::default(),
            Loaded::Review(review) => review,
            // Never overwrite a file this build cannot read.
            Loaded::Unusable(reason) => {
                return Err(ReviewError::Unusable {
                    path: self.path.clone(),
                    reason,
                });
            }
        };
        let merged = merge(base, ours, &theirs);
        if merged != theirs {
            self.write(&merged)?;
        }
        Ok(merged)
    }

    /// The review on disk merged with the changes `ours` has over `base` (nothing is
    /// written): how a workbench picks up another's decisions.
    /// Returns what is on disk (the new base) and the merged review.
    pub fn refresh(
        &self,
        base: &Review,
        ours: &Review,
    ) -> Result<Option<(Review, Review)>, ReviewError> {
        match self.read()? {
            Loaded::Review(theirs) if &theirs != base => {
                let merged = merge(base, ours, &theirs);
                Ok(Some((theirs, merged)))
            }
            _ => Ok(None),
        }
    }

    /// The file's modification time and length, to notice another writer cheaply.
    pub fn stamp(&self) -> Option<(std::time::SystemTime, u64)> {
        let meta = std::fs::symlink_metadata(&self.path).ok()?;
        Some((meta.modified().ok()?, meta.len()))
    }
}

/// Three-way merge: `theirs` with every change `ours` made to `base` applied.
pub fn merge(base: &Review, ours: &Review, theirs: &Review) -> Review {
    let mut merged = theirs.clone();
    let keys: std::collections::BTreeSet<&String> =
        base.decisions.keys().chain(ours.decisions.keys()).collect();
    for key in keys {
        let (b, o) = (base.decisions.get(key), ours.decisions.get(key));
        if b == o {
            continue;
        }
        match o {
            Some(d) => {
                merged.decisions.insert(key.clone(), d.clone());
            }
            None => {
                merged.decisions.remove(key);
            }
        }
    }
    if base.summary != ours.summary {
        merged.summary = ours.summary.clone();
    }
    if base.strengths != ours.strengths {
        merged.strengths = ours.strengths.clone();
    }
    if base.score != ours.score {
        merged.score = ours.score;
    }
    merged.version = FORMAT_VERSION;
    merged
}

/// Writes a file atomically; see [`crate::io::write_atomic`].
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    crate::io::write_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> FindingRecord {
        FindingRecord {
            rule: "r".into(),
            severity: Severity::High,
            title: "t".into(),
            path: "a.tf".into(),
            address: None,
        }
    }

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = ReviewStore::for_workspace(dir.path());
        let mut review = Review {
            summary: Some("Good work".into()),
            score: Some(7),
            ..Review::default()
        };
        review.decisions.insert(
            "abc".into(),
            Decision {
                status: Status::Rejected,
                note: Some("intended".into()),
                time: now(),
                finding: record(),
                resolved: None,
            },
        );
        store.save(&review).unwrap();
        let (loaded, warning) = store.load().unwrap();
        assert_eq!(loaded, review);
        assert!(warning.is_none());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join(".tfreview"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec!["review.json"]);
    }

    #[test]
    fn corrupt_and_future_files_are_moved_aside_with_a_warning() {
        for text in ["{not json", "{\"version\": 99, \"decisions\": {}}"] {
            let dir = tempfile::tempdir().unwrap();
            let store = ReviewStore::for_workspace(dir.path());
            std::fs::create_dir_all(store.path.parent().unwrap()).unwrap();
            std::fs::write(&store.path, text).unwrap();
            let (review, warning) = store.load().unwrap();
            assert_eq!(review, Review::default());
            let warning = warning.unwrap();
            assert!(warning.contains("moved to"), "{warning}");
            let names: Vec<String> = std::fs::read_dir(store.path.parent().unwrap())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert_eq!(names.len(), 1);
            assert!(names[0].starts_with("review.json.bad-"));
            let kept =
                std::fs::read_to_string(store.path.parent().unwrap().join(&names[0])).unwrap();
            assert_eq!(kept, text);
        }
    }
}
