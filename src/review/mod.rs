//! The review: the reviewer's decisions (accepted, rejected, pending, with a note) keyed
//! by finding fingerprint, and the review-level summary and score. Persisted in
//! `.tfreview/review.json` with an atomic write after every change; a file that cannot be
//! read is moved aside, never overwritten.

use std::collections::BTreeMap;
use std::io::Write as _;
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
        let mut changed = false;
        for f in &before.findings {
            let fp = f.fingerprint(&before.workspace);
            if now_fps.contains(&fp) {
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

    /// Decisions whose finding the analysis no longer reports, in a stable order.
    pub fn resolved<'r>(&'r self, analysis: &Analysis) -> Vec<(&'r String, &'r Decision)> {
        let now_fps: std::collections::HashSet<String> = analysis
            .findings
            .iter()
            .map(|f| f.fingerprint(&analysis.workspace))
            .collect();
        let mut out: Vec<(&String, &Decision)> = self
            .decisions
            .iter()
            .filter(|(fp, _)| !now_fps.contains(*fp))
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
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} cannot be used ({reason}) and could not be moved aside: {source}")]
    MoveAside {
        path: PathBuf,
        reason: String,
        source: std::io::Error,
    },
}

/// Where a review lives: `PATH/.tfreview/review.json` unless told otherwise.
#[derive(Debug, Clone)]
pub struct ReviewStore {
    pub path: PathBuf,
}

impl ReviewStore {
    pub fn for_workspace(root: &Path) -> ReviewStore {
        ReviewStore {
            path: root.join(".tfreview").join("review.json"),
        }
    }

    /// Loads the review. A missing file is an empty review. A file that is corrupt or of
    /// a newer format is renamed to `review.json.bad-<timestamp>` and an empty review is
    /// returned with a warning that says so.
    pub fn load(&self) -> Result<(Review, Option<String>), ReviewError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Review::default(), None));
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return self.move_aside("it is not UTF-8".into());
            }
            Err(source) => {
                return Err(ReviewError::Read {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let version = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("version").and_then(|v| v.as_u64()));
        match (version, serde_json::from_str::<Review>(&text)) {
            (Some(v), _) if v > u64::from(FORMAT_VERSION) => {
                self.move_aside(format!("it was written by a newer tfreview (format {v})"))
            }
            (_, Ok(review)) => Ok((review, None)),
            (_, Err(e)) => self.move_aside(format!("it is not a valid review: {e}")),
        }
    }

    fn move_aside(&self, reason: String) -> Result<(Review, Option<String>), ReviewError> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut aside = self.path.clone().into_os_string();
        aside.push(format!(".bad-{stamp}"));
        let aside = PathBuf::from(aside);
        std::fs::rename(&self.path, &aside).map_err(|source| ReviewError::MoveAside {
            path: self.path.clone(),
            reason: reason.clone(),
            source,
        })?;
        Ok((
            Review::default(),
            Some(format!(
                "{} could not be used ({reason}); it was moved to {} and a new review was started",
                self.path.display(),
                aside.display()
            )),
        ))
    }

    /// Writes the review atomically (see [`write_atomically`]).
    pub fn save(&self, review: &Review) -> Result<(), ReviewError> {
        let err = |source| ReviewError::Write {
            path: self.path.clone(),
            source,
        };
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut text =
            serde_json::to_string_pretty(review).map_err(|e| err(std::io::Error::other(e)))?;
        text.push('\n');
        write_atomically(&self.path, &text).map_err(err)
    }
}

/// Writes a file so that it is either the old or the new one, whatever happens: a
/// temporary file in the same folder, flushed to disk, renamed over the old one, and the
/// folder synced.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(dir) {
        // Best effort: not every platform can sync a folder.
        let _ = d.sync_all();
    }
    Ok(())
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
