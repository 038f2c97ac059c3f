//! The event loop: owns the terminal, draws, and feeds [`App::handle`] with terminal
//! events and with what the worker threads send (the analysis, the syntax assets).
//!
//! Terminal input is polled on this thread (with a short timeout) rather than read by a
//! thread of its own, so that `$EDITOR` can take the terminal without a reader racing it
//! for keystrokes. The terminal is restored on quit, on error, on panic (the hook
//! restores first, then prints) and on SIGTERM/SIGHUP.

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

use crate::review::ReviewStore;
use crate::watch::{Live, LiveEvent, Watch};

use super::app::{App, Command};
use super::highlight::SyntaxAssets;
use super::theme::Theme;

/// How often the loop looks at signals and worker messages while no key is pressed.
const TICK: Duration = Duration::from_millis(20);

pub enum Message {
    Live(LiveEvent),
    Syntax(Arc<SyntaxAssets>),
}

pub struct Options {
    pub theme: Theme,
    pub store: ReviewStore,
    /// Whether and how to re-analyse when the files change.
    pub watch: Watch,
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
    theme: &Theme,
    watch: Watch,
    tx: &Sender<Message>,
) -> Live {
    let live_tx = tx.clone();
    let live = Live::start(root, watch, move |event| {
        let _ = live_tx.send(Message::Live(event));
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
        Message::Live(LiveEvent::Analysis {
            generation,
            result,
            elapsed,
            parsed,
            ..
        }) => match result {
            Ok(analysis) => {
                app.apply_live(generation, analysis, elapsed.as_millis(), parsed);
            }
            Err(e) => {
                app.analysing = false;
                app.notice(&format!("analysis failed: {e}"), true);
            }
        },
        Message::Syntax(assets) => app.set_syntax(assets),
    }
}

pub fn run(root: PathBuf, options: Options) -> anyhow::Result<()> {
    let mut app = App::new(root.clone(), options.store, options.theme)?;
    let (tx, rx) = mpsc::channel();
    let live = spawn_workers(&root, &app.theme, options.watch, &tx);
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
    let result = event_loop(&mut app, &rx, &stop);
    restore();
    drop(live);
    result
}

fn event_loop(app: &mut App, rx: &Receiver<Message>, stop: &AtomicBool) -> anyhow::Result<()> {
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    let size = terminal.size()?;
    app.size = Rect::new(0, 0, size.width, size.height);
    loop {
        terminal.draw(|frame| super::draw::draw(frame, app))?;
        let mut command = Command::None;
        if crossterm::event::poll(TICK)? {
            command = app.handle(crossterm::event::read()?);
            // Take everything already typed before drawing again.
            while command == Command::None && crossterm::event::poll(Duration::ZERO)? {
                command = app.handle(crossterm::event::read()?);
            }
        }
        while let Ok(message) = rx.try_recv() {
            apply(app, message);
        }
        match command {
            Command::Quit => return Ok(()),
            Command::ExternalEdit(text) => {
                restore();
                let edited = edit_externally(&text);
                setup(&mut std::io::stdout())?;
                terminal.clear()?;
                app.external_edit_done(edited);
            }
            Command::None => {}
        }
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
    }
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
    std::fs::read_to_string(file.path()).ok()
}
