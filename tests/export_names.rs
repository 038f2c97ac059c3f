//! The exported review is safe to send whatever the names and notes hold: a folder, file,
//! address or note with a newline and `## x` adds no heading, control characters and bidi
//! overrides arrive as visible escapes, backticks do not break code spans, no HTML entity
//! appears, diff headers of odd file names are quoted the way git quotes them (and
//! `git apply` takes them), and a file that does not parse puts a warning at the top.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use tfreview::analyse_path;
use tfreview::export::json;
use tfreview::export::markdown::{MarkdownOptions, render};
use tfreview::review::{Review, Status};

/// A KMS key without rotation: one `kms-key-rotation-disabled` finding with a safe fix.
fn key(name: &str) -> String {
    format!("resource \"aws_kms_key\" \"{name}\" {{\n  description = \"k\"\n}}\n")
}

/// A workspace folder `name` inside a fresh temporary folder, holding `files`.
fn workspace(name: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
    std::fs::create_dir_all(&root).unwrap();
    for (path, text) in files {
        std::fs::write(root.join(path), text).unwrap();
    }
    (dir, root)
}

fn draft() -> MarkdownOptions {
    MarkdownOptions {
        draft: true,
        ..MarkdownOptions::default()
    }
}

fn lines(md: &str) -> Vec<&str> {
    md.lines().collect()
}

/// The headings of the document, in order (not the lines of code blocks).
fn headings(md: &str) -> Vec<&str> {
    let mut fence: Option<&str> = None;
    let mut out = Vec::new();
    for line in md.lines() {
        let run = &line[..line.len() - line.trim_start_matches('`').len()];
        match fence {
            Some(open) if line == open => fence = None,
            Some(_) => {}
            None if run.len() >= 3 => fence = Some(run),
            None if line.starts_with('#') => out.push(line),
            None => {}
        }
    }
    out
}

/// Nothing in `md` can drive a terminal, and no HTML entity stands for a character.
fn assert_safe(md: &str) {
    let raw: Vec<char> = md
        .chars()
        .filter(|c| tfreview::sanitize::is_unsafe_char(*c))
        .collect();
    assert!(raw.is_empty(), "raw control characters {raw:?} in:\n{md}");
    // A reviewer may type `&amp;`: it is then escaped, shown as typed.
    for entity in ["&gt;", "&lt;", "&amp;", "&quot;"] {
        assert!(
            md.match_indices(entity)
                .all(|(i, _)| md[..i].ends_with('\\')),
            "{entity} in:\n{md}"
        );
    }
}

#[test]
fn folder_and_file_names_with_a_newline_and_a_heading_stay_on_their_line() {
    let (_dir, root) = workspace(
        "ws\n## x",
        &[("z.tf", &key("a")), ("odd\n## y.tf", &key("b"))],
    );
    let analysis = analyse_path(&root).unwrap();
    let name = root.file_name().unwrap().to_string_lossy();
    let md = render(&analysis, &Review::default(), &name, &draft());
    assert_safe(&md);
    assert_eq!(
        headings(&md),
        vec![
            "# Model Response Failures Analysis",
            "## Medium Failures",
            "### 1. KMS key rotation is not enabled (2 occurrences)",
            "### 2. Provider configuration is missing",
            "## Summary",
        ]
    );
    let lines = lines(&md);
    assert!(
        lines[2].starts_with("The review of `ws ## x` (2 files) found 2 failures: "),
        "{md}"
    );
    assert!(lines.contains(
        &"Each of `aws_kms_key.b` (`odd ## y.tf:1`) and `aws_kms_key.a` (`z.tf:1`) does not rotate its key material (`enable_key_rotation` is not set)."
    ), "{md}");
    // The file name comment inside the quoted code is one line too.
    assert!(
        lines.contains(&"# odd ## y.tf, lines 1-3 (the first of 2 places)"),
        "{md}"
    );
    // The diff header quotes the newline as git does.
    assert!(lines.contains(&"--- \"a/odd\\n## y.tf\"\t"), "{md}");
}

