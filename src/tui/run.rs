//! The event loop: owns the terminal, draws, and feeds [`App::handle`] with terminal
//! events and with what the worker threads send (the analysis, the syntax assets).
//!
//! Terminal input is read by a thread of its own and sent here like everything else: a
//! terminal that hangs up can leave crossterm's reader spinning on end-of-input, and this
//! loop must still see it (POLLHUP on standard input) and end. The reader pauses while
//! `$EDITOR` has the terminal. The terminal is restored on quit, on error, on panic (the
//! hook restores first, then prints), on SIGTERM/SIGHUP and when it hangs up.

use std::io::{Stdout, Write as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use anyhow::Context as _;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;

use crate::analysis::Target;
use crate::review::ReviewStore;
use crate::watch::{Live, LiveEvent, Watch};

use super::app::{App, Command};
use super::highlight::SyntaxAssets;
use super::theme::Theme;

/// How often the loop looks at signals and worker messages while no key is pressed.
const TICK: Duration = Duration::from_millis(20);
/// Most terminal events handled between two frames.
const MAX_EVENTS_PER_FRAME: usize = 64;
/// How long the input reader waits for a key before looking at its pause flag.
const READER_TICK: Duration = Duration::from_millis(25);

pub enum Message {
    Live(Box<LiveEvent>),
    Syntax(Arc<SyntaxAssets>),
    Input(crossterm::event::Event),
    InputFailed(String),
}

/// The thread that reads the terminal. `paused` stops it reading (for `$EDITOR`);
/// `idle` says it has stopped.
struct InputReader {
    paused: Arc<AtomicBool>,
    idle: Arc<AtomicBool>,
}

impl InputReader {
    fn spawn(tx: Sender<Message>) -> InputReader {
        let paused = Arc::new(AtomicBool::new(false));
        let idle = Arc::new(AtomicBool::new(false));
        let (p, i) = (Arc::clone(&paused), Arc::clone(&idle));
        std::thread::spawn(move || {
            loop {
                if p.load(Ordering::SeqCst) {
                    i.store(true, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                }
                i.store(false, Ordering::SeqCst);
                let event = match crossterm::event::poll(READER_TICK) {
                    Ok(true) => crossterm::event::read().map(Message::Input),
                    Ok(false) => continue,
                    Err(e) => Err(e),
                };
                let failed = event.is_err();
                let message = event.unwrap_or_else(|e| Message::InputFailed(e.to_string()));
                if tx.send(message).is_err() || failed {
                    return;
                }
            }
        });
        InputReader { paused, idle }
    }

    /// Stops reading and waits (briefly) until the reader is idle.
    fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
        let start = std::time::Instant::now();
        while !self.idle.load(Ordering::SeqCst) && start.elapsed() < READER_TICK * 4 {
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
    }
}

pub struct Options {
    pub theme: Theme,
    pub store: ReviewStore,
    /// Whether and how to re-analyse when the files change.
    pub watch: Watch,
    /// What to analyse (a task folder's answer, or plain files).
    pub target: Target,
    /// The configuration file to use instead of `PATH/.tfreview.toml`.
    pub config: Option<PathBuf>,
    /// `--changed-since`: show only what this change introduced, its lines marked.
    pub changes: Option<crate::changes::Changes>,
}

fn setup(out: &mut Stdout) -> std::io::Result<()> {
    enable_raw_mode()?;
    crossterm::execute!(out, EnterAlternateScreen, EnableMouseCapture)
}

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let mut out = std::io::stdout();
    let _ = crossterm::execute!(
        out,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Starts the work that must not block the screen: the live analysis (and its watcher)
/// and the grammar set.
pub fn spawn_workers(
    root: &std::path::Path,
    target: Target,
    config: Option<PathBuf>,
    theme: &Theme,
    watch: Watch,
    tx: &Sender<Message>,
) -> Live {
    let live_tx = tx.clone();
    let live = Live::start_configured(root, target, config, watch, move |event| {
        let _ = live_tx.send(Message::Live(Box::new(event)));
    });
    if let Some(name) = theme.syntax.clone() {
        let syntax_tx = tx.clone();
        std::thread::spawn(move || {
            if let Some(assets) = SyntaxAssets::load(&name) {
                let _ = syntax_tx.send(Message::Syntax(Arc::new(assets)));
            }
        });
    }
    live
}

/// Applies a worker's message to the app.
pub fn apply(app: &mut App, message: Message) {
    match message {
        Message::Live(event) => match *event {
            LiveEvent::Analysis {
                generation,
                result,
                elapsed,
                parsed,
                ..
            } => match result {
                Ok(analysis) => {
                    app.apply_live(generation, analysis, elapsed.as_millis(), parsed);
                }
                Err(e) => {
                    app.analysing = false;
                    app.notice(&format!("analysis failed: {e}"), true);
                }
            },
        },
        Message::Syntax(assets) => app.set_syntax(assets),
        Message::Input(_) | Message::InputFailed(_) => {}
    }
}

pub fn run(root: PathBuf, options: Options) -> anyhow::Result<()> {
    let mut app = App::new(root.clone(), options.store, options.theme)?;
    app.changes = options.changes;
    app.color_depth = super::colors::Depth::from_env();
    let (tx, rx) = mpsc::channel();
    let live = spawn_workers(
        &root,
        options.target,
        options.config,
        &app.theme,
        options.watch,
        &tx,
    );
    app.watch_state = live.mode.describe();

    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("cannot watch for signals")?;
    }
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous_hook(info);
    }));

    let mut out = std::io::stdout();
    setup(&mut out).context("cannot take over the terminal (is this an interactive terminal?)")?;
    let reader = InputReader::spawn(tx.clone());
    let result = event_loop(&mut app, &rx, &stop, &reader);
    restore();
    drop(live);
    result
}

