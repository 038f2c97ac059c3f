//! Robustness: the engine must not panic or hang on any input.
//!
//! - Property tests (proptest) over the Markdown extractor and the line index of a
//!   source file, with arbitrary Unicode around fences and file names; and over generated
//!   Terraform, whose findings and fixes must stay valid in their files.
//! - A seeded mutation test: corpus files (deployed `lib/*.tf` and `lib/MODEL_RESPONSE.md`
//!   answers) are damaged at the byte and token level and reviewed by the real binary
//!   (`tfreview check --format json`), which must exit 0 or 1 with JSON on stdout (2 only
//!   with an error message), never panic, and finish within 10 s. `TFREVIEW_MUTATION_SEED`
//!   and `TFREVIEW_MUTATIONS` change the seed and the count; the ignored `mutations_long`
//!   runs 20,000 inputs (`cargo test --release --test robustness -- --ignored mutations_long`).
//! - Regression tests for what these found: crashers, quadratic extraction, rule edges.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use tfreview::workspace::markdown::{extract, file_name_in};
use tfreview::workspace::{FileKind, SourceFile};

/// Pieces that Markdown answers and Terraform are made of, and that break them.
const FRAGMENTS: &[&str] = &[
    "```",
    "```hcl\n",
    "```terraform\n",
    "~~~\n",
    "```\n",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "# ",
    "## File: ",
    "### 1. `",
    "`",
    "main.tf",
    "lib/",
    "./",
    "/",
    "../",
    "..",
    ".tf",
    ".tfvars",
    ".hcl",
    "variables.tf",
    "modules/vpc/main.tf",
    "“",
    "”",
    "→",
    "é",
    "日本語",
    "🦀",
    "\u{0}",
    "\u{feff}",
    "\u{200b}",
    "\t",
    "    ",
    "> ",
    "- ",
    "1. ",
    "resource \"a\" \"b\" {",
    "}",
    "{",
    "\"",
    "${",
    "<<EOF\n",
    "EOF\n",
    "= ",
    "Create ",
    ":",
    "**",
    "<!--",
    "-->",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => prop::collection::vec(any::<char>(), 0..8).prop_map(String::from_iter),
    ]
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..48).prop_map(|v| v.concat())
}

/// A name the extractor may return: relative, inside the answer, printable.
fn assert_safe_name(name: &str, input: &str) {
    assert!(!name.is_empty(), "empty name from {input:?}");
    assert!(
        !name.starts_with('/'),
        "absolute name {name:?} from {input:?}"
    );
    assert!(
        !name.split('/').any(|c| c == ".." || c.is_empty()),
        "name {name:?} from {input:?} leaves the folder or has an empty component"
    );
    assert!(
        !name.chars().any(char::is_control),
        "name {name:?} from {input:?} has a control character"
    );
}

proptest! {
    // 256 cases keep `cargo test` fast (PROPTEST_CASES asks for more); failures are kept
    // as explicit regression tests rather than in a proptest-regressions file.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn file_name_in_never_panics_and_names_are_safe(text in document()) {
        if let Some(name) = file_name_in(&text) {
            assert_safe_name(&name, &text);
        }
    }

    #[test]
    fn file_name_in_around_a_tf_name(
        before in prop::collection::vec(any::<char>(), 0..6),
        name in prop::sample::select(&["main.tf", "a/b.tf", "lib/x.tfvars", "../x.tf", "/y.hcl", ".tf"][..]),
        after in prop::collection::vec(any::<char>(), 0..6),
    ) {
        let text = format!("{}{name}{}", String::from_iter(before), String::from_iter(after));
        if let Some(found) = file_name_in(&text) {
            assert_safe_name(&found, &text);
        }
    }

    #[test]
    fn extraction_never_panics_and_maps_into_the_document(md in document()) {
        let extraction = extract(&md);
        let lines = md.split('\n').count();
        for file in &extraction.files {
            assert_safe_name(&file.path, &md);
            assert_eq!(
                file.lines.len(),
                file.text.lines().count(),
                "one Markdown line per extracted line in {md:?}"
            );
            for &line in &file.lines {
                prop_assert!(
                    (1..=lines).contains(&line),
                    "line {line} of {} is outside the {lines} lines of {md:?}",
                    file.path
                );
            }
        }
        for note in &extraction.notes {
            prop_assert!((1..=lines).contains(&note.line), "note {note:?} outside {md:?}");
        }
    }

    #[test]
    fn line_index_agrees_with_counting(text in document()) {
        let file = SourceFile::new("a.tf", FileKind::Terraform, text.clone());
        let len = text.len();
        // line_col at every char boundary, and at the end.
        for offset in (0..=len).filter(|&o| text.is_char_boundary(o)) {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = text[line_start..offset].chars().count() + 1;
            prop_assert_eq!(file.line_col(offset), (line, column), "offset {} of {:?}", offset, text);
        }
        // Offsets past the end clamp to the end.
        prop_assert_eq!(file.line_col(len + 7), file.line_col(len));
        let expected: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
        prop_assert_eq!(file.line_count(), expected.len());
        // Lines are 1-based; line 0 is an empty range at the start.
        for line in 0..=expected.len() + 2 {
            let range = file.line_range(line);
            prop_assert!(range.start <= range.end && range.end <= len, "line {} -> {:?}", line, range);
            prop_assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
            if (1..=expected.len()).contains(&line) {
                prop_assert_eq!(file.slice(range), expected[line - 1]);
            }
        }
        for start in 0..=len + 2 {
            for end in 0..=len + 2 {
                let _ = file.slice(start..end);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The engine on generated Terraform: blocks the rules look at, with arbitrary Unicode in
// names, strings, keys and comments. Every finding's span and every fix's edit must be
// valid in its file.

/// A string literal's content: Unicode, quotes and escapes, template markers.
fn string_content() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            // Template markers come from the list below, not by chance.
            3 => any::<char>()
                .prop_filter("not a quote, escape, line end or template marker", |c| {
                    !matches!(c, '"' | '\\' | '\n' | '\r' | '$' | '%')
                })
                .prop_map(String::from),
            1 => prop::sample::select(&[
                "${var.name}", "${local.p}", "$${x}", "\\\"", "\\n", "\\u00e9", "é", "“", "日本",
                "🦀", "arn:aws:iam::123456789012:root", "123456789012", "REPLACE_ME",
                "your-bucket", "*", "-", "sg-", "/aws/lambda/", "ami-12345678", "TODO",
                "kms:*", "s3:GetObject", "0.0.0.0/0", "::/0", "aws:", "sts:AssumeRole",
            ][..]).prop_map(str::to_string),
        ],
        0..8,
    )
    .prop_map(|v| v.concat())
}

fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        string_content().prop_map(|s| format!("\"{s}\"")),
        prop::sample::select(
            &[
                "true",
                "false",
                "null",
                "0",
                "7",
                "-1",
                "30",
                "3653",
                "var.name",
                "var.environment_suffix",
                "local.p",
                "aws_kms_key.k.arn",
                "aws_s3_bucket.b.id",
                "data.aws_caller_identity.c.account_id",
                "each.value",
                "count.index",
                "self.id",
                "module.m.out",
                "aws.secondary",
            ][..]
        )
        .prop_map(str::to_string),
        (string_content(), string_content()).prop_map(|(a, b)| format!("<<EOT\n{a}\n{b}\nEOT\n")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((key(), inner.clone()), 0..4).prop_map(|v| {
                let body: Vec<String> = v.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{\n{}\n}}", body.join("\n"))
            }),
            inner.clone().prop_map(|v| format!("jsonencode({v})")),
            inner.clone().prop_map(|v| format!("lower({v})")),
            inner.clone().prop_map(|v| format!("({v})")),
            // Heredocs end with a newline: operands in parentheses, where newlines are free.
            (inner.clone(), inner).prop_map(|(a, b)| format!("(var.flag ? ({a}) : ({b}))")),
        ]
    })
}

/// An object key: an attribute name, or any quoted string.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => ident(),
        1 => string_content().prop_map(|s| format!("\"{s}\"")),
    ]
}

/// An attribute name: one that rules look for, or another.
fn ident() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(&[
            "name", "bucket", "name_prefix", "description", "policy", "Statement", "Effect",
            "Action", "Resource", "Principal", "Condition", "Sid", "Service", "AWS",
            "kms_key_id", "retention_in_days", "enable_key_rotation", "deletion_window_in_days",
            "deletion_protection", "skip_final_snapshot", "cidr_blocks", "ipv6_cidr_blocks",
            "from_port", "to_port", "password", "master_password", "environment", "variables",
            "source", "version", "alias", "region", "provider", "providers", "depends_on",
            "for_each", "count", "filename", "role", "assume_role_policy", "default", "type",
            "encrypt", "key", "prevent_destroy", "log_group_name", "kms_master_key_id",
        ][..]).prop_map(str::to_string),
        1 => "[a-zA-Z_][a-zA-Z0-9_-]{0,6}",
    ]
}

fn block() -> impl Strategy<Value = String> {
    let kind = prop::sample::select(
        &[
            "resource \"aws_s3_bucket\"",
            "resource \"aws_kms_key\"",
            "resource \"aws_iam_policy\"",
            "resource \"aws_iam_role\"",
            "resource \"aws_security_group\"",
            "resource \"aws_cloudwatch_log_group\"",
            "resource \"aws_db_instance\"",
            "resource \"aws_lambda_function\"",
            "resource \"aws_sqs_queue\"",
            "resource \"aws_kms_alias\"",
            "resource \"aws_config_configuration_recorder\"",
            "resource \"aws_s3_bucket_lifecycle_configuration\"",
            "data \"aws_iam_policy_document\"",
            "data \"aws_caller_identity\"",
            "module",
            "output",
            "variable",
            "provider \"aws\"",
            "provider",
            "locals",
            "terraform",
            "backend \"s3\"",
            "required_providers",
        ][..],
    );
    let inner = prop::sample::select(
        &[
            "",
            "ingress",
            "statement",
            "lifecycle",
            "dynamic \"x\"",
            "rule",
            "principals",
            "condition",
            "content",
            "filter",
            "backend \"s3\"",
        ][..],
    );
    (
        kind,
        // Labels are not templates.
        prop::collection::vec(
            string_content().prop_map(|l| l.replace(['$', '%'], "_")),
            0..2,
        ),
        prop::collection::vec((ident(), value()), 0..5),
        inner,
        prop::collection::vec((ident(), value()), 0..3),
        string_content(),
    )
        .prop_map(|(kind, labels, attrs, inner, inner_attrs, comment)| {
            let mut out = format!("# {comment}\n{kind}");
            if !matches!(kind, "locals" | "terraform" | "required_providers") || !labels.is_empty()
            {
                for l in &labels {
                    out.push_str(&format!(" \"{l}\""));
                }
            }
            out.push_str(" {\n");
            // An attribute is set once per block.
            let mut seen = std::collections::HashSet::new();
            for (k, v) in attrs {
                if seen.insert(k.clone()) {
                    out.push_str(&format!("  {k} = {v}\n"));
                }
            }
            if !inner.is_empty() {
                out.push_str(&format!("  {inner} {{\n"));
                let mut seen = std::collections::HashSet::new();
                for (k, v) in inner_attrs {
                    if seen.insert(k.clone()) {
                        out.push_str(&format!("    {k} = {v}\n"));
                    }
                }
                out.push_str("  }\n");
            }
            out.push_str("}\n");
            out
        })
}

