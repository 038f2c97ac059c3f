//! `tfreview check --format github`: one GitHub Actions workflow command per finding
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`), which the
//! Actions runner turns into annotations on the pull request's lines.

use std::fmt::Write as _;

use crate::analysis::Analysis;
use crate::export::sarif::Base;
use crate::finding::Severity;
use crate::review::{Review, Status};

/// The annotations of every finding the reviewer has not rejected. Paths start at the
/// folder `check` ran in (`base`), as the runner wants them.
pub fn render(analysis: &Analysis, review: &Review, base: &Base) -> String {
    let ws = &analysis.workspace;
    let mut out = String::new();
    for f in &analysis.findings {
        if review.status(&f.fingerprint(ws)) == Status::Rejected {
            continue;
        }
        let Some(file) = ws.files.get(f.file) else {
            continue;
        };
        let ((line, col), (end_line, end_col)) = analysis.position(f);
        let command = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "notice",
        };
        let title = format!("{} [{}]", f.title, f.rule);
        let location = match file.origin_at(line) {
            // A file extracted from a Markdown answer: its lines in the Markdown.
            Some(origin) => {
                let end = file.origin_at(end_line).map_or(origin.line, |o| o.line);
                format!(
                    "file={},line={},endLine={}",
                    property(&format!("{}{}", base.prefix, origin.path)),
                    origin.line,
                    end.max(origin.line)
                )
            }
            None => format!(
                "file={},line={line},col={col},endLine={end_line},endColumn={end_col}",
                property(&format!("{}{}", base.prefix, file.path))
            ),
        };
        let _ = writeln!(
            out,
            "::{command} {location},title={}::{}",
            property(&title),
            data(&format!("{} ({})", f.message, f.severity.as_str()))
        );
    }
    out
}

/// A workflow command's message: `%`, CR and LF escaped, so that nothing in it can end
/// the command or start another.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as [`data`], and `:` and `,` too.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_in_a_value_can_end_the_command() {
        assert_eq!(data("a%b\r\nc"), "a%25b%0D%0Ac");
        assert_eq!(property("x: a, b"), "x%3A a%2C b");
    }
}
