//! Live analysis: a watcher on the workspace and a worker thread that re-analyses it.
//!
//! The watcher (notify, debounced by notify-debouncer-full) watches each folder of the
//! workspace on its own, found with the same rules as discovery, so `.git/`,
//! `.terraform/`, `.tfreview/` and ignored folders are never watched; folders created
//! later are added as they appear. If the platform watcher cannot be used (too many
//! watches, an unsupported filesystem) it falls back to polling and says so.
//!
//! Every relevant change asks the worker for a new analysis with a higher generation
//! number. The worker coalesces requests that queue up, re-parses only changed files
//! ([`Analyzer`]), and reports each result with its generation, so that the receiver can
//! drop results older than one it already has.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, NoCache, RecommendedCache, new_debouncer_opt,
};

use crate::analysis::{Analysis, Analyzer, Target};
use crate::workspace::SKIPPED_DIRS;

/// Quiet time after the last event before a change is reported.
pub const DEBOUNCE: Duration = Duration::from_millis(40);
/// How often the polling fallback looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// How the workspace is being watched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchMode {
    Native,
    /// The platform watcher failed; the files are polled.
    Polling {
        reason: String,
    },
    Off,
}

impl WatchMode {
    pub fn describe(&self) -> String {
        match self {
            WatchMode::Native => "watching".into(),
            WatchMode::Polling { reason } => format!("polling ({reason})"),
            WatchMode::Off => "not watching".into(),
        }
    }
}

/// How to watch, as asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    /// No watching: one analysis, and more on [`Live::refresh`].
    Off,
    /// The platform watcher, falling back to polling when it fails.
    Auto,
    /// Polling only (`TFREVIEW_WATCH=poll`).
    Poll,
}

impl Watch {
    /// `Auto`, or `Poll` when `TFREVIEW_WATCH=poll` is set; `Off` when `enabled` is false.
    pub fn from_env(enabled: bool) -> Watch {
        match (enabled, std::env::var("TFREVIEW_WATCH").as_deref()) {
            (false, _) => Watch::Off,
            (true, Ok("poll")) => Watch::Poll,
            (true, _) => Watch::Auto,
        }
    }
}

/// What live analysis reports.
#[derive(Debug)]
pub enum LiveEvent {
    Analysis {
        generation: u64,
        result: Result<Analysis, String>,
        elapsed: Duration,
        /// Files parsed by this analysis (the rest came from the cache).
        parsed: usize,
        /// When the change that asked for it was seen (for latency figures).
        requested_at: Instant,
    },
}

enum Inner {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Polling(Debouncer<PollWatcher, NoCache>),
}

impl Inner {
    fn watch(&mut self, path: &Path) -> notify::Result<()> {
        match self {
            Inner::Native(d) => d.watch(path, RecursiveMode::NonRecursive),
            Inner::Polling(d) => d.watch(path, RecursiveMode::NonRecursive),
        }
    }
}

/// Whether `path` is a real folder (not a link to one): the only kind of folder the
/// watcher adds, so that it never leaves the root.
fn real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// Whether a path is one the analysis reads, or may be a folder that held some.
fn relevant(root: &Path, ignores: &crate::workspace::Ignores, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    if rel
        .components()
        .any(|c| SKIPPED_DIRS.iter().any(|d| c.as_os_str() == *d))
    {
        return false;
    }
    let is_dir = real_dir(path);
    if ignores.ignored(path, is_dir)
        || rel
            .ancestors()
            .skip(1)
            .any(|a| !a.as_os_str().is_empty() && ignores.ignored(&root.join(a), true))
    {
        return false;
    }
    match path.extension().and_then(|e| e.to_str()) {
        // Markdown: the answers and ideals of task folders; TOML: `.tfreview.toml`.
        Some("tf") | Some("tfvars") | Some("md") | Some("toml") => true,
        // A template that `templatefile()` may render.
        Some(_) if crate::workspace::may_be_template(&rel.to_string_lossy()) => true,
        // A folder (created, removed or renamed) may hold or have held files.
        Some(_) => is_dir,
        None => true,
    }
}

/// The folders to watch under `dir`, by the rules of discovery.
fn folders(dir: &Path) -> Vec<PathBuf> {
    crate::workspace::walker(dir)
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_dir()))
        .map(|e| e.into_path())
        .collect()
}

/// A running live analysis; dropping it stops the watcher.
pub struct Live {
    pub mode: WatchMode,
    /// Keeps the worker's queue open (and so the worker running) while `Live` lives.
    _requests: Sender<(u64, Instant)>,
    _watch_thread: Option<std::thread::JoinHandle<()>>,
}

impl Live {
    /// Starts the worker (which analyses at once, generation 1) and the watcher that
    /// `watch` asks for. Every result goes to `sink`.
    pub fn start(
        root: &Path,
        target: Target,
        watch: Watch,
        sink: impl Fn(LiveEvent) + Send + 'static,
    ) -> Live {
        Live::start_configured(root, target, None, watch, sink)
    }