fn terraform() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(block(), 1..8)
}

/// What is wrong with the findings and fixes of an analysis (nothing, if empty), each
/// with the path of the file concerned.
fn span_problems(analysis: &tfreview::Analysis) -> Vec<(String, String)> {
    let ws = &analysis.workspace;
    let mut out = Vec::new();
    for f in &analysis.findings {
        let Some(file) = ws.files.get(f.file) else {
            out.push((
                String::new(),
                format!("[{}] names file {} of {}", f.rule, f.file, ws.files.len()),
            ));
            continue;
        };
        let text = &file.text;
        let span = f.span.clone();
        if span.start > span.end
            || span.end > text.len()
            || !text.is_char_boundary(span.start)
            || !text.is_char_boundary(span.end)
        {
            out.push((
                file.path.clone(),
                format!(
                    "[{}] span {span:?} is not a range of {} ({} bytes)",
                    f.rule,
                    file.path,
                    text.len()
                ),
            ));
        }
        let _ = analysis.position(f);
        if let Some(fix) = &f.fix {
            if let Err(e) = fix.apply(ws) {
                out.push((
                    file.path.clone(),
                    format!("[{}] fix `{}` cannot be applied: {e}", f.rule, fix.title),
                ));
            }
            if let Err(e) = fix.diff(ws) {
                out.push((
                    file.path.clone(),
                    format!("[{}] fix `{}` has no diff: {e}", f.rule, fix.title),
                ));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn engine_findings_and_fixes_stay_inside_their_files(
        files in prop::collection::vec(terraform(), 1..3),
        crlf in any::<bool>(),
    ) {
        let files: Vec<SourceFile> = files
            .iter()
            .enumerate()
            .map(|(i, blocks)| {
                let mut text = blocks.concat();
                if crlf {
                    text = text.replace('\n', "\r\n");
                }
                let name = if i == 0 { "main.tf".to_string() } else { format!("f{i}.tf") };
                SourceFile::new(name, FileKind::Terraform, text)
            })
            .collect();
        let texts: Vec<String> = files.iter().map(|f| f.text.clone()).collect();
        let analysis = tfreview::analyse_workspace(tfreview::Workspace::from_files("/nonexistent", files));
        let problems: Vec<String> = span_problems(&analysis).into_iter().map(|(_, p)| p).collect();
        prop_assert!(problems.is_empty(), "{}\nin:\n{}", problems.join("\n"), texts.join("\n----\n"));
    }
}

/// `line_range(0)` computed `line_starts[0] - 1` and underflowed (a panic in debug
/// builds, a range ending at `usize::MAX` in release); lines count from 1, so line 0 is
/// an empty range.
#[test]
fn line_range_of_line_zero_is_empty() {
    let file = SourceFile::new("a.tf", FileKind::Terraform, "a\nb");
    let range = file.line_range(0);
    assert!(range.start <= range.end && range.end <= 3, "{range:?}");
}

// ---------------------------------------------------------------------------------------
// Mutation test: damaged corpus files through the real binary.

/// The seed when `TFREVIEW_MUTATION_SEED` does not give one.
const DEFAULT_SEED: u64 = 0x7f4a_7c15_2b3e_d1a9;
/// Inputs per `cargo test` run (`TFREVIEW_MUTATIONS` overrides).
const DEFAULT_INPUTS: usize = 300;
/// Inputs of the long run (`cargo test --release --test robustness -- --ignored`).
const LONG_INPUTS: usize = 20_000;
/// Inputs reviewed by one run of the binary; a run that fails is repeated per input.
const BATCH: usize = 20;
/// The longest one run of the binary may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// splitmix64: small, seedable, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Bytes that break HCL and Markdown: delimiters, template and heredoc markers, fences,
/// names, non-ASCII, NUL and invalid UTF-8.
const INSERTS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"(",
    b")",
    b"\"",
    b"'",
    b"${",
    b"%{",
    b"%{ if x }",
    b"$${",
    b"<<EOF\n",
    b"<<-EOT\n",
    b"\nEOF\n",
    b"EOT",
    b"=",
    b",",
    b".",
    b":",
    b"?",
    b"\n",
    b"\r\n",
    b"\r",
    b"\t",
    b"#",
    b"//",
    b"/*",
    b"*/",
    b"\\",
    b"\\u",
    b"\\u{",
    b"0x",
    b"1e999",
    b"-1",
    b"*",
    b"..",
    b"...",
    "é".as_bytes(),
    "“".as_bytes(),
    "”".as_bytes(),
    "日本語".as_bytes(),
    "🦀".as_bytes(),
    "\u{200b}".as_bytes(),
    "\u{feff}".as_bytes(),
    "\u{202e}".as_bytes(),
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xe2\x80",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"```",
    b"```hcl\n",
    b"\n```\n",
    b"~~~",
    b"\n## File: lib/main.tf\n",
    "# “x.tf”\n".as_bytes(),
    "Create “main.tf”:\n".as_bytes(),
    b"# ../../etc/x.tf\n",
    b"### 1. `/lib/../a.tf`\n",
    b"resource \"aws_s3_bucket\" \"b\" {\n",
    b"variable \"v\" {}\n",
    b"module \"m\" {\n source = \"../..\"\n}\n",
    b"provider \"aws\" {\n alias = \"x\"\n}\n",
    b"dynamic \"x\" {\n",
    b"for_each = ",
    b"count",
    b"null",
    b"true",
    b"var.",
    b"local.",
    b"each.value",
    b"aws_",
    b"arn:aws:iam::123456789012:root",
    b"depends_on = [",
    b"jsonencode({",
    b"lifecycle {",
];

/// What one mutated input is, and how it was made.
struct Input {
    id: usize,
    /// The corpus file, relative to the corpus.
    source: String,
    /// A Markdown answer (written as a task folder's `lib/MODEL_RESPONSE.md`), or a
    /// `.tf` file (written as `main.tf` of a plain folder).
    answer: bool,
    bytes: Vec<u8>,
    mutations: Vec<String>,
    /// For an answer: the task folder's deployed `.tf` files, unchanged (its ideal).
    ideal: Vec<(String, Vec<u8>)>,
}

impl Input {
    fn describe(&self) -> String {
        format!(
            "input {} ({} bytes) from {}: {}",
            self.id,
            self.bytes.len(),
            self.source,
            self.mutations.join("; ")
        )
    }

    /// Writes the input as folder `<root>/<id>`.
    fn write(&self, root: &Path) -> PathBuf {
        let dir = root.join(format!("{:05}", self.id));
        if self.answer {
            let lib = dir.join("lib");
            std::fs::create_dir_all(&lib).unwrap();
            std::fs::write(lib.join("MODEL_RESPONSE.md"), &self.bytes).unwrap();
            for (name, bytes) in &self.ideal {
                std::fs::write(lib.join(name), bytes).unwrap();
            }
        } else {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("main.tf"), &self.bytes).unwrap();
        }
        dir
    }
}

/// The corpus files inputs are made from: every task's `lib/*.tf` and answer.
struct Pool {
    corpus: PathBuf,
    tf: Vec<String>,
    answers: Vec<String>,
}

impl Pool {
    fn new(corpus: &Path) -> Pool {
        let mut tasks: Vec<String> = std::fs::read_dir(corpus)
            .unwrap()
            .flatten()
            .filter(|e| e.path().join("lib").is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        tasks.sort();
        let mut tf = Vec::new();
        let mut answers = Vec::new();
        for task in &tasks {
            let mut names: Vec<String> = std::fs::read_dir(corpus.join(task).join("lib"))
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            for name in names {
                if name.ends_with(".tf") {
                    tf.push(format!("{task}/lib/{name}"));
                } else if name == "MODEL_RESPONSE.md" {
                    answers.push(format!("{task}/lib/{name}"));
                }
            }
        }
        assert!(
            !tf.is_empty() && !answers.is_empty(),
            "no lib/*.tf or lib/MODEL_RESPONSE.md under {}",
            corpus.display()
        );
        Pool {
            corpus: corpus.to_path_buf(),
            tf,
            answers,
        }
    }

    /// Input `id` of the run seeded with `seed`: the same on every machine with the same
    /// corpus, whatever the other inputs of the run.
    fn input(&self, seed: u64, id: usize) -> Input {
        let mut rng = Rng(seed ^ (id as u64).wrapping_mul(0xd6e8_feb8_6659_fd93));
        let answer = rng.chance(50);
        let source = if answer {
            rng.pick(&self.answers).clone()
        } else {
            rng.pick(&self.tf).clone()
        };
        let mut bytes = std::fs::read(self.corpus.join(&source)).unwrap();
        let mut mutations = Vec::new();
        for _ in 0..1 + rng.below(4) {
            mutations.push(mutate(&mut rng, &mut bytes));
        }
        let ideal = if answer {
            let lib = self.corpus.join(&source).parent().unwrap().to_path_buf();
            let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&lib)
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".tf"))
                .map(|n| {
                    let b = std::fs::read(lib.join(&n)).unwrap();
                    (n, b)
                })
                .collect();
            files.sort();
            files
        } else {
            Vec::new()
        };
        Input {
            id,
            source,
            answer,
            bytes,
            mutations,
            ideal,
        }
    }
}