#[test]
fn a_resource_named_with_a_backtick_keeps_its_code_span() {
    let (_dir, root) = workspace(
        "ws",
        &[("main.tf", &key("a`b")), ("we`ird.tf", &key("c``"))],
    );
    let analysis = analyse_path(&root).unwrap();
    let mut review = Review::default();
    let second = analysis
        .findings
        .iter()
        .find(|f| f.address.as_deref() == Some("aws_kms_key.c``"))
        .unwrap();
    review.decide(&analysis, second, Status::Rejected, None);
    let md = render(&analysis, &review, "ws", &draft());
    assert_safe(&md);
    let lines = lines(&md);
    // The address holds a backtick: the span's fence is two backticks long.
    assert!(
        lines.contains(
            &"In `main.tf:1`, ``aws_kms_key.a`b`` does not rotate its key material (`enable_key_rotation` is not set)."
        ),
        "{md}"
    );
    // A path with a backtick, and an address ending in two: a longer fence, padded.
    assert!(
        lines.contains(
            &"- **KMS key rotation is not enabled** (Medium, `kms-key-rotation-disabled`, ``we`ird.tf:1``)."
        ),
        "{md}"
    );
    // The quoted code holds a backtick run of two: its fence is still three long.
    assert!(md.contains("```hcl\n# main.tf, lines 1-3\nresource \"aws_kms_key\" \"a`b\" {\n"));
    // A path with a backtick and a newline, quoted by a rule's message.
    let (_dir, root) = workspace("ws", &[]);
    std::fs::write(root.join("x`\n## y.tf"), b"\xff\xfe").unwrap();
    let analysis = analyse_path(&root).unwrap();
    let md = render(&analysis, &Review::default(), "ws", &draft());
    assert_safe(&md);
    let item = md
        .lines()
        .find(|l| l.starts_with("In ``x` ## y.tf:1``, "))
        .unwrap_or_else(|| panic!("{md}"));
    assert!(
        item.starts_with("In ``x` ## y.tf:1``, ``x` ## y.tf`` is not valid UTF-8"),
        "{item}"
    );

    let (_dir, root) = workspace("ws", &[("main.tf", &key("x``"))]);
    let analysis = analyse_path(&root).unwrap();
    let md = render(&analysis, &Review::default(), "ws", &draft());
    assert!(
        md.contains(
            "In `main.tf:1`, ``` aws_kms_key.x`` ``` does not rotate its key material (`enable_key_rotation` is not set).\n"
        ),
        "{md}"
    );
}

