//! `cargo bench --bench corpus`: wall time and peak memory of one `tfreview check` over
//! the whole corpus (the release binary, as a user runs it), and the time of reading and
//! parsing the same files only, as medians over several runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tfreview::model::parse::parse_file;
use tfreview::workspace::Workspace;

const RUNS: usize = 7;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Peak resident memory of the children waited for so far, in MiB.
fn children_peak_mib() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

fn main() {
    let corpus = std::env::var_os("TFREVIEW_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if !corpus.is_dir() {
        eprintln!(
            "SKIPPED: no corpus at {} (set TFREVIEW_CORPUS)",
            corpus.display()
        );
        return;
    }
    let bin = env!("CARGO_BIN_EXE_tfreview");

    let mut check = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let status = Command::new(bin)
            .args(["check", "--plain", "--format", "json", "--fail-on", "none"])
            .arg(&corpus)
            .stdout(Stdio::null())
            .status()
            .expect("run tfreview");
        check.push(start.elapsed());
        assert!(status.success(), "tfreview check failed: {status}");
    }
    let peak = children_peak_mib();

    // Task mode: every answer extracted from its Markdown, analysed and compared.
    let mut task = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let status = Command::new(bin)
            .args(["check", "--format", "json", "--fail-on", "none"])
            .arg(&corpus)
            .stdout(Stdio::null())
            .status()
            .expect("run tfreview");
        task.push(start.elapsed());
        assert!(
            status.success(),
            "tfreview check (task mode) failed: {status}"
        );
    }
    let task_peak = children_peak_mib();

    let mut parse = Vec::new();
    let mut files = 0;
    let mut bytes = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let ws = Workspace::load(&corpus).expect("load corpus");
        // Each tree is dropped as soon as it is built: the cheapest possible parse.
        let problems: usize = ws
            .files
            .par_iter()
            .map(|f| parse_file(f).problems.len())
            .sum();
        parse.push(start.elapsed());
        files = ws.files.len();
        bytes = ws.files.iter().map(|f| f.text.len()).sum::<usize>();
        assert!(problems < files);
    }

    let mut analyse = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let analysis = tfreview::analyse_path(&corpus).expect("analyse corpus");
        analyse.push(start.elapsed());
        drop(analysis);
    }

    let (check, parse, analyse, task) =
        (median(check), median(parse), median(analyse), median(task));
    println!(
        "corpus: {files} files, {:.1} MB, {} threads",
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
    println!(
        "check --plain, the deployed code (release binary, JSON to /dev/null): median {:.0} ms over {RUNS} runs, peak RSS {peak:.0} MiB",
        ms(check)
    );
    println!(
        "check in task mode, every answer extracted, analysed and compared: median {:.0} ms, peak RSS of any run so far {task_peak:.0} MiB",
        ms(task)
    );
    println!(
        "analysis in process (read + parse + model + rules): median {:.0} ms",
        ms(analyse)
    );
    println!("read + parse only: median {:.0} ms", ms(parse));
    println!(
        "ratio check / parse-only: {:.2}; analysis / parse-only: {:.2}",
        ms(check) / ms(parse),
        ms(analyse) / ms(parse)
    );
}