/// A position in `bytes` (`0..=len`), most often at a UTF-8 character boundary so that
/// the damage reaches the parser rather than the UTF-8 check.
fn position(rng: &mut Rng, bytes: &[u8]) -> usize {
    let mut at = rng.below(bytes.len() + 1);
    if rng.chance(85) {
        while at > 0 && at < bytes.len() && bytes[at] & 0xc0 == 0x80 {
            at -= 1;
        }
    }
    at
}

/// A range of at most `max` bytes in `bytes`.
fn range(rng: &mut Rng, bytes: &[u8], max: usize) -> std::ops::Range<usize> {
    let start = position(rng, bytes);
    let mut end = (start + 1 + rng.below(max)).min(bytes.len());
    while end > start && end < bytes.len() && bytes[end] & 0xc0 == 0x80 && rng.chance(85) {
        end -= 1;
    }
    start..end
}

/// Tokens: runs of word bytes, of whitespace, of non-ASCII bytes, or one other byte.
fn tokens(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let class = |b: u8| match b {
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => 0,
        b' ' | b'\t' | b'\n' | b'\r' => 1,
        0x80..=0xff => 2,
        _ => 3,
    };
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        match out.last_mut() {
            Some(last) if class(b) != 3 && class(bytes[last.start]) == class(b) => last.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out
}

/// Applies one random mutation to `bytes` and says what it was.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    match rng.below(16) {
        0 | 1 => {
            let max = if rng.chance(20) {
                bytes.len() / 2 + 1
            } else {
                64
            };
            let r = range(rng, bytes, max);
            bytes.drain(r.clone());
            format!("delete {r:?}")
        }
        2 => {
            let max = if rng.chance(20) { 4096 } else { 64 };
            let r = range(rng, bytes, max);
            let copy = bytes[r.clone()].to_vec();
            let at = position(rng, bytes);
            bytes.splice(at..at, copy);
            format!("duplicate {r:?} at {at}")
        }
        3 => {
            let a = range(rng, bytes, 64);
            let b = range(rng, bytes, 64);
            if a.end <= b.start || b.end <= a.start {
                let (first, second) = if a.start < b.start { (a, b) } else { (b, a) };
                let mut out = bytes[..first.start].to_vec();
                out.extend_from_slice(&bytes[second.clone()]);
                out.extend_from_slice(&bytes[first.end..second.start]);
                out.extend_from_slice(&bytes[first.clone()]);
                out.extend_from_slice(&bytes[second.end..]);
                *bytes = out;
                format!("swap {first:?} and {second:?}")
            } else {
                "swap (overlapping ranges: nothing)".into()
            }
        }
        4..=7 => {
            let insert = *rng.pick(INSERTS);
            let times = if rng.chance(10) { 1 + rng.below(50) } else { 1 };
            let at = position(rng, bytes);
            bytes.splice(at..at, insert.repeat(times));
            format!(
                "insert {:?} x{times} at {at}",
                String::from_utf8_lossy(insert)
            )
        }
        8 => {
            let at = position(rng, bytes);
            bytes.truncate(at);
            format!("truncate at {at}")
        }
        9 => {
            const NESTING: &[(&str, &str)] = &[
                ("[", "]"),
                ("{", "}"),
                ("(", ")"),
                ("${", "}"),
                ("x = {", "}"),
                ("a {\n", "}\n"),
                ("[{a = ", "}]"),
                ("f(", ")"),
                ("!", ""),
                ("-", ""),
                ("\"${\"", "\"}\""),
                ("%{ if x }", "%{ endif }"),
                ("> ", ""),
                ("- ", ""),
            ];
            let (open, close) = *rng.pick(NESTING);
            let depth = *rng.pick(&[8, 32, 63, 64, 65, 500, 10_000, 100_000]);
            let balanced = rng.chance(70);
            let at = position(rng, bytes);
            let mut nest = open.repeat(depth);
            nest.push('1');
            if balanced {
                nest.push_str(&close.repeat(depth));
            }
            bytes.splice(at..at, nest.into_bytes());
            format!("nest {open:?}{close:?} x{depth} (balanced: {balanced}) at {at}")
        }
        10 => {
            let len = *rng.pick(&[10_000, 100_000, 1_000_000]);
            let (what, line) = match rng.below(5) {
                0 => ("letters", "a".repeat(len)),
                1 => ("a string", format!("x = \"{}\"", "b".repeat(len))),
                2 => ("a sum", format!("x = {}1", "1 + ".repeat(len / 4))),
                3 => ("a list", format!("x = [{}]", "1, ".repeat(len / 3))),
                _ => ("non-ASCII", format!("# {}", "é“日".repeat(len / 8))),
            };
            let at = position(rng, bytes);
            bytes.splice(at..at, format!("\n{line}\n").into_bytes());
            format!("huge line ({what}, {} bytes) at {at}", line.len())
        }
        11 => {
            let at = rng.below(bytes.len().max(1));
            if let Some(b) = bytes.get_mut(at) {
                *b ^= 1 << rng.below(8);
            }
            format!("flip a bit at {at}")
        }
        _ => {
            let toks = tokens(bytes);
            if toks.is_empty() {
                return "token mutation (no tokens: nothing)".into();
            }
            let t = toks[rng.below(toks.len())].clone();
            let u = toks[rng.below(toks.len())].clone();
            match rng.below(4) {
                0 => {
                    bytes.drain(t.clone());
                    format!("delete token {t:?}")
                }
                1 => {
                    let copy = bytes[t.clone()].to_vec();
                    bytes.splice(t.end..t.end, copy);
                    format!("duplicate token {t:?}")
                }
                2 => {
                    let copy = bytes[u.clone()].to_vec();
                    bytes.splice(t.clone(), copy);
                    format!("replace token {t:?} by token {u:?}")
                }
                _ => {
                    let (first, second) = if t.start < u.start { (t, u) } else { (u, t) };
                    if first.end <= second.start {
                        let mut out = bytes[..first.start].to_vec();
                        out.extend_from_slice(&bytes[second.clone()]);
                        out.extend_from_slice(&bytes[first.end..second.start]);
                        out.extend_from_slice(&bytes[first.clone()]);
                        out.extend_from_slice(&bytes[second.end..]);
                        *bytes = out;
                    }
                    format!("swap tokens {first:?} and {second:?}")
                }
            }
        }
    }
}