#[test]
fn notes_summaries_and_file_contents_reach_the_document_as_visible_text() {
    let (_dir, root) = workspace(
        "ws",
        &[(
            "main.tf",
            "resource \"aws_kms_key\" \"a\" {\n  description = \"\u{1b}]0;pwned\u{7}\u{202e}\"\n}\n\n\
             resource \"aws_kms_key\" \"b\" {}\n",
        )],
    );
    let analysis = analyse_path(&root).unwrap();
    let mut review = Review {
        summary: Some("Fine\u{1b}[2J work <b>bold</b> & `x`\r\n## x\n> quoted".into()),
        score: Some(5),
        ..Review::default()
    };
    let a = analysis
        .findings
        .iter()
        .find(|f| f.address.as_deref() == Some("aws_kms_key.a"))
        .unwrap();
    let b = analysis
        .findings
        .iter()
        .find(|f| f.address.as_deref() == Some("aws_kms_key.b"))
        .unwrap();
    review.decide(
        &analysis,
        a,
        Status::Accepted,
        Some(Some(
            "Key \u{7}rotation\u{202e}txt <b>off</b> &amp; more\n## x\n1. not a list".into(),
        )),
    );
    review.decide(
        &analysis,
        b,
        Status::Rejected,
        Some(Some("We rotate by hand\u{1b}[31m\n## x <i>".into())),
    );
    let md = render(&analysis, &review, "ws", &MarkdownOptions::default());
    assert_safe(&md);
    assert_eq!(
        headings(&md),
        vec![
            "# Model Response Failures Analysis",
            "## Medium Failures",
            "### 1. KMS key rotation is not enabled",
            "## Summary",
            "## Dismissed Findings",
            "## Not Yet Reviewed",
        ]
    );
    let lines = lines(&md);
    // The summary keeps its lines; none opens a block.
    assert_eq!(
        lines[4..7],
        [
            "Fine\\x1b\\[2J work \\<b>bold\\</b> & `x`",
            "\\## x",
            "\\> quoted"
        ]
    );
    assert!(
        lines
            .contains(&"**Root Cause**: Key \\x07rotation\\u{202e}txt \\<b>off\\</b> \\&amp; more")
    );
    assert!(lines.contains(&"\\## x"));
    assert!(lines.contains(&"1\\. not a list"));
    // The summary is written once, the score once.
    assert_eq!(md.matches("Fine\\x1b").count(), 1);
    assert!(lines.contains(&"**Training Quality Score**: 5/10"));
    assert_eq!(md.matches("5/10").count(), 1);
    assert!(lines.contains(
        &"- **KMS key rotation is not enabled** (Medium, `kms-key-rotation-disabled`, `main.tf:5`). Reason: We rotate by hand\\x1b\\[31m ## x \\<i>"
    ));
    // Code quoted from the file shows its escapes.
    assert!(lines.contains(&"  description = \"\\x1b]0;pwned\\x07\\u{202e}\""));
}

#[test]
fn values_in_code_spans_are_verbatim_and_no_html_entity_is_written() {
    let analysis =
        analyse_path(&common::manifest_dir().join("sample-workspaces/multi-account-security"))
            .unwrap();
    let md = render(
        &analysis,
        &Review::default(),
        "multi-account-security",
        &draft(),
    );
    assert_safe(&md);
    assert!(md.contains(
        "In `provider.tf:7`, the provider `aws` constraint `>= 5.0` accepts every future major version"
    ));
}

/// The `--- ` and `+++ ` lines of a diff.
fn headers(diff: &str) -> Vec<String> {
    let mut out: Vec<String> = diff
        .lines()
        .filter(|l| l.starts_with("--- ") || l.starts_with("+++ "))
        .map(str::to_string)
        .collect();
    out.sort();
    out
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "core.quotePath=true",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn diff_headers_of_odd_file_names_are_quoted_like_git_and_apply_with_git() {
    let names = [
        "tab\there.tf",
        "caf\u{e9}.tf",
        "with space.tf",
        "quo\"te.tf",
        "back\\slash.tf",
        "esc\u{1b}[31m.tf",
        "odd\n## y.tf",
    ];
    // One key per file: the same address in two files would be a duplicate.
    let files: Vec<(&str, String)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, key(&format!("k{i}"))))
        .collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let (_dir, root) = workspace("ws", &files);
    let analysis = analyse_path(&root).unwrap();
    let md = render(&analysis, &Review::default(), "ws", &draft());
    assert_safe(&md);
    let diff = md
        .split("```diff\n")
        .nth(1)
        .unwrap()
        .split("\n```\n")
        .next()
        .unwrap()
        .to_string()
        + "\n";
    let ours = headers(&diff);
    assert_eq!(
        ours,
        vec![
            "+++ \"b/back\\\\slash.tf\"",
            "+++ \"b/caf\\303\\251.tf\"",
            "+++ \"b/esc\\033[31m.tf\"",
            "+++ \"b/odd\\n## y.tf\"\t",
            "+++ \"b/quo\\\"te.tf\"",
            "+++ \"b/tab\\there.tf\"",
            "+++ b/with space.tf\t",
            "--- \"a/back\\\\slash.tf\"",
            "--- \"a/caf\\303\\251.tf\"",
            "--- \"a/esc\\033[31m.tf\"",
            "--- \"a/odd\\n## y.tf\"\t",
            "--- \"a/quo\\\"te.tf\"",
            "--- \"a/tab\\there.tf\"",
            "--- a/with space.tf\t",
        ]
    );
    // git takes the diff, and writes the same headers for the same change.
    git(&root, &["init", "-q"]);
    git(&root, &["add", "."]);
    git(&root, &["commit", "-q", "-m", "before"]);
    std::fs::write(root.join("fix.patch"), &diff).unwrap();
    git(&root, &["apply", "--check", "fix.patch"]);
    git(&root, &["apply", "fix.patch"]);
    for name in names {
        let text = std::fs::read_to_string(root.join(name)).unwrap();
        assert!(
            text.contains("enable_key_rotation = true"),
            "{name}: {text}"
        );
    }
    std::fs::remove_file(root.join("fix.patch")).unwrap();
    assert_eq!(headers(&git(&root, &["diff"])), ours);
}

