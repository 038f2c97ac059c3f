//! `cargo bench --bench corpus`: wall time and peak memory of one `tfreview check` over
//! the whole corpus (the release binary, as a user runs it, with every rule and with the
//! task contract chosen as well), the time of reading and parsing the same files only,
//! and the time of the corpus evaluation (`tfreview::evaluate`, as `tests/evaluation.rs`
//! runs it), as medians over several runs. Also: the deployed files of many task folders
//! copied into one folder, one module of realistic code at two sizes, so that a rule whose
//! time grows with the square of a module's size shows in the ratio.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// The allocator of the real binary (`src/main.rs`), so that the in-process figures are
/// the workbench's own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

    // Every rule: the contract profile chosen for the plain code as well.
    let config = std::env::temp_dir().join(format!("tfreview-bench-{}.toml", std::process::id()));
    std::fs::write(&config, "profiles = [\"contract\"]\n").expect("write config");
    let mut all_rules = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let status = Command::new(bin)
            .args([
                "check",
                "--plain",
                "--format",
                "json",
                "--fail-on",
                "none",
                "--config",
            ])
            .arg(&config)
            .arg(&corpus)
            .stdout(Stdio::null())
            .status()
            .expect("run tfreview");
        all_rules.push(start.elapsed());
        assert!(
            status.success(),
            "tfreview check (all rules) failed: {status}"
        );
    }
    let _ = std::fs::remove_file(&config);

    // The provider schemas' cost: the same checks with the schema rules disabled (no
    // schema is then loaded), interleaved with runs that have them, in both modes.
    let off = std::env::temp_dir().join(format!("tfreview-bench-off-{}.toml", std::process::id()));
    // The two rules whose fixes ask the schemas which major version the code needs are
    // disabled too, so that "off" loads no schema at all (their own cost counts as the
    // schemas', which overstates the ratio slightly).
    let quoted: Vec<String> = tfreview::rules::SCHEMA_RULES
        .iter()
        .chain(&[
            "provider-version-unbounded",
            "provider-configuration-missing",
        ])
        .map(|r| format!("\"{r}\""))
        .collect();
    std::fs::write(
        &off,
        format!("[rules]\ndisable = [{}]\n", quoted.join(", ")),
    )
    .expect("write config");
    let timed = |plain: bool, config: Option<&PathBuf>| {
        let mut cmd = Command::new(bin);
        cmd.args(["check", "--format", "json", "--fail-on", "none"]);
        if plain {
            cmd.arg("--plain");
        }
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        let start = Instant::now();
        let status = cmd
            .arg(&corpus)
            .stdout(Stdio::null())
            .status()
            .expect("run tfreview");
        assert!(status.success(), "tfreview check failed: {status}");
        start.elapsed()
    };
    let (mut plain_on, mut plain_off, mut task_on, mut task_off) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        plain_off.push(timed(true, Some(&off)));
        plain_on.push(timed(true, None));
        task_off.push(timed(false, Some(&off)));
        task_on.push(timed(false, None));
    }
    let _ = std::fs::remove_file(&off);

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

    // Formatting every file as `terraform fmt` does (its own parse included, as
    // `tfreview fmt` does it), against the parse above.
    let mut format = Vec::new();
    let mut unformatted = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let ws = Workspace::load(&corpus).expect("load corpus");
        unformatted = ws
            .files
            .par_iter()
            .filter(|f| tfreview::format::format(&f.text).is_ok_and(|out| out != f.text))
            .count();
        format.push(start.elapsed());
    }

    let mut analyse = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let analysis = tfreview::analyse_path(&corpus).expect("analyse corpus");
        analyse.push(start.elapsed());
        drop(analysis);
    }

    let labels = tfreview::evaluate::read_labels(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/labels"),
    )
    .expect("read labels");
    let mut evaluation = Vec::new();
    let mut recall = 0.0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let e = tfreview::evaluate::evaluate(&corpus, &labels).expect("evaluate");
        evaluation.push(start.elapsed());
        recall = e.split("tuned").recall();
    }

    // One module of many folders' deployed files, at two sizes.
    let mut one_module = Vec::new();
    for folders in [150, 600] {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut copied = 0u64;
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&corpus)
            .expect("list corpus")
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.is_dir())
            .collect();
        entries.sort();
        for task in entries.iter().take(folders) {
            let Ok(lib) = std::fs::read_dir(task.join("lib")) else {
                continue;
            };
            for f in lib.filter_map(|e| Some(e.ok()?.path())) {
                if f.extension().is_some_and(|x| x == "tf") && f.is_file() {
                    let name = format!(
                        "{}_{}",
                        task.file_name().unwrap().to_string_lossy(),
                        f.file_name().unwrap().to_string_lossy()
                    );
                    copied += std::fs::copy(&f, dir.path().join(name)).expect("copy");
                }
            }
        }
        let mut runs = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            let status = Command::new(bin)
                .args(["check", "--format", "json", "--fail-on", "none"])
                .arg(dir.path())
                .stdout(Stdio::null())
                .status()
                .expect("run tfreview");
            runs.push(start.elapsed());
            assert!(status.success(), "tfreview check failed: {status}");
        }
        one_module.push((folders, copied, median(runs)));
    }

    let (check, parse, analyse, task) =
        (median(check), median(parse), median(analyse), median(task));
    let (all_rules, evaluation) = (median(all_rules), median(evaluation));
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
    println!(
        "check --plain with every rule (contract profile chosen): median {:.0} ms",
        ms(all_rules)
    );
    println!(
        "corpus evaluation (deployed code + answers + {} labels, in process): median {:.0} ms, recall {:.1}%",
        labels.len(),
        ms(evaluation),
        100.0 * recall
    );
    for (mode, on, off) in [
        ("check --plain", median(plain_on), median(plain_off)),
        ("check in task mode", median(task_on), median(task_off)),
    ] {
        println!(
            "{mode}, provider schemas on / off (the {} schema rules and the 2 whose fixes consult the schemas disabled): median {:.0} / {:.0} ms, ratio {:.3}",
            tfreview::rules::SCHEMA_RULES.len(),
            ms(on),
            ms(off),
            ms(on) / ms(off)
        );
    }
    for (folders, bytes, time) in &one_module {
        println!(
            "one module of the deployed files of {folders} folders ({:.1} MB): median {:.0} ms",
            *bytes as f64 / 1e6,
            ms(*time)
        );
    }
    if let [(_, b1, t1), (_, b2, t2)] = one_module.as_slice() {
        println!(
            "one module: {:.2} × the code takes {:.2} × the time (linear: the same)",
            *b2 as f64 / *b1 as f64,
            ms(*t2) / ms(*t1)
        );
    }
    println!("read + parse only: median {:.0} ms", ms(parse));
    let format = median(format);
    println!(
        "read + format every file (terraform fmt's output; {unformatted} files change): median {:.0} ms, {:.2} × read + parse",
        ms(format),
        ms(format) / ms(parse)
    );
    println!(
        "ratio check / parse-only: {:.2}; analysis / parse-only: {:.2}",
        ms(check) / ms(parse),
        ms(analyse) / ms(parse)
    );
}