/// How one run of the binary ended.
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    timed_out: bool,
}

/// `tfreview check --format json root`, killed after [`TIMEOUT`].
fn check(root: &Path) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tfreview"))
        .args(["check", "--format", "json"])
        .arg(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.code(),
        stdout: out_reader.join().unwrap(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
        timed_out,
    }
}

/// A run that is acceptable: the report (exit 0 or 1), or an error explained on stderr
/// (exit 2, with its first line). `Err` says what went wrong.
fn judge(run: &Run) -> Result<Option<String>, String> {
    let excerpt = || run.stderr.chars().take(1500).collect::<String>();
    if run.timed_out {
        return Err(format!("hang: no exit within {} s", TIMEOUT.as_secs()));
    }
    if run.stderr.contains("panicked") {
        return Err(format!("panic (exit {:?}): {}", run.code, excerpt()));
    }
    match run.code {
        Some(0 | 1) => match serde_json::from_slice::<serde_json::Value>(&run.stdout) {
            Ok(_) => Ok(None),
            Err(e) => Err(format!(
                "invalid JSON on stdout ({e}): {:?}",
                String::from_utf8_lossy(&run.stdout[..run.stdout.len().min(300)])
            )),
        },
        Some(2) => {
            let first = run.stderr.lines().next().unwrap_or("").trim();
            match first.strip_prefix("tfreview: ") {
                Some(message) if !message.trim().is_empty() => Ok(Some(first.to_string())),
                _ => Err(format!("exit 2 without an error message: {}", excerpt())),
            }
        }
        Some(code) => Err(format!("exit {code}: {}", excerpt())),
        None => Err(format!("killed by a signal (crash): {}", excerpt())),
    }
}