#[test]
fn a_syntax_error_opens_the_export_with_a_warning() {
    let (_dir, root) = workspace(
        "ws",
        &[
            ("bad.tf", "resource \"x\" \"y\" {\n  a = \n"),
            ("main.tf", &key("k")),
        ],
    );
    let analysis = analyse_path(&root).unwrap();
    let md = render(
        &analysis,
        &Review::default(),
        "ws",
        &MarkdownOptions::default(),
    );
    let lines = lines(&md);
    assert_eq!(lines[0], "# Model Response Failures Analysis");
    assert_eq!(lines[1], "");
    assert_eq!(
        lines[2],
        "> **Warning**: The review was exported while `bad.tf` (line 2) does not parse, so findings in it may be stale."
    );
    assert_eq!(lines[3], "");
    assert!(lines[4].starts_with("The review of `ws`"));

    let report = json::report_with_status(&analysis, "ws", |_| ("pending".into(), None));
    let value: serde_json::Value = serde_json::from_str(&json::to_string(&report)).unwrap();
    assert_eq!(
        value["warnings"],
        serde_json::json!([
            "The review was exported while bad.tf (line 2) does not parse, so findings in it may be stale."
        ])
    );
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "tool", "version", "root", "files", "findings", "summary", "warnings"
        ]
    );

    // Two files are named in path order, each with its line.
    let (_dir, root) = workspace(
        "ws",
        &[
            ("b.tf", "locals {\n  a = \n"),
            ("a.tf", "\n\nvariable \"v\" {\n  type = \n"),
        ],
    );
    let analysis = analyse_path(&root).unwrap();
    let md = render(
        &analysis,
        &Review::default(),
        "ws",
        &MarkdownOptions::default(),
    );
    assert_eq!(
        md.lines().nth(2).unwrap(),
        "> **Warning**: The review was exported while `a.tf` (line 4), `b.tf` (line 2) do not parse, so findings in them may be stale."
    );

    // Nothing to warn about: no quote, an empty list.
    let (_dir, root) = workspace("ws", &[("main.tf", &key("k"))]);
    let analysis = analyse_path(&root).unwrap();
    let md = render(
        &analysis,
        &Review::default(),
        "ws",
        &MarkdownOptions::default(),
    );
    assert!(!md.contains("> **Warning**"));
    let report = json::report_with_status(&analysis, "ws", |_| ("pending".into(), None));
    assert_eq!(report.warnings, Some(Vec::new()));
    // `check --format json` keeps its shape: its findings already say it.
    assert_eq!(json::report(&analysis, "ws").warnings, None);
}

/// What a CommonMark (and GFM) reader sees: headings, code spans, code blocks, HTML and
/// the text of each paragraph and list item.
#[derive(Default, Debug)]
struct Read {
    headings: Vec<String>,
    code: Vec<String>,
    blocks: usize,
    html: Vec<String>,
    paragraphs: Vec<String>,
}