fn event_loop(
    app: &mut App,
    rx: &Receiver<Message>,
    stop: &AtomicBool,
    reader: &InputReader,
) -> anyhow::Result<()> {
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    let size = terminal.size()?;
    app.size = Rect::new(0, 0, size.width, size.height);
    // A frame is drawn when something changed, never while idle: drawing is the cost of a
    // key, and an idle workbench takes no CPU.
    let mut dirty = true;
    loop {
        if std::mem::take(&mut dirty) {
            terminal.draw(|frame| super::draw::draw(frame, app))?;
        }
        let mut command = Command::None;
        let mut handled = 0;
        // Everything that arrived, up to a bound, then one frame.
        let mut next = rx.recv_timeout(TICK).ok();
        while let Some(message) = next.take() {
            match message {
                Message::Input(event) => command = app.handle(event),
                Message::InputFailed(e) => anyhow::bail!("cannot read the terminal: {e}"),
                other => apply(app, other),
            }
            handled += 1;
            if command != Command::None
                || handled >= MAX_EVENTS_PER_FRAME
                || stop.load(Ordering::Relaxed)
            {
                break;
            }
            next = rx.try_recv().ok();
        }
        dirty |= handled > 0;
        dirty |= app.poll_review();
        match command {
            Command::Quit => return Ok(()),
            Command::ExternalEdit(text) => {
                reader.pause();
                restore();
                let edited = edit_externally(&text);
                setup(&mut std::io::stdout())?;
                terminal.clear()?;
                reader.resume();
                app.external_edit_done(edited);
                dirty = true;
            }
            Command::None => {}
        }
        if stop.load(Ordering::Relaxed) || terminal_hung_up() {
            return Ok(());
        }
    }
}

/// Whether the terminal went away (its window closed, tmux killed). That need not come
/// with SIGHUP, and crossterm reads the end of input as "no event" forever; `poll(2)` on
/// standard input says so with `POLLHUP`.
fn terminal_hung_up() -> bool {
    let mut fd = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, a zero timeout; poll only writes `revents`.
    let ready = unsafe { libc::poll(&mut fd, 1, 0) };
    ready > 0 && fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}

/// Edits `text` in `$VISUAL` / `$EDITOR` (default `vi`); `None` when that fails.
fn edit_externally(text: &str) -> Option<String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    let mut file = tempfile::Builder::new().suffix(".md").tempfile().ok()?;
    file.write_all(text.as_bytes()).ok()?;
    file.flush().ok()?;
    let mut parts = editor.split_whitespace();
    let program = parts.next()?;
    let status = std::process::Command::new(program)
        .args(parts)
        .arg(file.path())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    crate::io::read_text(file.path(), crate::io::MAX_CONFIG_BYTES).ok()
}