#[derive(Default)]
struct Tally {
    inputs: usize,
    answers: usize,
    runs: usize,
    /// Exit-2 errors by message (paths and offsets left out).
    errors: BTreeMap<String, usize>,
    /// Failures by kind.
    kinds: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

/// The message of an exit 2 without what varies from input to input.
fn error_kind(message: &str) -> String {
    let mut out = String::new();
    let mut in_path = false;
    for word in message.split(' ') {
        let is_path = word.contains('/');
        let is_number = !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit());
        if !(is_path && in_path) {
            out.push_str(match (is_path, is_number) {
                (true, _) => "<path>",
                (_, true) => "<n>",
                _ => word,
            });
            out.push(' ');
        }
        in_path = is_path;
    }
    out.trim().to_string()
}

fn failure_kind(message: &str) -> &'static str {
    [
        "hang",
        "panic",
        "invalid JSON",
        "exit 2 without",
        "killed",
        "exit",
    ]
    .into_iter()
    .find(|k| message.starts_with(k))
    .unwrap_or("other")
}

/// Keeps a failing input where it can be looked at after the test.
fn keep(input: &Input, seed: u64) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("robustness-failures")
        .join(format!("{seed:#x}"));
    let _ = std::fs::remove_dir_all(dir.join(format!("{:05}", input.id)));
    input.write(&dir)
}

fn fail(input: &Input, seed: u64, failure: String, tally: &mut Tally) {
    *tally.kinds.entry(failure_kind(&failure)).or_default() += 1;
    let kept = keep(input, seed);
    tally.failures.push(format!(
        "{}\n  kept at {}\n  reproduce: TFREVIEW_MUTATION_SEED={seed:#x} TFREVIEW_MUTATION_ONLY={} cargo test --test robustness mutations\n  {failure}",
        input.describe(),
        kept.display(),
        input.id
    ));
}