fn read(md: &str) -> Read {
    let mut out = Read::default();
    let mut heading: Option<String> = None;
    let mut paragraph: Option<String> = None;
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    for event in Parser::new_ext(md, options) {
        let text = match &event {
            Event::Text(t) => Some(t.to_string()),
            Event::Code(c) => {
                out.code.push(c.to_string());
                Some(c.to_string())
            }
            Event::SoftBreak | Event::HardBreak => Some("\n".to_string()),
            _ => None,
        };
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => out.headings.extend(heading.take()),
            Event::Start(Tag::Paragraph) => paragraph = Some(String::new()),
            Event::End(TagEnd::Paragraph) => out.paragraphs.extend(paragraph.take()),
            Event::Start(Tag::CodeBlock(_)) => out.blocks += 1,
            Event::Start(
                Tag::Table(_) | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. },
            ) => {
                out.html.push(format!("{event:?}"));
            }
            Event::Html(h) | Event::InlineHtml(h) => out.html.push(h.to_string()),
            _ => {}
        }
        if let Some(text) = text {
            if let Some(h) = heading.as_mut() {
                h.push_str(&text);
            } else if let Some(p) = paragraph.as_mut() {
                p.push_str(&text);
            }
        }
    }
    out
}

#[test]
fn a_commonmark_reader_gets_back_the_names_and_notes_as_typed() {
    let (_dir, root) = workspace(
        "ws\n## x",
        &[
            ("a`b.tf", &key("x`y")),
            ("c.tf", &key("`edge``")),
            ("odd\n## y.tf", &key("z")),
        ],
    );
    let analysis = analyse_path(&root).unwrap();
    let mut review = Review {
        summary: Some("Mostly <b>fine</b> & [ok](http://x) *not bold* __nor__ snake_case\n---\n| a | b |\n|---|---|\n1) one\n<div>x</div>".into()),
        ..Review::default()
    };
    // Reviewer text is text with code spans: a run of backticks up to the next run of the
    // same length, as CommonMark reads it; a backslash is a backslash.
    let note =
        "Seen <script>x</script> &amp; `code` C:\\dir\\ ``a`b``\n# head\n> quote\n    indented";
    for f in &analysis.findings {
        review.decide(&analysis, f, Status::Accepted, Some(Some(note.into())));
    }
    let name = root.file_name().unwrap().to_string_lossy();
    let md = render(&analysis, &review, &name, &MarkdownOptions::default());
    assert_safe(&md);
    let read = read(&md);
    assert_eq!(
        read.headings,
        [
            "Model Response Failures Analysis",
            "Medium Failures",
            "1. KMS key rotation is not enabled (3 occurrences)",
            "2. Provider configuration is missing",
            "Summary",
        ]
    );
    assert!(read.html.is_empty(), "{:?}", read.html);
    // The quoted code and the diff of the rotation failure, the diff of the missing
    // provider configuration (which has nothing to quote), and nothing else.
    assert_eq!(read.blocks, 3);
    for code in [
        "ws ## x",
        "a`b.tf:1",
        "aws_kms_key.x`y",
        "c.tf:1",
        "aws_kms_key.`edge``",
        "odd ## y.tf:1",
        "aws_kms_key.z",
        "kms-key-rotation-disabled",
    ] {
        assert!(
            read.code.iter().any(|c| c == code),
            "no code span `{code}` in {:?}",
            read.code
        );
    }
    assert!(read.paragraphs.contains(
        &"Mostly <b>fine</b> & [ok](http://x) *not bold* __nor__ snake_case\n---\n| a | b |\n|---|---|\n1) one\n<div>x</div>".to_string()
    ), "{:#?}", read.paragraphs);
    let seen = "Seen <script>x</script> &amp; code C:\\dir\\ a`b\n# head\n> quote\nindented";
    assert!(
        read.paragraphs.contains(&format!("Root Cause: {seen}")),
        "{:#?}",
        read.paragraphs
    );
    // The three notes of the first failure: the first after the label, two more.
    assert_eq!(read.paragraphs.iter().filter(|p| *p == seen).count(), 2);
}
