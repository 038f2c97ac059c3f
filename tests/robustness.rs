//! Robustness: the engine must not panic or hang on any input.
//!
//! - Property tests (proptest) over the Markdown extractor and the line index of a
//!   source file, with arbitrary Unicode around fences and file names.
//! - A seeded mutation test: corpus files (deployed `lib/*.tf` and `lib/MODEL_RESPONSE.md`
//!   answers) are damaged at the byte and token level and reviewed by the real binary
//!   (`tfreview check --format json`), which must exit 0 or 1 with JSON on stdout (2 only
//!   with an error message), never panic, and finish within 10 s.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

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
        // Lines are 1-based; line 0: see `known_issue_line_range_of_line_zero`.
        for line in 1..=expected.len() + 2 {
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

/// `line_range(0)` computes `line_starts[0] - 1` and underflows (a panic in debug
/// builds, a range ending at `usize::MAX` in release). No caller passes 0 today; the fix
/// belongs to src/workspace/mod.rs, outside this branch's files.
#[test]
#[ignore = "KNOWN ISSUE: SourceFile::line_range(0) underflows at src/workspace/mod.rs:162"]
fn known_issue_line_range_of_line_zero() {
    let file = SourceFile::new("a.tf", FileKind::Terraform, "a\nb");
    let range = file.line_range(0);
    assert!(range.start <= range.end && range.end <= 3, "{range:?}");
}