/// The analysis of `root` in this process: every finding's span and fix must be valid in
/// its file. Problems are charged to the input whose folder holds the file.
fn check_spans(root: &Path, inputs: &[Input], seed: u64, tally: &mut Tally) {
    let Ok(Ok(analysis)) =
        std::panic::catch_unwind(|| tfreview::analyse(root, &tfreview::Target::Auto))
    else {
        // The binary already ran on the same folder; an error here is the one it reported.
        return;
    };
    for (path, problem) in span_problems(&analysis) {
        let folder = path.split('/').next().unwrap_or("");
        let input = inputs
            .iter()
            .find(|i| format!("{:05}", i.id) == folder)
            .or(inputs.first());
        if let Some(input) = input {
            fail(input, seed, format!("span: {problem}"), tally);
        }
    }
}

fn run_batch(inputs: &[Input], seed: u64, tally: &mut Tally) {
    if inputs.len() > 1 {
        let root = tempfile::tempdir().unwrap();
        for input in inputs {
            input.write(root.path());
        }
        tally.runs += 1;
        if let Ok(None) = judge(&check(root.path())) {
            check_spans(root.path(), inputs, seed, tally);
            return;
        }
    }
    // Something went wrong, or the run stopped on an error: each input on its own.
    for input in inputs {
        let root = tempfile::tempdir().unwrap();
        let dir = input.write(root.path());
        tally.runs += 1;
        match judge(&check(&dir)) {
            Ok(None) => check_spans(root.path(), std::slice::from_ref(input), seed, tally),
            Ok(Some(error)) => *tally.errors.entry(error_kind(&error)).or_default() += 1,
            Err(failure) => fail(input, seed, failure, tally),
        }
    }
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
    .or_else(|| panic!("{name}={v} is not a number"))
}

fn mutation_run(default_count: usize) {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let seed = env_number("TFREVIEW_MUTATION_SEED").unwrap_or(DEFAULT_SEED);
    let count = env_number("TFREVIEW_MUTATIONS").map_or(default_count, |n| n as usize);
    let ids: Vec<usize> = match env_number("TFREVIEW_MUTATION_ONLY") {
        Some(id) => vec![id as usize],
        None => (0..count).collect(),
    };
    eprintln!(
        "mutation test: seed {seed:#x} (TFREVIEW_MUTATION_SEED), {} inputs (TFREVIEW_MUTATIONS)",
        ids.len()
    );
    let pool = Pool::new(&corpus);
    let started = Instant::now();
    let mut tally = Tally::default();
    for chunk in ids.chunks(BATCH) {
        let inputs: Vec<Input> = chunk.iter().map(|&id| pool.input(seed, id)).collect();
        tally.inputs += inputs.len();
        tally.answers += inputs.iter().filter(|i| i.answer).count();
        // An answer that is not UTF-8 stops the whole run with an error: on its own.
        let (alone, together): (Vec<Input>, Vec<Input>) = inputs
            .into_iter()
            .partition(|i| i.answer && std::str::from_utf8(&i.bytes).is_err());
        run_batch(&together, seed, &mut tally);
        for input in alone {
            run_batch(std::slice::from_ref(&input), seed, &mut tally);
        }
    }
    eprintln!(
        "mutation test: seed {seed:#x}: {} inputs ({} answers, {} .tf files) in {} runs of the binary, {:.1} s; failures: {} {:?}; exit 2 with a message: {:?}",
        tally.inputs,
        tally.answers,
        tally.inputs - tally.answers,
        tally.runs,
        started.elapsed().as_secs_f64(),
        tally.failures.len(),
        tally.kinds,
        tally.errors
    );
    assert!(
        tally.failures.is_empty(),
        "{} of {} mutated inputs failed (seed {seed:#x}):\n\n{}",
        tally.failures.len(),
        tally.inputs,
        tally.failures.join("\n\n")
    );
}

#[test]
fn mutations() {
    mutation_run(DEFAULT_INPUTS);
}

#[test]
#[ignore = "long: 20,000 inputs; run with --release"]
fn mutations_long() {
    mutation_run(LONG_INPUTS);
}

/// Inputs that crashed `check` or `extract` once, through the binary.
#[test]
fn former_crashers_through_the_binary() {
    // (answer?, content): an answer is a task folder's lib/MODEL_RESPONSE.md, else main.tf.
    let cases: &[(bool, &str)] = &[
        // A multi-byte quote just before a file name (markdown.rs file_name_in).
        (
            true,
            "Create “main.tf”:\n\n```hcl\nresource \"a\" \"b\" {}\n```\n",
        ),
        (true, "```hcl\n# “x.tf”\nvariable \"v\" {}\n```\n"),
        // hcl-edit's error offset inside the last character (model/parse.rs).
        (false, "x = [a # é"),
        (false, "x = (a\n# “"),
    ];
    for (answer, content) in cases {
        let root = tempfile::tempdir().unwrap();
        let input = Input {
            id: 0,
            source: "inline".into(),
            answer: *answer,
            bytes: content.as_bytes().to_vec(),
            mutations: Vec::new(),
            ideal: Vec::new(),
        };
        let dir = input.write(root.path());
        let run = check(&dir);
        assert_eq!(
            judge(&run),
            Ok(None),
            "check on {content:?}: {}",
            run.stderr
        );
        if *answer {
            let out = root.path().join("out");
            let status = Command::new(env!("CARGO_BIN_EXE_tfreview"))
                .arg("extract")
                .arg(dir.join("lib/MODEL_RESPONSE.md"))
                .arg("-o")
                .arg(&out)
                .output()
                .unwrap();
            assert!(
                status.status.success(),
                "extract on {content:?}: {}",
                String::from_utf8_lossy(&status.stderr)
            );
        }
    }
}