    /// As [`Live::start`], with the configuration read from `config` rather than from
    /// `root/.tfreview.toml`.
    pub fn start_configured(
        root: &Path,
        target: Target,
        config: Option<PathBuf>,
        watch: Watch,
        sink: impl Fn(LiveEvent) + Send + 'static,
    ) -> Live {
        let (requests, queue) = mpsc::channel::<(u64, Instant)>();
        let worker_root = root.to_path_buf();
        let mut analyzer = Analyzer::default();
        analyzer.config = config;
        std::thread::spawn(move || worker(&worker_root, &target, analyzer, &queue, &sink));
        let _ = requests.send((1, Instant::now()));
        if watch == Watch::Off {
            return Live {
                mode: WatchMode::Off,
                _requests: requests,
                _watch_thread: None,
            };
        }
        let (events_tx, events_rx) = mpsc::channel::<DebounceEventResult>();
        let (mut inner, mut mode) = match watch {
            Watch::Poll => (
                None,
                WatchMode::Polling {
                    reason: "asked for".into(),
                },
            ),
            _ => match native(events_tx.clone()) {
                Ok(d) => (Some(Inner::Native(d)), WatchMode::Native),
                Err(e) => (
                    None,
                    WatchMode::Polling {
                        reason: e.to_string(),
                    },
                ),
            },
        };
        // The watcher reports absolute paths: a root given relative (`tfreview .`) is
        // made absolute, or no event would ever lie under it.
        let root = &std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let dirs = folders(root);
        if let Some(d) = inner.as_mut() {
            for dir in &dirs {
                if let Err(e) = d.watch(dir) {
                    inner = None;
                    mode = WatchMode::Polling {
                        reason: e.to_string(),
                    };
                    break;
                }
            }
        }
        if inner.is_none() {
            match polling(events_tx) {
                Ok(mut d) => {
                    let failed = dirs
                        .iter()
                        .find_map(|dir| d.watch(dir, RecursiveMode::NonRecursive).err());
                    if let Some(e) = failed {
                        mode = WatchMode::Polling {
                            reason: format!("{} (some folders unwatched: {e})", mode.describe()),
                        };
                    }
                    inner = Some(Inner::Polling(d));
                }
                Err(e) => {
                    return Live {
                        mode: WatchMode::Off,
                        _requests: requests,
                        _watch_thread: None,
                    }
                    .with_reason(e.to_string());
                }
            }
        }
        let thread_root = root.to_path_buf();
        let thread_requests = requests.clone();
        let handle = inner.map(|mut inner| {
            std::thread::spawn(move || {
                // Generation 1 was the first analysis, asked for above.
                let mut generation = 1;
                while let Ok(result) = events_rx.recv() {
                    let Ok(events) = result else { continue };
                    // Read afresh for each batch: an edited `.gitignore` counts at once.
                    let ignores = crate::workspace::Ignores::new(&thread_root);
                    let mut changed = false;
                    for event in &events {
                        // Opening, reading and closing a file change nothing.
                        if matches!(event.kind, notify::EventKind::Access(_)) {
                            continue;
                        }
                        for path in &event.paths {
                            if !relevant(&thread_root, &ignores, path) {
                                continue;
                            }
                            changed = true;
                            if real_dir(path) {
                                for dir in folders(path) {
                                    // A folder that vanished again is no error.
                                    let _ = inner.watch(&dir);
                                }
                            }
                        }
                    }
                    if changed {
                        generation += 1;
                        if thread_requests.send((generation, Instant::now())).is_err() {
                            break;
                        }
                    }
                }
            })
        });
        Live {
            mode,
            _requests: requests,
            _watch_thread: handle,
        }
    }

    fn with_reason(mut self, reason: String) -> Live {
        self.mode = WatchMode::Polling {
            reason: format!("cannot watch: {reason}"),
        };
        self
    }
}

fn native(
    tx: Sender<DebounceEventResult>,
) -> notify::Result<Debouncer<RecommendedWatcher, RecommendedCache>> {
    new_debouncer_opt(
        DEBOUNCE,
        Some(Duration::from_millis(10)),
        tx,
        RecommendedCache::new(),
        notify::Config::default(),
    )
    .map_err(|e| notify::Error::generic(&e.to_string()))
}

fn polling(tx: Sender<DebounceEventResult>) -> notify::Result<Debouncer<PollWatcher, NoCache>> {
    new_debouncer_opt(
        DEBOUNCE,
        Some(Duration::from_millis(10)),
        tx,
        NoCache,
        notify::Config::default()
            .with_poll_interval(POLL_INTERVAL)
            .with_compare_contents(true),
    )
    .map_err(|e| notify::Error::generic(&e.to_string()))
}

fn worker(
    root: &Path,
    target: &Target,
    mut analyzer: Analyzer,
    queue: &Receiver<(u64, Instant)>,
    sink: &dyn Fn(LiveEvent),
) {
    while let Ok(mut request) = queue.recv() {
        // Only the newest request matters; older ones queued behind it are folded in.
        while let Ok(newer) = queue.try_recv() {
            request = (newer.0.max(request.0), request.1.min(newer.1));
        }
        let (generation, requested_at) = request;
        let start = Instant::now();
        let result = analyzer.analyse(root, target).map_err(|e| e.to_string());
        sink(LiveEvent::Analysis {
            generation,
            result,
            elapsed: start.elapsed(),
            parsed: analyzer.last_parsed,
            requested_at,
        });
    }
}
