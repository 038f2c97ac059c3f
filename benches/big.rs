//! `cargo bench --bench big`: `tfreview check` (the release binary, JSON report) on the
//! generated inputs of issue 13 (their profiles are in `benches/PROFILE.md`), each at two
//! sizes, printing the median wall time over several runs, the peak memory of the run,
//! and the ratio of the doubled input's time to the half's (linear time gives 2).
//!
//! The inputs:
//! - one `main.tf` of N `aws_s3_bucket` resources on one line each;
//! - a task folder whose `MODEL_RESPONSE.md` holds N resource blocks in fenced files
//!   (62,813 blocks make 5.5 MB);
//! - one file of N variables and a `locals` block of N locals reading them;
//! - one local whose string holds N `${var.x}` interpolations (600,000 make 4.8 MB).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn resources(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let _ = writeln!(
            s,
            "resource \"aws_s3_bucket\" \"b{i}\" {{ bucket = \"b{i}\" }}"
        );
    }
    s
}

fn answer(n: usize) -> String {
    let mut s = String::from("# Answer\n\n");
    for (part, start) in (0..n).step_by(2000).enumerate() {
        let _ = write!(s, "## File: lib/part{part}.tf\n\n```hcl\n");
        for i in start..n.min(start + 2000) {
            let _ = write!(
                s,
                "resource \"aws_s3_bucket\" \"bucket_{i:05}\" {{\n  bucket = \"tfreview-example-bucket-{i:05}\"\n}}\n\n"
            );
        }
        s.push_str("```\n\n");
    }
    s
}

fn variables_and_locals(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let _ = writeln!(s, "variable \"v{i}\" {{ default = {i} }}");
    }
    s.push_str("locals {\n");
    for i in 0..n {
        let _ = writeln!(s, "  l{i} = var.v{i}");
    }
    s.push_str("}\n");
    s
}

fn references(n: usize) -> String {
    format!(
        "variable \"x\" {{}}\n\nlocals {{\n  s = \"{}\"\n}}\n",
        "${var.x}".repeat(n)
    )
}

/// Runs `tfreview check` on `dir` and returns its wall time and peak resident memory.
/// The child is reaped by `wait4`, which also gives its own peak memory.
#[allow(clippy::zombie_processes)]
fn run(dir: &Path) -> (Duration, f64) {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_tfreview"))
        .args(["check", "--format", "json", "--fail-on", "none"])
        .arg(dir)
        .stdout(Stdio::null())
        .spawn()
        .expect("run tfreview");
    let mut status = 0;
    // SAFETY: wait4 only writes into the two values we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "tfreview check failed on {}: {status}",
        dir.display()
    );
    (elapsed, usage.ru_maxrss as f64 / 1024.0)
}

/// One generated input, at two sizes, with the issue's targets for the larger.
struct Input {
    what: &'static str,
    /// Where the text goes in the workspace.
    file: &'static str,
    sizes: [usize; 2],
    make: fn(usize) -> String,
    seconds: f64,
    megabytes: Option<f64>,
}

fn main() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let inputs = [
        Input {
            what: "resources in one file",
            file: "main.tf",
            sizes: [8_000, 16_000],
            make: resources,
            seconds: 1.0,
            megabytes: None,
        },
        Input {
            what: "answer blocks (Markdown)",
            file: "lib/MODEL_RESPONSE.md",
            sizes: [31_407, 62_813],
            make: answer,
            seconds: 3.0,
            megabytes: Some(500.0),
        },
        Input {
            what: "variables + locals",
            file: "main.tf",
            sizes: [30_000, 60_000],
            make: variables_and_locals,
            seconds: 1.0,
            megabytes: None,
        },
        Input {
            what: "interpolations in one string",
            file: "main.tf",
            sizes: [300_000, 600_000],
            make: references,
            seconds: 1.0,
            megabytes: None,
        },
    ];
    println!(
        "{:<30} {:>8} {:>8} {:>10} {:>9} {:>7}  target",
        "input", "N", "MB", "median ms", "peak MB", "ratio"
    );
    for Input {
        what,
        file,
        sizes,
        make,
        seconds,
        megabytes,
    } in inputs
    {
        let mut half = None;
        for n in sizes {
            let dir = tmp.path().join(format!("{}-{n}", file.replace('/', "-")));
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
            let text = make(n);
            std::fs::write(&path, &text).expect("write input");
            let mut times = Vec::new();
            let mut peak = 0.0_f64;
            for _ in 0..RUNS {
                let (t, mb) = run(&dir);
                times.push(t);
                peak = peak.max(mb);
            }
            times.sort();
            let median = times[RUNS / 2].as_secs_f64();
            let ratio = half.map_or(String::new(), |h: f64| format!("{:.2}", median / h));
            let target = match megabytes {
                Some(mb) => format!("≤ {seconds} s, ≤ {mb} MB, ratio ≤ 2.2"),
                None => format!("≤ {seconds} s, ratio ≤ 2.2"),
            };
            println!(
                "{:<30} {:>8} {:>8.1} {:>10.0} {:>9.0} {:>7}  {}",
                what,
                n,
                text.len() as f64 / 1_048_576.0,
                median * 1000.0,
                peak,
                ratio,
                if half.is_some() { target.as_str() } else { "" }
            );
            half = Some(median);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