/// A name whose `lib/` is followed by a second slash used to come out absolute
/// (`/x.tf`), and `extract` joined it to the output folder: it wrote outside it.
#[test]
fn extract_writes_inside_the_output_folder() {
    let root = tempfile::tempdir().unwrap();
    let md = root.path().join("answer.md");
    std::fs::write(
        &md,
        "## File: lib//tfreview-robustness-escape.tf\n\n```hcl\nvariable \"v\" {}\n```\n",
    )
    .unwrap();
    let out = root.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_tfreview"))
        .arg("extract")
        .arg(&md)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.join("tfreview-robustness-escape.tf").is_file());
    assert!(!Path::new("/tfreview-robustness-escape.tf").exists());
}

/// An answer of many blocks, each named by the line before it (`Create fN.tf:`).
fn many_named_blocks(n: usize) -> String {
    (0..n)
        .map(|i| format!("Create f{i}.tf:\n\n```hcl\nvariable \"v{i}\" {{}}\n```\n\n"))
        .collect()
}

/// Extraction found each block's file by scanning the files before it: 60,000 blocks
/// took minutes. A generous bound; linear work takes well under a second.
#[test]
fn extraction_of_many_files_is_not_quadratic() {
    let md = many_named_blocks(60_000);
    let started = Instant::now();
    let extraction = extract(&md);
    let took = started.elapsed();
    assert_eq!(extraction.files.len(), 60_000);
    assert!(took < Duration::from_secs(10), "extraction took {took:?}");
}

/// answer-extraction found each note's file by scanning the files: one note per block.
#[test]
fn extraction_notes_of_many_files_are_not_quadratic() {
    let md = many_named_blocks(60_000);
    let extraction = extract(&md);
    let md_path = "lib/MODEL_RESPONSE.md";
    let files: Vec<SourceFile> = extraction
        .files
        .iter()
        .map(|f| {
            SourceFile::virtual_file(
                format!("{md_path}/{}", f.path),
                FileKind::Terraform,
                f.text.clone(),
                md_path,
                f.lines.clone(),
            )
        })
        .collect();
    let mut ws = tfreview::Workspace::from_files("/nonexistent", files);
    ws.notes = extraction
        .notes
        .iter()
        .map(|n| tfreview::workspace::Note {
            path: format!("{md_path}/{}", n.file.clone().unwrap_or_default()),
            md_path: md_path.into(),
            md_line: n.line,
            message: n.message.clone(),
        })
        .collect();
    let started = Instant::now();
    let analysis = tfreview::analyse_workspace(ws);
    let took = started.elapsed();
    let notes = analysis
        .findings
        .iter()
        .filter(|f| f.rule == "answer-extraction")
        .count();
    assert_eq!(notes, 60_000);
    eprintln!("analysis of 60,000 extracted files: {took:?}");
    assert!(took < Duration::from_secs(30), "analysis took {took:?}");
}

/// The analysis of in-memory `.tf` files (path, text).
fn analyse_files(files: &[(&str, &str)]) -> tfreview::Analysis {
    let files = files
        .iter()
        .map(|(path, text)| SourceFile::new(*path, FileKind::Terraform, *text))
        .collect();
    tfreview::analyse_workspace(tfreview::Workspace::from_files("/nonexistent", files))
}

/// provider-version-unbounded bounded `>= N` by `N + 1`, which overflowed for u64::MAX.
#[test]
fn version_constraint_at_the_largest_major_does_not_overflow() {
    let analysis = analyse_files(&[(
        "main.tf",
        "terraform {\n  required_version = \">= 18446744073709551615\"\n}\n",
    )]);
    assert!(span_problems(&analysis).is_empty());
    let analysis = analyse_files(&[(
        "main.tf",
        "terraform {\n  required_version = \">= 18446744073709551614\"\n}\n",
    )]);
    assert!(
        analysis
            .findings
            .iter()
            .any(|f| f.rule == "provider-version-unbounded"
                && f.message.contains("18446744073709551615.x"))
    );
}

/// provider-alias-undefined took `configuration_aliases = local.x` for a list and cut
/// its first and last characters to insert the alias: `[ocal., aws.target]`.
#[test]
fn configuration_aliases_that_are_not_a_list_get_no_edit() {
    let analysis = analyse_files(&[
        ("main.tf", "module \"q\" {\n  source = \"./modules/q\"\n}\n"),
        (
            "modules/q/main.tf",
            "terraform {\n  required_providers {\n    aws = {\n      source                = \"hashicorp/aws\"\n      configuration_aliases = local.x\n    }\n  }\n}\n\nresource \"aws_sqs_queue\" \"t\" {\n  provider = aws.target\n}\n",
        ),
    ]);
    let findings: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.rule == "provider-alias-undefined")
        .collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(span_problems(&analysis).is_empty());
    for f in findings {
        for edit in f.fix.iter().flat_map(|fix| &fix.edits) {
            assert!(!edit.text.contains("ocal"), "{edit:?}");
        }
    }
}
