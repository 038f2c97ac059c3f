//! Views of an analysis for other programs and people: the `check` report as text and
//! JSON, and the review as Markdown.

pub mod github;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::analysis::Analysis;

/// The rule whose findings mean a file does not parse.
const SYNTAX_ERROR_RULE: &str = "hcl-syntax-error";

/// The files with a syntax error and the lines of their errors, in path order.
pub fn syntax_errors(analysis: &Analysis) -> Vec<(String, Vec<usize>)> {
    let mut files: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for f in analysis
        .findings
        .iter()
        .filter(|f| f.rule == SYNTAX_ERROR_RULE)
    {
        let ((line, _), _) = analysis.position(f);
        let lines = files.entry(analysis.path(f).to_string()).or_default();
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    files
        .into_iter()
        .map(|(path, mut lines)| {
            lines.sort_unstable();
            (path, lines)
        })
        .collect()
}

/// The warning that an export carries while files do not parse, naming each with the
/// line of its error; `name` writes a path (plain for JSON, a code span for Markdown).
/// One sentence, the same in every format.
pub fn syntax_warning_text(
    files: &[(String, Vec<usize>)],
    name: impl Fn(&str) -> String,
) -> String {
    let named: Vec<String> = files
        .iter()
        .map(|(path, lines)| {
            let list: Vec<String> = lines.iter().map(usize::to_string).collect();
            let word = if lines.len() == 1 { "line" } else { "lines" };
            format!("{} ({word} {})", name(path), list.join(", "))
        })
        .collect();
    let (verb, pronoun) = if files.len() == 1 {
        ("does", "it")
    } else {
        ("do", "them")
    };
    format!(
        "The review was exported while {} {verb} not parse, so findings in {pronoun} may be stale.",
        named.join(", ")
    )
}

/// [`syntax_warning_text`] with plain paths, for the JSON export; none when every file
/// parses.
pub fn warnings(analysis: &Analysis) -> Vec<String> {
    let files = syntax_errors(analysis);
    if files.is_empty() {
        return Vec::new();
    }
    vec![syntax_warning_text(&files, str::to_string)]
}
